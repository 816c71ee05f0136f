"""Retention: old unprotected reads are deleted; reads tied to a hit, an incident or a legal hold are kept."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from incidents.models import TimelineEvent
from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
from rtcc.models import AuditRecord
from tests.factories import camera, incident


@pytest.mark.django_db
def test_retention_deletes_old_unprotected_reads_and_keeps_protected_ones(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PLATE_READ_RETENTION_DAYS = 30
    cam = camera()
    old = timezone.now() - timedelta(days=31)

    def make(plate, when=old, **kwargs):
        read = PlateRead(camera=cam, plate=plate, read_at=when, confidence=0.9, **kwargs)
        read.crop.save(f"{plate}.jpg", ContentFile(b"\xff\xd8jpeg"), save=False)
        read.save()
        return read

    expired = make("OLD0001")
    recent = make("NEW0001", when=timezone.now() - timedelta(days=29))
    held = make("HOLD001", legal_hold=True)
    hit_read = make("HIT0001")
    hotlist = Hotlist.objects.create(name="Stolen")
    entry = HotlistEntry.objects.create(hotlist=hotlist, plate="HIT0001", reason="x")
    Hit.objects.filter(plate_read=hit_read).delete()
    Hit.objects.create(plate_read=hit_read, entry=entry, hotlist=hotlist, match_kind="exact", matched_plate="HIT0001")
    evidence = make("EVID001")
    TimelineEvent.objects.create(incident=incident(), kind="attachment", plate_read=evidence)
    crop_path = tmp_path / expired.crop.name

    out = StringIO()
    call_command("purge_plate_reads", stdout=out)

    remaining = set(PlateRead.objects.values_list("plate", flat=True))
    assert remaining == {"NEW0001", "HOLD001", "HIT0001", "EVID001"}
    assert not crop_path.exists()
    assert "Deleted 1 reads" in out.getvalue() and "kept 3 protected" in out.getvalue()
    report = AuditRecord.objects.get(action="plates.retention").details
    assert report == {"deleted": 1, "kept_protected": 3, "retention_days": 30}
    assert recent.pk and held.pk


@pytest.mark.django_db
def test_a_dry_run_deletes_nothing(settings):
    settings.PLATE_READ_RETENTION_DAYS = 1
    PlateRead.objects.create(camera=camera(), plate="OLD0001", read_at=timezone.now() - timedelta(days=5))
    out = StringIO()
    call_command("purge_plate_reads", "--dry-run", stdout=out)
    assert "1 reads would be deleted" in out.getvalue() and PlateRead.objects.count() == 1
