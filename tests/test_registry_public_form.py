"""The public registration form: what a resident sends, what is stored, and what is refused."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from registry.choices import SiteStatus
from registry.models import Consent, RegisteredCamera, RegisteredSite
from tests.registry_helpers import CommitClient, form_data, links_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return CommitClient()


def post(client, data, address="198.51.100.7"):
    return client.post(reverse("registry-public:register"), data, REMOTE_ADDR=address)


def test_the_form_opens_without_signing_in(client):
    response = client.get(reverse("registry-public:register"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_owner_name"' in html and "Sharing footage stays voluntary" in html
    assert "How to withdraw" in html or "withdraw at any time" in html


def test_a_resident_registers_and_gets_a_signed_confirmation_email(client):
    response = post(client, form_data())
    assert response.status_code == 302 and response["Location"] == reverse("registry-public:check_email")
    site = RegisteredSite.objects.get()
    assert site.status == SiteStatus.UNCONFIRMED
    assert site.email == "marie@example.org"
    assert float(site.latitude) == pytest.approx(29.960312)
    camera = RegisteredCamera.objects.get()
    assert camera.bearing == 180 and camera.field_of_view == 90 and camera.covers == ["street", "sidewalk"]
    assert camera.retention_days == 14 and not camera.shares_live_feed
    assert Consent.objects.get(site=site).client_address == "198.51.100.7"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["marie@example.org"]
    assert "http://localhost:8000/register/confirm/" in mail.outbox[0].body
    confirm, manage = links_in(mail.outbox[0])
    assert confirm.startswith("/register/confirm/") and manage.startswith("/register/manage/")


def test_following_the_confirmation_link_sends_the_registration_to_review(client):
    post(client, form_data())
    confirm = links_in(mail.outbox[0])[0]
    page = client.get(confirm)
    assert page.status_code == 200 and "Confirm my registration" in page.content.decode()
    assert RegisteredSite.objects.get().status == SiteStatus.UNCONFIRMED  # a mail scanner's GET changes nothing
    done = client.post(confirm)
    assert "registration is confirmed" in done.content.decode()
    site = RegisteredSite.objects.get()
    assert site.status == SiteStatus.PENDING_REVIEW and site.confirmed_at and site.last_verified_at


BAD_VALUES = [
    ("latitude", {"latitude": "200"}, "latitude", "Latitude must be a number between -90 and 90."),
    ("longitude", {"longitude": "-181"}, "longitude", "Longitude must be a number between -180 and 180."),
    ("long name", {"owner_name": "x" * 10_000}, "owner_name", "Ensure this value has at most 120 characters"),
    (
        "javascript stream",
        {"cameras-0-shares_live_feed": "on", "cameras-0-stream_url": "javascript:alert(1)"},
        "cameras-0-stream_url",
        "must start with rtsp://, rtsps://, http:// or https://",
    ),
    (
        "file stream",
        {"cameras-0-shares_live_feed": "on", "cameras-0-stream_url": "file:///etc/passwd"},
        "cameras-0-stream_url",
        "must start with rtsp://",
    ),
    ("script in address", {"address": "<script>alert(1)</script>"}, "address", "leave out the &lt; and &gt;"),
    ("script in placement", {"cameras-0-placement": "<b>porch</b>"}, "cameras-0-placement", "leave out the &lt;"),
    ("phone letters", {"phone": "call me maybe"}, "phone", "Use only digits"),
    ("phone short", {"phone": "12"}, "phone", "between 7 and 15 digits"),
    ("email", {"email": "not-an-email"}, "email", "Enter a valid email address"),
    ("retention", {"cameras-0-retention_days": "99999"}, "cameras-0-retention_days", "less than or equal to 3650"),
    ("bearing", {"cameras-0-bearing": "400"}, "cameras-0-bearing", "Select a valid choice"),
    ("no consent", {"consent": None}, "consent", "Please tick the box to agree"),
    (
        "sharing without stream",
        {"cameras-0-shares_live_feed": "on", "cameras-0-stream_url": ""},
        "cameras-0-stream_url",
        "Give the stream address",
    ),
    ("empty name", {"owner_name": "   "}, "owner_name", "This field is required"),
]


@pytest.mark.parametrize("label, overrides, field, message", BAD_VALUES, ids=[b[0] for b in BAD_VALUES])
def test_each_bad_value_gives_a_message_next_to_its_field_and_stores_nothing(client, label, overrides, field, message):
    response = post(client, form_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    # The message sits in the field's own block, right above its input.
    block = re.search(rf'<p class="field-error" id="id_{field}_error" role="alert">([^<]*)</p>', html)
    assert block, f"no error next to {field}"
    assert message in block.group(1)
    next_control = re.search(r"<(?:input|select)\b[^>]*>", html[block.end() :])
    assert f'id="id_{field}"' in next_control.group(0)
    assert "Please correct the fields marked below" in html
    assert RegisteredSite.objects.count() == 0 and RegisteredCamera.objects.count() == 0
    assert mail.outbox == []


def test_a_script_tag_sent_anywhere_is_never_echoed_as_markup(client):
    response = post(client, form_data(address="<script>alert(1)</script>", business_name="<img src=x onerror=1>"))
    html = response.content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_control_characters_are_removed_and_lines_joined(client):
    post(client, form_data(owner_name="Marie\x00 \u202eLaveau", address="1020 St Ann St\r\nApt 2"))
    site = RegisteredSite.objects.get()
    assert site.owner_name == "Marie Laveau" and site.address == "1020 St Ann St Apt 2"


def test_a_stream_url_is_kept_with_its_credentials_but_never_shown_back(client):
    post(
        client,
        form_data(
            **{"cameras-0-shares_live_feed": "on", "cameras-0-stream_url": "rtsp://cam:s3cret@198.51.100.5/live"}
        ),
    )
    camera = RegisteredCamera.objects.get()
    assert camera.shares_live_feed and camera.stream_url == "rtsp://cam:s3cret@198.51.100.5/live"
    manage = links_in(mail.outbox[0])[1]
    html = client.get(manage).content.decode()
    assert "s3cret" not in html and "rtsp://***@198.51.100.5/live" in html


def test_the_honeypot_field_discards_the_post_silently(client):
    response = post(client, form_data(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == reverse("registry-public:check_email")
    assert RegisteredSite.objects.count() == 0 and mail.outbox == []


def test_add_another_camera_works_without_javascript_and_keeps_what_was_typed(client):
    response = post(client, form_data(add_camera="1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="cameras-1-placement"' in html and 'value="Front porch, above the door"' in html
    assert 'name="cameras-TOTAL_FORMS" value="2"' in html
    assert "field-error" not in html  # adding a camera is not a failed submission
    assert RegisteredSite.objects.count() == 0

    data = form_data(**{"cameras-TOTAL_FORMS": "2", "cameras-1-placement": "Garage", "cameras-1-retention_days": "7"})
    assert post(client, data).status_code == 302
    assert sorted(RegisteredCamera.objects.values_list("placement", flat=True)) == [
        "Front porch, above the door",
        "Garage",
    ]


def test_more_cameras_than_allowed_are_refused(client, settings):
    settings.RTCC_REGISTRY_MAX_CAMERAS = 2
    data = form_data(**{"cameras-TOTAL_FORMS": "3"})
    for i in (1, 2):
        data.update({f"cameras-{i}-placement": f"Camera {i}", f"cameras-{i}-retention_days": "7"})
    response = post(client, data)
    assert response.status_code == 400 and "Please submit at most 2 forms" in response.content.decode()
    assert RegisteredSite.objects.count() == 0


def test_a_flood_of_posts_from_one_address_is_rate_limited_while_another_still_gets_through(client, settings):
    settings.RTCC_REGISTRY_RATE_LIMIT = 5
    answers = [
        post(client, form_data(email=f"flood{i}@example.org"), address="203.0.113.9").status_code for i in range(8)
    ]
    assert answers[:5] == [302] * 5 and answers[5:] == [429] * 3
    refused = post(client, form_data(), address="203.0.113.9")
    assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()
    assert refused["Retry-After"]
    assert RegisteredSite.objects.count() == 5
    other = post(client, form_data(email="neighbour@example.org"), address="198.51.100.20")
    assert other.status_code == 302
    assert RegisteredSite.objects.filter(email="neighbour@example.org").exists()


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(client, settings):
    settings.RTCC_REGISTRY_RATE_LIMIT = 2
    codes = [
        client.post(
            reverse("registry-public:register"),
            form_data(),
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        ).status_code
        for i in range(4)
    ]
    assert codes == [302, 302, 429, 429]


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_limited(client, settings):
    settings.RTCC_REGISTRY_RATE_LIMIT = 1
    settings.RTCC_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    first = client.post(
        reverse("registry-public:register"), form_data(), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    again = client.post(
        reverse("registry-public:register"), form_data(), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    other = client.post(
        reverse("registry-public:register"), form_data(), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.2"
    )
    assert (first.status_code, again.status_code, other.status_code) == (302, 429, 302)


def test_the_form_refuses_a_post_without_a_csrf_token():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("registry-public:register"), form_data(), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 403
    assert RegisteredSite.objects.count() == 0


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
