"""Every response carries a strict Content-Security-Policy and the other security headers, and no page needs
what that policy refuses: no inline script (json_script data blocks excepted), no <style> block, no style=
attribute and no on*= handler. Pages are fetched from the URL map's own walk, as each role, so a new page is
checked without being named here; the templates are also read as files, for pages the walk cannot fill in.
"""

import re
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from cameras.choices import CameraStatus
from cameras.models import Camera
from rtcc.security_headers import build_policy, tile_source
from tests.conftest import REPO, sign_in
from tests.factories import camera, one_of_everything
from tests.test_every_view_checks_roles import ALL

ROLES = ("analyst", "video_technician", "supervisor", "responder", "admin")
# Scripts with this type hold data for other scripts; browsers never run them, so the CSP does not apply.
DATA_SCRIPT_TYPES = {"application/json"}


class InlineFinder(HTMLParser):
    """What a strict CSP would refuse in a page: inline scripts, style blocks and attributes, handlers, js: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and not values.get("src") and (values.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> block at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> at line {self.getpos()[0]}")
            url = (value or "").strip().lower() if name in ("href", "src", "action", "formaction") else ""
            if url.startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...> at line {self.getpos()[0]}")


def inline_code(html):
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict_headers(response, where):
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"{where}: no Content-Security-Policy"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (where, policy)
    parsed = directives(policy)
    assert parsed["script-src"] == ["'self'"] and parsed["style-src"] == ["'self'"], (where, policy)
    assert parsed["object-src"] == ["'none'"] and parsed["frame-ancestors"] == ["'none'"], (where, policy)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    assert response.headers.get("Permissions-Policy") == "camera=(), microphone=(), geolocation=(self)", where
    if not where.startswith("/static/"):  # frame-ancestors says it for files; XFrameOptionsMiddleware for the rest
        assert response.headers.get("X-Frame-Options") == "DENY", where


def is_html(response):
    return response.get("Content-Type", "").startswith("text/html")


# --- The policy itself ---------------------------------------------------------------------------------------


def test_the_policy_names_every_directive_and_nothing_inline():
    policy = directives(build_policy("", host="rtcc.example.org"))
    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'", "ws://rtcc.example.org", "wss://rtcc.example.org"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }


@pytest.mark.parametrize(
    "url, source",
    [
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles.city.gov:8443/osm/{z}/{x}/{y}{r}.png", "https://tiles.city.gov:8443"),
        ("http://user:secret@maps.internal/{z}/{x}/{y}.png", "http://maps.internal"),
        ("", None),
    ],
)
def test_the_map_tile_host_is_allowed_for_images_only(url, source):
    assert tile_source(url) == source
    policy = directives(build_policy(url))
    if source:
        assert policy["img-src"] == ["'self'", "data:", "blob:", source]
        assert all(source not in sources for name, sources in policy.items() if name != "img-src")


def test_a_tile_url_the_policy_cannot_name_is_refused():
    with pytest.raises(ImproperlyConfigured, match="first part of the host name"):
        tile_source("https://tiles.{s}.example.org/{z}/{x}/{y}.png")


@pytest.mark.django_db
def test_the_configured_tile_host_is_in_the_pages_policy(client, settings, users):
    settings.RTCC_MAP_TILE_URL = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    client.force_login(users["analyst"])
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert "https://*.tile.openstreetmap.org" in policy["img-src"]
    assert policy["connect-src"] == ["'self'", "ws://testserver", "wss://testserver"]


@pytest.mark.django_db
def test_static_files_and_error_answers_carry_the_headers_too(client):
    for path in ("/static/rtcc/common.js", "/no-such-page/", "/healthz", "/api/v1/cameras/"):
        assert_strict_headers(client.get(path), path)


# --- Every page, walked from the URL map ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ALL)
def test_every_page_sends_the_policy_and_needs_nothing_it_refuses(client, users, path):
    """Each route as anyone, then as each role: headers on every answer, and no inline code in any page."""
    one_of_everything(users["supervisor"])
    # Answers are judged here for their headers and markup; which status each role gets is the role walk's concern
    # (one_of_everything's evidence export has no file, so its download fails: an error page needs headers too).
    client.raise_request_exception = False
    for role in (None, *ROLES):
        client.logout()
        if role:
            client.force_login(users[role])
        # API routes also answer browsers with DRF's HTML rendering of the same data.
        for accept in ("text/html", "application/json") if path.startswith("/api/") else ("text/html",):
            response = client.get(path, HTTP_ACCEPT=accept)
            where = f"{path} as {role or 'anyone'} ({accept}): {response.status_code}"
            assert_strict_headers(response, where)
            if is_html(response) and response.status_code == 200 and not getattr(response, "streaming", False):
                assert inline_code(response.content.decode()) == [], where


@pytest.mark.django_db
def test_the_walk_reads_the_pages_that_matter(client, users):
    """The walk above must render real pages, not only refusals: these are read with content as their role."""
    objects = one_of_everything(users["supervisor"])
    pages = {
        "analyst": [
            "/dashboard/",
            f"/incidents/{objects['incident'].pk}/",
            f"/cameras/{objects['camera'].pk}/",
            "/cameras/",
            "/cameras/wall/",
            "/plates/",
            "/incidents/",
            "/registry/",
        ],
        "supervisor": ["/manage/", "/manage/users/", "/audit/", "/plates/transparency/"],
        "responder": ["/incidents/respond/"],
        None: ["/register/", "/login/"],
    }
    for role, paths in pages.items():
        client.logout()
        if role:
            client.force_login(users[role])
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200 and is_html(response), (role, path, response.status_code)
            assert_strict_headers(response, path)
            assert inline_code(response.content.decode()) == [], path


@pytest.mark.django_db
def test_the_admin_pages_need_nothing_the_policy_refuses(client, users):
    """Superusers' Django admin: its index, and each model's list, add and change pages."""
    one_of_everything(users["supervisor"])
    client.force_login(users["admin"])
    request = RequestFactory().get("/admin/")
    request.user = users["admin"]
    paths = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        paths.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            paths.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            paths.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert_strict_headers(response, path)
        assert inline_code(response.content.decode()) == [], path


def test_the_api_docs_page_loads_its_script_from_a_file(client, django_user_model, db):
    user = django_user_model.objects.create_user("docs-reader", password="x-correct-horse-9")
    client.force_login(user)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert_strict_headers(response, "/api/docs/")
    assert inline_code(response.content.decode()) == []
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


# --- Templates and scripts as files ---------------------------------------------------------------------------

# Comments go; a template's own code ({{ }}, {% %}) stands as one word, so src="{% static ... %}" still names a file.
TEMPLATE_COMMENT = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}", re.S)
TEMPLATE_CODE = re.compile(r"{%.*?%}|{{.*?}}", re.S)


def test_no_template_holds_inline_script_style_or_handlers():
    offenders = {}
    for path in sorted((REPO / "templates").rglob("*.html")):
        markup = TEMPLATE_CODE.sub("x", TEMPLATE_COMMENT.sub("", path.read_text()))
        found = inline_code(markup)
        if found:
            offenders[str(path.relative_to(REPO))] = found
    assert offenders == {}


# Markup written into a page by a script is held to the same rule: no style= or on*= inside a string.
SCRIPT_MARKUP = re.compile(r"""["'`][^"'`]*<[a-z][^>]*\s(?:style|on[a-z]+)\s*=""", re.I)


def test_no_static_script_writes_inline_style_or_handlers_into_markup():
    offenders = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "static").rglob("*.js"))
        if "vendor" not in path.parts and SCRIPT_MARKUP.search(path.read_text())
    ]
    assert offenders == []


# --- In a real browser -------------------------------------------------------------------------------------------


class TileServer(ThreadingHTTPServer):
    """A map tile server on another origin: every tile is the same grey square, and each request is counted."""

    daemon_threads = True

    def __init__(self):
        tile = cv2.imencode(".png", np.full((256, 256, 3), 200, np.uint8))[1].tobytes()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                self.server.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(tile)))
                self.end_headers()
                self.wfile.write(tile)

        super().__init__(("127.0.0.1", 0), Handler)
        self.requests = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def tile_server():
    server = TileServer()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_the_browser_check_catches_what_the_policy_refuses(live_asgi, browser):
    """The `browser` fixture fails a test on any CSP violation: here one is made on purpose, seen, then forgiven."""
    page = browser.new_page()
    page.goto(f"{live_asgi.url}/login/")
    page.evaluate("document.body.setAttribute('style', 'background: rgb(255, 0, 0)')")
    page.evaluate(
        "const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s)"
    )
    for _ in range(100):
        if len(browser.csp_violations) >= 2:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    assert page.evaluate("window.ran") is None
    seen = "\n".join(browser.csp_violations)
    assert "style-src" in seen and "script-src" in seen, seen
    browser.csp_violations.clear()


@pytest.mark.browser
def test_the_map_draws_tiles_from_the_configured_host_and_its_markers(live_asgi, browser, users, settings, tile_server):
    settings.RTCC_MAP_TILE_URL = tile_server + "/{z}/{x}/{y}.png"
    camera("Jackson Square", latitude=29.9574, longitude=-90.0629)
    camera("Canal & Carrollton LPR", latitude=29.975, longitude=-90.098, kind="plate_reader")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, users["analyst"].username)
    page.goto(f"{live_asgi.url}/dashboard/")
    page.wait_for_function("document.querySelectorAll('#map .leaflet-tile-loaded').length > 0")
    # Leaflet places tiles and panes through the CSSOM (el.style.transform = ...), which the policy allows.
    assert page.evaluate("getComputedStyle(document.querySelector('#map .leaflet-tile')).position") == "absolute"
    assert page.locator("#map .leaflet-interactive").count() == 2  # the camera's dot and the plate reader's tag
    # The plate reader's tag is coloured by status through the CSSOM too (grey: not yet read).
    assert page.evaluate("getComputedStyle(document.querySelector('#map .map-lpr')).backgroundColor") == (
        "rgb(138, 148, 166)"
    )
    assert errors == []


@pytest.mark.browser
def test_status_dots_bars_and_timelines_get_their_sizes_and_colours(live_asgi, browser, users):
    """What were style= attributes are data- attributes that common.js sets through the CSSOM."""
    objects = one_of_everything(users["supervisor"])
    Camera.objects.filter(pk=objects["camera"].pk).update(status=CameraStatus.DEGRADED)
    page = browser.new_page()
    sign_in(page, live_asgi.url, users["supervisor"].username)
    page.goto(f"{live_asgi.url}/cameras/{objects['camera'].pk}/")
    assert page.evaluate("getComputedStyle(document.querySelector('.panel-head .dot')).backgroundColor") == (
        "rgb(242, 178, 51)"  # #f2b233, cameras.choices.STATUS_COLOURS[DEGRADED]
    )
    widths = page.evaluate("[...document.querySelectorAll('.uptime-bar span')].map((s) => s.style.width)")
    assert widths and all(w.endswith("%") for w in widths), widths
    page.goto(f"{live_asgi.url}/plates/transparency/")
    heights = page.evaluate("[...document.querySelectorAll('.bar span')].map((s) => s.style.height)")
    assert len(heights) == 12 * 4 and "100%" in heights, heights
