"""The responders' pages: their own agency's open dispatches, acknowledging, and nearby city cameras' pictures.

Every view checks that the dispatch belongs to the caller's agency; nothing here
shows plate data, hotlists or registry owners' data.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cameras.services import snapshot_latest
from rtcc.decorators import requires
from rtcc.http import wants_json
from rtcc.realtime import latest_events
from rtcc.roles import Capability, agency_group

from . import selectors, services
from .choices import TimelineKind
from .models import Dispatch


def _card_context(dispatch, user):
    incident = dispatch.incident
    cameras = selectors.incident_cameras(incident, for_responders=True)[:3]
    shared = incident.timeline.filter(shared_with_responders=True, plate_read__isnull=True, hit__isnull=True)
    # Escalations repeat every timeout: one summary line for this agency's own, none of another agency's.
    escalations = shared.filter(kind=TimelineKind.ESCALATED, data__dispatch=dispatch.pk).order_by("-at", "-id")
    updates = list(shared.exclude(kind=TimelineKind.ESCALATED).select_related("camera").order_by("-at", "-id")[:8])
    acks = list(dispatch.acknowledgements.all())
    return {
        "dispatch": dispatch,
        "incident": incident,
        "cameras": cameras,
        "updates": updates,
        "escalations": {"count": escalations.count(), "last": escalations.values_list("at", flat=True).first()},
        "acks": acks,
        "acked_by_me": any(a.user_id == user.pk for a in acks),
    }


@requires(Capability.RESPOND)
def respond(request):
    """A responder's page: only their own agency's open dispatches, no plate or registry data."""
    agency = request.user.agency
    cards = [_card_context(d, request.user) for d in selectors.responder_dispatches(agency)]
    events = latest_events({agency_group(agency.pk)}, limit=20)
    return render(
        request,
        "incidents/respond.html",
        {
            "agency": agency,
            "cards": cards,
            "events": reversed(events),
            "last_event_id": events[-1].pk if events else 0,
        },
    )


def _my_dispatch(request, pk):
    dispatch = get_object_or_404(
        Dispatch.objects.select_related("incident__incident_type", "agency"), pk=pk, agency_id=request.user.agency_id
    )
    return dispatch


@requires(Capability.RESPOND)
@never_cache
def respond_card(request, pk):
    dispatch = _my_dispatch(request, pk)
    return render(request, "incidents/_respond_card.html", _card_context(dispatch, request.user))


@requires(Capability.RESPOND)
@require_POST
def respond_acknowledge(request, pk):
    dispatch = _my_dispatch(request, pk)
    services.dispatch_acknowledge(dispatch=dispatch, user=request.user)
    if wants_json(request):
        card = render_to_string("incidents/_respond_card.html", _card_context(dispatch, request.user), request=request)
        return JsonResponse({"html": card})
    messages.success(request, f"Acknowledged {dispatch.incident.reference}.")
    return redirect("incidents:respond")


@requires(Capability.RESPOND)
@never_cache
def respond_snapshot(request, pk, camera_id):
    """The latest picture of a city camera near one of the agency's incidents."""
    dispatch = _my_dispatch(request, pk)
    near = {c.pk for c in selectors.incident_cameras(dispatch.incident, for_responders=True)}
    if camera_id not in near:
        raise Http404("No such camera near this incident.")
    latest = snapshot_latest(camera_id)
    if latest is None:
        return HttpResponse("No recent picture from this camera.", status=404, content_type="text/plain")
    response = HttpResponse(latest[1], content_type="image/jpeg")
    response["X-Snapshot-Taken-At"] = latest[0]
    return response
