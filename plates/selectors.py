"""Plate reads: searching the read history, and the hits a person may see."""

import re

from django.db.models import Q

from .choices import HitStatus
from .matching import lookalike_pattern
from .models import Hit, Hotlist, PlateRead

MAX_RESULTS = 500
_ALLOWED = re.compile(r"^[A-Z0-9?*]+$")


class SearchError(ValueError):
    pass


class Match:
    PARTIAL = "partial"
    EXACT = "exact"
    LOOKALIKE = "lookalike"
    CHOICES = [
        (PARTIAL, "Contains these characters (? and * allowed)"),
        (EXACT, "Exactly this plate"),
        (LOOKALIKE, "This plate or a look-alike (O/0/D/Q, I/1/L, B/8, S/5, Z/2, G/6)"),
    ]


def clean_plate_query(query: str) -> str:
    return re.sub(r"[\s\-.]", "", (query or "").upper())


def plate_filter(query: str, match: str = Match.PARTIAL) -> Q:
    """The condition for plates matching `query`.

    partial: `ABC` finds plates containing ABC; `?` is one character and `*` any run (the pattern is then
    anchored). exact: the whole plate. lookalike: the whole plate with any character read as its look-alike.
    """
    text = clean_plate_query(query)
    if not text or not _ALLOWED.match(text):
        raise SearchError("Search by letters and digits, with ? for one unknown character and * for any run.")
    if len(text.replace("?", "").replace("*", "")) < 2:
        raise SearchError("Give at least two known characters.")
    if match == Match.EXACT:
        if "?" in text or "*" in text:
            raise SearchError("An exact search takes the whole plate, without ? or *.")
        return Q(plate=text)
    if match == Match.LOOKALIKE:
        return Q(plate__regex=f"^{lookalike_pattern(text)}$")
    if "?" not in text and "*" not in text:
        return Q(plate__contains=text)
    like = text.replace("?", "_").replace("*", "%")
    return Q(plate__like=like)


def plate_reads_search(
    *, query, match=Match.PARTIAL, camera_id=None, camera_ids=None, since=None, until=None, limit=MAX_RESULTS
):
    """Reads matching the query, newest first, at most `limit`. `camera_ids` limits to an area's cameras."""
    reads = PlateRead.objects.filter(plate_filter(query, match)).select_related("camera")
    if camera_id:
        reads = reads.filter(camera_id=camera_id)
    if camera_ids is not None:
        reads = reads.filter(camera_id__in=list(camera_ids))
    if since:
        reads = reads.filter(read_at__gte=since)
    if until:
        reads = reads.filter(read_at__lte=until)
    return list(reads.order_by("-read_at")[:limit])


def results_on_map(reads) -> list[dict]:
    """One marker per camera with how many of the results it saw (for the search page's map)."""
    by_camera: dict[int, dict] = {}
    for read in reads:
        cam = read.camera
        marker = by_camera.get(cam.pk)
        if marker is None:
            marker = by_camera[cam.pk] = {
                "id": cam.pk,
                "name": cam.name,
                "lat": float(cam.latitude),
                "lon": float(cam.longitude),
                "kind": cam.kind,
                "colour": "#4ea1ff",
                "count": 0,
                "permanent": True,
            }
        marker["count"] += 1
    for marker in by_camera.values():
        marker["status"] = f"{marker['count']} read{'s' if marker['count'] != 1 else ''}"
    return list(by_camera.values())


def visible_hits(user):
    """Newest hits first, on the hotlists this person may see (owner-only lists: their owner and supervisors).

    Every page, API, export and attach path that takes a hit by its number looks it up here, so a hit on
    someone else's covert list is as good as missing (404), never changed or echoed back.
    """
    return (
        Hit.objects.filter(hotlist__in=Hotlist.objects.visible_to(user))
        .select_related("plate_read__camera", "hotlist", "entry", "reviewed_by")
        .order_by("-created_at")
    )


def visible_hotlist_matches(matches: list[dict], user) -> list[dict]:
    """The stored hotlist matches (footage analysis) this person may see: a job started by a covert list's owner
    records that list's matches, and another viewer of the same clip must not learn of them."""
    if not matches:
        return []
    lists = Hotlist.objects.visible_to(user)
    ids = set(lists.values_list("pk", flat=True))
    names = set(lists.values_list("name", flat=True))
    return [m for m in matches if (m.get("hotlist_id") in ids if "hotlist_id" in m else m.get("hotlist") in names)]


def recent_hit_markers(user, *, since) -> list[dict]:
    """Hits since `since` this person may see (`visible_hits`), as map markers at their camera, newest first.

    Only hits, never other reads: the map is not a way round the read search's stated reason (plates/views.py).
    Dismissed and withdrawn hits are left off: the map shows cars someone may still be looking for.
    """
    hits = (
        visible_hits(user)
        .filter(created_at__gte=since)
        .exclude(status__in=[HitStatus.DISMISSED, HitStatus.WITHDRAWN])
        .select_related(None)
        .select_related("plate_read__camera", "hotlist")[:200]
    )
    return [
        {
            "id": hit.pk,
            "plate": hit.plate_read.plate,
            "hotlist": hit.hotlist.name,
            "priority": hit.hotlist.priority,
            "status": hit.status,
            "camera": hit.plate_read.camera.name,
            "camera_id": hit.plate_read.camera_id,
            "lat": float(hit.plate_read.camera.latitude),
            "lon": float(hit.plate_read.camera.longitude),
            "read_at": hit.plate_read.read_at.isoformat(),
        }
        for hit in hits
    ]
