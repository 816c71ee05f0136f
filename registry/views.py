"""Registry pages for staff: sites, the review queue, the map, the nearby search and footage requests.

Owners' contact data appears only for roles holding VIEW_REGISTRY_OWNERS, and
every page that shows it writes one audit record per site shown.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from incidents.models import Incident
from rtcc import audit
from rtcc.decorators import requires
from rtcc.maps import map_config
from rtcc.roles import Capability, can

from . import services
from .choices import FootageRequestStatus, SiteStatus
from .forms import FootageRequestForm, NearbySearchForm, RejectForm
from .models import FootageRequest, RegisteredSite
from .selectors import approved_camera_markers, camera_marker, registered_cameras_near


def audit_owner_view(request, sites, where: str):
    """One audit record per site whose owner's contact data this page shows."""
    for site in sites:
        audit.record(
            actor=request.user, action="registry.owner_viewed", obj=site, request=request, details={"page": where}
        )


def _visible_sites():
    return RegisteredSite.objects.exclude(status=SiteStatus.UNCONFIRMED)


@requires(Capability.VIEW_REGISTRY)
def sites(request):
    status = request.GET.get("status", "")
    visible = _visible_sites().annotate(camera_count=Count("cameras"))
    if status in SiteStatus.values and status != SiteStatus.UNCONFIRMED:
        visible = visible.filter(status=status)
    elif status == "stale":
        cutoff = timezone.now() - timedelta(days=settings.RTCC_REGISTRY_STALE_DAYS)
        visible = visible.filter(last_verified_at__lt=cutoff)
    visible = visible.only(
        "id",
        "address",
        "business_name",
        "status",
        "latitude",
        "longitude",
        "created_at",
        "last_verified_at",
        "confirmed_at",
    )
    counts = dict(_visible_sites().values_list("status").annotate(n=Count("id")).order_by())
    context = {
        "sites": visible[:500],
        "status": status,
        "counts": counts,
        "pending_count": counts.get(SiteStatus.PENDING_REVIEW, 0),
        "statuses": [(v, label) for v, label in SiteStatus.choices if v != SiteStatus.UNCONFIRMED],
        "can_review": can(request.user, Capability.REVIEW_REGISTRATIONS),
        "stale_days": settings.RTCC_REGISTRY_STALE_DAYS,
    }
    return render(request, "registry/sites.html", context)


@requires(Capability.VIEW_REGISTRY)
def site_detail(request, pk):
    site = get_object_or_404(_visible_sites(), pk=pk)
    show_owner = can(request.user, Capability.VIEW_REGISTRY_OWNERS)
    if show_owner:
        audit_owner_view(request, [site], "site")
    context = {
        "site": site,
        "cameras": site.cameras.select_related("camera"),
        "show_owner": show_owner,
        "can_review": can(request.user, Capability.REVIEW_REGISTRATIONS),
        "reject_form": RejectForm(),
        "footage_requests": FootageRequest.objects.filter(registered_camera__site=site).select_related(
            "incident", "registered_camera"
        )[:50],
    }
    return render(request, "registry/site_detail.html", context)


@requires(Capability.REVIEW_REGISTRATIONS)
def review_queue(request):
    pending = list(
        RegisteredSite.objects.filter(status=SiteStatus.PENDING_REVIEW)
        .prefetch_related("cameras")
        .order_by("confirmed_at")
    )
    show_owner = can(request.user, Capability.VIEW_REGISTRY_OWNERS)
    if show_owner:
        audit_owner_view(request, pending, "review")
    return render(
        request,
        "registry/review.html",
        {"pending": pending, "pending_count": len(pending), "show_owner": show_owner, "reject_form": RejectForm()},
    )


@requires(Capability.REVIEW_REGISTRATIONS)
@require_POST
def review_decide(request, pk):
    site = get_object_or_404(_visible_sites(), pk=pk)
    decision = request.POST.get("decision")

    def back():
        return redirect("registry:site", pk=pk) if request.POST.get("next") == "site" else redirect("registry:review")

    try:
        if decision == "approve":
            services.registration_approve(site=site, reviewer=request.user, request=request)
            messages.success(request, f"Approved the registration at {site.address}.")
        elif decision == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Give a reason for rejecting: " + " ".join(form.errors.get("reason", [])))
                return back()
            services.registration_reject(
                site=site, reviewer=request.user, reason=form.cleaned_data["reason"], request=request
            )
            messages.success(request, f"Rejected the registration at {site.address}; the owner was told why.")
        else:
            messages.error(request, "Choose approve or reject.")
    except ValueError as exc:
        messages.error(request, str(exc))
    return back()


@requires(Capability.VIEW_REGISTRY)
def registry_map(request):
    markers = approved_camera_markers()
    return render(
        request,
        "registry/map.html",
        {"markers": markers, "map_config": map_config(), "live_count": sum(m["live"] for m in markers)},
    )


@requires(Capability.VIEW_REGISTRY)
def nearby(request):
    """Registered cameras near an incident or a point, best first: facing it, near it, footage still kept."""
    form = NearbySearchForm(request.GET or None, initial={"radius_m": settings.RTCC_REGISTRY_SEARCH_RADIUS_M})
    can_incidents = can(request.user, Capability.VIEW_INCIDENTS)
    context = {"form": form, "results": None, "incident": None, "can_request": False}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        incident = None
        if data.get("incident") is not None:
            if not can_incidents:
                raise PermissionDenied("Your role does not allow incidents.")
            incident = get_object_or_404(Incident, pk=data["incident"])
            lat, lon = float(incident.latitude), float(incident.longitude)
            at = data.get("at") or incident.created_at
        else:
            lat, lon, at = data["latitude"], data["longitude"], data.get("at")
        radius = data.get("radius_m") or settings.RTCC_REGISTRY_SEARCH_RADIUS_M
        results = registered_cameras_near(lat, lon, radius, at=at)
        context.update(
            {
                "results": results,
                "incident": incident,
                "point": (lat, lon),
                "at": at,
                "radius": radius,
                "can_request": incident is not None and can(request.user, Capability.VIEW_REGISTRY_OWNERS),
                "markers": [camera_marker(cam) for cam in results],
                "map_config": {**map_config(), "center": [lat, lon], "zoom": 17},
            }
        )
    if can_incidents:
        context["incidents"] = Incident.objects.exclude(status="closed").order_by("-created_at")[:50]
    return render(request, "registry/nearby.html", context)


@requires(Capability.REVIEW_FOOTAGE)
def footage(request):
    requests_ = (
        FootageRequest.objects.select_related("incident", "registered_camera__site")
        .prefetch_related("clips")
        .order_by("-created_at")[:200]
    )
    return render(request, "registry/footage.html", {"footage_requests": requests_})


@requires(Capability.VIEW_REGISTRY_OWNERS)
def footage_request_create(request, incident_id):
    """From an incident: ask the owners of chosen registered cameras nearby for a window of footage."""
    incident = get_object_or_404(Incident, pk=incident_id)
    radius = settings.RTCC_REGISTRY_SEARCH_RADIUS_M
    try:
        radius = max(10, min(20_000, int(request.GET.get("radius_m", radius))))
    except ValueError:
        pass
    nearby_cams = registered_cameras_near(
        float(incident.latitude), float(incident.longitude), radius, at=incident.created_at
    )
    choices = [(cam.pk, cam.placement) for cam in nearby_cams]
    by_id = {cam.pk: cam for cam in nearby_cams}
    start = timezone.localtime(incident.created_at) - timedelta(minutes=15)
    initial = {
        "window_start": start.replace(second=0, microsecond=0),
        "window_end": start.replace(second=0, microsecond=0) + timedelta(minutes=30),
        "cameras": [cam.pk for cam in nearby_cams if cam.faces_target is not False and cam.footage_may_exist],
    }
    if request.method == "POST":
        form = FootageRequestForm(request.POST, camera_choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            created = services.footage_request_create(
                incident=incident,
                registered_cameras=[by_id[pk] for pk in data["cameras"]],
                window_start=data["window_start"],
                window_end=data["window_end"],
                deadline=timezone.now() + timedelta(hours=data["deadline_hours"]),
                message=data["message"],
                requested_by=request.user,
                request=request,
            )
            messages.success(request, f"Sent {len(created)} footage request{'s' if len(created) != 1 else ''}.")
            return redirect("registry:footage_request_create", incident_id=incident.pk)
    else:
        form = FootageRequestForm(initial=initial, camera_choices=choices)
    existing = (
        FootageRequest.objects.filter(incident=incident)
        .select_related("registered_camera__site", "requested_by")
        .prefetch_related("clips")
    )
    return render(
        request,
        "registry/footage_request_create.html",
        {
            "incident": incident,
            "form": form,
            "cameras": nearby_cams,
            "radius": radius,
            "existing": existing,
            "max_minutes": settings.RTCC_FOOTAGE_REQUEST_MAX_MINUTES,
            "statuses": FootageRequestStatus,
        },
    )
