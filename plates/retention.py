"""Plate-read retention: reads older than PLATE_READ_RETENTION_DAYS are deleted unless something protects them."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from rtcc import audit

from .models import Hit, PlateRead


def purgeable(now=None):
    """Reads past retention that no hit, incident and no legal hold protects."""
    from incidents.models import TimelineEvent

    cutoff = (now or timezone.now()) - timedelta(days=settings.PLATE_READ_RETENTION_DAYS)
    return (
        PlateRead.objects.filter(read_at__lt=cutoff, legal_hold=False)
        .exclude(Exists(Hit.objects.filter(plate_read=OuterRef("pk"))))
        .exclude(Exists(TimelineEvent.objects.filter(plate_read=OuterRef("pk"))))
    )


def purge_plate_reads(*, batch_size=5000, progress=None, now=None) -> dict:
    """Delete purgeable reads (and their crop files) in batches; returns counts, and audits the run."""
    now = now or timezone.now()
    total = purgeable(now).count()
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(purgeable(now).order_by("pk").values_list("pk", "crop")[:batch_size])
            if not batch:
                break
            PlateRead.objects.filter(pk__in=[pk for pk, _ in batch]).delete()
        storage = PlateRead._meta.get_field("crop").storage
        for _, name in batch:
            if name:
                storage.delete(name)
        deleted += len(batch)
        if progress:
            progress(deleted, total)
    kept = PlateRead.objects.filter(read_at__lt=now - timedelta(days=settings.PLATE_READ_RETENTION_DAYS)).count()
    report = {"deleted": deleted, "kept_protected": kept, "retention_days": settings.PLATE_READ_RETENTION_DAYS}
    audit.record(actor=None, action="plates.retention", object_type="plates.plateread", details=report)
    return report
