"""Realtime delivery loses nothing: a failed push, a late commit and a long absence all still reach the page."""

import pytest
from channels.db import database_sync_to_async

from rtcc import realtime
from rtcc.models import Event
from rtcc.roles import Role, staff_group

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fast_sweeps(settings):
    settings.RTCC_EVENT_SWEEP_SECONDS = 0.2
    return settings


def publish(group, summary):
    return realtime.publish(group=group, kind="notice", summary=summary).pk


def drop_next_push(layer):
    """The channel layer fails exactly one group_send, as a Redis hiccup would."""
    real = layer.group_send
    dropped = []

    async def failing(group, message):
        if not dropped:
            dropped.append(message["event"]["id"])
            raise ConnectionError("channel layer unavailable for this send")
        return await real(group, message)

    layer.group_send = failing
    return dropped


async def events_until(communicator, wanted_ids, timeout=5):
    received = []
    while not set(wanted_ids) <= set(received):
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] == "event":
            received.append(message["event"]["id"])
    return received


async def test_an_event_whose_push_failed_still_reaches_the_open_page(memory_layer, fast_sweeps, ws_connect, users):
    communicator, connected, _ = await ws_connect(users["analyst"])
    assert connected
    await receive_hello(communicator)
    dropped = drop_next_push(memory_layer)
    event_id = await database_sync_to_async(publish)(staff_group(Role.ANALYST), "Hit on ABC123")
    assert dropped == [event_id]
    assert await events_until(communicator, [event_id]) == [event_id]
    await communicator.disconnect()


@pytest.mark.redis
async def test_a_push_lost_by_redis_is_delivered_by_the_sweep(redis_layer, fast_sweeps, ws_connect, users):
    communicator, connected, _ = await ws_connect(users["analyst"])
    assert connected
    await receive_hello(communicator)
    dropped = drop_next_push(redis_layer)
    lost = await database_sync_to_async(publish)(staff_group(Role.ANALYST), "Hit on LOST1")
    pushed = await database_sync_to_async(publish)(staff_group(Role.ANALYST), "Hit on NEXT2")
    assert dropped == [lost]
    received = await events_until(communicator, [lost, pushed])
    assert sorted(received) == [lost, pushed], "each event once, none skipped"
    await communicator.disconnect()


async def test_an_event_committed_after_a_later_id_was_delivered_is_not_skipped(
    memory_layer, fast_sweeps, ws_connect, users
):
    group = staff_group(Role.ANALYST)
    communicator, connected, _ = await ws_connect(users["analyst"])
    assert connected
    await receive_hello(communicator)

    def reserve_an_id():
        # A transaction that took an id but has not committed yet: its row appears later, below newer ids.
        placeholder = Event.objects.create(group="nobody", kind="placeholder", summary="-")
        reserved = placeholder.pk
        Event.objects.filter(pk=reserved).delete()
        return reserved

    reserved = await database_sync_to_async(reserve_an_id)()
    later = await database_sync_to_async(publish)(group, "committed first")
    assert await events_until(communicator, [later]) == [later]

    def commit_the_earlier_one():
        Event.objects.create(pk=reserved, group=group, kind="notice", summary="committed late, never pushed")

    await database_sync_to_async(commit_the_earlier_one)()
    assert reserved < later
    assert await events_until(communicator, [reserved]) == [reserved]
    await communicator.disconnect()


async def test_a_reconnecting_client_that_missed_1200_events_receives_all_of_them(memory_layer, ws_connect, users):
    group = staff_group(Role.ANALYST)
    seen = await database_sync_to_async(publish)(group, "the last one the page saw")

    def miss_many():
        Event.objects.bulk_create(Event(group=group, kind="notice", summary=f"missed {n}") for n in range(1200))
        return list(Event.objects.filter(group=group, id__gt=seen).order_by("id").values_list("id", flat=True))

    missed = await database_sync_to_async(miss_many)()
    assert len(missed) == 1200
    communicator, connected, _ = await ws_connect(users["analyst"], f"last_id={seen}")
    assert connected
    received = []
    while True:
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == "event":
            received.append(message["event"]["id"])
        elif message["type"] == "caught_up":
            break
    assert received == missed
    assert message == {"type": "caught_up", "last_id": missed[-1], "count": 1200}
    await communicator.disconnect()


async def receive_hello(communicator):
    message = await communicator.receive_json_from(timeout=3)
    assert message["type"] == "hello"
