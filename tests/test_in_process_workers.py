"""The embedded default runs real Celery workers in-process, with the in-memory broker."""

import time

import pytest
from celery import shared_task

calls = []


@shared_task(name="tests.record_call")
def record_call(item):
    calls.append(item)


def test_a_task_sent_with_delay_runs_on_the_in_process_worker(settings):
    from rtcc import embedded
    from rtcc.celery import app

    if not app.conf.broker_url.startswith("memory://"):
        pytest.skip("REDIS_URL is set: the suite's workers are Celery processes, not in-process threads")
    embedded.start(concurrency=2, beat=False)
    record_call.delay("plate ABC123")
    deadline = time.monotonic() + 10
    while "plate ABC123" not in calls and time.monotonic() < deadline:
        time.sleep(0.05)
    assert calls == ["plate ABC123"]


@pytest.mark.django_db
def test_the_event_pruning_task_drops_only_old_events(settings):
    from datetime import timedelta

    from django.utils import timezone

    from rtcc import realtime
    from rtcc.models import Event
    from rtcc.tasks import prune_events

    old = realtime.publish(group="staff.all", kind="notice", summary="old")
    new = realtime.publish(group="staff.all", kind="notice", summary="new")
    Event.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.RTCC_EVENT_RETENTION_DAYS + 1)
    )
    assert prune_events() == 1
    assert list(Event.objects.values_list("pk", flat=True)) == [new.pk]
