"""Read-side queries about cameras: near a point, on the map, their status history, what an analyst sees."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.db.models import Count
from django.utils import timezone

from rtcc.geo import bounding_box, rank_near

from .choices import CameraStatus
from .models import Camera


def cameras_near(lat, lon, radius_m: float, *, queryset=None):
    """City (and shared registered-private) cameras within `radius_m` of a point, best first.

    Uses the indexed bounding box first, then exact distance and facing (see `rtcc.geo.rank_near`).
    """
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_m)
    qs = queryset if queryset is not None else Camera.objects.filter(enabled=True)
    candidates = qs.filter(latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon)
    return rank_near(list(candidates), lat, lon, radius_m)


def camera_markers() -> list[dict]:
    """Every camera as a map marker (the dashboard)."""
    cameras = Camera.objects.only(
        "id", "name", "kind", "latitude", "longitude", "status", "enabled", "bearing", "field_of_view", "plate_reading"
    )
    return [camera.as_marker() for camera in cameras]


def camera_status_counts() -> dict[str, int]:
    """How many cameras are in each status."""
    return dict(Camera.objects.values_list("status").annotate(n=Count("id")).order_by())


def uptime(camera, *, days: float, now=None) -> float | None:
    """Fraction of the last `days` the camera was online, from its status history (None: no history)."""
    now = now or timezone.now()
    start = now - timedelta(days=days)
    events = list(camera.status_events.filter(at__gte=start).order_by("at").values_list("at", "status"))
    before = camera.status_events.filter(at__lt=start).order_by("-at").values_list("status", flat=True).first()
    if before is None and not events:
        return None
    timeline = [(start, before or CameraStatus.UNKNOWN), *events]
    if before is None:
        timeline = events  # history starts with the first event
    online = 0.0
    for (at, status), nxt in zip(timeline, [*timeline[1:], (now, None)], strict=True):
        if status == CameraStatus.ONLINE:
            online += (nxt[0] - at).total_seconds()
    span = (now - timeline[0][0]).total_seconds()
    return online / span if span > 0 else None


def history_segments(camera, *, days: float, now=None):
    """Status segments over the last `days` as (start fraction, width fraction, status), to draw."""
    now = now or timezone.now()
    start = now - timedelta(days=days)
    total = (now - start).total_seconds()
    before = camera.status_events.filter(at__lt=start).order_by("-at").values_list("status", flat=True).first()
    points = [(start, before or CameraStatus.UNKNOWN)]
    points += list(camera.status_events.filter(at__gte=start).order_by("at").values_list("at", "status"))
    segments = []
    for (at, status), nxt in zip(points, [*points[1:], (now, None)], strict=True):
        left = (at - start).total_seconds() / total
        width = (nxt[0] - at).total_seconds() / total
        if width > 0:
            segments.append({"left": round(left * 100, 3), "width": round(width * 100, 3), "status": status})
    return segments


def source_description(camera) -> str:
    """Where the picture comes from, in words for an analyst: the protocol and the device, never a server path."""
    if not camera.stream_url:
        return ""
    parts = urlsplit(camera.stream_url)
    if parts.scheme in ("rtsp", "rtsps"):
        return f"RTSP stream from {parts.hostname}"
    if parts.scheme in ("http", "https"):
        return f"MJPEG over HTTP from {parts.hostname}"
    return "A recorded video file replayed as a live camera"


# How far back "replay the last minutes" reaches, offered only as far as the buffer holds.
REPLAY_MINUTES = (1, 2, 5, 10)


def replay_choices(buffered) -> list[int]:
    """The replay lengths (minutes) the recording buffer can serve now, from its (first, last) span or None."""
    if not buffered:
        return []
    held = (buffered[1] - buffered[0]).total_seconds() / 60
    fits = [m for m in REPLAY_MINUTES if m <= max(held, 1)]
    return fits or [REPLAY_MINUTES[0]]
