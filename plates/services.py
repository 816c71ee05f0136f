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
from .alpr.reader import STRONG_ALTERNATIVE
from .choices import HitStatus, ReadSource
from .labels import alternative_label, state_mismatch_label
from .matching import current_index, is_state_mismatch
from .models import Hit, Hotlist, HotlistEntry, PlateRead
from .reviews import HitReviewError, hit_record_outcome, hit_review  # noqa: F401  (the service API, re-exported)

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
    region_confidence: float = 0.0,
    alternatives=(),
    box: dict | None = None,
    crop_jpeg: bytes | None = None,
    external_id: str = "",
) -> PlateRead:
    """Store one plate read with its crop and, in the same transaction, the hits it raises.

    `region_confidence`: how sure the reader is of `region` (the state); `alternatives`: the reader's strong
    alternative readings, [(plate, share), ...] (critical lists match them too).
    """
    with transaction.atomic():
        read = _unsaved_read(
            camera_id=camera_id,
            plate=plate,
            plate_raw=plate_raw,
            region=region,
            region_confidence=region_confidence,
            alternatives=alternatives,
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


def _unsaved_read(
    *,
    camera_id,
    plate,
    read_at,
    confidence,
    crop_jpeg=None,
    box=None,
    plate_raw="",
    region="",
    region_confidence=0.0,
    alternatives=(),
    **fields,
):
    """A PlateRead ready to save (its crop file already written through the storage API)."""
    read = PlateRead(
        camera_id=camera_id,
        plate=plate,
        plate_raw=plate_raw[:32],
        confidence=_unit(confidence),
        read_at=read_at,
        box=box or {},
        region=region[:16],
        region_confidence=_unit(region_confidence) if region else 0.0,
        alternatives=clean_alternatives(alternatives, plate=plate),
        **fields,
    )
    if crop_jpeg:
        read.crop.save(f"{camera_id}-{read_at:%H%M%S}-{plate}.jpg", ContentFile(crop_jpeg), save=False)
    return read


def _unit(value) -> float:
    return max(0.0, min(1.0, float(value)))


# A read keeps at most this many alternative readings (the reader's strong ones are two or three at most).
MAX_ALTERNATIVES = 5


def clean_alternatives(alternatives, *, plate: str) -> list[list]:
    """[[plate, share], ...] strongest first: each text once, never the read's own plate, shares within 0-1."""
    best: dict[str, float] = {}
    for text, share in alternatives or ():
        text = str(text)[:16]
        if text and text != plate:
            best[text] = max(best.get(text, 0.0), round(_unit(share), 4))
    return [[text, share] for text, share in sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))][:MAX_ALTERNATIVES]


def plate_read_revise(
    *,
    read_id: int,
    plate: str,
    read_at,
    confidence: float,
    engine: str = "",
    plate_raw: str = "",
    region: str = "",
    region_confidence: float = 0.0,
    alternatives=(),
    box: dict | None = None,
    crop_jpeg: bytes | None = None,
) -> PlateRead:
    """A live track's final vote, written onto the read its early hit was raised on: the same row, never a second.

    Hits the final reading (its plate, state and strong alternatives) still supports stand, their state
    mismatch and alternative marks brought up to date and pushed as `hit.revised`; a match only the final
    reading makes is a new hit. An unreviewed hit whose entry the final reading no longer matches is
    withdrawn, with the reason, on every screen it reached. A hit an analyst already reviewed keeps its
    review: they judged it on the picture.
    """
    with transaction.atomic():
        read = PlateRead.objects.select_for_update().get(pk=read_id)
        early_plate, old_crop = read.plate, read.crop.name
        read.plate, read.plate_raw = plate, plate_raw[:32]
        read.confidence = _unit(confidence)
        read.region, read.region_confidence = region[:16], _unit(region_confidence) if region else 0.0
        read.alternatives = clean_alternatives(alternatives, plate=plate)
        read.read_at, read.engine, read.box = read_at, engine, box or {}
        if crop_jpeg:
            read.crop.save(f"{read.camera_id}-{read_at:%H%M%S}-{plate}.jpg", ContentFile(crop_jpeg), save=False)
        read.save()
        if old_crop and read.crop.name != old_crop:
            storage = read.crop.storage
            transaction.on_commit(lambda: storage.delete(old_crop))
        still = {m.entry.pk: m for m in read_matches(read)}
        had = set()
        for hit in read.hits.select_related("hotlist"):
            had.add(hit.entry_id)
            match = still.get(hit.entry_id)
            if hit.status == HitStatus.WITHDRAWN:
                continue
            if match is None:
                # A hit on the read's own plate stands while that plate does (an entry edited mid-pass is not
                # the reader's doing); one that came from an alternative reading needs that alternative still.
                if hit.status == HitStatus.NEW and (read.plate != early_plate or hit.matched_alternative):
                    _withdraw(hit, read, early_plate)
            elif _regrounded(hit, match):
                hit.plate_read = read
                notes = "; ".join(hit.notes)
                summary = f"Hit {read.plate} on {hit.hotlist.name} revised by the pass's final reading" + (
                    f": {notes}" if notes else ""
                )
                alerts.publish_hit(hit, "hit.revised", summary)
        hits_for_read(read, matches=[m for entry_id, m in still.items() if entry_id not in had])
    return read


def _regrounded(hit, match) -> bool:
    """Bring a standing hit's marks (state mismatch, alternative reading) to the final reading's; True if changed."""
    grounds = _hit_grounds(match)
    changed = {name: value for name, value in grounds.items() if getattr(hit, name) != value}
    if not changed:
        return False
    before = {name: getattr(hit, name) for name in changed}
    for name, value in changed.items():
        setattr(hit, name, value)
    hit.save(update_fields=list(changed))
    audit.record(
        actor=None,
        action="plates.hit.revised",
        obj=hit,
        reason="The pass's final reading changed how the hit matched.",
        details={"before": before, "after": changed},
    )
    return True


def _hit_grounds(match) -> dict:
    """What a hit records of how it matched (besides its entry): the kind, and the marks an analyst must see."""
    return {
        "match_kind": match.kind,
        "matched_plate": match.entry.plate,
        "matched_region": match.entry.region[:16],
        "state_mismatch": match.state_mismatch,
        "matched_alternative": match.alternative,
        "alternative_share": match.share if match.alternative else None,
    }


def _withdraw(hit, read, early_plate):
    if read.plate != early_plate:
        reason = (
            f"The pass's final reading was {read.plate}, not {early_plate}: "
            f"it does not match {hit.matched_plate} on {hit.hotlist.name}."
        )
    else:  # the same plate, without the strong alternative reading that matched
        reason = (
            f"The pass's final reading {read.plate} no longer has {hit.matched_alternative or hit.matched_plate} "
            f"as a strong alternative reading: it does not match {hit.matched_plate} on {hit.hotlist.name}."
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
    """A live hotlist entry a plate matches, and how (exact, look-alike, wildcard).

    `alternative`: the read's strong alternative reading that matched, with its `share` ("" when the read's
    own plate did; only critical lists try alternatives). `state_mismatch`: the read's state confidently
    differs from the entry's.
    """

    hotlist: Hotlist
    entry: HotlistEntry
    kind: str
    alternative: str = ""
    share: float | None = None
    state_mismatch: bool = False

    def text(self, plate: str) -> str:
        """The plate text that matched the entry: the alternative, or the read's own `plate`."""
        return self.alternative or plate


def match_notes(match: HotlistMatch, *, plate: str, region: str = "", region_confidence: float = 0.0) -> list[str]:
    """The labels of a match that is not (yet) a Hit (footage): the same words as `Hit.notes`."""
    notes = []
    if match.state_mismatch:
        notes.append(
            state_mismatch_label(read_region=region, read_confidence=region_confidence, entry_region=match.entry.region)
        )
    if match.alternative:
        notes.append(alternative_label(alternative=match.alternative, share=match.share, plate=plate))
    return notes


def strong_alternatives(alternatives, *, plate: str) -> list[tuple[str, float]]:
    """The alternative readings (plate, share) strong enough to match a critical list, strongest first."""
    strong = []
    for text, share in alternatives or ():
        if text != plate and share >= STRONG_ALTERNATIVE and text not in {t for t, _ in strong}:
            strong.append((text, float(share)))
    return sorted(strong, key=lambda kv: -kv[1])


def hotlist_matches(
    *, plate: str, at, hotlists=None, index=None, region: str = "", region_confidence: float = 0.0, alternatives=()
) -> list[HotlistMatch]:
    """The entries of active hotlists that `plate` matches at `at`, highest priority first.

    The one matcher for live reads, ingested reads and footage. `hotlists` narrows the lists that
    count (footage passes `Hotlist.objects.visible_to(viewer)`); by default every active list does.
    Critical lists (`Hotlist.tries_alternatives`) also match the read's strong `alternatives`
    ([(plate, share)], at least `STRONG_ALTERNATIVE`); the plate itself wins over an alternative for
    the same entry, and a stronger alternative over a weaker one. Each match says whether the read's
    `region` (read with `region_confidence`) confidently differs from the entry's: a state mismatch.
    """
    index = index or current_index()
    found = {m.entry.entry_id: (m, "", None) for m in index.match(plate, at=at)}
    for text, share in strong_alternatives(alternatives, plate=plate):
        for m in index.match(text, at=at):
            found.setdefault(m.entry.entry_id, (m, text, share))
    if not found:
        return []
    lists = (Hotlist.objects.all() if hotlists is None else hotlists).filter(active=True)
    by_list = lists.in_bulk({m.entry.hotlist_id for m, _, _ in found.values()})
    entries = HotlistEntry.objects.in_bulk(
        {m.entry.entry_id for m, alt, _ in found.values() if m.entry.hotlist_id in by_list}
    )
    matches = []
    for m, alternative, share in found.values():
        hotlist, entry = by_list.get(m.entry.hotlist_id), entries.get(m.entry.entry_id)
        if hotlist is None or entry is None or (alternative and not hotlist.tries_alternatives):
            continue
        mismatch = is_state_mismatch(read_region=region, read_confidence=region_confidence, entry_region=entry.region)
        matches.append(HotlistMatch(hotlist, entry, m.kind, alternative, share, mismatch))
    return sorted(matches, key=lambda m: (m.hotlist.priority, m.hotlist.pk, m.entry.pk))


def read_matches(read: PlateRead, index=None, hotlists=None) -> list[HotlistMatch]:
    """`hotlist_matches` for a stored read: its plate, state and alternatives."""
    return hotlist_matches(
        plate=read.plate,
        at=read.read_at,
        index=index,
        hotlists=hotlists,
        region=read.region,
        region_confidence=read.region_confidence,
        alternatives=read.alternatives,
    )


def hits_for_read(read: PlateRead, index=None, matches=None) -> list[Hit]:
    """Match a stored read against the live hotlists; each match is a Hit row, pushed after commit.

    `matches`: the read's matches when the caller already has them (default: `read_matches(read)`).
    """
    hits = []
    for match in read_matches(read, index=index) if matches is None else matches:
        if alerts.hit_fold_repeat(read=read, match=match):
            continue  # a repeat sighting: the alert for this car got the count and latest sighting
        hit, created = Hit.objects.get_or_create(
            plate_read=read,
            entry_id=match.entry.pk,
            defaults={"hotlist": match.hotlist, **_hit_grounds(match)},
        )
        if created:
            hits.append(hit)
            _announce(hit, read, match.hotlist)
    return hits


def _announce(hit, read, hotlist):
    camera = read.camera
    hit.plate_read = read
    how = {"exact": "", "lookalike": " (look-alike characters)", "wildcard": f" (partial plate {hit.matched_plate})"}
    summary = f"HIT {read.plate} on {hotlist.name} at {camera.name}{how[hit.match_kind]}"
    if hit.notes:
        summary += " – " + "; ".join(hit.notes)
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
        **alerts.hit_notes(hit),
    }
    entry = HotlistEntry.objects.filter(pk=hit.entry_id).values("reason", "vehicle_description").first()
    if entry:
        data["reason"], data["vehicle"] = entry["reason"], entry["vehicle_description"]
    # A state mismatch is probably another car with the same number: shown, but it sounds no critical alarm.
    severity = "critical" if alerts.is_critical(hit) else "warning"
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
        texts = [row["plate"]] + [text for text, _ in strong_alternatives(row["alternatives"], plate=row["plate"])]
        if any(index.match(text, at=row["read_at"]) for text in texts):
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
        "region": incoming.region[:16],
        "region_confidence": _unit(incoming.region_confidence) if incoming.region else 0.0,
        "alternatives": clean_alternatives(incoming.alternatives, plate=incoming.plate),
        "confidence": _unit(incoming.confidence),
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
        f"INSERT INTO {table} (camera_id, plate, plate_raw, region, region_confidence, confidence, alternatives, "
        "read_at, created_at, source, engine, box, crop, external_id, legal_hold) "
        "SELECT %s, t.plate, t.plate_raw, t.region, t.region_confidence, t.confidence, t.alternatives::jsonb, "
        "t.read_at, %s, %s, '', t.box::jsonb, t.crop, t.external_id, false "
        "FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::float8[], %s::float8[], %s::text[], "
        "%s::timestamptz[], %s::text[], %s::varchar[], %s::varchar[]) "
        "WITH ORDINALITY AS t(plate, plate_raw, region, region_confidence, confidence, alternatives, read_at, box, "
        "crop, external_id, n) ORDER BY t.n RETURNING id"
    )
    params = [
        camera_id,
        created_at,
        ReadSource.INGEST,
        [r["plate"] for r in rows],
        [r["plate_raw"] for r in rows],
        [r["region"] for r in rows],
        [r["region_confidence"] for r in rows],
        [r["confidence"] for r in rows],
        [json.dumps(r["alternatives"]) for r in rows],
        [r["read_at"] for r in rows],
        [json.dumps(r["box"]) for r in rows],
        [r["crop"] for r in rows],
        [r["external_id"] for r in rows],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]
