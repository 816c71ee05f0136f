"""Cross-cutting pages: home, the operations dashboard, health, audit log, notices.

The dashboard composes the other apps' panels from their selectors and panel helpers, never their views.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cameras.choices import CameraStatus
from cameras.models import Camera
from cameras.selectors import camera_markers, camera_status_counts
from incidents.selectors import open_incidents
from maps.layers import layer_map
from plates.alerts import alert_queue
from plates.panels import hit_panel_context
from plates.selectors import visible_hits

from . import audit, health, realtime
from .decorators import requires
from .forms import AuditFilterForm, NoticeForm
from .http import wants_json
from .maps import map_config
from .models import AuditRecord
from .roles import STAFF_ALL, Capability, can, realtime_groups


def home(request):
    """Send each person to the page their role works from."""
    user = request.user
    if can(user, Capability.VIEW_DASHBOARD):
        return redirect("dashboard")
    if can(user, Capability.RESPOND):
        return redirect("incidents:respond")
    raise PermissionDenied("Your account has no role yet. Ask a supervisor to assign one.")


@requires(Capability.VIEW_DASHBOARD)
def dashboard(request):
    user = request.user
    groups = realtime_groups(user)
    events = realtime.latest_events(groups)
    markers = camera_markers()
    context = {
        "events": reversed(events),
        "last_event_id": events[-1].pk
        if events
        else realtime.Event.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        "markers": markers,
        "map_layers": layer_map(user, "dashboard"),
        "map_config": map_config(),
        "status_counts": camera_status_counts(),
        "camera_total": len(markers),
        "show_plates": can(user, Capability.VIEW_PLATES),
        "show_incidents": can(user, Capability.VIEW_INCIDENTS),
        "can_broadcast": can(user, Capability.BROADCAST_NOTICE),
        "notice_form": NoticeForm(),
        "camera_alerts": Camera.objects.filter(
            enabled=True, status__in=[CameraStatus.OFFLINE, CameraStatus.DEGRADED]
        ).order_by("-status_changed_at"),
    }
    if context["show_plates"]:
        context["alert_queue"] = alert_queue(user)
        context["hits"] = visible_hits(user)[:10]
        context.update(hit_panel_context())
    if context["show_incidents"]:
        context["incidents"] = open_incidents()[:10]
    return render(request, "rtcc/dashboard.html", context)


@requires(Capability.BROADCAST_NOTICE)
@require_POST
def post_notice(request):
    """A supervisor's notice, pushed to every operator's screen (and kept as an event)."""
    form = NoticeForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    event = realtime.publish(
        group=STAFF_ALL,
        kind="notice",
        summary=form.cleaned_data["text"],
        severity=form.cleaned_data["severity"],
        data={"from": request.user.get_username()},
    )
    audit.record(actor=request.user, action="notice.broadcast", obj=event, request=request)
    if wants_json(request):
        return JsonResponse({"id": event.pk}, status=201)
    return redirect("dashboard")


SEARCH_ACTIONS = ("plates.search", "plates.export")


@requires(Capability.VIEW_AUDIT)
def audit_log(request):
    """Supervisors' audit review: filter by person, action, date and stated reason; searches counted per person."""
    form = AuditFilterForm(request.GET or None)
    records = AuditRecord.objects.all()
    if form.is_valid():
        records = form.filter(records)
    searches = (
        records.filter(action__in=SEARCH_ACTIONS)
        .values("actor_username")
        .annotate(
            searches=Count("id", filter=Q(action="plates.search")),
            exports=Count("id", filter=Q(action="plates.export")),
        )
        .order_by("-searches", "actor_username")
    )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "rtcc/audit_log.html",
        {"page": page, "form": form, "per_user": list(searches), "query": query.urlencode()},
    )


@login_not_required
@never_cache
def healthz(request):
    healthy, results = health.run_checks()
    return JsonResponse({"status": "ok" if healthy else "down", "checks": results}, status=200 if healthy else 503)
