"""Incident pages: the analysts' board and the responders' agency page."""

from django.shortcuts import render

from rtcc.decorators import requires
from rtcc.realtime import latest_events
from rtcc.roles import Capability, agency_group

from .choices import IncidentStatus
from .models import Dispatch, Incident


@requires(Capability.VIEW_INCIDENTS)
def board(request):
    incidents = (
        Incident.objects.exclude(status=IncidentStatus.CLOSED)
        .select_related("incident_type")
        .prefetch_related("dispatches__agency")
        .order_by("priority", "-created_at")
    )
    return render(request, "incidents/board.html", {"incidents": incidents})


@requires(Capability.RESPOND)
def respond(request):
    """A responder's page: only their own agency's open dispatches, no plate or registry data."""
    agency = request.user.agency
    dispatches = (
        Dispatch.objects.filter(agency=agency)
        .exclude(incident__status=IncidentStatus.CLOSED)
        .select_related("incident__incident_type")
        .order_by("incident__priority", "-dispatched_at")
    )
    events = latest_events({agency_group(agency.pk)}, limit=20)
    return render(
        request,
        "incidents/respond.html",
        {
            "agency": agency,
            "dispatches": dispatches,
            "events": reversed(events),
            "last_event_id": events[-1].pk if events else 0,
        },
    )
