"""Dispatches over the real Redis channel layer: the right agency, every update, catch-up and escalation."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from incidents import services
from incidents.models import Dispatch, Incident
from rtcc.models import Event
from rtcc.roles import Role, agency_group, staff_group
from tests.conftest import receive_until, received_before_marker
from tests.factories import incident as make_incident

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.redis]


async def events_of_kind(communicator, kind, count=1, timeout=3):
    found = []
    while len(found) < count:
        message = await receive_until(communicator, "event", timeout)
        if message["event"]["kind"] == kind:
            found.append(message["event"])
    return found


@database_sync_to_async
def new_incident(**kwargs):
    return make_incident(**kwargs)


@database_sync_to_async
def dispatch(incident, *agencies, user=None):
    return services.incident_dispatch(incident=incident, agencies=list(agencies), user=user)


@database_sync_to_async
def escalate(now):
    return services.dispatches_escalate(now=now)


async def test_a_dispatch_to_fire_reaches_a_fire_responder_and_not_an_ems_responder(
    redis_layer, ws_connect, users, agencies
):
    fire, connected, _ = await ws_connect(users["responder"])
    ems, _, _ = await ws_connect(users["other_responder"])
    assert connected
    await receive_until(fire, "hello")
    await receive_until(ems, "hello")

    incident = await new_incident(title="Smoke showing, second floor")
    [sent] = await dispatch(incident, agencies["nofd"], user=users["analyst"])

    (event,) = await events_of_kind(fire, "dispatch.created")
    assert event["data"]["dispatch_id"] == sent.pk
    assert event["data"]["incident_id"] == incident.pk
    assert event["data"]["address"] == "1300 Perdido St"
    assert event["severity"] in ("info", "warning", "critical")
    assert "Smoke showing" in event["summary"]
    assert await received_before_marker(ems, agency_group(agencies["noems"].pk)) == []
    await fire.disconnect()
    await ems.disconnect()


async def test_an_update_reaches_every_dispatched_agency_and_the_analysts(redis_layer, ws_connect, users, agencies):
    incident = await new_incident(title="Multi-vehicle crash, I-10")
    await dispatch(incident, agencies["nofd"], agencies["noems"], user=users["analyst"])
    fire, _, _ = await ws_connect(users["responder"])
    ems, _, _ = await ws_connect(users["other_responder"])
    analyst, _, _ = await ws_connect(users["analyst"])
    for communicator in (fire, ems, analyst):
        await receive_until(communicator, "hello")

    await database_sync_to_async(services.incident_add_note)(
        incident=incident, text="Second patient trapped, need extrication", user=users["analyst"]
    )

    for communicator in (fire, ems, analyst):
        (event,) = await events_of_kind(communicator, "incident.note")
        assert event["data"]["incident_id"] == incident.pk
        assert "extrication" in event["summary"]

    # An analysts-only note goes to the analysts and nowhere else.
    await database_sync_to_async(services.incident_add_note)(
        incident=incident, text="Driver matches a BOLO description", user=users["analyst"], shared=False
    )
    (internal,) = await events_of_kind(analyst, "incident.note")
    assert "BOLO" in internal["summary"]
    assert await received_before_marker(fire, agency_group(agencies["nofd"].pk)) == []
    assert await received_before_marker(ems, agency_group(agencies["noems"].pk)) == []
    for communicator in (fire, ems, analyst):
        await communicator.disconnect()


async def test_a_responder_who_reconnects_with_the_last_seen_id_receives_exactly_the_missed_events(
    redis_layer, ws_connect, users, agencies
):
    fire_group = agency_group(agencies["nofd"].pk)
    incident = await new_incident(title="Kitchen fire")
    await dispatch(incident, agencies["nofd"], user=users["analyst"])
    communicator, _, _ = await ws_connect(users["responder"])
    await receive_until(communicator, "hello")
    await database_sync_to_async(services.incident_add_note)(incident=incident, text="Hydrant at corner", user=None)
    (seen,) = await events_of_kind(communicator, "incident.note")
    await communicator.disconnect()  # the truck drives through a dead zone

    await database_sync_to_async(services.incident_set_status)(incident=incident, status="on_scene", user=None)
    other = await new_incident(title="Second alarm, next block")
    await dispatch(other, agencies["nofd"], user=users["analyst"])
    ems_only = await new_incident(title="Fall victim")
    await dispatch(ems_only, agencies["noems"], user=users["analyst"])
    missed = await database_sync_to_async(
        lambda: list(
            Event.objects.filter(group=fire_group, id__gt=seen["id"]).order_by("id").values_list("id", flat=True)
        )
    )()
    assert len(missed) == 2

    communicator, _, _ = await ws_connect(users["responder"], f"last_id={seen['id']}")
    received = []
    while True:
        message = await communicator.receive_json_from(timeout=3)
        if message["type"] == "event":
            received.append(message["event"])
        if message["type"] == "caught_up":
            break
    assert [e["id"] for e in received] == missed
    assert [e["kind"] for e in received] == ["incident.updated", "dispatch.created"]
    assert received[1]["data"]["incident_id"] == other.pk
    assert message["count"] == 2
    await communicator.disconnect()


async def test_an_unacknowledged_dispatch_escalates_after_its_timeout(redis_layer, ws_connect, users, agencies):
    fire_agency = agencies["nofd"]
    fire_agency.ack_timeout_seconds = 90
    await database_sync_to_async(fire_agency.save)()
    incident = await new_incident(title="Alarm, no answer at door")
    acked_incident = await new_incident(title="Acknowledged one")
    [sent] = await dispatch(incident, fire_agency, user=users["analyst"])
    [acked] = await dispatch(acked_incident, fire_agency, user=users["analyst"])
    await database_sync_to_async(services.dispatch_acknowledge)(dispatch=acked, user=users["responder"])
    fire, _, _ = await ws_connect(users["responder"])
    analyst, _, _ = await ws_connect(users["analyst"])
    await receive_until(fire, "hello")
    await receive_until(analyst, "hello")

    assert await escalate(sent.dispatched_at + timedelta(seconds=89)) == []
    assert await received_before_marker(fire, agency_group(fire_agency.pk)) == []

    assert await escalate(sent.dispatched_at + timedelta(seconds=91)) == [sent.pk]
    (to_fire,) = await events_of_kind(fire, "dispatch.escalated")
    (to_analysts,) = await events_of_kind(analyst, "dispatch.escalated")
    assert to_fire["severity"] == to_analysts["severity"] == "critical"
    assert to_fire["data"]["dispatch_id"] == sent.pk
    assert "NOFD has not acknowledged" in to_analysts["summary"]

    row = await database_sync_to_async(Dispatch.objects.get)(pk=sent.pk)
    assert row.escalation_count == 1 and row.is_escalated
    # Not again until another timeout has passed since this escalation.
    assert await escalate(row.escalated_at + timedelta(seconds=30)) == []
    assert await escalate(row.escalated_at + timedelta(seconds=91)) == [sent.pk]

    # Once acknowledged it stops escalating and the flag clears.
    await database_sync_to_async(services.dispatch_acknowledge)(dispatch=row, user=users["responder"])
    assert await escalate(timezone.now() + timedelta(hours=1)) == []
    row = await database_sync_to_async(Dispatch.objects.get)(pk=sent.pk)
    assert not row.is_escalated
    kinds = await database_sync_to_async(
        lambda: list(Incident.objects.get(pk=incident.pk).timeline.values_list("kind", flat=True))
    )()
    assert kinds.count("escalated") == 2
    await fire.disconnect()
    await analyst.disconnect()


async def test_an_acknowledgement_reaches_the_analysts_live(redis_layer, ws_connect, users, agencies):
    incident = await new_incident(title="Brush fire")
    [sent] = await dispatch(incident, agencies["nofd"], user=users["analyst"])
    analyst, _, _ = await ws_connect(users["analyst"], f"groups={staff_group(Role.ANALYST)}")
    await receive_until(analyst, "hello")
    await database_sync_to_async(services.dispatch_acknowledge)(dispatch=sent, user=users["responder"])
    (event,) = await events_of_kind(analyst, "dispatch.acknowledged")
    assert event["data"]["dispatch_id"] == sent.pk and event["data"]["agency"] == "nofd"
    await analyst.disconnect()
