"""Hotlist import from CSV: bad rows are reported with their line, good rows are kept.

Columns (header row required): plate, reason; optional state (or region), vehicle_description, expires_at.
`replace=True` makes the file the whole list (a scheduled daily feed): entries not in it are removed.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .alpr.normalisation import normalise
from .models import HotlistEntry

REQUIRED = {"plate", "reason"}
MAX_ROWS = 2_000_000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    removed: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self):
        return self.created + self.updated


class ImportError_(ValueError):
    """The file as a whole cannot be imported."""


def _plate(value):
    raw = (value or "").strip().upper()
    wildcard = raw.replace("?", "").replace("*", "")
    if raw != "".join(ch for ch in raw if ch.isalnum() or ch in "?*- ."):
        raise ValueError(f"plate {raw[:20]!r} has characters no plate has")
    text = "".join(ch for ch in raw if ch.isalnum() or ch in "?*")
    if len(normalise(wildcard)) < 2 or len(text) > 16:
        raise ValueError(f"plate {raw[:20]!r} is not a plate or a pattern with at least two known characters")
    return text


def _expiry(value):
    value = (value or "").strip()
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(f"expires_at {value[:30]!r} is not a date (YYYY-MM-DD) or date and time")
        moment = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.max.time()))
    elif timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_rows(text_stream):
    """Yield (line number, dict or error message)."""
    reader = csv.DictReader(text_stream)
    headers = {h.strip().lower() for h in (reader.fieldnames or []) if h}
    missing = REQUIRED - headers
    if missing:
        raise ImportError_(
            f"The header row must name the columns {', '.join(sorted(REQUIRED))}; missing: "
            f"{', '.join(sorted(missing))}."
        )
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            reason = row.get("reason", "")
            if not reason:
                raise ValueError("reason is empty")
            yield (
                line,
                {
                    "plate": _plate(row.get("plate")),
                    "region": (row.get("state") or row.get("region") or "").upper()[:16],
                    "reason": reason[:200],
                    "vehicle_description": row.get("vehicle_description", "")[:200],
                    "expires_at": _expiry(row.get("expires_at")),
                },
            )
        except ValueError as exc:
            yield line, str(exc)


def hotlist_import(hotlist, data: bytes | str, *, replace=False, progress=None) -> ImportReport:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportError_("The file is not UTF-8 text (save it as CSV UTF-8).") from None
    report = ImportReport()
    rows = {}
    for line, row in parse_rows(io.StringIO(data)):
        if isinstance(row, str):
            report.errors.append((line, row))
        else:
            rows[(row["plate"], row["region"])] = row
        if len(rows) > MAX_ROWS:
            raise ImportError_(f"More than {MAX_ROWS} rows: split the file.")
    with transaction.atomic():
        existing = {(e.plate, e.region): e for e in HotlistEntry.objects.filter(hotlist=hotlist)}
        fresh, changed = [], []
        for n, (key, row) in enumerate(rows.items(), start=1):
            entry = existing.get(key)
            if entry is None:
                fresh.append(HotlistEntry(hotlist=hotlist, **row))
            elif any(getattr(entry, name) != value for name, value in row.items()):
                for name, value in row.items():
                    setattr(entry, name, value)
                changed.append(entry)
            if progress and n % 1000 == 0:
                progress(n, len(rows))
        HotlistEntry.objects.bulk_create(fresh, batch_size=5000)
        HotlistEntry.objects.bulk_update(changed, ["reason", "vehicle_description", "expires_at"], batch_size=5000)
        report.created, report.updated = len(fresh), len(changed)
        if replace:
            gone = [e.pk for key, e in existing.items() if key not in rows]
            for start in range(0, len(gone), 5000):
                HotlistEntry.objects.filter(pk__in=gone[start : start + 5000]).delete()
            report.removed = len(gone)
        hotlist.refreshed_at = timezone.now()
        hotlist.save(update_fields=["refreshed_at"])  # also rebuilds every process's match index
    if progress:
        progress(len(rows), len(rows))
    return report
