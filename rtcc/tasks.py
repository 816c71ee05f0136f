"""Periodic housekeeping for the cross-cutting app."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import Event


@shared_task(ignore_result=True)
def prune_events():
    """Drop realtime events older than RTCC_EVENT_RETENTION_DAYS (the rows they report stay)."""
    cutoff = timezone.now() - timedelta(days=settings.RTCC_EVENT_RETENTION_DAYS)
    deleted, _ = Event.objects.filter(created_at__lt=cutoff).delete()
    return deleted
