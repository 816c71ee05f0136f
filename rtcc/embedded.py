"""In-process Celery worker and beat for the embedded default (no Redis).

`manage.py serve` starts them in threads beside the ASGI server, with
Celery's in-memory broker, so the demo and a laptop run the same tasks as
production without any service installed. Production runs `celery worker`
and one `celery beat` as their own processes instead.
"""

import logging
import threading

from celery.beat import EmbeddedService
from django.conf import settings

from rtcc.celery import app

log = logging.getLogger(__name__)
_started = threading.Event()


def start(concurrency=None, beat=True):
    """Start a thread-pool worker and (unless `beat=False`) a beat thread in this process, once."""
    if _started.is_set():
        return
    if not app.conf.broker_url.startswith("memory://"):
        raise RuntimeError("in-process workers need the in-memory broker: unset REDIS_URL or run Celery workers")
    concurrency = concurrency or settings.RTCC_EMBEDDED_CONCURRENCY
    worker = app.WorkController(
        pool_cls="threads",
        queues=["celery", "capture"],
        concurrency=concurrency,
        hostname="embedded@rtcc",
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        loglevel=settings.LOG_LEVEL,
    )
    threading.Thread(target=worker.start, name="celery-worker", daemon=True).start()
    if beat:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        schedule = str(settings.VAR_DIR / "celerybeat-schedule")
        EmbeddedService(app, thread=True, schedule_filename=schedule).start()
    _started.set()
    log.info("in-process Celery worker (%d threads) and beat started", concurrency)
