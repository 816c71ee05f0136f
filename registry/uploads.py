"""Upload limits and upload permission enforced before the bytes arrive, not after they have filled a disk.

Two guards, because Django's ASGI handler spools a request body to a temporary
file before any view runs:

- `UploadLimitMiddleware` wraps the ASGI application: for the owners' upload
  pages (and, with a small form-sized limit, every other public /register/
  page) it refuses a declared Content-Length over the limit before reading
  anything, and cuts a body off (413) the moment the bytes received pass it.
  A post to an upload route is first checked for its permission, still before
  a byte of the body is read: an owner's upload link must name an open footage
  request (400/410 otherwise), a staff upload a signed-in session that may review
  footage and the CSRF cookie the form's token is checked against (403 otherwise).
- `LimitedUploadHandler` is the view's Django upload handler: it counts the
  bytes of each file part as the multipart parser hands them over and stops the
  upload (deleting its temporary file) past the limit. It covers any server
  (WSGI, the test client) and chunked bodies with no Content-Length.
"""

from html import escape
from importlib import import_module
from types import SimpleNamespace

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import parse_cookie
from django.urls import Resolver404, resolve

UPLOAD_PATH_PREFIX = "/register/footage/"
# Every other page (public registry forms, sign-in, the APIs) takes only small bodies.
STAFF_UPLOAD_PATH = "/footage/upload/"
# Room for the multipart headers and the form's small fields around the file.
MULTIPART_OVERHEAD = 64 * 1024


def body_limit() -> int:
    return settings.RTCC_FOOTAGE_UPLOAD_MAX_BYTES + MULTIPART_OVERHEAD


def form_limit() -> int:
    """A public form's body: no more than Django would parse anyway (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    return (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440) + MULTIPART_OVERHEAD


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Stream each file to a temporary file, counting; past the limit stop and delete what was written."""

    def __init__(self, request=None, max_bytes=None):
        super().__init__(request)
        self.max_bytes = max_bytes or settings.RTCC_FOOTAGE_UPLOAD_MAX_BYTES
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.exceeded = True
            self.upload_interrupted()
            raise StopUpload(connection_reset=True)
        return super().receive_data_chunk(raw_data, start)

    def upload_interrupted(self):
        handle = getattr(self, "file", None)
        if handle is not None:
            try:
                handle.close()  # a NamedTemporaryFile deletes itself on close
            except OSError:
                pass


FORM_TOO_LARGE_BODY = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Form too large</title></head>"
    b"<body style='font:18px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem'>"
    b"<h1>The form sent was too large</h1><p>Nothing was saved. Go back and send the form again.</p></body></html>"
)

TOO_LARGE_BODY = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>File too large</title></head>"
    b"<body style='font:18px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem'>"
    b"<h1>The file is too large</h1><p>The upload was stopped because it is larger than %d MB. "
    b"Go back and choose a shorter clip, or split it into several files.</p></body></html>"
)


REFUSED_BODY = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Upload refused</title></head>"
    b"<body style='font:18px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem'>"
    b"<h1>The upload was refused</h1><p>%s</p><p>Nothing was received or saved.</p></body></html>"
)


def upload_refusal(scope) -> tuple[int, str] | None:
    """(status, reason) when a post to an upload route may not send its body; None when it may.

    Runs before the body is read, so it sees only the path, the cookies and the headers. The views
    check everything again (the CSRF token itself is in the body) once the body has arrived.
    """
    from rtcc import two_factor
    from rtcc.roles import Capability, can

    from . import links, services

    cookies = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies.update(parse_cookie(value.decode("latin-1")))
    try:
        match = resolve(scope.get("path", ""))
    except Resolver404:
        return None  # no such page: Django answers 404 without reading the body
    if match.namespace == "registry-public" and "token" in match.kwargs:
        try:
            footage_request = links.request_for_upload(match.kwargs["token"])
            services.footage_request_check_open(footage_request)
        except links.LinkRefused as refused:
            return refused.status, refused.message
        except services.FootageRequestClosed as closed:
            return 410, str(closed)
    elif match.url_name == "upload" and match.namespace == "footage":
        key = cookies.get(settings.SESSION_COOKIE_NAME)
        session = import_module(settings.SESSION_ENGINE).SessionStore(key) if key else None
        user = get_user(SimpleNamespace(session=session)) if session is not None else None
        if user is None or not user.is_authenticated or not can(user, Capability.REVIEW_FOOTAGE):
            return 403, "Sign in as a video technician or supervisor to upload footage."
        if not two_factor.session_passes(user, session):
            return 403, "This session has not passed the second factor."
        # The form's CSRF token is in the body; a post without the cookie it is checked against cannot pass.
        if not settings.CSRF_USE_SESSIONS and settings.CSRF_COOKIE_NAME not in cookies:
            return 403, "This form was not sent from its page. Open the footage library again and upload from there."
    return None


class UploadLimitMiddleware:
    """ASGI middleware: caps every request body while it streams in.

    Owners' uploads and staff footage uploads get their file limits; every other
    request (public forms, sign-in, the APIs) no more than DATA_UPLOAD_MAX_MEMORY_SIZE,
    which Django would refuse to parse anyway. Django's ASGI handler spools a whole
    body to disk before any view or setting can refuse it, so without this anyone
    could stream gigabytes at any URL.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if path.startswith(UPLOAD_PATH_PREFIX):
            limit, page = body_limit(), self._upload_page()
        elif path.startswith(STAFF_UPLOAD_PATH):
            # Staff uploads of footage: the library's own size limit (checked again by the view).
            limit, page = settings.RTCC_FOOTAGE_UPLOAD_MAX_MB * 1024 * 1024 + MULTIPART_OVERHEAD, self._upload_page()
        else:
            # Everything else (sign-in, forms, APIs) takes no more than Django would parse anyway.
            limit, page = form_limit(), FORM_TOO_LARGE_BODY
        declared = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
        if declared is not None and declared > limit:
            return await self._refuse(send, page)
        if scope.get("method") == "POST" and path.startswith((UPLOAD_PATH_PREFIX, STAFF_UPLOAD_PATH)):
            refusal = await database_sync_to_async(upload_refusal)(scope)
            if refusal is not None:
                status, message = refusal
                return await self._refuse(send, REFUSED_BODY % escape(message).encode(), status=status)

        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            return await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, page)

    @staticmethod
    def _upload_page():
        return TOO_LARGE_BODY % (settings.RTCC_FOOTAGE_UPLOAD_MAX_BYTES // (1024 * 1024) or 1)

    @staticmethod
    async def _refuse(send, body, status=413):
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    """Raised inside the ASGI receive channel once a body passes the limit."""
