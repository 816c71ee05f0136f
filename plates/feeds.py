"""Scheduled hotlist feeds: a state/NCIC extract delivered daily as a CSV file replaces its list.

The beat checks every 15 minutes and imports a feed only when its file changed.
A feed never silently empties a list: a missing or unreadable file, a file that
is not a hotlist, or one that would remove more than RTCC_HOTLIST_FEED_MAX_DROP
of the entries keeps the current list and warns supervisors on their screens.
"""

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from rtcc import audit, realtime
from rtcc.roles import Role, staff_group

from .hotlist_import import ImportError_, hotlist_import, parse_rows
from .models import Hotlist, HotlistEntry


class FeedRefused(Exception):
    pass


def feed_file(hotlist) -> Path:
    """The feed's file, which must lie inside RTCC_HOTLIST_FEED_DIR (no reading other server files)."""
    root = Path(settings.RTCC_HOTLIST_FEED_DIR).resolve()
    path = (root / hotlist.feed_path).resolve()
    if root != path and root not in path.parents:
        raise FeedRefused(f"feed path {hotlist.feed_path!r} is outside the feed folder {root}")
    return path


def refresh_feed(hotlist, *, now=None) -> str:
    """Check one hotlist's feed; import it when it changed. Returns what happened, in words."""
    now = now or timezone.now()
    try:
        path = feed_file(hotlist)
        if not path.is_file():
            raise FeedRefused(f"feed file {path.name} is missing")
        modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        if hotlist.refreshed_at and modified <= hotlist.refreshed_at:
            return _done(hotlist, now, f"unchanged since {hotlist.refreshed_at:%Y-%m-%d %H:%M}", warn=False)
        data = path.read_bytes()
        good = _count_good_rows(data)
        have = HotlistEntry.objects.filter(hotlist=hotlist).count()
        max_drop = settings.RTCC_HOTLIST_FEED_MAX_DROP
        if have and good < have * (1 - max_drop):
            raise FeedRefused(
                f"feed has {good} good rows against {have} entries now: more than {max_drop:.0%} would go. "
                "Kept the current list; check the file and import it by hand with --replace if it is right."
            )
        report = hotlist_import(hotlist, data, replace=True)
    except (FeedRefused, ImportError_, OSError) as exc:
        return _done(hotlist, now, f"feed refused: {exc}", warn=True)
    status = (
        f"imported {path.name}: {report.created} new, {report.updated} changed, {report.removed} removed, "
        f"{len(report.errors)} bad rows"
    )
    audit.record(
        actor=None,
        action="plates.hotlist.feed_imported",
        obj=hotlist,
        reason="Scheduled daily feed",
        details={
            "file": path.name,
            "created": report.created,
            "updated": report.updated,
            "removed": report.removed,
            "bad_rows": report.errors[:50],
        },
    )
    return _done(hotlist, now, status, warn=bool(report.errors))


def refresh_all(now=None) -> list[str]:
    return [
        f"{hotlist.name}: {refresh_feed(hotlist, now=now)}"
        for hotlist in Hotlist.objects.filter(active=True).exclude(feed_path="")
    ]


def _count_good_rows(data: bytes) -> int:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_("The file is not UTF-8 text.") from None
    import io

    return sum(1 for _, row in parse_rows(io.StringIO(text)) if not isinstance(row, str))


def _done(hotlist, now, status, *, warn):
    Hotlist.objects.filter(pk=hotlist.pk).update(feed_checked_at=now, feed_status=status[:300])
    if warn:
        realtime.publish(
            group=staff_group(Role.SUPERVISOR),
            kind="hotlist.feed",
            summary=f"Hotlist {hotlist.name}: {status}",
            severity="warning",
            data={"hotlist_id": hotlist.pk, "status": status},
        )
    return status
