"""External plate cameras may say how sure they are of the state and which other readings they considered:
stored on the read, used by the hotlist matcher (state mismatch, alternatives on critical lists), and garbage
in those fields is refused with a clear 400 naming the field."""

import json
import time

import pytest
from django.urls import reverse

from cameras.models import DeviceToken
from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
from tests.factories import camera


@pytest.fixture
def device(db):
    cam = camera("Claiborne & Orleans LPR", kind="plate_reader")
    _, key = DeviceToken.issue(camera=cam, label="unit 7")
    return cam, key


def push(client, device, **fields):
    cam, key = device
    read = {"plate": "ABC1734", "read_at": "2026-11-25T03:14:03-06:00", "confidence": 0.9, **fields}
    return client.post(
        reverse("plate-read-ingest", args=[cam.pk]),
        data=json.dumps({"reads": [read]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {key}",
    )


def test_a_read_with_its_state_confidence_and_alternatives_is_stored_with_them(client, device):
    answer = push(
        client, device, region="la", region_confidence=0.93, alternatives=[["ABC1234", 0.22], ["ab-c1 7 8 4", 0.1]]
    )
    assert answer.status_code == 201, answer.content
    read = PlateRead.objects.get()
    assert (read.region, read.region_confidence) == ("LA", pytest.approx(0.93))
    assert read.alternatives == [["ABC1234", 0.22], ["ABC1784", 0.1]]


def test_alternatives_may_be_objects_and_repeat_the_read_itself_harmlessly(client, device):
    alternatives = [{"plate": "ABC1734", "share": 0.5}, {"plate": "ABC1234", "share": 0.3}]
    assert push(client, device, alternatives=alternatives).status_code == 201
    assert PlateRead.objects.get().alternatives == [["ABC1234", 0.3]]


def test_without_the_new_fields_a_read_is_stored_as_before(client, device):
    assert push(client, device, region="LA").status_code == 201
    read = PlateRead.objects.get()
    assert read.region_confidence == 0.0 and read.alternatives == []


def test_an_ingested_read_raises_a_state_mismatch_and_an_alternative_hit(client, device):
    amber = Hotlist.objects.create(name="AMBER alert", priority=1)
    HotlistEntry.objects.create(hotlist=amber, plate="ABC1234", region="TX", reason="Child abduction")
    answer = push(client, device, region="LA", region_confidence=0.93, alternatives=[["ABC1234", 0.22]])
    assert answer.status_code == 201
    hit = Hit.objects.get()
    assert hit.matched_alternative == "ABC1234" and hit.state_mismatch
    assert hit.notes == [
        "State mismatch: read LA (0.93), list says TX",
        "Matched alternative reading ABC1234 (22\u00a0%) of read ABC1734",
    ]


def test_vendor_webhooks_carry_their_region_confidence(client, device):
    cam, key = device
    payload = {
        "data_type": "alpr_group",
        "best_plate_number": "JTB5507",
        "best_confidence": 91.5,
        "best_region": "us-la",
        "best_region_confidence": 88.0,
        "epoch_start": int(time.time() * 1000),
        "best_uuid": "u-1",
    }
    answer = client.post(
        reverse("plate-read-ingest", args=[cam.pk]),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {key}",
    )
    assert answer.status_code == 201, answer.content
    read = PlateRead.objects.get()
    assert (read.region, read.region_confidence) == ("US-LA", pytest.approx(0.88))


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"region": "LA", "region_confidence": "high"}, "region_confidence must be a number between 0 and 1"),
        ({"region": "LA", "region_confidence": 1.5}, "region_confidence must be a number between 0 and 1"),
        ({"region": "LA", "region_confidence": True}, "region_confidence must be a number between 0 and 1"),
        ({"region": "LA", "region_confidence": 10**400}, "region_confidence must be a number between 0 and 1"),
        ({"region_confidence": 0.9}, "region_confidence needs a region"),
        ({"alternatives": "ABC1234"}, "alternatives must be a list of [plate, share] pairs"),
        ({"alternatives": {"ABC1234": 0.2}}, "alternatives must be a list of [plate, share] pairs"),
        ({"alternatives": [["ABC1234"]]}, "alternatives[0] must be a [plate, share] pair"),
        ({"alternatives": [["ABC1234", 0.2, 3]]}, "alternatives[0] must be a [plate, share] pair"),
        ({"alternatives": [{"text": "ABC1234", "share": 0.2}]}, "alternatives[0] must be a [plate, share] pair"),
        ({"alternatives": [["ABC1234", 0.2], [42, 0.1]]}, "alternatives[1] plate must be a string"),
        ({"alternatives": [["<script>", 0.2]]}, "alternatives[0] plate '<script>' has characters no plate has"),
        ({"alternatives": [["A", 0.2]]}, "alternatives[0] plate 'A' is not a plate"),
        ({"alternatives": [["ABC1234", "0.2"]]}, "alternatives[0] share must be a number between 0 and 1"),
        ({"alternatives": [["ABC1234", -0.1]]}, "alternatives[0] share must be a number between 0 and 1"),
        ({"alternatives": [["ABC1234", None]]}, "alternatives[0] share must be a number between 0 and 1"),
        ({"alternatives": [["ABC1234", 10**400]]}, "alternatives[0] share must be a number between 0 and 1"),
        ({"alternatives": [["ABC1234", 0.1]] * 11}, "alternatives holds at most 10 readings"),
    ],
)
def test_garbage_state_confidence_or_alternatives_are_refused_with_a_clear_400(client, device, fields, error):
    answer = push(client, device, **fields)
    assert answer.status_code == 400, answer.content
    [rejected] = answer.json()["rejected"]
    assert rejected["index"] == 0 and rejected["error"].startswith(error)
    assert not PlateRead.objects.exists()
