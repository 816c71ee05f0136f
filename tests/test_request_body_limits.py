"""Request body limits through the real ASGI server: anonymous posts cannot stream gigabytes into Django's spool,
while a staff footage upload, larger than any form, still reaches Django."""

from pathlib import Path

import pytest

from registry.models import FootageRequest
from tests.stream_servers import raw_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/register/", "/register/manage/anything/delete/", "/login/", "/api/v1/intake/gunshot/", "/plates/search/"]
)
def test_a_declared_oversize_post_to_a_public_registry_page_is_refused_before_its_body_is_read(live_asgi, path):
    megabyte = b"a" * (1024 * 1024)
    status, sent = raw_post(
        live_asgi.url,
        path,
        {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(256 * 1024 * 1024)},
        (megabyte for _ in range(256)),
    )
    assert status.startswith("HTTP/1.1 413")
    assert sent < 256 * 1024 * 1024


def test_a_chunked_post_to_the_registration_form_is_cut_off_once_it_passes_the_form_limit(live_asgi):
    def chunked():
        block = b"a" * (256 * 1024)
        for _ in range(1024):  # 256 MB offered
            yield f"{len(block):x}\r\n".encode() + block + b"\r\n"
        yield b"0\r\n\r\n"

    status, sent = raw_post(
        live_asgi.url,
        "/register/",
        {"Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"},
        chunked(),
    )
    assert status.startswith("HTTP/1.1 413")
    assert sent < 256 * 1024 * 1024


def test_the_registration_form_still_works_through_the_real_server(live_asgi):
    import urllib.request

    page = urllib.request.urlopen(live_asgi.url + "/register/", timeout=10)
    assert page.status == 200 and b"csrfmiddlewaretoken" in page.read()
    assert FootageRequest.objects.count() == 0


def test_a_staff_footage_upload_larger_than_a_form_is_not_cut_off_by_the_form_limit(live_asgi, users):
    megabyte = b"a" * (1024 * 1024)
    status, sent = raw_post(
        live_asgi.url,
        "/footage/upload/",
        {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(8 * 1024 * 1024),
            **_staff_headers(users["video_technician"]),
        },
        (megabyte for _ in range(8)),
    )
    assert not status.startswith("HTTP/1.1 413"), status
    # It reached the view, which read all of it and asks for a video file.
    assert status.startswith("HTTP/1.1 302") and sent == 8 * 1024 * 1024


# --- Authorisation before the body (issue 14, finding 5) -------------------------------------------

CSRF_SECRET = "k" * 32


def _staff_headers(user, *, csrf=True):
    from django.conf import settings

    from tests.conftest import session_cookie_for

    cookies = [f"{settings.SESSION_COOKIE_NAME}={session_cookie_for(user)}"]
    headers = {}
    if csrf:
        cookies.append(f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}")
        headers["X-CSRFToken"] = CSRF_SECRET
    return {"Cookie": "; ".join(cookies), **headers}


@pytest.fixture
def spool(tmp_path, monkeypatch, settings):
    """Where Django's ASGI handler would spool a body (the default temporary folder), and the upload folder."""
    import tempfile

    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return [folder, Path(settings.FILE_UPLOAD_TEMP_DIR)]


def _offer(live_asgi, path, megabytes, headers=None):
    megabyte = b"\x00" * (1024 * 1024)
    return raw_post(
        live_asgi.url,
        path,
        {
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(megabytes * 1024 * 1024),
            **(headers or {}),
        },
        (megabyte for _ in range(megabytes)),
    )


def test_a_300_mb_upload_to_a_forged_owner_link_is_refused_before_its_body_is_read(live_asgi, spool):
    status, sent = _offer(live_asgi, "/register/footage/not-a-token/", 300)
    assert status.startswith("HTTP/1.1 400"), status
    assert sent < 300 * 1024 * 1024  # answered long before the client had sent it all
    assert all(list(folder.iterdir()) == [] for folder in spool)


@pytest.mark.parametrize("who", [None, "analyst", "responder"])
def test_a_staff_upload_without_a_footage_reviewer_signed_in_is_refused_before_its_body_is_read(
    live_asgi, users, spool, who
):
    headers = _staff_headers(users[who]) if who else {}
    status, sent = _offer(live_asgi, "/footage/upload/", 300, headers)
    assert status.startswith("HTTP/1.1 403"), status
    assert sent < 300 * 1024 * 1024
    assert all(list(folder.iterdir()) == [] for folder in spool)


def test_a_staff_upload_without_its_csrf_cookie_is_refused_before_its_body_is_read(live_asgi, users, spool):
    status, sent = _offer(live_asgi, "/footage/upload/", 300, _staff_headers(users["video_technician"], csrf=False))
    assert status.startswith("HTTP/1.1 403"), status
    assert sent < 300 * 1024 * 1024
    assert all(list(folder.iterdir()) == [] for folder in spool)
