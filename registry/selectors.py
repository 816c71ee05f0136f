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
