"""Plate pages: hits, hotlists, the audited read search and its export."""

import csv

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cameras.selectors import cameras_near
from rtcc import audit
from rtcc.decorators import requires
from rtcc.http import wants_json
from rtcc.maps import map_config
from rtcc.roles import Capability

from . import alerts, transparency
from .forms import PlateSearchForm
from .models import Hotlist, PlateRead
from .panels import hit_panel_context
from .selectors import plate_reads_search, results_on_map, visible_hits
from .services import HitReviewError, hit_record_outcome, hit_review


@requires(Capability.VIEW_PLATES)
def overview(request):
    now = timezone.now()
    hits = visible_hits(request.user)[:50]
    hotlists = (
        Hotlist.objects.visible_to(request.user)
        .filter(active=True)
        .annotate(
            live_entries=Count("entries", filter=Q(entries__expires_at__isnull=True) | Q(entries__expires_at__gt=now))
        )
    )
    return render(request, "plates/overview.html", {"hits": hits, "hotlists": hotlists, **hit_panel_context()})


def _search(request, form, action):
    data = form.cleaned_data
    camera_ids = None
    if data.get("radius_m") is not None and data.get("near_latitude") is not None:
        camera_ids = [cam.pk for cam in cameras_near(data["near_latitude"], data["near_longitude"], data["radius_m"])]
    reads = plate_reads_search(
        query=data["plate"],
        match=data["match"],
        camera_id=data["camera"].pk if data["camera"] else None,
        camera_ids=camera_ids,
        since=data["since"],
        until=data["until"],
    )
    audit.record(
        actor=request.user,
        action=action,
        reason=f"[{data['case_number']}] {data['reason']}",
        request=request,
        object_type="plates.plateread",
        details={
            "case_number": data["case_number"],
            "plate": data["plate"],
            "match": data["match"],
            "camera": data["camera"].pk if data["camera"] else None,
            "area": None
            if camera_ids is None
            else {
                "latitude": float(data["near_latitude"]),
                "longitude": float(data["near_longitude"]),
                "radius_m": data["radius_m"],
                "cameras": len(camera_ids),
            },
            "since": data["since"].isoformat() if data["since"] else None,
            "until": data["until"].isoformat() if data["until"] else None,
            "results": len(reads),
        },
    )
    return reads


@requires(Capability.VIEW_PLATES)
def search(request):
    """Search the read history. Every search states its reason and is audited; no reason, no search."""
    reads = None
    form = PlateSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reads = _search(request, form, "plates.search")
    context = {"form": form, "reads": reads}
    if reads:
        context["markers"] = results_on_map(reads)
        context["map_config"] = map_config()
    return render(request, "plates/search.html", context)


@requires(Capability.VIEW_PLATES)
@require_POST
def export(request):
    form = PlateSearchForm(request.POST)
    if not form.is_valid():
        return render(request, "plates/search.html", {"form": form, "reads": None}, status=400)
    reads = _search(request, form, "plates.export")
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="plate-reads-{timezone.now():%Y%m%d-%H%M%S}.csv"'
    writer = csv.writer(response)
    # Times in the center's zone, with their UTC offset (2026-12-01T05:39:23-06:00): no zone left to guess.
    writer.writerow(["read_at", "plate", "camera", "latitude", "longitude", "confidence", "source", "case_number"])
    for read in reads:
        writer.writerow(
            [
                timezone.localtime(read.read_at).isoformat(),
                read.plate,
                read.camera.name,
                read.camera.latitude,
                read.camera.longitude,
                f"{read.confidence:.2f}",
                read.source,
                form.cleaned_data["case_number"],
            ]
        )
    return response


@requires(Capability.VIEW_PLATES)
def crop(request, pk):
    """A read's plate crop, to roles that may see plate data only (media files are never served publicly)."""
    read = get_object_or_404(PlateRead, pk=pk)
    if not read.crop:
        raise Http404("This read has no crop image.")
    return FileResponse(read.crop.open("rb"), content_type="image/jpeg")


@requires(Capability.VIEW_PLATES)
@require_POST
def review_hit(request, pk):
    """Confirm or dismiss (with a reason) a hit. Answers JSON to the dashboard's script, a redirect to a form."""
    return _review(
        request, pk, hit_review, status=request.POST.get("status", ""), reason=request.POST.get("reason", "")
    )


@requires(Capability.VIEW_PLATES)
@require_POST
def hit_outcome(request, pk):
    return _review(request, pk, hit_record_outcome, outcome=request.POST.get("outcome", ""))


def _review(request, pk, service, **fields):
    hit = get_object_or_404(visible_hits(request.user), pk=pk)
    try:
        hit = service(hit=hit, user=request.user, note=request.POST.get("note", ""), request=request, **fields)
    except HitReviewError as exc:
        return _review_answer(request, hit, error=str(exc))
    return _review_answer(request, hit)


def _review_answer(request, hit, error=None):
    if wants_json(request):
        if error:
            return JsonResponse({"error": error}, status=400)
        return JsonResponse(
            {
                "hit_id": hit.pk,
                "status": hit.status,
                "status_label": hit.get_status_display(),
                "dismiss_reason": hit.get_dismiss_reason_display() if hit.dismiss_reason else "",
                "outcome": hit.outcome,
                "outcome_label": hit.get_outcome_display() if hit.outcome else "",
            }
        )
    if error:
        # The hits page again, saying what was wrong, with the hit still waiting for its review.
        messages.error(request, f"Hit {hit.plate_read.plate} not saved: {error}")
        response = overview(request)
        response.status_code = 400
        return response
    return redirect("plates:overview")


@requires(Capability.VIEW_PLATES)
@require_POST
def claim_hit(request, pk):
    """An analyst takes an alert so nobody else chases the same car (JSON; 409 naming who has it)."""
    hit = get_object_or_404(visible_hits(request.user), pk=pk)
    try:
        hit = alerts.hit_claim(hit=hit, user=request.user, request=request)
    except alerts.ClaimError as exc:
        if wants_json(request):
            return JsonResponse({"error": str(exc)}, status=409)
        messages.error(request, str(exc))
        return redirect("dashboard")
    if wants_json(request):
        return JsonResponse({"hit_id": hit.pk, "claimed_by": hit.claimed_by.get_username()})
    return redirect("dashboard")


@requires(Capability.VIEW_AUDIT)
def transparency_page(request):
    """For supervisors and public reporting: how much the system reads, hits and is searched, month by month."""
    context = {"months": transparency.monthly_summary(), "per_user": transparency.searches_per_user()}
    return render(request, "plates/transparency.html", context)
