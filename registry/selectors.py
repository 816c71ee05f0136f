"""Read-side queries about the registry. Nothing here returns owners' personal data."""

from datetime import timedelta

from django.utils import timezone

from rtcc.geo import bounding_box, rank_near

from .choices import SiteStatus
from .models import RegisteredCamera


def registered_cameras_near(lat, lon, radius_m: float, *, at=None, now=None):
    """Approved registered cameras within `radius_m` of a point, best first.

    Each camera gets `distance_m`, `bearing_to_target`, `faces_target` (see
    `rtcc.geo.rank_near`) and, when `at` (the incident time) is given,
    `footage_may_exist`: whether the owner's retention still covers that time.
    Cameras whose footage should still exist rank before those whose has rolled off.
    """
    now = now or timezone.now()
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_m)
    candidates = RegisteredCamera.objects.filter(
        site__status=SiteStatus.APPROVED,
        latitude__gte=min_lat,
        latitude__lte=max_lat,
        longitude__gte=min_lon,
        longitude__lte=max_lon,
    ).select_related("site", "camera")
    ranked = rank_near(list(candidates), lat, lon, radius_m)
    for cam in ranked:
        cam.footage_may_exist = None if at is None else at >= now - timedelta(days=cam.retention_days)
    if at is not None:
        ranked.sort(key=lambda c: (not c.footage_may_exist,))  # stable: keeps facing/distance order within
    return ranked


def camera_marker(cam) -> dict:
    """A registered camera on a staff map: where it is and points, how long footage is kept; no owner's data."""
    return {
        "id": cam.pk,
        "site": cam.site_id,
        "lat": float(cam.latitude),
        "lon": float(cam.longitude),
        "placement": cam.placement,
        "address": cam.site.address,
        "bearing": cam.bearing,
        "fov": cam.field_of_view,
        "retention": cam.retention_days,
        "live": bool(cam.camera_id and cam.camera and cam.camera.enabled),
        "camera": cam.camera_id,
    }


def approved_camera_markers() -> list[dict]:
    """Every camera of an approved site, as a map marker (the registry map and the map's registered layer)."""
    cams = RegisteredCamera.objects.filter(site__status=SiteStatus.APPROVED).select_related("site", "camera")
    return [camera_marker(cam) for cam in cams]
