"""Incident pages for analysts: the board, opening an incident, the incident page and its actions.

Views are thin doors onto `incidents.services` and `incidents.selectors`.
The responders' pages are in `respond_views.py`, the agencies' CAP feeds in `feed_views.py`.
"""

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cameras.models import Camera
from maps.layers import layer_map
from plates.choices import HitStatus
from plates.models import PlateRead
from plates.selectors import visible_hits
from rtcc.decorators import requires
from rtcc.http import wants_json
from rtcc.maps import map_config
from rtcc.roles import Capability, can
from rtcc.templatetags.rtcc_ui import stamp

from . import cap, selectors, services
from .choices import IncidentSource, IncidentStatus
from .forms import DispatchForm, IncidentForm, NoteForm, PlateAttachForm, StatusForm
from .models import Acknowledgement, Incident, IncidentType, TimelineEvent

# --- The analysts' board ------------------------------------------------------------


@requires(Capability.VIEW_INCIDENTS)
def board(request):
    incidents = list(selectors.open_incidents())
    markers = [i.as_marker() for i in incidents]
    if wants_json(request):
        html = render_to_string("incidents/_board_list.html", {"incidents": incidents}, request=request)
        return JsonResponse({"html": html, "markers": markers, "count": len(incidents)})
    return render(
        request,
        "incidents/board.html",
        {"incidents": incidents, "map_layers": layer_map(request.user, "board"), "map_config": map_config()},
    )


# --- Creating an incident (blank, from a confirmed hit, or from a camera) -------------------


def _hit_for(request, hit_id):
    if not can(request.user, Capability.VIEW_PLATES):
        return None
    return visible_hits(request.user).filter(pk=hit_id, status=HitStatus.CONFIRMED).first()


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
            "description": f"{vehicle} seen {stamp(read.read_at, False)}.".strip() if vehicle else "",
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


def _detail_context(incident, user):
    dispatches = list(
        incident.dispatches.select_related("agency", "dispatched_by").prefetch_related(
            Prefetch("acknowledgements", queryset=Acknowledgement.objects.select_related("user"))
        )
    )
    timeline = list(selectors.incident_timeline(incident, user))
    deliveries = list(incident.deliveries.select_related("agency")[:50])
    return {"incident": incident, "dispatches": dispatches, "timeline": timeline, "deliveries": deliveries}


@requires(Capability.VIEW_INCIDENTS)
def incident_detail(request, pk):
    incident = get_object_or_404(Incident.objects.select_related("incident_type", "created_by"), pk=pk)
    context = _detail_context(incident, request.user)
    cameras = selectors.incident_cameras(incident)
    registered = selectors.incident_registered_cameras(incident) if can(request.user, Capability.VIEW_REGISTRY) else []
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
            "map_layers": layer_map(request.user, "incident"),
            "marker": incident.as_marker(),
        }
    )
    return render(request, "incidents/detail.html", context)


@requires(Capability.VIEW_INCIDENTS)
@never_cache
def incident_live(request, pk):
    """The parts of the incident page that change on their own: dispatches, acknowledgements, timeline, deliveries."""
    incident = get_object_or_404(Incident.objects.select_related("incident_type"), pk=pk)
    html = render_to_string("incidents/_detail_live.html", _detail_context(incident, request.user), request=request)
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
    if not can(request.user, Capability.VIEW_PLATES):
        messages.error(request, "Your role cannot attach plate data.")
        return _back(pk)
    incident = get_object_or_404(Incident, pk=pk)
    form = PlateAttachForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(pk)
    if form.cleaned_data.get("hit"):
        # A hit on someone else's covert list answers as if it did not exist.
        hit = visible_hits(request.user).filter(pk=form.cleaned_data["hit"]).first()
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
