"""The agencies pages: timeouts, contact e-mail and webhook (http/https only), with a signing secret shown once."""

import pytest
from django.urls import reverse

from incidents.models import Agency
from rtcc.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client, users):
    client.force_login(users["supervisor"])
    return client


def agency_data(agency, **extra):
    data = {
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "contact_email": agency.contact_email,
        "webhook_url": agency.webhook_url,
        "ack_timeout_seconds": agency.ack_timeout_seconds,
        "active": "on",
    }
    data.update(extra)
    return data


def test_the_list_shows_each_agency_and_its_timeout(supervisor_client, agencies):
    html = supervisor_client.get(reverse("manage:agencies")).content.decode()
    assert "New Orleans Fire Department" in html and "120 s" in html and '<th scope="row">' in html


def test_change_the_timeout_and_contact_without_a_webhook(supervisor_client, agencies):
    fire = agencies["nofd"]
    response = supervisor_client.post(
        reverse("manage:agency", args=[fire.pk]),
        agency_data(fire, ack_timeout_seconds=60, contact_email="dispatch@nofd.example.org"),
    )
    assert response.status_code == 302 and response["Location"] == reverse("manage:agencies")
    fire.refresh_from_db()
    assert fire.ack_timeout_seconds == 60 and fire.webhook_secret == ""
    record = AuditRecord.objects.get(action="agency.update", object_id=str(fire.pk))
    assert record.details["changed"] == {
        "contact_email": ["", "dispatch@nofd.example.org"],
        "ack_timeout_seconds": [120, 60],
    }


@pytest.mark.parametrize(
    "url",
    ["ftp://receiver.example.org/x", "javascript:alert(1)", "file:///etc/passwd", "gopher://x.example.org/", "nope"],
)
def test_a_webhook_must_be_http_or_https(supervisor_client, agencies, url):
    fire = agencies["nofd"]
    response = supervisor_client.post(reverse("manage:agency", args=[fire.pk]), agency_data(fire, webhook_url=url))
    assert response.status_code == 400 and "webhook_url" in response.context["form"].errors
    assert 'href="#id_webhook_url"' in response.content.decode()
    fire.refresh_from_db()
    assert fire.webhook_url == ""
    assert not AuditRecord.objects.filter(action="agency.update").exists()


def test_a_webhook_gets_a_signing_secret_shown_once_and_never_audited(supervisor_client, agencies):
    fire = agencies["nofd"]
    response = supervisor_client.post(
        reverse("manage:agency", args=[fire.pk]), agency_data(fire, webhook_url="https://cad.nofd.example.org/rtcc")
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    fire.refresh_from_db()
    assert fire.webhook_secret == secret and len(secret) >= 40
    assert secret in response.content.decode()
    record = AuditRecord.objects.get(action="agency.update")
    assert record.details["changed"]["webhook_secret"] == "new secret issued"
    assert secret not in str(record.details)
    page = supervisor_client.get(reverse("manage:agency", args=[fire.pk])).content.decode()
    assert secret not in page and "signing secret set" in page
    # A later save keeps the secret unless a new one is asked for.
    supervisor_client.post(reverse("manage:agency", args=[fire.pk]), agency_data(fire, ack_timeout_seconds=90))
    fire.refresh_from_db()
    assert fire.webhook_secret == secret
    rotated = supervisor_client.post(reverse("manage:agency", args=[fire.pk]), agency_data(fire, new_secret="on"))
    assert rotated.context["secret"] != secret


@pytest.mark.parametrize("timeout", ["0", "5", "999999", "-1", "abc"])
def test_a_timeout_out_of_range_is_refused(supervisor_client, agencies, timeout):
    fire = agencies["nofd"]
    response = supervisor_client.post(
        reverse("manage:agency", args=[fire.pk]), agency_data(fire, ack_timeout_seconds=timeout)
    )
    assert response.status_code == 400 and "ack_timeout_seconds" in response.context["form"].errors
    fire.refresh_from_db()
    assert fire.ack_timeout_seconds == 120


def test_create_an_agency(supervisor_client):
    response = supervisor_client.post(
        reverse("manage:agency-new"),
        {"name": "Port Police", "short_name": "portpd", "kind": "police", "contact_email": "", "webhook_url": "",
         "ack_timeout_seconds": "180", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    agency = Agency.objects.get(short_name="portpd")
    assert AuditRecord.objects.filter(action="agency.create", object_id=str(agency.pk)).exists()


@pytest.mark.parametrize("role", ["analyst", "video_technician", "responder"])
def test_other_roles_cannot_change_agencies(client, users, agencies, role):
    client.force_login(users[role])
    fire = agencies["nofd"]
    assert client.get(reverse("manage:agencies")).status_code == 403
    response = client.post(reverse("manage:agency", args=[fire.pk]), agency_data(fire, ack_timeout_seconds=15))
    assert response.status_code == 403
    fire.refresh_from_db()
    assert fire.ack_timeout_seconds == 120
