"""Shared field helpers for places on the map."""

import math

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def latitude_field(**kwargs):
    return models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(-90), MaxValueValidator(90)], **kwargs
    )


def longitude_field(**kwargs):
    return models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(-180), MaxValueValidator(180)], **kwargs
    )


def coordinate_constraints(prefix, lat="latitude", lon="longitude"):
    """Database checks that a row's coordinates lie on Earth."""
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{lat}__gte": -90, f"{lat}__lte": 90}), name=f"{prefix}_latitude_valid"
        ),
        models.CheckConstraint(
            condition=models.Q(**{f"{lon}__gte": -180, f"{lon}__lte": 180}), name=f"{prefix}_longitude_valid"
        ),
    ]


def bearing_constraints(prefix):
    return [
        models.CheckConstraint(
            condition=models.Q(bearing__isnull=True) | models.Q(bearing__gte=0, bearing__lt=360),
            name=f"{prefix}_bearing_valid",
        ),
        models.CheckConstraint(
            condition=models.Q(field_of_view__isnull=True) | models.Q(field_of_view__gt=0, field_of_view__lte=360),
            name=f"{prefix}_field_of_view_valid",
        ),
    ]


# --- Distances and directions on the map (shared by incidents and the registry) ---

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1, lon1, lat2, lon2) -> float:
    """Initial compass bearing (0 = north, 90 = east) from point 1 towards point 2."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dl = math.radians(float(lon2) - float(lon1))
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


def angle_between(a: float, b: float) -> float:
    """Smallest absolute difference between two compass bearings, 0-180."""
    d = abs(float(a) - float(b)) % 360.0
    return 360.0 - d if d > 180.0 else d


def faces(camera_bearing, field_of_view, lat, lon, target_lat, target_lon, *, at_m: float = 15.0) -> bool | None:
    """Whether a camera at (lat, lon) pointing `camera_bearing` with `field_of_view` sees the target.

    None when the camera's direction is unknown. A target within `at_m` metres counts
    as seen (the camera is at the spot). A 360° camera sees everything.
    """
    if camera_bearing is None or field_of_view is None:
        return None
    if field_of_view >= 360 or distance_m(lat, lon, target_lat, target_lon) <= at_m:
        return True
    return angle_between(camera_bearing, bearing_deg(lat, lon, target_lat, target_lon)) <= field_of_view / 2.0


def bounding_box(lat, lon, radius_m: float):
    """(min_lat, max_lat, min_lon, max_lon) enclosing a circle, for an indexed pre-filter."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(0.01, math.cos(math.radians(float(lat))))))
    return float(lat) - dlat, float(lat) + dlat, float(lon) - dlon, float(lon) + dlon


def rank_near(rows, lat, lon, radius_m: float):
    """Rows (objects with latitude, longitude, bearing, field_of_view) within `radius_m`, best first.

    Each kept row gets `distance_m`, `bearing_to_target` and `faces_target` (True,
    False or None when its direction is unknown). Cameras facing the spot come
    first, then those of unknown direction, then those facing away; nearer first
    within each.
    """
    ranked = []
    for row in rows:
        dist = distance_m(row.latitude, row.longitude, lat, lon)
        if dist > radius_m:
            continue
        row.distance_m = round(dist, 1)
        row.bearing_to_target = round(bearing_deg(row.latitude, row.longitude, lat, lon), 1)
        row.faces_target = faces(row.bearing, row.field_of_view, row.latitude, row.longitude, lat, lon)
        ranked.append(row)
    order = {True: 0, None: 1, False: 2}
    ranked.sort(key=lambda r: (order[r.faces_target], r.distance_m))
    return ranked
