"""redis-server killed and started again in the middle of an ingest burst with hits (real gunicorn web process).

What must hold: every read the API acknowledged is stored, none twice, and every hit reaches an analyst's open
websocket (pushed, or from the event sweep while Redis is away), without the page reconnecting.
"""

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request

import pytest
import websockets
from django.conf import settings

from cameras.models import DeviceToken
from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
from tests import live_processes
from tests.conftest import session_cookie_for
from tests.factories import camera
from tests.live_processes import process_env, shared_database_url, start_web

own_redis, processes = live_processes.own_redis, live_processes.processes  # the fixtures

BATCHES, PER_BATCH = 12, 20
WANTED = [f"HOT{n:03d}" for n in range(BATCHES * 2)]  # two hotlisted plates in each batch


def post(url, camera_id, key, batch):
    reads = []
    for n in range(PER_BATCH):
        plate = WANTED[batch * 2 + n] if n < 2 else f"CLR{batch:02d}{n:02d}"
        reads.append({"id": f"b{batch}-r{n}", "plate": plate, "read_at": "2026-12-01T03:14:03Z"})
    request = urllib.request.Request(
        f"{url}/api/v1/cameras/{camera_id}/reads/",
        data=json.dumps({"reads": reads}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Device {key}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (200, 201)
    return [r["id"] for r in reads]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_redis_restart_mid_burst_loses_no_acknowledged_read_and_no_hit(own_redis, processes, users):
    url = start_web(processes, process_env(own_redis.url, shared_database_url(), RTCC_EVENT_SWEEP_SECONDS=0.5))
    lpr = camera("Claiborne & Orleans LPR", kind="plate_reader")
    _, key = DeviceToken.issue(camera=lpr, label="unit 7")
    hotlist = Hotlist.objects.create(name="Stolen vehicles", source="ncic", priority=1)
    HotlistEntry.objects.bulk_create(HotlistEntry(hotlist=hotlist, plate=p, reason="Stolen") for p in WANTED)
    HotlistEntry.objects.create(hotlist=hotlist, plate="ZZZ999", reason="Stolen")  # signals: the index is rebuilt
    cookie = session_cookie_for(users["analyst"])
    acknowledged, failures = [], []

    def burst():
        for batch in range(BATCHES):
            if batch == BATCHES // 3:
                own_redis.process.kill()  # as the kernel's OOM killer would: no goodbye
                own_redis.process.wait(5)
            if batch == 2 * BATCHES // 3:
                own_redis.start()  # same port, no data: groups, cache and queues are gone
            try:
                acknowledged.extend(post(url, lpr.pk, key, batch))
            except (urllib.error.URLError, AssertionError) as exc:
                failures.append((batch, repr(exc)))  # not acknowledged: the device would send it again
            time.sleep(0.3)

    async def watch():
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", "Origin": url}
        seen_plates = set()
        async with websockets.connect(url.replace("http", "ws") + "/ws/events/", additional_headers=headers) as ws:
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
            sender = threading.Thread(target=burst)
            sender.start()
            deadline = time.monotonic() + 90
            while seen_plates < set(WANTED) and time.monotonic() < deadline:
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 2))
                except TimeoutError:
                    continue
                if message["type"] == "event" and message["event"]["kind"] == "hit.created":
                    seen_plates.add(message["event"]["data"]["plate"])
            await asyncio.to_thread(sender.join, 60)
        return seen_plates

    seen_plates = asyncio.run(watch())
    assert failures == [], f"{failures}\n{processes.log('web')}"
    stored = list(PlateRead.objects.filter(camera=lpr).values_list("external_id", flat=True))
    assert sorted(stored) == sorted(acknowledged), "every acknowledged read stored, nothing else"
    assert len(stored) == len(set(stored)) == BATCHES * PER_BATCH, "none stored twice"
    assert set(Hit.objects.filter(plate_read__camera=lpr).values_list("plate_read__plate", flat=True)) == set(WANTED)
    assert seen_plates == set(WANTED), f"hits never shown: {sorted(set(WANTED) - seen_plates)}"
