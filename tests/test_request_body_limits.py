"""Request body limits through the real ASGI server: anonymous posts cannot stream gigabytes into Django's spool,
while a staff footage upload, larger than any form, still reaches Django."""

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


def test_a_staff_footage_upload_larger_than_a_form_is_not_cut_off_by_the_form_limit(live_asgi):
    megabyte = b"a" * (1024 * 1024)
    status, sent = raw_post(
        live_asgi.url,
        "/footage/upload/",
        {"Content-Type": "application/octet-stream", "Content-Length": str(8 * 1024 * 1024)},
        (megabyte for _ in range(8)),
    )
    assert not status.startswith("HTTP/1.1 413"), (
        status
    )  # it reaches Django (which asks an anonymous caller to sign in)
