"""The city's own geocoding service, where one is configured (RTCC_GEOCODER_URL): Nominatim- or Photon-style JSON.

Nominatim's /search answers a list of {lat, lon, display_name}; Photon's /api a GeoJSON FeatureCollection.
A service that is down or slow costs the search its remote results, never the search itself.
"""

import json
import logging
import urllib.parse
import urllib.request

from django.conf import settings

log = logging.getLogger(__name__)


def geocode(query: str, *, limit: int = 5) -> list[dict]:
    base = settings.RTCC_GEOCODER_URL
    if not base:
        return []
    params = {"q": query, "format": "jsonv2", "limit": limit}
    viewbox = settings.RTCC_GEOCODER_VIEWBOX
    if viewbox:
        params["viewbox"] = viewbox
    url = base + ("&" if "?" in base else "?") + urllib.parse.urlencode(params)
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "rtcc"})
    try:
        with urllib.request.urlopen(request, timeout=settings.RTCC_GEOCODER_TIMEOUT) as response:
            data = json.loads(response.read(2_000_000))
    except (OSError, ValueError) as exc:
        log.warning("geocoder %s did not answer: %s", base, exc)
        return []
    return _results(data)[:limit]


def _results(data) -> list[dict]:
    found = []
    if isinstance(data, dict) and isinstance(data.get("features"), list):  # Photon
        for feature in data["features"]:
            try:
                lon, lat = feature["geometry"]["coordinates"][:2]
                props = feature.get("properties") or {}
                found.append({"label": _photon_label(props), "lat": float(lat), "lon": float(lon)})
            except (KeyError, TypeError, ValueError):
                continue
    elif isinstance(data, list):  # Nominatim
        for item in data:
            try:
                found.append({"label": str(item["display_name"]), "lat": float(item["lat"]), "lon": float(item["lon"])})
            except (KeyError, TypeError, ValueError):
                continue
    return [dict(r, kind="geocoder") for r in found if -90 <= r["lat"] <= 90 and -180 <= r["lon"] <= 180]


def _photon_label(props):
    street = " ".join(str(props[k]) for k in ("housenumber", "street") if props.get(k))
    parts = [props.get("name"), street, props.get("city"), props.get("postcode")]
    return ", ".join(str(p) for p in dict.fromkeys(parts) if p) or "Unnamed place"
