"""Camera pages: the list with health, and one camera's detail."""

from django.shortcuts import get_object_or_404, render

from rtcc.decorators import requires
from rtcc.roles import Capability

from .choices import CameraKind, CameraStatus
from .models import Camera


@requires(Capability.VIEW_CAMERAS)
def camera_list(request):
    cameras = Camera.objects.all()
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if status in CameraStatus.values:
        cameras = cameras.filter(status=status)
    if kind in CameraKind.values:
        cameras = cameras.filter(kind=kind)
    return render(
        request,
        "cameras/list.html",
        {
            "cameras": cameras,
            "statuses": CameraStatus.choices,
            "kinds": CameraKind.choices,
            "status": status,
            "kind": kind,
        },
    )


@requires(Capability.VIEW_CAMERAS)
def camera_detail(request, pk):
    camera = get_object_or_404(Camera, pk=pk)
    return render(request, "cameras/detail.html", {"camera": camera, "events": camera.status_events.all()[:50]})
