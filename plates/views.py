"""Plate pages: hits waiting for review and the hotlists in force."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from rtcc.decorators import requires
from rtcc.roles import Capability

from .models import Hit, Hotlist


@requires(Capability.VIEW_PLATES)
def overview(request):
    now = timezone.now()
    hits = Hit.objects.select_related("plate_read__camera", "hotlist").order_by("-created_at")[:50]
    hotlists = Hotlist.objects.filter(active=True).annotate(
        live_entries=Count("entries", filter=Q(entries__expires_at__isnull=True) | Q(entries__expires_at__gt=now))
    )
    return render(request, "plates/overview.html", {"hits": hits, "hotlists": hotlists})
