"""Camera pages: the list, the wall of live pictures, one camera's detail, snapshots and live MJPEG."""

import asyncio
import time

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rtcc.decorators import requires
from rtcc.roles import Capability

from . import selectors, services
from .choices import CameraKind, CameraStatus
from .models import Camera
from .sources import StreamError, probe

MJPEG_BOUNDARY = "rtccsnapshot"
MJPEG_MAX_SECONDS = 15 * 60


def _filtered(request):
    cameras = Camera.objects.all()
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if status in CameraStatus.values:
        cameras = cameras.filter(status=status)
    if kind in CameraKind.values:
        cameras = cameras.filter(kind=kind)
    return cameras, {"statuses": CameraStatus.choices, "kinds": CameraKind.choices, "status": status, "kind": kind}


@requires(Capability.VIEW_CAMERAS)
def camera_list(request):
    cameras, filters = _filtered(request)
    return render(request, "cameras/list.html", {"cameras": cameras, **filters})


@requires(Capability.VIEW_CAMERAS)
def camera_wall(request):
    cameras, filters = _filtered(request)
    cameras = cameras.exclude(stream_url="")
    return render(request, "cameras/wall.html", {"cameras": cameras, **filters})


@requires(Capability.VIEW_CAMERAS)
def camera_detail(request, pk):
    camera = get_object_or_404(Camera, pk=pk)
    history = [
        {
            "label": label,
            "uptime": selectors.uptime(camera, days=days),
            "segments": selectors.history_segments(camera, days=days),
        }
        for label, days in (("Last 24 hours", 1), ("Last 7 days", 7))
    ]
    context = {
        "camera": camera,
        "events": camera.status_events.all()[:50],
        "history": history,
        "sessions": camera.capture_sessions.all()[:10],
    }
    return render(request, "cameras/detail.html", context)


@requires(Capability.VIEW_CAMERAS)
@require_POST
def camera_test_stream(request, pk):
    """Open the stream now and read a few frames, with timeouts: the operator's 'is it working?' button."""
    camera = get_object_or_404(Camera, pk=pk)
    messages_for(request, camera)
    return redirect("cameras:detail", pk=pk)


def messages_for(request, camera):
    if not camera.stream_url:
        messages.warning(request, f"{camera.name} has no stream URL to test.")
        return
    try:
        result = probe(camera.stream_url)
    except StreamError as exc:
        messages.error(request, f"{camera.name}: {exc}")
        return
    messages.success(
        request,
        f"{camera.name}: stream works – {result['width']}×{result['height']}, opened in {result['open_ms']} ms, "
        f"{result['fps'] or '?'} frames per second.",
    )


@requires(Capability.VIEW_CAMERAS)
@never_cache
def camera_snapshot(request, pk):
    if not Camera.objects.filter(pk=pk).exists():
        raise Http404("No such camera.")
    latest = services.snapshot_latest(pk)
    if latest is None:
        return HttpResponse("No recent picture from this camera.", status=404, content_type="text/plain")
    taken_at, jpeg = latest
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["X-Snapshot-Taken-At"] = taken_at
    return response


@requires(Capability.VIEW_CAMERAS)
@never_cache
def camera_live(request, pk):
    """Live MJPEG from the latest snapshots (served asynchronously: an open view holds no worker thread)."""
    if not Camera.objects.filter(pk=pk).exists():
        raise Http404("No such camera.")
    key = services.snapshot_key(pk)

    async def frames():
        last = None
        deadline = time.monotonic() + MJPEG_MAX_SECONDS
        while time.monotonic() < deadline:
            latest = await cache.aget(key)
            if latest is not None and latest[0] != last:
                last, jpeg = latest
                yield (
                    f"--{MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n".encode()
                    + jpeg
                    + b"\r\n"
                )
            await asyncio.sleep(0.25)

    return StreamingHttpResponse(frames(), content_type=f"multipart/x-mixed-replace; boundary={MJPEG_BOUNDARY}")
