"""Redis away: sign-in, plate ingest and matching keep working, and open pages still get every event.

A Redis server of the test's own is stopped (and started again) under the cache and the channel layer.
"""

import json
import shutil
import socket
import subprocess
import time

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from cameras.models import DeviceToken
from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
from rtcc import realtime
from rtcc.roles import Role, staff_group
from tests.conftest import PASSWORD
from tests.factories import camera
from tests.test_dashboard_browser import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_backed(private_redis, settings):
    """Cache and channel layer on the test's own Redis, configured as production configures them."""
    url = private_redis["url"]
    settings.CACHES = {"default": {"BACKEND": "rtcc.outages.ResilientRedisCache", "LOCATION": url, "KEY_PREFIX": "t"}}
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "rtcc.outages.ResilientRedisChannelLayer", "CONFIG": {"hosts": [url]}}
    }
    settings.RTCC_EVENT_SWEEP_SECONDS = 0.3
    return private_redis


def stop(redis):
    redis["process"].terminate()
    redis["process"].wait(5)


def restart(redis, tmp_path):
    port = int(redis["url"].rsplit(":", 1)[1].split("/")[0])
    redis["process"] = subprocess.Popen(
        [
            shutil.which("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail("redis-server did not start again")


def test_sign_in_works_while_redis_is_down(redis_backed, client, users):
    stop(redis_backed)
    response = client.post(reverse("login"), {"username": users["analyst"].username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    assert client.get(reverse("dashboard")).status_code == 200


def test_an_ingest_request_stores_and_matches_its_reads_while_redis_is_down(redis_backed, client, users):
    cam = camera("Claiborne & Orleans LPR", kind="plate_reader")
    _, key = DeviceToken.issue(camera=cam, label="unit 7")
    hotlist = Hotlist.objects.create(name="Stolen vehicles", source="ncic", priority=1)
    HotlistEntry.objects.create(hotlist=hotlist, plate="KXR4821", reason="Stolen 11/24")
    stop(redis_backed)
    response = client.post(
        reverse("plate-read-ingest", args=[cam.pk]),
        data=json.dumps({"reads": [{"id": "r1", "plate": "KXR4821", "read_at": "2026-11-25T09:14:05Z"}]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {key}",
    )
    assert response.status_code in (200, 201), response.content[:500]
    read = PlateRead.objects.get(plate="KXR4821")
    assert Hit.objects.filter(plate_read=read, hotlist=hotlist).exists()


@pytest.mark.asyncio
async def test_an_open_page_gets_events_while_redis_is_down_and_instant_pushes_when_it_returns(
    redis_backed, ws_connect, users, tmp_path, settings
):
    group = staff_group(Role.ANALYST)
    await database_sync_to_async(stop)(redis_backed)
    communicator, connected, _ = await ws_connect(users["analyst"])
    assert connected, "the handshake must not fail because Redis is down"
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "hello" and hello["delivery"] == "polling"

    during = await database_sync_to_async(lambda: realtime.publish(group=group, kind="notice", summary="during").pk)()
    message = await communicator.receive_json_from(timeout=10)
    assert message["type"] == "event" and message["event"]["id"] == during

    await database_sync_to_async(restart)(redis_backed, tmp_path)
    message = await communicator.receive_json_from(timeout=15)
    assert message == {"type": "delivery", "delivery": "instant"}
    # From now on the push, not the sweep, brings events: slow the sweep right down to prove it.
    settings.RTCC_EVENT_SWEEP_SECONDS = 60
    after = await database_sync_to_async(lambda: realtime.publish(group=group, kind="notice", summary="after").pk)()
    message = await communicator.receive_json_from(timeout=5)
    assert message["type"] == "event" and message["event"]["id"] == after
    await communicator.disconnect()


@pytest.mark.browser
def test_the_dashboard_says_instant_updates_are_paused_while_redis_is_down_and_live_again_after(
    redis_backed, live_asgi, browser, make_user, tmp_path
):
    make_user("analyst", username="andre")
    stop(redis_backed)
    page = browser.new_page()
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_selector("#live-state[data-state=polling]", timeout=15_000)
    assert page.inner_text("#live-state .live-words").startswith("Instant updates paused")
    restart(redis_backed, tmp_path)
    page.wait_for_selector("#live-state[data-state=live]", timeout=20_000)
    assert page.inner_text("#live-state .live-words") == "Live"
