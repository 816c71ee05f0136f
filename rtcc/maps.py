"""The map every page with a Leaflet map starts from: tiles, attribution, centre and zoom, from settings."""

from django.conf import settings


def map_config():
    return {
        "tileUrl": settings.RTCC_MAP_TILE_URL,
        "attribution": settings.RTCC_MAP_TILE_ATTRIBUTION,
        "center": [settings.RTCC_MAP_CENTER_LAT, settings.RTCC_MAP_CENTER_LON],
        "zoom": settings.RTCC_MAP_ZOOM,
    }
