"""The keys page: intake sources and plate-camera keys, each key shown once on issue and then only its
first characters; a revoked key is refused by the API at once."""

import pytest
from django.urls import reverse

from cameras.models import DeviceToken
from incidents.models import IntakeSource
from rtcc.models import AuditRecord
from tests.factories import camera

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client, users):
    client.force_login(users["supervisor"])
    return client


def post_cad_event(client, key, number):
    event = {"id": number, "type": "Other", "lat": 29.95, "lon": -90.07}
    return client.post(
        reverse("intake-cad"), event, content_type="application/json", HTTP_AUTHORIZATION=f"Intake {key}"
    )


def test_an_intake_key_is_shown_once_works_and_stops_working_when_revoked(supervisor_client, client):
    response = supervisor_client.post(
        reverse("manage:intake-new"), {"name": "Orleans CAD", "kind": "cad", "camera_radius_m": "300"}
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = response.context["key"]
    source = IntakeSource.objects.get(name="Orleans CAD")
    assert key in response.content.decode() and f"Authorization: Intake {key}" in response.content.decode()
    assert source.key_prefix == key[:8] and key not in source.key_hash
    assert IntakeSource.objects.for_key(key) == source
    record = AuditRecord.objects.get(action="intake_source.issue", object_id=str(source.pk))
    assert record.details == {"kind": "cad", "key_prefix": key[:8]} and key not in str(record.details)

    listing = supervisor_client.get(reverse("manage:keys")).content.decode()
    assert key not in listing and f"{key[:8]}…" in listing

    accepted = post_cad_event(client, key, "E1")
    assert accepted.status_code in (200, 201), accepted.content
    supervisor_client.post(reverse("manage:intake-revoke", args=[source.pk]))
    assert IntakeSource.objects.for_key(key) is None
    assert AuditRecord.objects.filter(action="intake_source.revoke", object_id=str(source.pk)).count() == 1
    assert post_cad_event(client, key, "E2").status_code == 401


def test_a_device_key_is_shown_once_and_revoked(supervisor_client, client):
    cam = camera("Canal & Carrollton LPR", kind="plate_reader")
    response = supervisor_client.post(reverse("manage:device-new"), {"camera": cam.pk, "label": "Unit 7 SN 4411"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = response.context["key"]
    token = DeviceToken.objects.get(label="Unit 7 SN 4411")
    assert DeviceToken.objects.for_key(key) == token and token.camera == cam
    assert reverse("plate-read-ingest", args=[cam.pk]) in response.content.decode()
    record = AuditRecord.objects.get(action="device_key.issue")
    assert record.details["key_prefix"] == key[:8] and key not in str(record.details)

    identity = client.get(reverse("device-identity"), HTTP_AUTHORIZATION=f"Device {key}")
    assert identity.status_code == 200
    supervisor_client.post(reverse("manage:device-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None and DeviceToken.objects.for_key(key) is None
    assert client.get(reverse("device-identity"), HTTP_AUTHORIZATION=f"Device {key}").status_code == 401
    assert AuditRecord.objects.filter(action="device_key.revoke", object_id=str(token.pk)).exists()
    assert "Revoked" in supervisor_client.get(reverse("manage:keys")).content.decode()


def test_invalid_issue_forms_show_their_errors(supervisor_client):
    response = supervisor_client.post(reverse("manage:intake-new"), {"name": "", "kind": "fax", "camera_radius_m": "x"})
    assert response.status_code == 400
    assert set(response.context["intake_form"].errors) == {"name", "kind", "camera_radius_m"}
    assert 'id="form-errors"' in response.content.decode()
    response = supervisor_client.post(reverse("manage:device-new"), {"camera": "abc"})
    assert response.status_code == 400 and "camera" in response.context["device_form"].errors
    assert not IntakeSource.objects.exists() and not DeviceToken.objects.exists()


@pytest.mark.parametrize("role", ["analyst", "video_technician", "responder"])
def test_other_roles_cannot_issue_or_revoke_keys(client, users, role):
    cam = camera()
    token, _ = DeviceToken.issue(camera=cam)
    source, _ = IntakeSource.issue(name="ShotSpotter", kind="gunshot")
    client.force_login(users[role])
    assert client.get(reverse("manage:keys")).status_code == 403
    assert client.post(reverse("manage:device-new"), {"camera": cam.pk}).status_code == 403
    assert client.post(reverse("manage:intake-new"), {"name": "X", "kind": "cad"}).status_code == 403
    assert client.post(reverse("manage:device-revoke", args=[token.pk])).status_code == 403
    assert client.post(reverse("manage:intake-revoke", args=[source.pk])).status_code == 403
    assert DeviceToken.objects.usable().count() == 1 and IntakeSource.objects.usable().count() == 1
