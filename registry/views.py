"""Registry pages for staff: registered sites (no owner data here) and footage requests."""

from django.db.models import Count
from django.shortcuts import render

from rtcc.decorators import requires
from rtcc.roles import Capability

from .choices import SiteStatus
from .models import FootageRequest, RegisteredSite


@requires(Capability.VIEW_REGISTRY)
def sites(request):
    visible = (
        RegisteredSite.objects.exclude(status=SiteStatus.UNCONFIRMED)
        .annotate(camera_count=Count("cameras"))
        .only("id", "address", "business_name", "status", "latitude", "longitude", "created_at")
    )
    return render(request, "registry/sites.html", {"sites": visible})


@requires(Capability.REVIEW_FOOTAGE)
def footage(request):
    requests_ = FootageRequest.objects.select_related("incident", "registered_camera__site").order_by("-created_at")[
        :100
    ]
    return render(request, "registry/footage.html", {"footage_requests": requests_})
