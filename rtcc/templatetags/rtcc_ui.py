"""Template tags that hand the front end what it must not copy: choice labels and colours, and map settings.

`{% ui_choices %}` (once, in base.html) renders the status colours and labels from the apps' Python choices, the
event kinds' plain words and the center's time zone as a json_script block that static/rtcc/common.js reads as
RTCC.choices (RTCC.eventLabel and RTCC.formatTime use the last two); `|stamp` and `|event_label` are their
server-side twins, so server rows and live rows read the same; `{% map_attrs %}` writes a map element's data-
attributes (basemap tiles, attribution, centre, zoom, outline and search URLs), which RTCC.map() reads.
"""

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join, json_script

from cameras.choices import STATUS_COLOURS as CAMERA_STATUS_COLOURS
from cameras.choices import CameraStatus
from incidents.choices import PRIORITY_COLOURS, STATUS_COLOURS, IncidentPriority, IncidentStatus
from rtcc.realtime import EVENT_LABELS, event_label

register = template.Library()

# Registered private cameras on the staff map: whether the owner shares a live picture.
REGISTRY_CAMERA_COLOURS = {"live": ("Live picture shared", "ok"), "registered": ("Registered", "accent")}


def _group(choices, colours):
    return {str(value): {"label": str(label), "colour": colours[value]} for value, label in choices.choices}


def ui_choices_data():
    """Colours are a CSS palette name (`ok`, `bad`: see app.css) or a `#rrggbb` colour."""
    return {
        "cameraStatus": _group(CameraStatus, CAMERA_STATUS_COLOURS),
        "incidentStatus": _group(IncidentStatus, STATUS_COLOURS),
        "incidentPriority": _group(IncidentPriority, PRIORITY_COLOURS),
        "registryCamera": {k: {"label": label, "colour": c} for k, (label, c) in REGISTRY_CAMERA_COLOURS.items()},
        "eventLabels": EVENT_LABELS,
        "timeZone": settings.TIME_ZONE,
    }


@register.simple_tag
def ui_choices():
    return json_script(ui_choices_data(), "rtcc-choices")


@register.simple_tag(takes_context=True)
def map_attrs(context, center=None, zoom=None, zoom_in=0):
    """`center` is a (lat, lon) pair; without it, the city's centre. `zoom_in` adds to the city's zoom.

    Staff maps get the installed basemap (else the city's tile URL), the outline drawn without one, and the
    search box; a public page (a resident) gets the city's tile URL alone.
    """
    from maps.selectors import map_layers

    lat, lon = center if center else (settings.RTCC_MAP_CENTER_LAT, settings.RTCC_MAP_CENTER_LON)
    request = context.get("request")
    layers = map_layers(user=getattr(request, "user", None))
    extra = format_html_join(" ", 'data-{}="{}"', layers.items())
    return format_html(
        'data-center="{},{}" data-zoom="{}" {}',
        lat,
        lon,
        (zoom if zoom is not None else settings.RTCC_MAP_ZOOM) + zoom_in,
        extra,
    )


register.filter("event_label", event_label)


@register.filter
def stamp(value, with_date=True):
    """A moment in the center's time zone, labelled: "12-01 05:39:23 CST" (RTCC.formatTime writes the same)."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return date_format(local, "m-d H:i:s T" if with_date else "H:i:s T")
