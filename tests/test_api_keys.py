"""Device and intake keys: one mechanism (rtcc/keys.py), the same stored hash as before, each with its own keyword."""

import hashlib
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from cameras.models import DeviceToken
from incidents.models import IntakeSource
from rtcc.keys import hash_key
from tests.factories import camera

pytestmark = pytest.mark.django_db


def test_only_the_sha256_of_a_key_and_its_first_characters_are_stored():
    token, key = DeviceToken.issue(camera=camera("LPR 1", kind="plate_reader"))
    source, intake_key = IntakeSource.issue(name="CAD", kind="cad")
    for holder, secret in ((token, key), (source, intake_key)):
        holder.refresh_from_db()
        # The hash stays plain SHA-256 hex: keys issued before this module existed keep working.
        assert holder.key_hash == hashlib.sha256(secret.encode()).hexdigest() == hash_key(secret)
        assert holder.key_prefix == secret[:8] and len(secret) >= 40
    assert key != intake_key
    assert DeviceToken.objects.for_key(key) == token and IntakeSource.objects.for_key(intake_key) == source
    assert DeviceToken.objects.for_key(intake_key) is None


def test_a_revoked_device_key_and_a_disabled_intake_key_no_longer_work():
    token, key = DeviceToken.issue(camera=camera("LPR 2", kind="plate_reader"))
    source, intake_key = IntakeSource.issue(name="Sensors", kind="gunshot")
    DeviceToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    IntakeSource.objects.filter(pk=source.pk).update(active=False)
    assert DeviceToken.objects.for_key(key) is None
    assert IntakeSource.objects.for_key(intake_key) is None


def test_each_keyword_names_its_own_kind_of_key(client):
    cam = camera("LPR 3", kind="plate_reader")
    token, key = DeviceToken.issue(camera=cam)
    url = reverse("plate-read-ingest", args=[cam.pk])
    body = json.dumps({"reads": [{"plate": "ABC123"}]})
    # An intake keyword with a device key is not this endpoint's scheme: refused, and the header names the scheme.
    response = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Intake {key}")
    assert response.status_code in (401, 403)
    response = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Device two words")
    assert response.status_code == 401
    assert response.json()["detail"] == "Authorization header must be 'Device <key>'."
    assert response["WWW-Authenticate"] == "Device"
    assert DeviceToken.objects.get(pk=token.pk).last_used_at is None


def test_use_is_noted_once_a_minute_not_on_every_request(client):
    source, key = IntakeSource.issue(name="CAD 2", kind="cad")
    event = {"id": "E1", "type": "Other", "lat": 29.95, "lon": -90.07}
    client.post(reverse("intake-cad"), event, content_type="application/json", HTTP_AUTHORIZATION=f"Intake {key}")
    first = IntakeSource.objects.get(pk=source.pk).last_used_at
    assert first is not None
    client.post(reverse("intake-cad"), event, content_type="application/json", HTTP_AUTHORIZATION=f"Intake {key}")
    assert IntakeSource.objects.get(pk=source.pk).last_used_at == first
