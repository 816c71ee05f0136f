"""Read-side queries about cameras."""

from rtcc.geo import bounding_box, rank_near

from .models import Camera


def cameras_near(lat, lon, radius_m: float, *, queryset=None):
    """City (and shared registered-private) cameras within `radius_m` of a point, best first.

    Uses the indexed bounding box first, then exact distance and facing (see `rtcc.geo.rank_near`).
    """
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_m)
    qs = queryset if queryset is not None else Camera.objects.filter(enabled=True)
    candidates = qs.filter(latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon)
    return rank_near(list(candidates), lat, lon, radius_m)
