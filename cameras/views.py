"""Camera pages: the list, the wall of live pictures, one camera's detail, snapshots, live MJPEG and replays."""

import asyncio
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.contrib import messages
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rtcc import audit
from rtcc.decorators import requires
from rtcc.roles import Capability, can

from . import recording, selectors, services
from .choices import CameraKind, CameraStatus
from .models import Camera
from .sources import StreamError, probe
from .tasks import pull_recording

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
    buffered = recording.buffer_span(camera.pk) if camera.kind == CameraKind.CITY else None
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
        "source": selectors.source_description(camera),
        "may_open_incident": can(request.user, Capability.VIEW_INCIDENTS),
        "may_keep_footage": can(request.user, Capability.REVIEW_FOOTAGE),
        "buffered": buffered,
        "replay_minutes": selectors.replay_choices(buffered),
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


def _replay_window(request, camera):
    """The last N minutes asked for (N one of the offered lengths), as (start, end); Http404 otherwise."""
    try:
        minutes = int(request.GET.get("minutes") or request.POST.get("minutes") or 0)
    except ValueError:
        minutes = 0
    if camera.kind != CameraKind.CITY or minutes not in selectors.REPLAY_MINUTES:
        raise Http404("No such replay.")
    end = timezone.now()
    return end - timedelta(minutes=minutes), end


@requires(Capability.VIEW_CAMERAS)
@never_cache
def camera_replay(request, pk):
    """The recording buffer's last minutes as a browser-playable MP4, cut now and kept nowhere (audited)."""
    camera = get_object_or_404(Camera, pk=pk)
    start, end = _replay_window(request, camera)
    clip = tempfile.NamedTemporaryFile(suffix=".mp4")  # noqa: SIM115 - closed (and so deleted) by the response
    try:
        _, clip_start, clip_end, _ = recording.cut_window(camera, start=start, end=end, out=Path(clip.name))
    except recording.NoFootage as exc:
        clip.close()
        return HttpResponse(str(exc), status=404, content_type="text/plain")
    except recording.PullFailed as exc:
        clip.close()
        return HttpResponse(str(exc), status=503, content_type="text/plain")
    audit.record(
        actor=request.user,
        action="camera.replay",
        obj=camera,
        request=request,
        details={"from": clip_start.isoformat(), "until": clip_end.isoformat()},
    )
    clip.seek(0)
    return FileResponse(clip, content_type="video/mp4")


@requires(Capability.REVIEW_FOOTAGE)
@require_POST
def camera_keep_recent(request, pk):
    """Pull the buffer's last minutes into the footage library, before they roll off (queued; a notice follows)."""
    camera = get_object_or_404(Camera, pk=pk)
    start, end = _replay_window(request, camera)
    pull_recording.delay(camera.pk, start.isoformat(), end.isoformat(), request.user.pk, None)
    messages.success(
        request,
        f"Keeping {camera.name} from {timezone.localtime(start):%H:%M:%S} to {timezone.localtime(end):%H:%M:%S}: "
        "it appears in the footage library in a moment (a notice comes when it is ready).",
    )
    return redirect("cameras:detail", pk=pk)
