"""Plate workflows: storing reads (from capture, ingest or footage) and raising hits, in one place."""

import json
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from rtcc import audit, realtime
from rtcc.transactions import atomic_retrying_once

from . import alerts
from .choices import DismissReason, HitOutcome, HitStatus, Priority, ReadSource
from .matching import current_index
from .models import Hit, Hotlist, HotlistEntry, PlateRead

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


def plate_read_revise(
    *,
    read_id: int,
    plate: str,
    read_at,
    confidence: float,
    engine: str = "",
    plate_raw: str = "",
    box: dict | None = None,
    crop_jpeg: bytes | None = None,
) -> PlateRead:
    """A live track's final vote, written onto the read its early hit was raised on: the same row, never a second.

    Hits the final plate still matches stand, and a match only the final plate makes is a new hit. An
    unreviewed hit whose entry the final plate no longer matches is withdrawn, with the reason, on every
    screen it reached. A hit an analyst already reviewed keeps its review: they judged it on the picture.
    """
    with transaction.atomic():
        read = PlateRead.objects.select_for_update().get(pk=read_id)
        early_plate, old_crop = read.plate, read.crop.name
        read.plate, read.plate_raw = plate, plate_raw[:32]
        read.confidence = max(0.0, min(1.0, float(confidence)))
        read.read_at, read.engine, read.box = read_at, engine, box or {}
        if crop_jpeg:
            read.crop.save(f"{read.camera_id}-{read_at:%H%M%S}-{plate}.jpg", ContentFile(crop_jpeg), save=False)
        read.save()
        if old_crop and read.crop.name != old_crop:
            storage = read.crop.storage
            transaction.on_commit(lambda: storage.delete(old_crop))
        if read.plate != early_plate:
            still = {m.entry.pk for m in hotlist_matches(plate=read.plate, at=read.read_at)}
            for hit in read.hits.select_related("hotlist").filter(status=HitStatus.NEW):
                if hit.entry_id not in still:
                    _withdraw(hit, read, early_plate)
        hits_for_read(read)
    return read


def _withdraw(hit, read, early_plate):
    reason = (
        f"The pass's final reading was {read.plate}, not {early_plate}: "
        f"it does not match {hit.matched_plate} on {hit.hotlist.name}."
    )
    hit.status, hit.withdrawn_reason, hit.withdrawn_at = HitStatus.WITHDRAWN, reason[:300], timezone.now()
    hit.save(update_fields=["status", "withdrawn_reason", "withdrawn_at"])
    audit.record(actor=None, action="plates.hit.withdrawn", obj=hit, reason=hit.withdrawn_reason)
    data = {
        "hit_id": hit.pk,
        "plate": read.plate,
        "early_plate": early_plate,
        "matched_plate": hit.matched_plate,
        "hotlist": hit.hotlist.name,
        "status": hit.status,
        "status_label": hit.get_status_display(),
        "reason": hit.withdrawn_reason,
    }
    summary = f"Hit {early_plate} on {hit.hotlist.name} withdrawn: final reading {read.plate}"
    for group in alerts.hit_groups(hit.hotlist):
        realtime.publish(group=group, kind="hit.withdrawn", summary=summary, data=data)


@dataclass(frozen=True)
class HotlistMatch:
    """A live hotlist entry a plate matches, and how (exact, look-alike, wildcard)."""

    hotlist: Hotlist
    entry: HotlistEntry
    kind: str


def hotlist_matches(*, plate: str, at, hotlists=None, index=None) -> list[HotlistMatch]:
    """The entries of active hotlists that `plate` matches at `at`, highest priority first.

    The one matcher for live reads, ingested reads and footage. `hotlists` narrows the lists that
    count (footage passes `Hotlist.objects.visible_to(viewer)`); by default every active list does.
    """
    matches = (index or current_index()).match(plate, at=at)
    if not matches:
        return []
    lists = (Hotlist.objects.all() if hotlists is None else hotlists).filter(active=True)
    by_list = lists.in_bulk({m.entry.hotlist_id for m in matches})
    entries = HotlistEntry.objects.in_bulk({m.entry.entry_id for m in matches if m.entry.hotlist_id in by_list})
    found = [
        HotlistMatch(hotlist=by_list[m.entry.hotlist_id], entry=entries[m.entry.entry_id], kind=m.kind)
        for m in matches
        if m.entry.hotlist_id in by_list and m.entry.entry_id in entries
    ]
    return sorted(found, key=lambda m: (m.hotlist.priority, m.hotlist.pk, m.entry.pk))


def hits_for_read(read: PlateRead, index=None) -> list[Hit]:
    """Match a stored read against the live hotlists; each match is a Hit row, pushed after commit."""
    hits = []
    for match in hotlist_matches(plate=read.plate, at=read.read_at, index=index):
        if alerts.hit_fold_repeat(read=read, match=match):
            continue  # a repeat sighting: the alert for this car got the count and latest sighting
        hit, created = Hit.objects.get_or_create(
            plate_read=read,
            entry_id=match.entry.pk,
            defaults={"hotlist": match.hotlist, "match_kind": match.kind, "matched_plate": match.entry.plate},
        )
        if created:
            hits.append(hit)
            _announce(hit, read, match.hotlist)
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
        "priority_label": hotlist.get_priority_display(),
        "reason": "",
        "vehicle": "",
        "crop_url": reverse("plates:crop", args=[read.pk]) if read.crop else "",
        "incident_url": _incident_from_hit_url(hit),
    }
    entry = HotlistEntry.objects.filter(pk=hit.entry_id).values("reason", "vehicle_description").first()
    if entry:
        data["reason"], data["vehicle"] = entry["reason"], entry["vehicle_description"]
    severity = "critical" if hotlist.priority <= Priority.HIGH else "warning"
    for group in alerts.hit_groups(hotlist):
        realtime.publish(group=group, kind="hit.created", summary=summary, severity=severity, data=data)


def _incident_from_hit_url(hit) -> str:
    try:
        return reverse("incidents:new") + f"?hit={hit.pk}"
    except NoReverseMatch:
        return ""


def plate_reads_ingest(*, camera_id: int, reads) -> tuple[list[int], int]:
    """Store reads pushed by a device, skipping repeats of a delivery; returns (new read ids, duplicates).

    One transaction per request: every new read and its hits, or nothing.
    A concurrent repeat of the same delivery loses the race on the unique
    (camera, external id) constraint and is retried as a duplicate.
    """
    return atomic_retrying_once(_ingest, camera_id, reads)


def _ingest(camera_id, reads):
    ids = {r.external_id for r in reads if r.external_id}
    # `external_id <> ''` lets PostgreSQL use the partial unique index (camera, external_id): with more than
    # 100 ids in the IN list the planner cannot prove that condition itself, and scanned the camera's reads.
    seen = set(
        PlateRead.objects.filter(camera_id=camera_id, external_id__in=ids)
        .exclude(external_id="")
        .values_list("external_id", flat=True)
    )
    fresh, duplicates = [], 0
    for incoming in reads:
        if incoming.external_id:
            if incoming.external_id in seen:
                duplicates += 1
                continue
            seen.add(incoming.external_id)
        fresh.append(incoming)
    if not fresh:
        return [], duplicates
    created_at = timezone.now()
    rows = [_ingest_row(camera_id, incoming) for incoming in fresh]
    if connection.vendor == "postgresql":
        pks = _insert_unnest(camera_id, rows, created_at)
    else:
        objs = PlateRead.objects.bulk_create([PlateRead(camera_id=camera_id, **row) for row in rows], batch_size=500)
        pks = [obj.pk for obj in objs]
    # Hits: only reads the hotlists match become model instances (the rest never need one).
    index = current_index()
    for row, pk in zip(rows, pks, strict=True):
        if index.match(row["plate"], at=row["read_at"]):
            hits_for_read(PlateRead(pk=pk, camera_id=camera_id, created_at=created_at, **row), index)
    return pks, duplicates


def _ingest_row(camera_id, incoming) -> dict:
    """The column values of one pushed read (its crop written through the storage API first)."""
    crop = ""
    if incoming.crop_jpeg:
        field = PlateRead._meta.get_field("crop")
        name = field.generate_filename(None, f"{camera_id}-{incoming.read_at:%H%M%S}-{incoming.plate}.jpg")
        crop = field.storage.save(name, ContentFile(incoming.crop_jpeg), max_length=field.max_length)
    return {
        "plate": incoming.plate,
        "plate_raw": incoming.plate_raw[:32],
        "region": incoming.region,
        "confidence": max(0.0, min(1.0, float(incoming.confidence))),
        "read_at": incoming.read_at,
        "source": ReadSource.INGEST,
        "engine": "",
        "box": incoming.box or {},
        "crop": crop,
        "external_id": incoming.external_id,
        "legal_hold": False,
    }


def _insert_unnest(camera_id, rows, created_at) -> list[int]:
    """One INSERT … SELECT FROM unnest(arrays) for a whole batch: a handful of parameters, not thousands.

    Building and adapting a 500-row VALUES list cost more than PostgreSQL's own
    work (see bench/bench_plates.py); the array form keeps ingest bound by the
    database. Ids come back in array order.
    """
    table = PlateRead._meta.db_table
    sql = (
        f"INSERT INTO {table} (camera_id, plate, plate_raw, region, confidence, read_at, created_at, source, "
        "engine, box, crop, external_id, legal_hold) "
        "SELECT %s, t.plate, t.plate_raw, t.region, t.confidence, t.read_at, %s, %s, '', t.box::jsonb, t.crop, "
        "t.external_id, false FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::float8[], "
        "%s::timestamptz[], %s::text[], %s::varchar[], %s::varchar[]) "
        "WITH ORDINALITY AS t(plate, plate_raw, region, confidence, read_at, box, crop, external_id, n) "
        "ORDER BY t.n RETURNING id"
    )
    params = [
        camera_id,
        created_at,
        ReadSource.INGEST,
        [r["plate"] for r in rows],
        [r["plate_raw"] for r in rows],
        [r["region"] for r in rows],
        [r["confidence"] for r in rows],
        [r["read_at"] for r in rows],
        [json.dumps(r["box"]) for r in rows],
        [r["crop"] for r in rows],
        [r["external_id"] for r in rows],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


class HitReviewError(ValueError):
    """A review that cannot be recorded as asked (the message says why)."""


def hit_review(*, hit: Hit, user, status: str, reason: str = "", note: str = "", request=None) -> Hit:
    """An analyst confirms (checked the plate against the picture) or dismisses a hit, with a reason.

    Dismissing needs one of `DismissReason`. The review is audited and pushed to the other analysts'
    screens, so two people do not work the same hit.
    """
    if status not in (HitStatus.CONFIRMED, HitStatus.DISMISSED):
        raise HitReviewError("Choose confirm or dismiss.")
    if status == HitStatus.DISMISSED and reason not in DismissReason.values:
        raise HitReviewError("Say why the hit is dismissed: misread, wrong state, not the vehicle, cleared or other.")
    if status == HitStatus.DISMISSED and reason == DismissReason.OTHER and not note.strip():
        raise HitReviewError("Dismissing for another reason needs a note saying what it was.")
    with transaction.atomic():
        hit = Hit.objects.select_for_update().select_related("plate_read", "hotlist").get(pk=hit.pk)
        if hit.status == HitStatus.WITHDRAWN:
            raise HitReviewError(f"This hit was withdrawn: {hit.withdrawn_reason}")
        hit.status = status
        hit.dismiss_reason = reason if status == HitStatus.DISMISSED else ""
        hit.review_note = note.strip()[:500]
        hit.reviewed_by = user
        hit.reviewed_at = timezone.now()
        if status == HitStatus.DISMISSED:
            hit.outcome, hit.outcome_note, hit.outcome_by, hit.outcome_at = "", "", None, None
        hit.save()
        audit.record(
            actor=user,
            action=f"plates.hit.{status}",
            obj=hit,
            reason=hit.get_dismiss_reason_display() if hit.dismiss_reason else hit.review_note,
            request=request,
            details={"plate": hit.plate_read.plate, "note": hit.review_note, "dismiss_reason": hit.dismiss_reason},
        )
        _announce_review(hit, user)
    return hit


def hit_record_outcome(*, hit: Hit, user, outcome: str, note: str = "", request=None) -> Hit:
    """What happened after a confirmed hit (located, stopped, arrest, not located ...). Audited."""
    if outcome not in HitOutcome.values:
        raise HitReviewError("Choose an outcome.")
    if outcome == HitOutcome.OTHER and not note.strip():
        raise HitReviewError("An outcome of 'other' needs a note saying what happened.")
    with transaction.atomic():
        hit = Hit.objects.select_for_update().select_related("plate_read", "hotlist").get(pk=hit.pk)
        if hit.status != HitStatus.CONFIRMED:
            raise HitReviewError("Only a confirmed hit has an outcome: confirm it first.")
        hit.outcome, hit.outcome_note = outcome, note.strip()[:500]
        hit.outcome_by, hit.outcome_at = user, timezone.now()
        hit.save(update_fields=["outcome", "outcome_note", "outcome_by", "outcome_at"])
        audit.record(
            actor=user,
            action="plates.hit.outcome",
            obj=hit,
            reason=hit.outcome_note,
            request=request,
            details={"plate": hit.plate_read.plate, "outcome": outcome},
        )
        _announce_review(hit, user)
    return hit


def _announce_review(hit, user):
    data = {
        "hit_id": hit.pk,
        "status": hit.status,
        "status_label": hit.get_status_display(),
        "dismiss_reason": hit.get_dismiss_reason_display() if hit.dismiss_reason else "",
        "outcome": hit.get_outcome_display() if hit.outcome else "",
        "by": user.get_username(),
    }
    verb = {"confirmed": "confirmed", "dismissed": "dismissed"}.get(hit.status, hit.status)
    summary = f"Hit {hit.plate_read.plate} {verb} by {user.get_username()}"
    if hit.outcome:
        summary = f"Hit {hit.plate_read.plate}: {hit.get_outcome_display()} ({user.get_username()})"
    for group in alerts.hit_groups(hit.hotlist):
        realtime.publish(group=group, kind="hit.reviewed", summary=summary, data=data)
