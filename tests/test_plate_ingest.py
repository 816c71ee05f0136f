"""External plate cameras push reads: three formats, idempotent, per-device tokens, clear 4xx errors."""

import base64
import json
import time

import cv2
import numpy as np
import pytest
from django.urls import reverse

from cameras.models import DeviceToken
from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
from tests.factories import camera

NOW_MS = int(time.time() * 1000)


@pytest.fixture
def device(db):
    cam = camera("Claiborne & Orleans LPR", kind="plate_reader")
    _, key = DeviceToken.issue(camera=cam, label="unit 7")
    return cam, key


def post(client, cam_id, key, payload, raw=None):
    return client.post(
        reverse("plate-read-ingest", args=[cam_id]),
        data=raw if raw is not None else json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {key}",
    )


def crop_b64():
    return base64.b64encode(cv2.imencode(".jpg", np.full((40, 120, 3), 200, np.uint8))[1].tobytes()).decode()


OURS = {
    "reads": [
        {"id": "u7-1", "plate": "abc-1234", "read_at": "2026-11-25T03:14:03-06:00", "confidence": 0.93, "region": "la"},
        {"id": "u7-2", "plate": "XYZ 987", "read_at": "2026-11-25T09:14:05Z", "crop_jpeg": crop_b64()},
    ]
}
OPENALPR_GROUP = {
    "data_type": "alpr_group",
    "version": 2,
    "epoch_start": NOW_MS - 4000,
    "epoch_end": NOW_MS,
    "uuid": "agent1-cam1-1700000000000",
    "best_uuid": "agent1-cam1-1700000000123",
    "best_plate_number": "KXR4821",
    "best_confidence": 91.7,
    "best_region": "us-la",
    "camera_id": 182734,
    "best_plate": {"plate": "KXR4821", "confidence": 91.7, "plate_crop_jpeg": crop_b64()},
}
OPENALPR_RESULTS = {
    "data_type": "alpr_results",
    "epoch_time": NOW_MS,
    "uuid": "agent1-cam1-1700000000999",
    "results": [{"plate": "JTB5507", "confidence": 88.2, "region": "us-la"}, {"plate": "A", "confidence": 12.0}],
}
PLATE_RECOGNIZER = {
    "hook": {"target": "https://rtcc.example.org/", "id": "camera-1", "event": "recognition"},
    "data": {
        "camera_id": "camera-1",
        "filename": "camera-1_screenshots/26-11-25/09-56-13.606935.jpg",
        "timestamp": "2026-11-25T09:56:13.606935Z",
        "results": [
            {
                "box": {"xmin": 460, "ymin": 57, "xmax": 557, "ymax": 82},
                "plate": "9jub11",
                "region": {"code": "us-la", "score": 0.41},
                "score": 0.839,
                "candidates": [{"plate": "9jub11"}],
            }
        ],
    },
}


@pytest.mark.django_db
def test_it_accepts_our_own_json(client, device):
    cam, key = device
    response = post(client, cam.pk, key, OURS)
    assert response.status_code == 201, response.json()
    assert response.json()["format"] == "rtcc" and response.json()["created"] == 2
    first, second = PlateRead.objects.order_by("external_id")
    assert (first.plate, first.region, first.confidence, first.source) == ("ABC1234", "LA", 0.93, "ingest")
    assert second.plate == "XYZ987" and second.crop.size > 0


@pytest.mark.django_db
def test_it_accepts_openalpr_agent_group_and_results_webhooks(client, device):
    cam, key = device
    group = post(client, cam.pk, key, OPENALPR_GROUP)
    assert group.status_code == 201 and group.json()["format"] == "openalpr"
    read = PlateRead.objects.get(plate="KXR4821")
    assert read.confidence == pytest.approx(0.917) and read.region == "US-LA" and read.crop
    results = post(client, cam.pk, key, OPENALPR_RESULTS)
    assert results.status_code == 201
    assert results.json()["created"] == 1
    assert results.json()["rejected"][0]["index"] == 1 and "not a plate" in results.json()["rejected"][0]["error"]


@pytest.mark.django_db
def test_it_accepts_plate_recognizer_webhooks(client, device):
    cam, key = device
    response = post(client, cam.pk, key, PLATE_RECOGNIZER)
    assert response.status_code == 201 and response.json()["format"] == "platerecognizer"
    read = PlateRead.objects.get()
    assert read.plate == "9JUB11" and read.confidence == pytest.approx(0.839) and read.box["xmin"] == 460


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [OURS, OPENALPR_GROUP, OPENALPR_RESULTS, PLATE_RECOGNIZER])
def test_a_repeated_delivery_creates_no_second_read(client, device, payload):
    cam, key = device
    first = post(client, cam.pk, key, payload).json()
    count = PlateRead.objects.count()
    again = post(client, cam.pk, key, payload)
    assert again.status_code == 200
    assert again.json()["created"] == 0 and again.json()["duplicates"] == first["created"]
    assert PlateRead.objects.count() == count


@pytest.mark.django_db
def test_a_token_cannot_post_for_another_camera(client, device):
    cam, key = device
    other = camera("Another camera")
    response = post(client, other.pk, key, OURS)
    assert response.status_code == 403
    assert f"camera {cam.pk}" in response.json()["detail"]
    assert not PlateRead.objects.exists()


@pytest.mark.django_db
def test_a_request_without_a_valid_device_key_is_refused(client, device):
    cam, _ = device
    assert post(client, cam.pk, "not-a-key", OURS).status_code == 401
    response = client.post(reverse("plate-read-ingest", args=[cam.pk]), OURS, content_type="application/json")
    assert response.status_code in (401, 403)
    assert not PlateRead.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw, message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "Expected a JSON object"),
        ('{"hello": "world"}', "Unrecognised payload"),
        ('{"reads": []}', "non-empty list"),
        ('{"data_type": "alpr_results"}', "needs a 'results' list"),
        ('{"data_type": "mystery"}', "Unsupported OpenALPR data_type"),
        ('{"hook": {}, "data": {"results": "x"}}', "data.results"),
    ],
)
def test_malformed_payloads_get_a_clear_400(client, device, raw, message):
    cam, key = device
    response = post(client, cam.pk, key, None, raw=raw)
    assert response.status_code == 400
    assert message in json.dumps(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "read, message",
    [
        ({"plate": "ABC123", "read_at": "yesterday"}, "not an ISO 8601"),
        ({"plate": "ABC123", "read_at": "2026-11-25T09:00:00"}, "time zone"),
        ({"plate": "ABC123", "read_at": "2099-01-01T00:00:00Z"}, "not a plausible time"),
        ({"plate": "<script>", "read_at": "2026-11-25T09:00:00Z"}, "characters no plate has"),
        ({"plate": "--", "read_at": "2026-11-25T09:00:00Z"}, "not a plate"),
        ({"plate": 123456, "read_at": "2026-11-25T09:00:00Z"}, "plate must be a string"),
        ({"plate": "ABC123", "read_at": "2026-11-25T09:00:00Z", "confidence": 7}, "between 0 and 1"),
        ({"plate": "ABC123", "read_at": "2026-11-25T09:00:00Z", "crop_jpeg": "!!!"}, "not valid base64"),
        ({"plate": "ABC123", "read_at": "2026-11-25T09:00:00Z", "crop_jpeg": "aGVsbG8="}, "not a JPEG"),
    ],
)
def test_each_bad_read_is_rejected_with_its_reason(client, device, read, message):
    cam, key = device
    response = post(client, cam.pk, key, {"reads": [read]})
    assert response.status_code == 400
    assert message in response.json()["rejected"][0]["error"]
    assert not PlateRead.objects.exists()


@pytest.mark.django_db
def test_good_reads_are_kept_when_others_in_the_batch_are_bad(client, device):
    cam, key = device
    payload = {"reads": [OURS["reads"][0], {"plate": "", "read_at": "x"}]}
    response = post(client, cam.pk, key, payload)
    assert response.status_code == 201
    assert response.json()["created"] == 1 and response.json()["rejected"][0]["index"] == 1


@pytest.mark.django_db
def test_an_ingested_read_on_a_hotlist_raises_a_hit_and_marks_the_device_alive(client, device):
    cam, key = device
    hotlist = Hotlist.objects.create(name="Stolen", source="ncic", priority=1)
    HotlistEntry.objects.create(hotlist=hotlist, plate="KXR4821", reason="Stolen")
    post(client, cam.pk, key, OPENALPR_GROUP)
    assert Hit.objects.get().plate_read.plate == "KXR4821"
    cam.refresh_from_db()
    assert cam.status == "online" and cam.last_frame_at is not None


@pytest.mark.django_db
def test_the_ingest_endpoint_is_in_the_openapi_schema(client, users):
    import yaml

    client.force_login(users["analyst"])
    schema = yaml.safe_load(client.get(reverse("api-schema")).content)
    operation = schema["paths"]["/api/v1/cameras/{camera_id}/reads/"]["post"]
    assert {"201", "400", "401", "403"} <= set(operation["responses"])
    assert operation["security"] == [{"deviceToken": []}]
