"""Analysts' incident pages: create, detail, status, notes, attachments, dispatch; hits become incidents."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cameras.services import snapshot_store
from incidents.models import Dispatch, Incident, TimelineEvent
from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
from rtcc.models import AuditRecord
from tests.factories import camera, incident, incident_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client, users):
    client.force_login(users["analyst"])
    return client


def confirmed_hit(user=None, **hotlist):
    cam = camera("Canal & Carrollton LPR", latitude=29.975, longitude=-90.098, kind="plate_reader")
    read = PlateRead.objects.create(camera=cam, plate="BXR9302", confidence=0.95, read_at=timezone.now())
    lst = Hotlist.objects.create(name="NCIC stolen", source="ncic", priority=1, **hotlist)
    entry = HotlistEntry.objects.create(
        hotlist=lst, plate="BXR9302", reason="Stolen 11/22, armed robbery suspect", vehicle_description="Grey sedan"
    )
    return Hit.objects.create(
        plate_read=read, entry=entry, hotlist=lst, match_kind="exact", matched_plate="BXR9302", status="confirmed"
    )


def test_an_analyst_opens_an_incident_from_the_form(analyst, users):
    kind = incident_type()
    response = analyst.post(
        reverse("incidents:new"),
        {
            "incident_type": kind.pk,
            "priority": 1,
            "title": "Smoke from roof",
            "address": "1300 Perdido St",
            "latitude": "29.952800",
            "longitude": "-90.077500",
            "cad_number": "E26-0001",
            "description": "Caller on scene",
        },
    )
    created = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("incidents:detail", args=[created.pk])
    assert created.created_by == users["analyst"] and created.status == "new" and created.cad_number == "E26-0001"
    assert created.timeline.get().kind == "created"


def test_the_form_without_a_pin_says_to_place_it_and_loses_nothing(analyst):
    kind = incident_type()
    response = analyst.post(reverse("incidents:new"), {"incident_type": kind.pk, "priority": 2, "title": "Odor of gas"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Place the pin on the map" in html
    assert 'value="Odor of gas"' in html
    assert Incident.objects.count() == 0


def test_the_incident_page_shows_timeline_dispatches_and_ranked_cameras(analyst, users, agencies):
    inc = incident()
    camera("City Hall", latitude=29.9528, longitude=-90.0775, bearing=180, field_of_view=90)
    camera("Far away", latitude=29.99, longitude=-90.2)
    analyst.post(
        reverse("incidents:dispatch", args=[inc.pk]), {"agencies": [agencies["nofd"].pk], "message": "2nd alarm"}
    )
    html = analyst.get(reverse("incidents:detail", args=[inc.pk])).content.decode()
    assert "New Orleans Fire Department" in html and "Waiting for acknowledgement" in html
    # The nearby cameras' wall lists the near one only (the page's map draws every camera, as the dashboard's).
    nearby = html[html.index('id="nearby-cameras"') :]
    nearby = nearby[: nearby.index("</section>")]
    assert "City Hall" in nearby and "Far away" not in nearby
    assert "dispatched to NOFD: 2nd alarm" in html
    inc.refresh_from_db()
    assert inc.status == "dispatched"


def test_status_changes_and_notes_land_on_the_timeline_with_who_did_them(analyst, users):
    inc = incident()
    analyst.post(reverse("incidents:status", args=[inc.pk]), {"status": "on_scene"})
    analyst.post(reverse("incidents:note", args=[inc.pk]), {"text": "Units report heavy smoke"})
    analyst.post(reverse("incidents:status", args=[inc.pk]), {"status": "closed"})
    inc.refresh_from_db()
    assert inc.status == "closed" and inc.closed_at is not None
    entries = list(inc.timeline.values_list("kind", "actor", "text"))
    assert [e[0] for e in entries] == ["status", "note", "status"]
    assert all(e[1] == users["analyst"].pk for e in entries)
    assert "New → On scene" in entries[0][2]


def test_an_empty_note_is_refused_with_a_message(analyst):
    inc = incident()
    response = analyst.post(reverse("incidents:note", args=[inc.pk]), {"text": "  "}, follow=True)
    assert "nothing was added" in response.content.decode()
    assert inc.timeline.count() == 0


def test_a_camera_snapshot_is_attached_to_the_timeline(analyst):
    inc = incident()
    cam = camera("City Hall", latitude=29.9528, longitude=-90.0775)
    snapshot_store(cam.pk, b"\xff\xd8picture\xff\xd9", timezone.now(), 60)
    analyst.post(reverse("incidents:attach-snapshot", args=[inc.pk]), {"camera": cam.pk})
    entry = inc.timeline.get(kind="attachment")
    assert entry.camera == cam and entry.shared_with_responders
    assert b"".join(analyst.get(reverse("incidents:timeline-file", args=[entry.pk])).streaming_content) == (
        b"\xff\xd8picture\xff\xd9"
    )


def test_attaching_a_camera_without_a_recent_picture_says_so(analyst):
    inc = incident()
    cam = camera("Dark camera")
    response = analyst.post(reverse("incidents:attach-snapshot", args=[inc.pk]), {"camera": cam.pk}, follow=True)
    assert "has no recent picture" in response.content.decode()
    assert inc.timeline.count() == 0


def test_attaching_a_hit_is_audited_and_kept_from_responders(analyst, users):
    inc = incident()
    hit = confirmed_hit()
    analyst.post(reverse("incidents:attach-plate", args=[inc.pk]), {"hit": hit.pk})
    entry = inc.timeline.get(kind="attachment")
    assert entry.hit == hit and entry.plate_read == hit.plate_read and not entry.shared_with_responders
    record = AuditRecord.objects.get(action="incidents.attach_hit")
    assert record.actor == users["analyst"] and record.details["incident"] == inc.pk


def test_a_timeline_row_with_plate_data_can_never_be_shared_with_responders():
    inc = incident()
    hit = confirmed_hit()
    entry = TimelineEvent.objects.create(incident=inc, kind="attachment", hit=hit, shared_with_responders=True)
    assert entry.shared_with_responders is False


def test_a_confirmed_hit_prefills_the_form_and_is_attached_to_the_new_incident(analyst, users):
    hit = confirmed_hit()
    page = analyst.get(reverse("incidents:new") + f"?hit={hit.pk}").content.decode()
    assert "BXR9302" in page and "Stolen 11/22" in page and "Canal &amp; Carrollton LPR" in page
    kind = incident_type()
    analyst.post(
        reverse("incidents:new"),
        {
            "hit": hit.pk,
            "incident_type": kind.pk,
            "priority": 1,
            "title": "Vehicle of interest seen at Canal & Carrollton LPR",
            "latitude": "29.975",
            "longitude": "-90.098",
        },
    )
    created = Incident.objects.get()
    assert created.source == "hit" and created.source_id == str(hit.pk)
    assert created.timeline.get(hit=hit).shared_with_responders is False
    assert "BXR9302" not in created.title + created.description  # plate data stays off what agencies see
    assert AuditRecord.objects.filter(action="incidents.attach_hit", object_id=str(hit.pk)).exists()
    # Opening the same hit again leads to its incident instead of a second one.
    again = analyst.get(reverse("incidents:new") + f"?hit={hit.pk}")
    assert again.status_code == 302 and again["Location"] == reverse("incidents:detail", args=[created.pk])


def test_an_unconfirmed_or_hidden_hit_prefills_nothing(analyst, make_user):
    hit = confirmed_hit(visibility="owner_only", owner=make_user("analyst"))
    page = analyst.get(reverse("incidents:new") + f"?hit={hit.pk}").content.decode()
    assert "BXR9302" not in page and "not a confirmed hit you may see" in page


def test_dispatching_twice_to_the_same_agency_creates_one_dispatch(analyst, agencies):
    inc = incident()
    for _ in range(2):
        analyst.post(reverse("incidents:dispatch", args=[inc.pk]), {"agencies": [agencies["nofd"].pk]})
    assert Dispatch.objects.filter(incident=inc).count() == 1


def test_the_board_lists_open_incidents_by_priority_and_flags_escalations(analyst, agencies):
    low = incident(title="Downed tree", priority=4)
    high = incident(title="Working fire", priority=1)
    incident(title="Old one", status="closed")
    Dispatch.objects.create(incident=high, agency=agencies["nofd"], escalation_count=1)
    html = analyst.get(reverse("incidents:board")).content.decode()
    assert html.index("Working fire") < html.index("Downed tree") and "Old one" not in html
    assert "NOFD ! UNACKNOWLEDGED" in html
    partial = analyst.get(reverse("incidents:board"), HTTP_ACCEPT="application/json").json()
    assert partial["count"] == 2 and [m["id"] for m in partial["markers"]] == [high.pk, low.pk]


def test_editing_details_records_what_changed_and_tells_dispatched_agencies(analyst, agencies):
    from rtcc.models import Event

    inc = incident(priority=3)
    analyst.post(reverse("incidents:dispatch", args=[inc.pk]), {"agencies": [agencies["nofd"].pk]})
    form = {
        "edit-incident_type": inc.incident_type_id,
        "edit-priority": 1,
        "edit-title": "Smoke showing, people trapped",
        "edit-address": "1300 Perdido St",
        "edit-latitude": "29.952800",
        "edit-longitude": "-90.077500",
        "edit-cad_number": "",
        "edit-description": "",
    }
    analyst.post(reverse("incidents:edit", args=[inc.pk]), form)
    inc.refresh_from_db()
    assert inc.priority == 1 and inc.title == "Smoke showing, people trapped"
    update = inc.timeline.get(kind="update")
    assert "priority P3 → P1" in update.text and "people trapped" in update.text
    pushed = Event.objects.get(group=f"agency.{agencies['nofd'].pk}", kind="incident.updated")
    assert pushed.data["priority"] == 1
    analyst.post(reverse("incidents:edit", args=[inc.pk]), form)  # the same again changes nothing
    assert inc.timeline.filter(kind="update").count() == 1
