"""Reads for the map: the basemap being served, and address search (address points, intersections, cameras,
then the city's geocoder)."""

import math

import numpy as np
from django.db.models import Q

from rtcc.roles import Capability, can

from . import geocoder
from .models import AddressPoint, Basemap
from .normalise import parse_crossing, parse_query

# Points read per street when looking for where two streets cross; a long avenue has a few thousand.
CROSSING_POINTS = 5000


def basemap_current() -> Basemap | None:
    return Basemap.objects.first()


def _address_result(point: AddressPoint) -> dict:
    return {"kind": "address", "label": point.label, "lat": float(point.latitude), "lon": float(point.longitude)}


def addresses_matching(query: str, *, limit: int) -> list[dict]:
    parsed = parse_query(query)
    if parsed is None or not parsed[1]:
        return []
    number, key = parsed
    points = AddressPoint.objects.filter(Q(street_key__startswith=key) | Q(street_key__contains=" " + key))
    if number:
        points = points.filter(number__iexact=number)
    return [_address_result(p) for p in points.order_by("street_key", "number")[:limit]]


def _street_points(key: str):
    return (
        AddressPoint.objects.filter(
            Q(street_key=key)
            | Q(street_key__startswith=key + " ")
            | Q(street_key__endswith=" " + key)
            | Q(street_key__contains=f" {key} ")
        )
        .values_list("street", "latitude", "longitude")
        .order_by("pk")[:CROSSING_POINTS]
    )


def crossing(query: str) -> dict | None:
    """Where two streets cross: the midpoint of the closest pair of their address points."""
    keys = parse_crossing(query)
    if not keys:
        return None
    first, second = (list(_street_points(k)) for k in keys)
    if not first or not second:
        return None
    a = np.array([(float(lat), float(lon)) for _, lat, lon in first])
    b = np.array([(float(lat), float(lon)) for _, lat, lon in second])
    squeeze = math.cos(math.radians(a[0, 0]))  # a degree of longitude is shorter than one of latitude
    best = (math.inf, 0, 0)
    for start in range(0, len(a), 500):  # in slices, so two long avenues never need a huge matrix
        part = a[start : start + 500]
        d = (part[:, None, 0] - b[None, :, 0]) ** 2 + ((part[:, None, 1] - b[None, :, 1]) * squeeze) ** 2
        i, j = np.unravel_index(np.argmin(d), d.shape)
        if d[i, j] < best[0]:
            best = (d[i, j], start + i, j)
    _, i, j = best
    lat, lon = (a[i] + b[j]) / 2
    label = f"{first[i][0]} & {second[j][0]}"
    return {"kind": "intersection", "label": label, "lat": round(float(lat), 6), "lon": round(float(lon), 6)}


def cameras_matching(query: str, *, user, limit: int) -> list[dict]:
    from cameras.models import Camera

    if not can(user, Capability.VIEW_CAMERAS):
        return []
    cameras = Camera.objects.filter(Q(name__icontains=query) | Q(address__icontains=query))[:limit]
    return [
        {"kind": "camera", "label": c.name, "lat": float(c.latitude), "lon": float(c.longitude), "id": c.pk}
        for c in cameras
    ]


def places_search(*, query: str, user, limit: int = 8) -> list[dict]:
    """What a person typed into a map's search box, best first: cameras, intersections, addresses, the geocoder."""
    query = " ".join(query.split())[:200]
    if len(query) < 2:
        return []
    results = cameras_matching(query, user=user, limit=3)
    found = crossing(query)
    if found:
        results.append(found)
    results += addresses_matching(query, limit=limit)
    if len(results) < limit:
        results += geocoder.geocode(query, limit=limit - len(results))
    return results[:limit]


def map_layers(*, user) -> dict[str, str]:
    """What a map element needs besides its centre, as data- attribute names and values (see RTCC.map)."""
    from django.conf import settings
    from django.urls import reverse

    staff = user is not None and can(user, Capability.VIEW_DASHBOARD)
    basemap = basemap_current() if staff else None
    if basemap is not None:
        # {z}/{x}/{y} are Leaflet's; the id in the query makes a newly installed file bypass browsers' caches.
        url = reverse("maps:tile", args=(0, 0, 0, basemap.tile_format)).replace("/0/0/0.", "/{z}/{x}/{y}.")
        layers = {
            "tile-url": f"{url}?v={basemap.pk}",
            "attribution": basemap.attribution,
            "min-native-zoom": str(basemap.min_zoom),
            "max-native-zoom": str(basemap.max_zoom),
            "tile-bounds": ",".join(f"{v:.6f}" for v in (basemap.south, basemap.west, basemap.north, basemap.east)),
        }
    else:
        layers = {"tile-url": settings.RTCC_MAP_TILE_URL or "", "attribution": settings.RTCC_MAP_TILE_ATTRIBUTION or ""}
    if staff:
        layers["outline-url"] = reverse("maps:outline")
        layers["search-url"] = reverse("maps:search")
    return layers
