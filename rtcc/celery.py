"""The Celery application: configured from Django settings (CELERY_* names); the worker and beat heartbeats.

The beat sends `rtcc.heartbeat` every RTCC_HEARTBEAT_SECONDS and stamps itself as it sends it; the ordinary
worker that runs it stamps the worker. /healthz (rtcc/health.py) reports the age of both stamps.
"""

import os

from celery import Celery
from celery.signals import before_task_publish

from .heartbeats import heartbeat_stamp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtcc.settings")

app = Celery("rtcc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_TASK = "rtcc.heartbeat"


@app.task(name=HEARTBEAT_TASK, ignore_result=True)
def heartbeat():
    """An ordinary worker is alive and taking tasks from its queue."""
    heartbeat_stamp("worker", by=heartbeat.request.hostname or "")


@before_task_publish.connect
def _stamp_beat(sender=None, **kwargs):
    # Only the beat sends the heartbeat task: sending it proves the beat's schedule is running.
    if sender == HEARTBEAT_TASK:
        heartbeat_stamp("beat", by=os.uname().nodename)
