"""Reads for incident pages and services: open incidents, and the cameras near an incident."""

from django.conf import settings
from django.db.models import Prefetch

from cameras.selectors import cameras_near
from plates.models import Hotlist
from registry.selectors import registered_cameras_near

from .choices import IncidentStatus
from .models import Dispatch, Incident


def open_incidents():
    """Open incidents by priority with their dispatches and acknowledgements (board, dashboard)."""
    return (
        Incident.objects.exclude(status=IncidentStatus.CLOSED)
        .select_related("incident_type")
        .prefetch_related(
            Prefetch(
                "dispatches",
                queryset=Dispatch.objects.select_related("agency").prefetch_related("acknowledgements__user"),
            )
        )
        .order_by("priority", "-created_at")
    )


def responder_dispatches(agency):
    """The agency's dispatches to open incidents, most urgent first (the responders' page)."""
    return (
        Dispatch.objects.filter(agency=agency)
        .exclude(incident__status=IncidentStatus.CLOSED)
        .select_related("incident__incident_type", "agency")
        .prefetch_related("acknowledgements__user")
        .order_by("incident__priority", "-dispatched_at")
    )


def incident_cameras(incident: Incident, *, radius_m=None, for_responders=False):
    """City cameras near the incident, best first (facing it, then nearer). Responders get city cameras only."""
    radius_m = radius_m or settings.RTCC_NEARBY_CAMERA_RADIUS_M
    cameras = cameras_near(incident.latitude, incident.longitude, radius_m)
    if for_responders:
        cameras = [c for c in cameras if c.kind == "city"]
    return cameras


def incident_registered_cameras(incident: Incident, *, radius_m=None):
    """Registered private cameras near the incident (for analysts), with whether footage may still exist."""
    radius_m = radius_m or settings.RTCC_NEARBY_CAMERA_RADIUS_M
    return registered_cameras_near(incident.latitude, incident.longitude, radius_m, at=incident.occurred_at)


def incident_timeline(incident: Incident, user):
    """The incident's timeline, newest first, as this person may see it: an attached hit on a covert hotlist
    they may not see (someone else's owner-only list) is left out, with its plate, reason and list name."""
    hidden = Hotlist.objects.exclude(pk__in=Hotlist.objects.visible_to(user).values("pk"))
    return (
        incident.timeline.exclude(hit__hotlist__in=hidden)
        .select_related("actor", "camera", "hit__hotlist", "plate_read")
        .order_by("-at", "-id")
    )
