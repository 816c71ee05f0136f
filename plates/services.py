"""Plate workflows: storing reads (from capture, ingest or footage) and raising hits, in one place."""

import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from rtcc import realtime
from rtcc.roles import Role, staff_group, user_group

from .choices import HotlistVisibility, Priority, ReadSource
from .matching import current_index
from .models import Hit, Hotlist, PlateRead

log = logging.getLogger(__name__)


def plate_read_record(
    *,
    camera_id: int,
    plate: str,
    read_at,
    confidence: float,
    source: str = ReadSource.CAPTURE,
    engine: str = "",
    plate_raw: str = "",
    region: str = "",
    box: dict | None = None,
    crop_jpeg: bytes | None = None,
    external_id: str = "",
) -> PlateRead:
    """Store one plate read with its crop and, in the same transaction, the hits it raises."""
    with transaction.atomic():
        read = _unsaved_read(
            camera_id=camera_id,
            plate=plate,
            plate_raw=plate_raw,
            region=region,
            confidence=confidence,
            read_at=read_at,
            source=source,
            engine=engine,
            box=box,
            external_id=external_id,
            crop_jpeg=crop_jpeg,
        )
        read.save()
        hits_for_read(read)
    return read


def _unsaved_read(*, camera_id, plate, read_at, confidence, crop_jpeg=None, box=None, plate_raw="", **fields):
    """A PlateRead ready to save (its crop file already written through the storage API)."""
    read = PlateRead(
        camera_id=camera_id,
        plate=plate,
        plate_raw=plate_raw[:32],
        confidence=max(0.0, min(1.0, float(confidence))),
        read_at=read_at,
        box=box or {},
        **fields,
    )
    if crop_jpeg:
        read.crop.save(f"{camera_id}-{read_at:%H%M%S}-{plate}.jpg", ContentFile(crop_jpeg), save=False)
    return read


def hits_for_read(read: PlateRead, index=None) -> list[Hit]:
    """Match a stored read against the live hotlists; each match is a Hit row, pushed after commit."""
    matches = (index or current_index()).match(read.plate, at=read.read_at)
    if not matches:
        return []
    hotlists = Hotlist.objects.in_bulk({m.entry.hotlist_id for m in matches})
    hits = []
    for match in matches:
        hotlist = hotlists.get(match.entry.hotlist_id)
        if hotlist is None or not hotlist.active:
            continue
        hit, created = Hit.objects.get_or_create(
            plate_read=read,
            entry_id=match.entry.entry_id,
            defaults={"hotlist": hotlist, "match_kind": match.kind, "matched_plate": match.entry.plate},
        )
        if created:
            hits.append(hit)
            _announce(hit, read, hotlist)
    return hits


def _announce(hit, read, hotlist):
    camera = read.camera
    how = {"exact": "", "lookalike": " (look-alike characters)", "wildcard": f" (partial plate {hit.matched_plate})"}
    summary = f"HIT {read.plate} on {hotlist.name} at {camera.name}{how[hit.match_kind]}"
    data = {
        "hit_id": hit.pk,
        "plate": read.plate,
        "matched_plate": hit.matched_plate,
        "match_kind": hit.match_kind,
        "hotlist": hotlist.name,
        "priority": hotlist.priority,
        "camera_id": camera.pk,
        "camera": camera.name,
        "lat": float(camera.latitude),
        "lon": float(camera.longitude),
        "read_at": read.read_at.isoformat(),
    }
    severity = "critical" if hotlist.priority <= Priority.HIGH else "warning"
    if hotlist.visibility == HotlistVisibility.OWNER_ONLY:
        groups = [staff_group(Role.SUPERVISOR)] + ([user_group(hotlist.owner_id)] if hotlist.owner_id else [])
    else:
        groups = [staff_group(Role.ANALYST)]
    for group in groups:
        realtime.publish(group=group, kind="hit.created", summary=summary, severity=severity, data=data)


def plate_reads_ingest(*, camera_id: int, reads) -> tuple[list[PlateRead], int]:
    """Store reads pushed by a device, skipping repeats of a delivery; returns (new reads, duplicates).

    One transaction per request: every new read and its hits, or nothing.
    A concurrent repeat of the same delivery loses the race on the unique
    (camera, external id) constraint and is retried as a duplicate.
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _ingest(camera_id, reads)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _ingest(camera_id, reads):
    ids = {r.external_id for r in reads if r.external_id}
    seen = set(PlateRead.objects.filter(camera_id=camera_id, external_id__in=ids).values_list("external_id", flat=True))
    fresh, duplicates = [], 0
    for incoming in reads:
        if incoming.external_id:
            if incoming.external_id in seen:
                duplicates += 1
                continue
            seen.add(incoming.external_id)
        read = _unsaved_read(
            camera_id=camera_id,
            plate=incoming.plate,
            plate_raw=incoming.plate_raw,
            region=incoming.region,
            confidence=incoming.confidence,
            read_at=incoming.read_at,
            source=ReadSource.INGEST,
            external_id=incoming.external_id,
            box=incoming.box,
            crop_jpeg=incoming.crop_jpeg,
        )
        fresh.append(read)
    created = PlateRead.objects.bulk_create(fresh, batch_size=500)
    index = current_index()
    for read in created:
        hits_for_read(read, index)
    return created, duplicates


def hit_review(*, hit: Hit, user, status: str, request=None) -> Hit:
    """An analyst confirms or dismisses a hit (confirming means they checked the plate against the picture)."""
    from django.utils import timezone

    from rtcc import audit

    hit.status = status
    hit.reviewed_by = user
    hit.reviewed_at = timezone.now()
    hit.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit.record(actor=user, action=f"plates.hit.{status}", obj=hit, request=request)
    return hit
