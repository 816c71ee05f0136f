"""The dashboard websocket: who may connect to which group, live pushes, and catch-up after a reconnect."""

import pytest
from channels.db import database_sync_to_async

from rtcc import realtime
from rtcc.roles import STAFF_ALL, Role, agency_group, staff_group, user_group
from tests.conftest import receive_until, received_before_marker

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def publish(group, summary, kind="notice"):
    return realtime.publish(group=group, kind=kind, summary=summary).pk


async def test_it_refuses_an_anonymous_connection(memory_layer, ws_connect):
    _, connected, _ = await ws_connect(None)
    assert connected is False


async def test_it_refuses_a_user_with_no_role(memory_layer, ws_connect, users):
    _, connected, _ = await ws_connect(users["norole"])
    assert connected is False


async def test_it_refuses_a_responder_asking_for_another_agencys_group(memory_layer, ws_connect, users, agencies):
    _, connected, _ = await ws_connect(users["responder"], f"groups={agency_group(agencies['noems'].pk)}")
    assert connected is False


async def test_it_refuses_a_responder_asking_for_the_analysts_group(memory_layer, ws_connect, users):
    _, connected, _ = await ws_connect(users["responder"], f"groups={staff_group(Role.ANALYST)}")
    assert connected is False


async def test_it_lets_a_responder_join_their_own_agency_only(memory_layer, ws_connect, users, agencies):
    communicator, connected, _ = await ws_connect(users["responder"])
    assert connected
    hello = await receive_until(communicator, "hello")
    assert hello["groups"] == [agency_group(agencies["nofd"].pk)]
    await communicator.disconnect()


async def test_it_joins_an_analyst_to_the_staff_groups(memory_layer, ws_connect, users):
    communicator, connected, _ = await ws_connect(users["analyst"])
    assert connected
    hello = await receive_until(communicator, "hello")
    assert set(hello["groups"]) == {STAFF_ALL, staff_group(Role.ANALYST), user_group(users["analyst"].pk)}
    await communicator.disconnect()


async def test_a_broadcast_from_sync_code_reaches_the_socket_in_memory(memory_layer, ws_connect, users):
    communicator, connected, _ = await ws_connect(users["analyst"])
    assert connected
    await receive_until(communicator, "hello")
    event_id = await database_sync_to_async(publish)(staff_group(Role.ANALYST), "Hotlist hit on ABC123")
    message = await receive_until(communicator, "event")
    assert message["event"]["id"] == event_id
    assert message["event"]["summary"] == "Hotlist hit on ABC123"
    await communicator.disconnect()


@pytest.mark.redis
async def test_a_broadcast_from_sync_code_reaches_the_socket_through_redis(redis_layer, ws_connect, users):
    communicator, connected, _ = await ws_connect(users["analyst"])
    assert connected
    await receive_until(communicator, "hello")
    event_id = await database_sync_to_async(publish)(STAFF_ALL, "Camera Canal & Bourbon offline")
    message = await receive_until(communicator, "event")
    assert message["event"]["id"] == event_id
    assert message["event"]["kind"] == "notice"
    await communicator.disconnect()


@pytest.mark.redis
async def test_an_agency_broadcast_reaches_that_agency_and_not_another(redis_layer, ws_connect, users, agencies):
    fire, _, _ = await ws_connect(users["responder"])
    ems, _, _ = await ws_connect(users["other_responder"])
    await receive_until(fire, "hello")
    await receive_until(ems, "hello")
    await database_sync_to_async(publish)(agency_group(agencies["nofd"].pk), "Structure fire, 1300 Perdido St")
    message = await receive_until(fire, "event")
    assert message["event"]["summary"] == "Structure fire, 1300 Perdido St"
    assert await received_before_marker(ems, agency_group(agencies["noems"].pk)) == []
    await fire.disconnect()
    await ems.disconnect()


@pytest.mark.redis
async def test_a_reconnect_with_the_last_seen_id_returns_exactly_the_missed_events(redis_layer, ws_connect, users):
    group = staff_group(Role.ANALYST)
    first = await database_sync_to_async(publish)(group, "seen before the drop")
    communicator, _, _ = await ws_connect(users["analyst"], f"last_id={first - 1}")
    seen = await receive_until(communicator, "event")
    assert seen["event"]["id"] == first
    await receive_until(communicator, "caught_up")
    await communicator.disconnect()

    missed = [await database_sync_to_async(publish)(group, f"missed {n}") for n in range(3)]
    await database_sync_to_async(publish)(agency_group(users["responder"].agency_id), "not for analysts")

    communicator, _, _ = await ws_connect(users["analyst"], f"last_id={first}")
    received = []
    while True:
        message = await communicator.receive_json_from(timeout=3)
        if message["type"] == "event":
            received.append(message["event"]["id"])
        if message["type"] == "caught_up":
            break
    assert received == missed
    assert message == {"type": "caught_up", "last_id": missed[-1], "count": 3}
    await communicator.disconnect()


async def test_a_resume_message_catches_up_an_open_connection(memory_layer, ws_connect, users):
    group = staff_group(Role.ANALYST)
    before = await database_sync_to_async(publish)(group, "one")
    after = await database_sync_to_async(publish)(group, "two")
    communicator, _, _ = await ws_connect(users["analyst"])
    await receive_until(communicator, "hello")
    await communicator.send_json_to({"type": "resume", "last_id": before})
    message = await receive_until(communicator, "event")
    assert message["event"]["id"] == after
    await communicator.send_json_to({"type": "resume", "last_id": "garbage"})
    error = await receive_until(communicator, "error")
    assert "last_id" in error["error"]
    await communicator.disconnect()


async def test_an_event_is_sent_once_even_if_it_arrives_live_and_in_catch_up(memory_layer, ws_connect, users):
    group = staff_group(Role.ANALYST)
    communicator, _, _ = await ws_connect(users["analyst"])
    await receive_until(communicator, "hello")
    event_id = await database_sync_to_async(publish)(group, "only once")
    await receive_until(communicator, "event")
    await communicator.send_json_to({"type": "resume", "last_id": event_id - 1})
    message = await receive_until(communicator, "caught_up")
    assert message["count"] == 1
    assert await received_before_marker(communicator, group) == []
    await communicator.disconnect()
