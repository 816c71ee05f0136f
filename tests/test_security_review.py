"""Findings of the security review, each pinned by a test: what an attacker or bad input could do, refused."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cameras.choices import ClipSource
from cameras.footage import store_clip
from incidents import outbox, services
from incidents.models import Delivery
from registry import links
from registry import services as registry_services
from registry.models import Consent, FootageRequest
from tests.factories import incident
from tests.stream_servers import raw_post
from tests.test_registry_helpers import CommitClient, committed, form_data, make_site

pytestmark = pytest.mark.django_db


# --- Agency e-mail: a line break in an incident's words must not stop the notification --------------------------


def test_an_incident_title_with_a_line_break_still_reaches_the_agency_by_e_mail(agencies, users):
    fire = agencies["nofd"]
    fire.webhook_url = ""
    fire.contact_email = "nofd-dispatch@example.org"
    fire.save()
    # A CAD system passes the call-taker's words through the intake API; they may hold line breaks.
    inc = incident(title="Smoke showing\r\nBcc: someone@example.org", address="1300 Perdido St\nrear")
    services.incident_dispatch(incident=inc, agencies=[fire], user=users["analyst"])

    assert outbox.deliveries_send_due() == 1
    assert Delivery.objects.get().status == "delivered"
    [message] = mail.outbox
    assert message.to == ["nofd-dispatch@example.org"] and message.bcc == []
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "Smoke showing Bcc: someone@example.org" in message.subject


# --- Footage player: a Range header with an absurd number ---------------------------------------------------------


@pytest.fixture
def stored_clip(users):
    return store_clip(
        ContentFile(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4, name="door.mp4"),
        name="door.mp4",
        clip_source=ClipSource.MANUAL_UPLOAD,
        actor=users["supervisor"],
    )


def test_a_range_header_with_a_number_too_long_to_parse_is_answered_not_a_server_error(client, users, stored_clip):
    client.force_login(users["video_technician"])
    url = reverse("footage:video", args=[stored_clip.pk])
    size = stored_clip.file.size
    huge = "9" * 5000  # past Python's int() digit limit

    beyond = client.get(url, HTTP_RANGE=f"bytes={huge}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"
    to_the_end = client.get(url, HTTP_RANGE=f"bytes=10-{huge}")
    assert to_the_end.status_code == 206 and to_the_end["Content-Range"] == f"bytes 10-{size - 1}/{size}"
    whole_tail = client.get(url, HTTP_RANGE=f"bytes=-{huge}")
    assert whole_tail.status_code == 206 and whole_tail["Content-Range"] == f"bytes 0-{size - 1}/{size}"


# --- Owners' upload links live as long as the longest deadline staff may set ----------------------------------------


def later_by(monkeypatch, seconds):
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)


def test_an_upload_link_still_opens_before_a_long_deadline_set_by_staff(settings, users, monkeypatch):
    settings.RTCC_FOOTAGE_REQUEST_DEADLINE_HOURS = 72
    site = make_site()
    with committed():
        [request] = registry_services.footage_request_create(
            incident=incident(),
            registered_cameras=[site.cameras.get()],
            window_start=timezone.now() - timedelta(hours=2),
            window_end=timezone.now() - timedelta(hours=1),
            deadline=timezone.now() + timedelta(hours=24 * 30),  # the longest the staff form allows
            message="",
            requested_by=users["analyst"],
        )
    path = reverse("registry-public:upload", args=[links.upload_token(request)])
    later_by(monkeypatch, 29 * 24 * 3600)  # the owner answers on day 29, before the deadline
    page = CommitClient().get(path)
    assert page.status_code == 200, page.content.decode()[:300]
    assert "Can you share footage" in page.content.decode()


# --- The client address from X-Forwarded-For ---------------------------------------------------------------------


def test_a_forwarded_address_that_is_not_an_ip_is_not_stored_as_the_owners_address(settings):
    settings.RTCC_TRUSTED_PROXY_COUNT = 1
    client = CommitClient()
    # A proxy that passes the header through unchanged lets the caller write anything here.
    response = client.post(
        reverse("registry-public:register"),
        form_data(),
        HTTP_X_FORWARDED_FOR="<script>, not-an-address",
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    assert Consent.objects.get().client_address == "203.0.113.9"


def test_a_forwarded_address_from_the_trusted_proxy_is_used_for_the_rate_limit(settings):
    from django.test import RequestFactory

    from registry.ratelimit import client_ip

    settings.RTCC_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post("/register/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"
    request = RequestFactory().post("/register/", HTTP_X_FORWARDED_FOR="2001:db8::1")
    assert client_ip(request) == "2001:db8::1"


# --- Through the real ASGI server: anonymous form posts cannot stream gigabytes into Django's spool ----------------


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


# --- Registry API: a time without an offset ---------------------------------------------------------------------


def test_the_registry_api_reads_a_time_without_an_offset_as_local_time_and_refuses_an_impossible_date(client, users):
    site = make_site(latitude=29.9565, longitude=-90.0660, cameras=[{"retention_days": 30}])
    client.force_login(users["analyst"])
    url = "/api/v1/registered-cameras/?near=29.9565,-90.0660&at="
    local = timezone.localtime() - timedelta(days=2)
    answer = client.get(url + local.strftime("%Y-%m-%dT%H:%M:%S"))
    assert answer.status_code == 200
    [camera] = answer.json()["results"]
    assert camera["id"] == site.cameras.get().pk and camera["footage_may_exist"] is True
    impossible = client.get(url + "2026-13-45T10:00:00")
    assert impossible.status_code == 400 and "at" in impossible.json()


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
