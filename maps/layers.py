"""The operator's map: one map with layers (cameras, plate readers, incidents, registered cameras, recent hits).

Each layer names the capability a person needs to see it (rtcc/roles.py): a layer the caller's role may not see
is neither listed nor filled, on the page or from the JSON endpoint. Which layers a person shows is kept per
person and per map (`LayerPreference`), so it follows them to another workstation.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from rtcc.roles import Capability, can

from .models import LayerPreference

# The maps that carry layers, each with the layers shown until the person switches them.
MAPS = {
    "dashboard": {"cameras", "plate_readers", "incidents", "hits"},
    "board": {"cameras", "plate_readers", "incidents"},
    "incident": {"cameras", "plate_readers", "incidents"},
}


@dataclass(frozen=True)
class Layer:
    name: str
    label: str
    capability: str


LAYERS = (
    Layer("cameras", "Cameras", Capability.VIEW_CAMERAS),
    Layer("plate_readers", "Plate readers", Capability.VIEW_CAMERAS),
    Layer("incidents", "Open incidents", Capability.VIEW_INCIDENTS),
    Layer("hits", "Recent hits", Capability.VIEW_PLATES),
    Layer("registered", "Registered cameras", Capability.VIEW_REGISTRY),
)
BY_NAME = {layer.name: layer for layer in LAYERS}


class LayerNotAllowed(Exception):
    """The layer does not exist, or the person's role may not see it."""


def layers_allowed(user) -> list[Layer]:
    return [layer for layer in LAYERS if can(user, layer.capability)]


def _switched(user, map_name) -> dict:
    pref = LayerPreference.objects.filter(user=user, map_name=map_name).values_list("layers", flat=True).first()
    return pref if isinstance(pref, dict) else {}


def layer_states(user, map_name) -> list[dict]:
    """The layers this person may see on `map_name`, each with whether it is shown."""
    switched = _switched(user, map_name)
    defaults = MAPS[map_name]
    return [
        {"name": layer.name, "label": layer.label, "on": bool(switched.get(layer.name, layer.name in defaults))}
        for layer in layers_allowed(user)
    ]


def layer_preference_set(user, *, map_name: str, layer: str, on: bool) -> list[dict]:
    """Show or hide one layer for this person on one map; answers the layers as `layer_states` does."""
    if map_name not in MAPS:
        raise LayerNotAllowed(f"There is no map called {map_name!r}.")
    found = BY_NAME.get(layer)
    if found is None or not can(user, found.capability):
        raise LayerNotAllowed(f"There is no layer {layer!r} you may see.")
    pref, _ = LayerPreference.objects.get_or_create(user=user, map_name=map_name)
    pref.layers = {**(pref.layers if isinstance(pref.layers, dict) else {}), layer: bool(on)}
    pref.save(update_fields=["layers", "updated_at"])
    return layer_states(user, map_name)


def _cameras():
    from cameras.selectors import camera_markers

    return camera_markers()


def _incidents():
    from incidents.selectors import open_incidents

    return [incident.as_marker() for incident in open_incidents()]


def _registered():
    from registry.selectors import approved_camera_markers

    return approved_camera_markers()


def _hits(user):
    from plates.selectors import recent_hit_markers

    since = timezone.now() - timedelta(minutes=settings.RTCC_MAP_HITS_MINUTES)
    return recent_hit_markers(user, since=since)


def layer_data(user, names=None) -> dict:
    """What each layer shows, for the layers named (all by default) that this person may see."""
    allowed = {layer.name for layer in layers_allowed(user)}
    wanted = allowed if names is None else allowed & set(names)
    data = {}
    if wanted & {"cameras", "plate_readers"}:
        cameras = _cameras()
        if "cameras" in wanted:
            data["cameras"] = [c for c in cameras if not c["reads_plates"]]
        if "plate_readers" in wanted:
            data["plate_readers"] = [c for c in cameras if c["reads_plates"]]
    if "incidents" in wanted:
        data["incidents"] = _incidents()
    if "hits" in wanted:
        data["hits"] = _hits(user)
    if "registered" in wanted:
        data["registered"] = _registered()
    return data


def layer_map(user, map_name: str) -> dict:
    """Everything a layered map starts from: its name, the layers with their state, and their contents."""
    return {
        "map": map_name,
        "layers": layer_states(user, map_name),
        "data": layer_data(user),
        "hitsMinutes": settings.RTCC_MAP_HITS_MINUTES,
    }
