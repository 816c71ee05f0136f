"""Incident pages: the analysts' board and incident page, the responders' agency page, CAP and its feeds.

Views are thin doors onto `incidents.services`. Responder views check that
the dispatch belongs to the caller's agency and never show plate data,
hotlists or registry owners' data.
"""

import base64
import binascii

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cameras.models import Camera
from rtcc import throttle
from rtcc.decorators import requires
from rtcc.http import wants_json
from rtcc.realtime import latest_events
from rtcc.roles import Capability, agency_group, can
from rtcc.views import map_config

from . import cap, services
from .choices import IncidentSource, IncidentStatus
from .forms import DispatchForm, IncidentForm, NoteForm, PlateAttachForm, StatusForm
from .models import Acknowledgement, Agency, Dispatch, Incident, IncidentType, TimelineEvent

# --- The analysts' board ------------------------------------------------------------


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


@requires(Capability.VIEW_INCIDENTS)
def board(request):
    incidents = list(open_incidents())
    markers = [i.as_marker() for i in incidents]
    if wants_json(request):
        html = render_to_string("incidents/_board_list.html", {"incidents": incidents}, request=request)
        return JsonResponse({"html": html, "markers": markers, "count": len(incidents)})
    return render(
        request,
        "incidents/board.html",
        {"incidents": incidents, "markers": markers, "map_config": map_config()},
    )


# --- Creating an incident (blank, from a confirmed hit, or from a camera) -------------------


def _hit_for(request, hit_id):
    from plates.choices import HitStatus
    from plates.models import Hit

    if not can(request.user, Capability.VIEW_PLATES):
        return None
    hit = (
        Hit.objects.select_related("plate_read__camera", "hotlist", "entry")
        .filter(pk=hit_id, status=HitStatus.CONFIRMED)
        .first()
    )
    if hit is None:
        return None
    return hit if hit.hotlist.is_visible_to(request.user) else None


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@requires(Capability.VIEW_INCIDENTS)
def incident_new(request):
    hit_id = _int(request.GET.get("hit") or request.POST.get("hit"))
    camera_id = _int(request.GET.get("camera") or request.POST.get("camera"))
    hit = _hit_for(request, hit_id) if hit_id else None
    if hit_id and hit is None:
        messages.error(request, f"Hit {hit_id} is not a confirmed hit you may see; starting a blank incident.")
    if hit is not None:
        existing = Incident.objects.filter(source=IncidentSource.HIT, source_id=str(hit.pk)).first()
        if existing:
            messages.info(request, f"Hit {hit.pk} already has incident {existing.reference}.")
            return redirect("incidents:detail", existing.pk)
    camera = Camera.objects.filter(pk=camera_id).first() if camera_id and not hit else None
    if request.method == "POST":
        form = IncidentForm(request.POST)
        if form.is_valid():
            source = IncidentSource.HIT if hit else IncidentSource.CAMERA if camera else IncidentSource.ANALYST
            incident = services.incident_create(
                **form.cleaned_data,
                user=request.user,
                source=source,
                source_id=str(hit.pk) if hit else "",
                hit=hit,
                request=request,
            )
            if camera is not None:
                try:
                    services.incident_attach_snapshot(incident=incident, camera=camera, user=request.user)
                except services.IncidentError as exc:
                    messages.warning(request, str(exc))
            messages.success(request, f"Incident {incident.reference} opened. Dispatch it below.")
            return redirect("incidents:detail", incident.pk)
    else:
        form = IncidentForm(initial=_prefill(hit, camera))
    return render(
        request,
        "incidents/new.html",
        {
            "form": form,
            "hit": hit,
            "camera": camera,
            "map_config": map_config(),
            "types": {t.pk: t.default_priority for t in IncidentType.objects.filter(active=True)},
        },
    )


def _prefill(hit, camera):
    if hit is not None:
        read = hit.plate_read
        kind = IncidentType.objects.filter(active=True, slug="stolen-vehicle").first()
        vehicle = hit.entry.vehicle_description if hit.entry_id else ""
        return {
            "incident_type": kind,
            "priority": min(4, max(1, hit.hotlist.priority)),
            "title": f"Vehicle of interest seen at {read.camera.name}",
            "address": read.camera.address or read.camera.name,
            "latitude": read.camera.latitude,
            "longitude": read.camera.longitude,
            "description": f"{vehicle} seen {read.read_at:%H:%M}.".strip() if vehicle else "",
        }
    if camera is not None:
        return {
            "title": f"Seen on camera {camera.name}",
            "address": camera.address or camera.name,
            "latitude": camera.latitude,
            "longitude": camera.longitude,
        }
    return {}


# --- One incident -------------------------------------------------------------------


def _detail_context(incident):
    dispatches = list(
        incident.dispatches.select_related("agency", "dispatched_by").prefetch_related(
            Prefetch("acknowledgements", queryset=Acknowledgement.objects.select_related("user"))
        )
    )
    timeline = list(
        incident.timeline.select_related("actor", "camera", "hit__hotlist", "plate_read").order_by("-at", "-id")
    )
    deliveries = list(incident.deliveries.select_related("agency")[:50])
    return {"incident": incident, "dispatches": dispatches, "timeline": timeline, "deliveries": deliveries}


@requires(Capability.VIEW_INCIDENTS)
def incident_detail(request, pk):
    incident = get_object_or_404(Incident.objects.select_related("incident_type", "created_by"), pk=pk)
    context = _detail_context(incident)
    cameras = services.incident_cameras(incident)
    registered = services.incident_registered_cameras(incident) if can(request.user, Capability.VIEW_REGISTRY) else []
    context.update(
        {
            "cameras": cameras[:12],
            "registered": registered[:12],
            "radius_m": settings.RTCC_NEARBY_CAMERA_RADIUS_M,
            "edit_form": IncidentForm(instance=incident, prefix="edit"),
            "dispatch_form": DispatchForm(incident=incident),
            "note_form": NoteForm(),
            "plate_form": PlateAttachForm(),
            "statuses": IncidentStatus.choices,
            "show_plates": can(request.user, Capability.VIEW_PLATES),
            "map_config": map_config(),
            "marker": incident.as_marker(),
        }
    )
    return render(request, "incidents/detail.html", context)


@requires(Capability.VIEW_INCIDENTS)
@never_cache
def incident_live(request, pk):
    """The parts of the incident page that change on their own: dispatches, acknowledgements, timeline, deliveries."""
    incident = get_object_or_404(Incident.objects.select_related("incident_type"), pk=pk)
    html = render_to_string("incidents/_detail_live.html", _detail_context(incident), request=request)
    return JsonResponse({"html": html, "status": incident.status, "status_label": incident.get_status_display()})


def _back(pk):
    return redirect("incidents:detail", pk)


@requires(Capability.VIEW_INCIDENTS)
@require_POST
def incident_edit(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    form = IncidentForm(request.POST, instance=Incident.objects.get(pk=pk), prefix="edit")
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items() if f in form.fields)
        messages.error(request, f"Nothing changed – {errors or 'check the form'}")
        return _back(pk)
    changed = services.incident_update(incident=incident, user=request.user, **form.cleaned_data)
    messages.success(request, "Saved." if changed else "Nothing to change.")
    return _back(pk)


@requires(Capability.VIEW_INCIDENTS)
@require_POST
def incident_status(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return _back(pk)
    services.incident_set_status(incident=incident, status=form.cleaned_data["status"], user=request.user)
    return _back(pk)


@requires(Capability.VIEW_INCIDENTS)
@require_POST
def incident_note(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is empty or too long; nothing was added.")
        return _back(pk)
    services.incident_add_note(
        incident=incident, text=form.cleaned_data["text"], user=request.user, shared=not form.cleaned_data["internal"]
    )
    return _back(pk)


@requires(Capability.VIEW_INCIDENTS)
@require_POST
def incident_preserve_recordings(request, pk):
    """Pull the nearby city cameras' recordings of the incident's time into the footage library."""
    incident = get_object_or_404(Incident, pk=pk)
    queued = services.incident_preserve_recordings(incident=incident, user=request.user)
    if queued:
        messages.success(
            request,
            f"Pulling recordings from {len(queued)} camera(s) into the footage library: {', '.join(queued)}.",
        )
    else:
        messages.warning(request, "No nearby city camera still holds recordings of this incident's time.")
    return _back(pk)


@requires(Capability.VIEW_INCIDENTS)
@require_POST
def incident_dispatch(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    form = DispatchForm(request.POST, incident=incident)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(pk)
    try:
        created = services.incident_dispatch(
            incident=incident,
            agencies=form.cleaned_data["agencies"],
            user=request.user,
            message=form.cleaned_data["message"],
        )
    except services.IncidentError as exc:
        messages.error(request, str(exc))
        return _back(pk)
    names = ", ".join(d.agency.short_name.upper() for d in created)
    messages.success(request, f"Dispatched to {names}." if created else "Already dispatched to those agencies.")
    return _back(pk)


@requires(Capability.VIEW_INCIDENTS)
@require_POST
def incident_attach_snapshot(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    camera = get_object_or_404(Camera, pk=_int(request.POST.get("camera")) or 0)
    try:
        services.incident_attach_snapshot(incident=incident, camera=camera, user=request.user)
    except services.IncidentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Snapshot from {camera.name} attached.")
    return _back(pk)


@requires(Capability.VIEW_INCIDENTS)
@require_POST
def incident_attach_plate(request, pk):
    from plates.models import Hit, PlateRead

    if not can(request.user, Capability.VIEW_PLATES):
        messages.error(request, "Your role cannot attach plate data.")
        return _back(pk)
    incident = get_object_or_404(Incident, pk=pk)
    form = PlateAttachForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(pk)
    if form.cleaned_data.get("hit"):
        hit = (
            Hit.objects.select_related("plate_read__camera", "hotlist", "entry")
            .filter(pk=form.cleaned_data["hit"])
            .first()
        )
        if hit is None:
            messages.error(request, f"There is no hit {form.cleaned_data['hit']}.")
            return _back(pk)
        services.incident_attach_hit(incident=incident, hit=hit, user=request.user, request=request)
        messages.success(request, f"Hit {hit.pk} attached (analysts only).")
    else:
        read = PlateRead.objects.select_related("camera").filter(pk=form.cleaned_data["read"]).first()
        if read is None:
            messages.error(request, f"There is no plate read {form.cleaned_data['read']}.")
            return _back(pk)
        services.incident_attach_read(incident=incident, read=read, user=request.user, request=request)
        messages.success(request, f"Plate read {read.pk} attached (analysts only).")
    return _back(pk)


@requires(Capability.VIEW_INCIDENTS)
def incident_cap(request, pk):
    incident = get_object_or_404(Incident.objects.select_related("incident_type"), pk=pk)
    return HttpResponse(cap.alert_xml(incident), content_type=cap.CAP_CONTENT_TYPE)


def timeline_file(request, pk):
    """A timeline attachment (a camera snapshot): analysts, or responders of a dispatched agency if it is shared."""
    entry = get_object_or_404(TimelineEvent.objects.select_related("incident"), pk=pk)
    user = request.user
    allowed = can(user, Capability.VIEW_INCIDENTS) or (
        can(user, Capability.RESPOND)
        and entry.shared_with_responders
        and entry.incident.dispatches.filter(agency_id=user.agency_id).exists()
    )
    if not allowed:
        raise Http404("No such attachment.")
    if not entry.attachment:
        raise Http404("This entry has no file.")
    return FileResponse(entry.attachment.open("rb"), content_type="image/jpeg")


# --- Responders ------------------------------------------------------------------------


def _responder_dispatches(agency):
    return (
        Dispatch.objects.filter(agency=agency)
        .exclude(incident__status=IncidentStatus.CLOSED)
        .select_related("incident__incident_type", "agency")
        .prefetch_related("acknowledgements__user")
        .order_by("incident__priority", "-dispatched_at")
    )


def _card_context(dispatch, user):
    incident = dispatch.incident
    cameras = services.incident_cameras(incident, for_responders=True)[:3]
    updates = list(
        incident.timeline.filter(shared_with_responders=True, plate_read__isnull=True, hit__isnull=True)
        .select_related("camera")
        .order_by("-at", "-id")[:8]
    )
    acks = list(dispatch.acknowledgements.all())
    return {
        "dispatch": dispatch,
        "incident": incident,
        "cameras": cameras,
        "updates": updates,
        "acks": acks,
        "acked_by_me": any(a.user_id == user.pk for a in acks),
    }


@requires(Capability.RESPOND)
def respond(request):
    """A responder's page: only their own agency's open dispatches, no plate or registry data."""
    agency = request.user.agency
    cards = [_card_context(d, request.user) for d in _responder_dispatches(agency)]
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
    from cameras.services import snapshot_latest

    dispatch = _my_dispatch(request, pk)
    near = {c.pk for c in services.incident_cameras(dispatch.incident, for_responders=True)}
    if camera_id not in near:
        raise Http404("No such camera near this incident.")
    latest = snapshot_latest(camera_id)
    if latest is None:
        return HttpResponse("No recent picture from this camera.", status=404, content_type="text/plain")
    response = HttpResponse(latest[1], content_type="image/jpeg")
    response["X-Snapshot-Taken-At"] = latest[0]
    return response


# --- CAP for other agencies' systems ---------------------------------------------------------


def _feed_reader(request, agency):
    """The user reading an agency's feed: a signed-in session, or HTTP Basic credentials of that agency's member."""
    user = request.user
    if not user.is_authenticated:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.lower().startswith("basic "):
            try:
                username, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            if throttle.locked_out(request, username):
                return None
            user = authenticate(request, username=username, password=password)
            if user is None:
                throttle.note_failure(request, username)
            else:
                throttle.note_success(request, username)
    if user is None or not user.is_authenticated:
        return None
    if can(user, Capability.VIEW_INCIDENTS) or (can(user, Capability.RESPOND) and user.agency_id == agency.pk):
        return user
    return False


def _unauthorised(agency):
    response = HttpResponse(
        "Sign in with the user name and password of an account of this agency (HTTP Basic).",
        status=401,
        content_type="text/plain",
    )
    response["WWW-Authenticate"] = f'Basic realm="RTCC CAP feed {agency.short_name}", charset="UTF-8"'
    return response


@login_not_required
@never_cache
def agency_feed(request, agency):
    agency = get_object_or_404(Agency, short_name=agency, active=True)
    reader = _feed_reader(request, agency)
    if reader is None:
        return _unauthorised(agency)
    if reader is False:
        return HttpResponse("This account is not a member of that agency.", status=403, content_type="text/plain")
    url = request.build_absolute_uri(reverse("incidents:agency-feed", args=[agency.short_name]))
    return HttpResponse(cap.agency_feed_xml(agency, feed_url=url), content_type=cap.ATOM_CONTENT_TYPE)


@login_not_required
@never_cache
def agency_cap(request, agency, pk):
    agency = get_object_or_404(Agency, short_name=agency, active=True)
    reader = _feed_reader(request, agency)
    if reader is None:
        return _unauthorised(agency)
    if reader is False:
        return HttpResponse("This account is not a member of that agency.", status=403, content_type="text/plain")
    incident = get_object_or_404(Incident.objects.select_related("incident_type"), pk=pk, dispatches__agency=agency)
    return HttpResponse(cap.alert_xml(incident), content_type=cap.CAP_CONTENT_TYPE)
