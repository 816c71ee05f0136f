"""Hostile input on every input path answers 4xx with a reason, never a server error (issue 14, finding 6)."""

import base64
import copy
import json

import pytest
from django.test import Client
from django.urls import reverse

from cameras.models import DeviceToken
from footage.models import FootageClip
from incidents.models import Incident, IntakeSource
from plates.models import PlateRead
from registry.models import RegisteredSite
from tests.factories import camera, incident
from tests.registry_helpers import CommitClient, form_data
from tests.test_plate_ingest import OPENALPR_GROUP, OURS, PLATE_RECOGNIZER

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_client():
    """A client that shows a server error as a 500 answer, as a real caller would see it."""
    return Client(raise_request_exception=False)


# --- The public registration form -----------------------------------------------------


@pytest.mark.parametrize("field", ["latitude", "longitude"])
def test_a_camera_on_the_equator_or_the_prime_meridian_registers(field):
    response = CommitClient().post(reverse("registry-public:register"), form_data(**{field: "0"}))
    assert response.status_code == 302
    site = RegisteredSite.objects.get()
    assert float(getattr(site, field)) == 0.0


# --- The CAP feed's Basic sign-in --------------------------------------------------------


@pytest.mark.parametrize("username", ["ana\x00lyst", "\x00", "a\x1fb"])
def test_basic_credentials_with_control_characters_are_refused_as_a_failed_sign_in(quiet_client, agencies, username):
    header = "Basic " + base64.b64encode(f"{username}:secret".encode()).decode()
    response = quiet_client.get(reverse("incidents:agency-feed", args=["nofd"]), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "header", ["Basic é", "Basic \x00", "Basic " + base64.b64encode(b"\xff\xfe:x").decode(), "Basic"]
)
def test_basic_headers_that_are_not_base64_text_are_refused_as_a_failed_sign_in(quiet_client, agencies, header):
    response = quiet_client.get(reverse("incidents:agency-feed", args=["nofd"]), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


# --- API pagination ----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["limit=9999999999999999999", "offset=9999999999999999999", "offset=-1", "limit=x"])
def test_absurd_page_numbers_are_a_400_on_every_list(quiet_client, users, query):
    quiet_client.force_login(users["supervisor"])
    for url in ["/api/v1/cameras/", "/api/v1/incidents/", "/api/v1/agencies/", "/api/v1/registered-cameras/"]:
        response = quiet_client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, response.status_code)
        assert query.split("=")[0] in response.json()


def test_a_limit_above_the_ceiling_is_lowered_to_it(client, users):
    from rtcc.pagination import MAX_LIMIT

    client.force_login(users["supervisor"])
    for n in range(3):
        incident(title=f"Call {n}")
    page = client.get("/api/v1/incidents/?limit=5000&offset=1").json()
    assert page["count"] == 3 and len(page["results"]) == 2
    assert f"limit={MAX_LIMIT}" in page["previous"]


def test_an_event_id_of_hundreds_of_digits_is_a_400(quiet_client, users):
    quiet_client.force_login(users["analyst"])
    assert quiet_client.get("/api/v1/events/?after=" + "9" * 400).status_code == 400
    assert quiet_client.get("/api/v1/events/?after=--5").status_code == 400
    assert quiet_client.get("/api/v1/events/?after=-1").status_code == 200


# --- The technicians' footage forms ---------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "9" * 30, "1e3", "\x00"])
def test_a_camera_that_is_not_an_id_is_a_message_not_a_server_error(quiet_client, users, value):
    quiet_client.force_login(users["video_technician"])
    pulled = quiet_client.post(
        reverse("footage:pull"), {"camera": value, "start": "2026-11-25T10:00", "end": "2026-11-25T10:05"}
    )
    assert pulled.status_code == 302
    assert quiet_client.get(f"{reverse('footage:library')}?camera={value}").status_code == 200


def test_a_staff_upload_naming_no_real_camera_or_incident_is_stored_without_them(quiet_client, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    quiet_client.force_login(users["video_technician"])
    body = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
    response = quiet_client.post(
        reverse("footage:upload"),
        {"file": SimpleUploadedFile("door.mp4", body), "camera": "abc", "incident": "9" * 40},
    )
    assert response.status_code == 302
    clip = FootageClip.objects.get()
    assert clip.camera is None and clip.incident is None


# --- Intake ------------------------------------------------------------------------------------


def test_a_cad_event_id_longer_than_a_cad_number_is_a_400(quiet_client):
    _, key = IntakeSource.issue(name="Orleans 911 CAD", kind="cad")
    event = {"id": "E" * 65, "lat": 29.95, "lon": -90.07, "title": "Fight"}
    response = quiet_client.post(
        reverse("intake-cad"), json.dumps(event), content_type="application/json", HTTP_AUTHORIZATION=f"Intake {key}"
    )
    assert response.status_code == 400
    assert "id" in response.json()
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b'{"id": "a\\u0000b", "lat": 29.95, "lon": -90.07}',
        b'{"id": "a\\ud800b", "lat": 29.95, "lon": -90.07}',
        b'{"id": "x", "lat": NaN, "lon": -90.07}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"id": "x", "lat": 29.95, "lon": -90.07, "a":' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
    ids=["nul", "surrogate", "nan", "deep", "deep-inside"],
)
def test_intake_bodies_no_database_can_store_are_a_400(quiet_client, raw):
    _, key = IntakeSource.issue(name="ShotSpotter", kind="gunshot")
    response = quiet_client.post(
        reverse("intake-gunshot"), raw, content_type="application/json", HTTP_AUTHORIZATION=f"Intake {key}"
    )
    assert response.status_code == 400
    assert not Incident.objects.exists()


# --- Device ingest -------------------------------------------------------------------------------


@pytest.fixture
def device(db):
    cam = camera("Claiborne & Orleans LPR", kind="plate_reader")
    _, key = DeviceToken.issue(camera=cam, label="unit 7")
    return cam, key


def _ours(**fields):
    payload = copy.deepcopy(OURS)
    payload["reads"] = [payload["reads"][0] | fields]
    return json.dumps(payload).encode()


def _with(template, **fields):
    payload = copy.deepcopy(template)
    payload.update(fields)
    return json.dumps(payload).encode()


def _plate_recognizer_box(box):
    payload = copy.deepcopy(PLATE_RECOGNIZER)
    payload["data"]["results"][0]["box"] = box
    return json.dumps(payload).encode()


HOSTILE_READS = {
    "best_plate not an object": _with(OPENALPR_GROUP, best_plate="x"),
    "hook not an object": _with(PLATE_RECOGNIZER, hook="x"),
    "400-digit confidence": _ours(confidence=int("9" * 400)),
    "400-digit OpenALPR confidence": _with(OPENALPR_GROUP, best_confidence=int("9" * 400)),
    "NUL in id": _ours(id="u7\x00-1"),
    "NUL in region": _ours(region="l\x00a"),
    "NaN in box": _plate_recognizer_box({"xmin": float("nan"), "ymin": 1, "xmax": 2, "ymax": 3}),
    "box of text": _plate_recognizer_box({"xmin": "x", "ymin": 1, "xmax": 2, "ymax": 3}),
    "box not an object": _plate_recognizer_box([1, 2, 3, 4]),
    "plate not a string": _with(PLATE_RECOGNIZER, data={**PLATE_RECOGNIZER["data"], "results": [{"plate": [1]}]}),
    "lone surrogate": b'{"reads": [{"id": "\\ud800", "plate": "ABC1234", "read_at": "2026-11-25T09:14:05Z"}]}',
    "lone surrogate in a key": b'{"reads": [{"\\udfff": 1, "plate": "ABC1234", "read_at": "2026-11-25T09:14:05Z"}]}',
    "deeply nested": b'{"reads": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "Infinity confidence": b'{"reads": [{"plate": "ABC1234", "read_at": "2026-11-25T09:14:05Z", "confidence": 1e999}]}',
    "not UTF-8": b'{"reads": [{"plate": "ABC1234", "id": "\xff"}]}',
}


@pytest.mark.parametrize("raw", HOSTILE_READS.values(), ids=HOSTILE_READS.keys())
def test_hostile_device_payloads_are_a_400_and_store_nothing(quiet_client, device, raw):
    cam, key = device
    response = quiet_client.post(
        reverse("plate-read-ingest", args=[cam.pk]),
        raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {key}",
    )
    assert response.status_code == 400, response.content[:300]
    assert not PlateRead.objects.exists()


def test_a_plate_recognizer_box_is_kept_as_its_four_sides(client, device):
    cam, key = device
    box = {"xmin": 460, "ymin": 57, "xmax": 557, "ymax": 82, "extra": "dropped"}
    response = client.post(
        reverse("plate-read-ingest", args=[cam.pk]),
        _plate_recognizer_box(box),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {key}",
    )
    assert response.status_code == 201
    assert PlateRead.objects.get().box == {"xmin": 460, "ymin": 57, "xmax": 557, "ymax": 82}
