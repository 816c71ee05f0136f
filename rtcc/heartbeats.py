"""Heartbeats of the Celery worker and the beat: a stamp in the shared cache that /healthz reads the age of.

Apart from rtcc.health so that the Celery app (rtcc/celery.py, imported with the rtcc package) can stamp
without importing the health checks and, through them, the apps.
"""

import time

from django.conf import settings
from django.core.cache import cache


def heartbeat_stamp(component: str, *, by: str = "") -> None:
    """`component` ("worker", "beat") is alive now; kept without expiry, so a dead one's stamp grows old."""
    cache.set(f"heartbeat:{component}", {"at": time.time(), "by": by}, timeout=None)


def heartbeat_age(component: str) -> dict:
    stamp = cache.get(f"heartbeat:{component}")
    if not stamp:
        return {"status": "unknown", "error": "no heartbeat yet"}
    age = max(0.0, time.time() - stamp["at"])
    stale = age > 3 * settings.RTCC_HEARTBEAT_SECONDS
    result = {"status": "down" if stale else "ok", "age_s": round(age, 1), "host": stamp.get("by", "")}
    if stale:
        result["error"] = f"no heartbeat for {age:.0f} s"
    return result
