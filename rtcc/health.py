"""Health checks for /healthz: the database, the cache, the channel layer, the broker, and the processes.

The processes are judged by their heartbeats: the ordinary worker and the beat (stamped in the cache, see
rtcc/celery.py), each capture worker (its CaptureWorker row), and the cameras nobody has read for longer
than a capture lease, named.
"""

import asyncio
import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from rtcc.celery import app
from rtcc.heartbeats import heartbeat_age


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("value written to the cache could not be read back")
    cache.delete(key)


def check_channel_layer():
    layer = get_channel_layer()

    async def round_trip():
        # The default ("specific.") prefix: channels-redis reads one process-local channel per layer, the one
        # every websocket consumer of this process already waits on; a channel of another prefix is never read
        # while a consumer holds that read, so the check would time out whenever a websocket is open.
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "healthz.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "healthz.ping":
            raise RuntimeError("channel layer returned the wrong message")

    async def bounded():
        await asyncio.wait_for(round_trip(), timeout=settings.RTCC_HEALTH_TIMEOUT)

    async_to_sync(bounded)()


def check_broker():
    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0.2, interval_max=0.5, timeout=settings.RTCC_HEALTH_TIMEOUT
        )
        conn.default_channel  # noqa: B018  (opens the channel: the broker answered)


def run_checks():
    """Each check's result: {"status": "ok"|"down"|"in-process"|"unknown", "ms": ..., "error": ...}.

    "unknown" (a process that never sent a heartbeat, as in a fresh test database) does not fail the check;
    a heartbeat that stopped does.
    """
    checks = {
        "database": check_database,
        "cache": check_cache,
        "channel_layer": check_channel_layer,
    }
    results = {}
    for name, check in checks.items():
        results[name] = _timed(check)
    if settings.REDIS_URL:
        results["broker"] = _timed(check_broker)
    else:
        results["broker"] = {"status": "in-process"}
    for component in ("worker", "beat"):
        results[component] = _reported(lambda component=component: heartbeat_age(component))
    results["capture"] = _reported(capture_state)
    healthy = all(r["status"] in ("ok", "in-process", "unknown") for r in results.values())
    return healthy, results


def _reported(check):
    try:
        return check()
    except Exception as exc:  # the database or cache is down: that check says so already
        return {"status": "unknown", "error": f"{type(exc).__name__}: {exc}"[:300]}


def _timed(check):
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # every failure is reported, none is raised
        return {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


# --- Heartbeats of the worker and the beat (rtcc/celery.py stamps them) -------


def capture_state() -> dict:
    """Each capture worker's heartbeat age, and the enabled cameras unread for longer than a lease."""
    from cameras.leases import cameras_unread
    from cameras.models import CaptureWorker

    lease = settings.RTCC_CAPTURE_LEASE_SECONDS
    now = timezone.now()
    workers = [
        {
            "name": name,
            "age_s": round((now - beat).total_seconds(), 1),
            "status": "ok" if (now - beat).total_seconds() <= lease else "down",
        }
        for name, beat in CaptureWorker.objects.order_by("name").values_list("name", "heartbeat_at")
    ]
    unread = cameras_unread(longer_than=lease)
    result = {"status": "down" if unread else "ok", "workers": workers, "cameras_unread": unread}
    if unread:
        names = ", ".join(c["name"] for c in unread[:10])
        result["error"] = f"{len(unread)} camera(s) unread for longer than the {lease:.0f} s lease: {names}"
    return result
