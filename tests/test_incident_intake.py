"""Intake: CAD and gunshot-detection systems open or update incidents through an authenticated endpoint."""

import pytest
from django.urls import reverse

from cameras.services import snapshot_store
from incidents.models import Incident, IntakeSource, TimelineEvent
from rtcc.models import Event
from rtcc.roles import Role, staff_group
from tests.factories import camera

pytestmark = pytest.mark.django_db

ALERT = {
    "id": "SST-2026-11-25-0042",
    "type": "multiple_gunshots",
    "lat": 29.95465,
    "lon": -90.06945,
    "address": "Canal St at Bourbon St",
    "rounds": 4,
    "time": "2026-11-25T02:58:11-06:00",
}


@pytest.fixture
def shotspotter():
    source, key = IntakeSource.issue(name="ShotSpotter", kind="gunshot")
    return source, key


@pytest.fixture
def cad():
    return IntakeSource.issue(name="Orleans 911 CAD", kind="cad")


def post(client, url, body, key=None, **headers):
    if key:
        headers["HTTP_AUTHORIZATION"] = f"Intake {key}"
    return client.post(url, body, content_type="application/json", **headers)


def test_a_gunshot_alert_posted_twice_creates_one_incident_with_its_nearest_cameras_pushed_to_analysts(
    client, shotspotter
):
    from django.utils import timezone

    _, key = shotspotter
    near = camera("Canal & Bourbon", latitude=29.9546, longitude=-90.0694, bearing=45, field_of_view=90)
    facing = camera("Canal & N Rampart", latitude=29.9560, longitude=-90.0715, bearing=120, field_of_view=95)
    camera("Audubon Park", latitude=29.9249, longitude=-90.1290)  # kilometres away
    camera("Bourbon LPR", latitude=29.9547, longitude=-90.0695, kind="plate_reader")
    snapshot_store(near.pk, b"\xff\xd8jpeg-bytes\xff\xd9", timezone.now(), 60)
    url = reverse("intake-gunshot")

    first = post(client, url, ALERT, key)
    second = post(client, url, ALERT, key)

    assert first.status_code == 201 and first.json()["created"] is True
    assert second.status_code == 200 and second.json()["created"] is False
    assert Incident.objects.count() == 1
    incident = Incident.objects.get()
    assert first.json()["incident_id"] == second.json()["incident_id"] == incident.pk
    assert incident.source == "gunshot" and incident.priority == 1
    assert incident.title == "Shots fired: 4 rounds"
    assert incident.incident_type.slug == "shots-fired"
    names = [c["name"] for c in first.json()["cameras"]]
    assert names == ["Canal & Bourbon", "Canal & N Rampart"]  # city cameras only, the one at the spot first
    assert second.json()["cameras"] == first.json()["cameras"]
    attached = TimelineEvent.objects.filter(incident=incident, camera=near).get()
    assert attached.attachment and attached.attachment.read() == b"\xff\xd8jpeg-bytes\xff\xd9"
    assert not TimelineEvent.objects.get(incident=incident, camera=facing).attachment
    # The repeat changed nothing, so it added nothing to the timeline.
    assert incident.timeline.filter(kind="update").count() == 0

    analysts = Event.objects.filter(group=staff_group(Role.ANALYST))
    created = analysts.get(kind="incident.created")
    assert created.data["incident_id"] == incident.pk and created.severity == "critical"
    cameras_event = analysts.get(kind="incident.cameras")
    assert [c["name"] for c in cameras_event.data["cameras"]] == names


def test_a_repeated_alert_with_new_details_updates_the_same_incident(client, shotspotter):
    _, key = shotspotter
    url = reverse("intake-gunshot")
    post(client, url, ALERT, key)
    response = post(client, url, {**ALERT, "rounds": 9, "address": "700 Canal St"}, key)

    assert response.status_code == 200
    incident = Incident.objects.get()
    assert incident.title == "Shots fired: 9 rounds" and incident.address == "700 Canal St"
    update = incident.timeline.get(kind="update")
    assert "ShotSpotter" in update.text and "700 Canal St" in update.text
    assert incident.revision == 2


def test_the_same_id_from_two_sources_opens_two_incidents(client, shotspotter):
    _, key = shotspotter
    _, other_key = IntakeSource.issue(name="Second sensor network", kind="gunshot")
    post(client, reverse("intake-gunshot"), ALERT, key)
    post(client, reverse("intake-gunshot"), ALERT, other_key)
    assert Incident.objects.count() == 2


def test_a_cad_event_opens_an_incident_of_its_type_and_closes_it_when_cleared(client, cad):
    from tests.factories import incident_type

    incident_type()  # "fire"
    _, key = cad
    url = reverse("intake-cad")
    event = {
        "id": "E26-1125-0311",
        "type": "fire",
        "title": "Smoke from second floor",
        "priority": 1,
        "lat": 29.9528,
        "lon": -90.0775,
        "address": "1300 Perdido St",
    }
    assert post(client, url, event, key).status_code == 201
    incident = Incident.objects.get()
    assert incident.incident_type.slug == "fire" and incident.cad_number == "E26-1125-0311"
    assert incident.source == "cad" and incident.priority == 1

    assert post(client, url, {**event, "status": "cleared"}, key).status_code == 200
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.closed_at is not None


def test_a_cad_event_of_an_unknown_type_is_kept_as_other_not_refused(client, cad):
    _, key = cad
    response = post(
        client, reverse("intake-cad"), {"id": "X1", "type": "alien landing", "lat": 29.95, "lon": -90.07}, key
    )
    assert response.status_code == 201
    assert Incident.objects.get().incident_type.slug == "other"


def test_an_unauthenticated_intake_post_is_refused_with_401(client):
    response = post(client, reverse("intake-gunshot"), ALERT)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Intake"
    assert "intake key" in response.json()["detail"].lower()
    assert Incident.objects.count() == 0


def test_an_unknown_key_is_refused_with_401(client, shotspotter):
    response = post(client, reverse("intake-gunshot"), ALERT, "not-a-real-key")
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown or disabled intake key."


def test_a_disabled_source_is_refused(client, shotspotter):
    source, key = shotspotter
    IntakeSource.objects.filter(pk=source.pk).update(active=False)
    assert post(client, reverse("intake-gunshot"), ALERT, key).status_code == 401


def test_a_signed_in_analyst_cannot_post_to_intake_without_a_key(client, users):
    client.force_login(users["analyst"])
    assert post(client, reverse("intake-gunshot"), ALERT).status_code == 401
    assert Incident.objects.count() == 0


def test_a_cad_key_cannot_post_gunshot_alerts(client, cad):
    _, key = cad
    response = post(client, reverse("intake-gunshot"), ALERT, key)
    assert response.status_code == 403
    assert "own endpoint" in response.json()["detail"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({k: v for k, v in ALERT.items() if k != "id"}, "id"),
        ({**ALERT, "lat": 123.0}, "lat"),
        ({**ALERT, "lon": "west"}, "lon"),
        ({**ALERT, "rounds": -2}, "rounds"),
        ({**ALERT, "time": "yesterday-ish"}, "time"),
    ],
)
def test_a_malformed_alert_is_refused_with_400_naming_the_field(client, shotspotter, body, field):
    _, key = shotspotter
    response = post(client, reverse("intake-gunshot"), body, key)
    assert response.status_code == 400
    assert field in response.json()
    assert Incident.objects.count() == 0


def test_a_body_that_is_not_json_is_refused_with_400(client, shotspotter):
    _, key = shotspotter
    response = client.post(
        reverse("intake-gunshot"), "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Intake {key}"
    )
    assert response.status_code == 400
    response = post(client, reverse("intake-gunshot"), [ALERT], key)
    assert response.status_code == 400


def test_the_openapi_schema_documents_both_intake_endpoints(client, users):
    client.force_login(users["analyst"])
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    gunshot = schema["paths"]["/api/v1/intake/gunshot/"]["post"]
    assert {"201", "400", "401"} <= set(gunshot["responses"])
    assert gunshot["security"] == [{"IntakeKey": []}]
    assert "/api/v1/intake/cad/" in schema["paths"]
    assert {"id", "lat", "lon", "rounds"} <= set(schema["components"]["schemas"]["GunshotAlert"]["properties"])
    assert schema["components"]["securitySchemes"]["IntakeKey"]["name"] == "Authorization"
