"""A responder sees their own agency's incidents and nothing else: no plate data, hotlists, registry owners,
or other agencies' incidents, through any page, API or websocket."""

import json

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import timezone

from cameras.services import snapshot_store
from incidents import services
from incidents.models import Dispatch
from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
from tests.conftest import received_before_marker
from tests.factories import camera, incident

PLATE = "BXR9302"
REASON = "armed robbery suspect"


def build_world(users, agencies):
    """A fire incident carrying a hit, an internal note and a snapshot; an EMS incident; a registry site nearby."""
    from registry.models import RegisteredCamera, RegisteredSite

    analyst = users["analyst"]
    lpr = camera("Perdido LPR", latitude=29.9529, longitude=-90.0776, kind="plate_reader")
    city = camera("City Hall", latitude=29.9528, longitude=-90.0775, bearing=180, field_of_view=90)
    snapshot_store(city.pk, b"\xff\xd8city\xff\xd9", timezone.now(), 600)
    snapshot_store(lpr.pk, b"\xff\xd8lpr\xff\xd9", timezone.now(), 600)
    read = PlateRead.objects.create(camera=lpr, plate=PLATE, confidence=0.9, read_at=timezone.now())
    hotlist = Hotlist.objects.create(name="NCIC stolen", source="ncic")
    entry = HotlistEntry.objects.create(hotlist=hotlist, plate=PLATE, reason=f"Stolen, {REASON}")
    hit = Hit.objects.create(
        plate_read=read, entry=entry, hotlist=hotlist, match_kind="exact", matched_plate=PLATE, status="confirmed"
    )
    site = RegisteredSite.objects.create(
        owner_name="Marie Laveau",
        email="marie@example.org",
        address="1301 Perdido St",
        latitude=29.9529,
        longitude=-90.0774,
        status="approved",
    )
    RegisteredCamera.objects.create(
        site=site, placement="Porch", latitude=29.9529, longitude=-90.0774, retention_days=14
    )

    fire_incident = incident(title="Vehicle fire, suspect car")
    services.incident_dispatch(incident=fire_incident, agencies=[agencies["nofd"]], user=analyst)
    services.incident_attach_hit(incident=fire_incident, hit=hit, user=analyst)
    services.incident_attach_read(incident=fire_incident, read=read, user=analyst)
    services.incident_add_note(incident=fire_incident, text=f"Internal: plate {PLATE}", user=analyst, shared=False)
    services.incident_add_note(incident=fire_incident, text="Stage at Loyola Ave", user=analyst)
    services.incident_attach_snapshot(incident=fire_incident, camera=city, user=analyst)
    services.incident_attach_snapshot(incident=fire_incident, camera=lpr, user=analyst)
    ems_incident = incident(title="Cardiac arrest on Magazine St")
    services.incident_dispatch(incident=ems_incident, agencies=[agencies["noems"]], user=analyst)
    return {
        "fire": fire_incident,
        "fire_dispatch": Dispatch.objects.get(incident=fire_incident),
        "ems": ems_incident,
        "ems_dispatch": Dispatch.objects.get(incident=ems_incident),
        "hit": hit,
        "read": read,
        "city": city,
        "lpr": lpr,
    }


def forbidden_text(world):
    return [PLATE, REASON, "NCIC", "Marie Laveau", "marie@example.org", "Porch", "Internal:", world["ems"].title]


@pytest.mark.django_db
def test_the_responder_page_and_card_show_their_incident_without_plate_or_registry_data(client, users, agencies):
    world = build_world(users, agencies)
    client.force_login(users["responder"])
    html = client.get(reverse("incidents:respond")).content.decode()
    card = client.get(reverse("incidents:respond-card", args=[world["fire_dispatch"].pk])).content.decode()
    for page in (html, card):
        assert "Vehicle fire, suspect car" in page and "Stage at Loyola Ave" in page
        assert "Acknowledge" in page
        for secret in forbidden_text(world):
            assert secret not in page, secret
    assert reverse("incidents:respond-snapshot", args=[world["fire_dispatch"].pk, world["city"].pk]) in card
    assert f"/{world['lpr'].pk}.jpg" not in card  # plate readers are not offered to responders


@pytest.mark.django_db
def test_a_responder_can_open_no_analyst_page_or_other_agencys_dispatch(client, users, agencies):
    world = build_world(users, agencies)
    fire = world["fire"]
    hit_entry = fire.timeline.get(hit__isnull=False)
    lpr_entry = fire.timeline.get(kind="attachment", camera=world["lpr"], hit__isnull=True, plate_read__isnull=True)
    city_entry = fire.timeline.get(kind="attachment", camera=world["city"], data__has_key="snapshot_taken_at")
    client.force_login(users["responder"])
    refused = {
        reverse("plates:overview"): 403,
        reverse("plates:search"): 403,
        reverse("plates:crop", args=[world["read"].pk]): 403,
        reverse("registry:sites"): 403,
        reverse("incidents:board"): 403,
        reverse("incidents:new") + f"?hit={world['hit'].pk}": 403,
        reverse("incidents:detail", args=[fire.pk]): 403,
        reverse("incidents:live", args=[fire.pk]): 403,
        reverse("incidents:cap", args=[fire.pk]): 403,
        reverse("incidents:respond-card", args=[world["ems_dispatch"].pk]): 404,
        reverse("incidents:respond-snapshot", args=[world["ems_dispatch"].pk, world["city"].pk]): 404,
        reverse("incidents:respond-snapshot", args=[world["fire_dispatch"].pk, world["lpr"].pk]): 404,
        reverse("incidents:timeline-file", args=[lpr_entry.pk]): 404,
        reverse("incidents:timeline-file", args=[hit_entry.pk]): 404,
        reverse("incidents:agency-feed", args=["noems"]): 403,
    }
    answers = {url: client.get(url).status_code for url in refused}
    assert answers == refused
    assert client.post(reverse("incidents:acknowledge", args=[world["ems_dispatch"].pk])).status_code == 404
    assert not world["ems_dispatch"].acknowledgements.exists()
    # What they may see works.
    assert client.get(reverse("incidents:timeline-file", args=[city_entry.pk])).status_code == 200
    snapshot = client.get(reverse("incidents:respond-snapshot", args=[world["fire_dispatch"].pk, world["city"].pk]))
    assert snapshot.status_code == 200 and snapshot.content == b"\xff\xd8city\xff\xd9"
    assert client.post(reverse("incidents:acknowledge", args=[world["fire_dispatch"].pk])).status_code == 302
    assert world["fire_dispatch"].acknowledgements.get().user == users["responder"]


@pytest.mark.django_db
def test_the_api_gives_a_responder_only_their_agencys_events_and_no_plate_data(client, users, agencies):
    world = build_world(users, agencies)
    client.force_login(users["responder"])
    for name in ("incident-list", "agency-list", "camera-list"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("incident-detail", args=[world["fire"].pk])).status_code == 403
    events = client.get(reverse("events-after") + "?after=0").json()
    assert events, "the responder's own agency events are readable"
    assert {e["group"] for e in events} == {f"agency.{agencies['nofd'].pk}"}
    text = json.dumps(events)
    for secret in forbidden_text(world):
        assert secret not in text, secret


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_responders_websocket_carries_no_plate_data_and_no_other_agency(
    memory_layer, ws_connect, users, agencies
):
    world = await database_sync_to_async(build_world)(users, agencies)
    refused, connected, _ = await ws_connect(users["responder"], "groups=staff.analyst")
    assert connected is False
    refused, connected, _ = await ws_connect(users["responder"], f"groups=agency.{agencies['noems'].pk}")
    assert connected is False

    communicator, connected, _ = await ws_connect(users["responder"], "last_id=0")
    assert connected
    received = []
    while True:
        message = await communicator.receive_json_from(timeout=3)
        if message["type"] == "hello":
            assert message["groups"] == [f"agency.{agencies['nofd'].pk}"]
        if message["type"] == "event":
            received.append(message["event"])
        if message["type"] == "caught_up":
            break
    kinds = [e["kind"] for e in received]
    assert "dispatch.created" in kinds and "incident.note" in kinds
    live_hit = await database_sync_to_async(services.incident_attach_hit)(
        incident=world["fire"], hit=world["hit"], user=users["analyst"]
    )
    assert live_hit.pk
    assert await received_before_marker(communicator, f"agency.{agencies['nofd'].pk}") == []
    text = json.dumps(received)
    for secret in forbidden_text(world):
        assert secret not in text, secret
    await communicator.disconnect()
