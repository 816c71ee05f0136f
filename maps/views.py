"""The map's own endpoints: basemap tiles from the installed file, the city's outline, address search, and the
operator's map layers (their contents, and each person's choice of layers)."""

import json
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rtcc.decorators import requires
from rtcc.roles import Capability

from . import mbtiles
from .layers import MAPS, LayerNotAllowed, layer_data, layer_map, layer_preference_set
from .selectors import basemap_current, places_search

TILE_MAX_AGE = 7 * 24 * 3600


@requires(Capability.VIEW_DASHBOARD)
@require_GET
def tile(request, z, x, y, ext):
    basemap = basemap_current()
    if basemap is None or ext not in (basemap.tile_format, "jpeg" if basemap.tile_format == "jpg" else ""):
        raise Http404("No basemap tile here.")
    data = mbtiles.read_tile(basemap.path, z, x, y)
    if data is None:
        raise Http404("The basemap does not cover this tile.")
    response = HttpResponse(data, content_type=mbtiles.IMAGE_TYPES[basemap.tile_format])
    # Tile URLs carry the basemap's id (?v=), so a newly installed file is never hidden by this cache.
    response["Cache-Control"] = f"private, max-age={TILE_MAX_AGE}"
    response["ETag"] = f'"{basemap.pk}-{z}-{x}-{y}"'
    return response


@requires(Capability.VIEW_DASHBOARD)
@require_GET
def outline(request):
    """The city's outline and a few named places (GeoJSON), drawn where no basemap is installed."""
    path = Path(settings.RTCC_MAP_OUTLINE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Http404("No city outline is configured.") from exc
    response = JsonResponse(data)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@requires(Capability.VIEW_DASHBOARD)
@require_GET
def search(request):
    results = places_search(query=request.GET.get("q", ""), user=request.user)
    return JsonResponse({"results": results})


@requires(Capability.VIEW_DASHBOARD)
@require_http_methods(["GET", "POST"])
@never_cache
def layers(request, map_name):
    """GET: the layers this person's role may see on the map, and their contents (`?only=hits,incidents`: those
    layers' contents alone). POST `layer` and `on` (true/false): show or hide a layer, remembered for this person."""
    if map_name not in MAPS:
        raise Http404("No such map.")
    if request.method == "POST":
        on = request.POST.get("on", "").lower()
        if on not in ("true", "false"):
            return JsonResponse({"error": "Say on=true or on=false."}, status=400)
        try:
            states = layer_preference_set(
                request.user, map_name=map_name, layer=request.POST.get("layer", ""), on=on == "true"
            )
        except LayerNotAllowed as exc:
            return JsonResponse({"error": str(exc)}, status=403)
        return JsonResponse({"layers": states})
    only = request.GET.get("only")
    if only is not None:
        return JsonResponse({"data": layer_data(request.user, [n for n in only.split(",") if n])})
    return JsonResponse(layer_map(request.user, map_name))
