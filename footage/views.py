"""The video technicians' workspace: the footage library, one clip's page, playback and the actions on a clip.

Views are thin doors onto footage.library, .services, .evidence, .redaction and
cameras.recording. Every page needs REVIEW_FOOTAGE (technicians, supervisors); showing
or exporting plates read in footage is written to the audit log.
"""

import re
from datetime import datetime
from pathlib import PurePath

import cv2
from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cameras import recording
from cameras.models import Camera
from cameras.tasks import pull_recording
from cameras.video_types import VIDEO_SUFFIXES, is_video_name, listed, video_mime
from incidents.models import Incident
from plates.selectors import visible_hotlist_matches
from rtcc import audit
from rtcc.decorators import requires
from rtcc.http import record_id, wants_json
from rtcc.roles import Capability

from . import evidence, services
from .choices import AnalysisKind, ClipSource, CustodyAction, JobStatus
from .library import ClipTooLarge, custody, describe, local_path, playback_clip, store_clip, verify_clip, viewed
from .models import AnalysisJob, ClipBookmark, ClipPlate, EvidenceExport, FootageClip
from .redaction import METHODS, parse_regions

THUMBNAILS = 12
CHUNK = 256 * 1024


def _incidents():
    return Incident.objects.order_by("-created_at")[:100]


# --- The library ------------------------------------------------------------------


@requires(Capability.REVIEW_FOOTAGE)
def library(request):
    clips = FootageClip.objects.select_related("camera", "incident", "created_by")
    source = request.GET.get("source", "")
    camera_id = request.GET.get("camera", "")
    incident_id = request.GET.get("incident", "")
    query = request.GET.get("q", "").strip()
    if source in ClipSource.values:
        clips = clips.filter(source=source)
    if record_id(camera_id) is not None:
        clips = clips.filter(camera_id=record_id(camera_id))
    if record_id(incident_id) is not None:
        clips = clips.filter(incident_id=record_id(incident_id))
    if query:
        clips = clips.filter(title__icontains=query) | clips.filter(sha256__startswith=query.lower())
    page = Paginator(clips, 50).get_page(request.GET.get("page"))
    buffers = []
    for camera in recording.recordable_cameras().select_related("recording_lease")[:500]:
        span = recording.buffer_span(camera.pk)
        if span:
            buffers.append({"camera": camera, "start": span[0], "end": span[1]})
    context = {
        "page": page,
        "sources": ClipSource.choices,
        "source": source,
        "camera_id": camera_id,
        "incident_id": incident_id,
        "query": query,
        "cameras": Camera.objects.order_by("name"),
        "incidents": _incidents(),
        "buffers": buffers,
        "recording_enabled": settings.RTCC_RECORDING_ENABLED,
        "recording_minutes": settings.RTCC_RECORDING_MINUTES,
        "max_upload_mb": settings.RTCC_FOOTAGE_UPLOAD_MAX_MB,
        "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    return render(request, "footage/library.html", context)


@requires(Capability.REVIEW_FOOTAGE)
@require_POST
def upload(request):
    """A staff upload: kept byte for byte as received (it is evidence), hashed on intake."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a video file to upload.")
        return redirect("footage:library")
    if not is_video_name(upload.name):
        messages.error(request, f"{upload.name} is not a video file we accept ({listed(VIDEO_SUFFIXES)}).")
        return redirect("footage:library")
    limit = settings.RTCC_FOOTAGE_UPLOAD_MAX_MB * 1024 * 1024
    if upload.size > limit:
        messages.error(request, f"{upload.name} is larger than the {settings.RTCC_FOOTAGE_UPLOAD_MAX_MB} MB allowed.")
        return redirect("footage:library")
    camera = Camera.objects.filter(pk=record_id(request.POST.get("camera"))).first()
    incident = Incident.objects.filter(pk=record_id(request.POST.get("incident"))).first()
    note = request.POST.get("note", "").strip()[:500]
    try:
        clip = store_clip(
            upload,
            name=upload.name,
            title=request.POST.get("title", "").strip()[:200],
            clip_source=ClipSource.MANUAL_UPLOAD,
            actor=request.user,
            camera=camera,
            incident=incident,
            max_bytes=limit,
            content_type=upload.content_type or "",
            client_address=audit.client_address(request),
            custody_action=CustodyAction.RECEIVED,
            detail=f"Uploaded by staff from {upload.name}" + (f": {note}" if note else ""),
        )
    except ClipTooLarge as exc:
        messages.error(request, str(exc))
        return redirect("footage:library")
    if describe(clip) is None:
        messages.warning(
            request,
            f"Stored {clip.title} (sha256 {clip.sha256[:16]}…) as received, but it is not a readable video: "
            "playback and analysis will fail. Ask the sender for another copy.",
        )
    else:
        messages.success(request, f"Stored {clip.title}: sha256 {clip.sha256[:16]}…")
    return redirect("footage:clip", pk=clip.pk)


def _local_datetime(value, field):
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field} is not a date and time.") from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@requires(Capability.REVIEW_FOOTAGE)
@require_POST
def pull(request):
    """Queue pulling a window of a camera's recording buffer into the library."""
    camera = Camera.objects.filter(pk=record_id(request.POST.get("camera"))).first()
    try:
        if camera is None:
            raise ValueError("Choose a camera.")
        start = _local_datetime(request.POST.get("start"), "Start")
        end = _local_datetime(request.POST.get("end"), "End")
        if end <= start:
            raise ValueError("The end of the window must be after its start.")
        if (end - start).total_seconds() > recording.MAX_PULL_SECONDS:
            raise ValueError(f"A clip may span at most {recording.MAX_PULL_SECONDS // 3600} hours; pull it in parts.")
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("footage:library")
    incident = Incident.objects.filter(pk=record_id(request.POST.get("incident"))).first()
    pull_recording.delay(
        camera.pk, start.isoformat(), end.isoformat(), request.user.pk, incident.pk if incident else None
    )
    messages.success(
        request,
        f"Pulling {camera.name} from {timezone.localtime(start):%H:%M:%S} to {timezone.localtime(end):%H:%M:%S}: "
        "it appears in the library in a moment (a notice comes when it is ready).",
    )
    return redirect("footage:library")


# --- One clip -----------------------------------------------------------------------


def _thumb_times(clip):
    if not clip.duration_seconds:
        return []
    step = clip.duration_seconds / THUMBNAILS
    return [{"n": n, "t": round(step * (n + 0.5), 3)} for n in range(THUMBNAILS)]


@requires(Capability.REVIEW_FOOTAGE)
def clip_detail(request, pk):
    clip = get_object_or_404(FootageClip.objects.select_related("camera", "incident", "derived_from"), pk=pk)
    info = describe(clip) if clip.duration_seconds is None else True
    playable = playback_clip(clip)
    jobs = list(clip.jobs.select_related("created_by")[:20])
    plate_job = next((j for j in jobs if j.kind == AnalysisKind.PLATES and j.status == JobStatus.DONE), None)
    plates = list(plate_job.plates.all()) if plate_job else []
    for p in plates:  # shown, never saved: matches on a covert list only for those who may see that list
        p.hotlist_matches = visible_hotlist_matches(p.hotlist_matches, request.user)
    if plates:
        audit.record(
            actor=request.user,
            action="footage.plates.view",
            obj=clip,
            request=request,
            details={"job_id": plate_job.pk, "plates": [p.plate for p in plates]},
        )
    running = next((j for j in jobs if not j.finished), None)
    context = {
        "clip": clip,
        "readable": info is not None,
        "playable": playable,
        "transcoding": next((j for j in jobs if j.kind == AnalysisKind.TRANSCODE and not j.finished), None),
        "jobs": jobs,
        "running": running,
        "plate_job": plate_job,
        "plates": plates,
        "bookmarks": clip.bookmarks.select_related("created_by"),
        "custody": clip.custody.all(),
        "derivatives": clip.derivatives.all(),
        "exports": clip.exports.select_related("created_by")[:10],
        "thumbs": _thumb_times(clip),
        "methods": METHODS,
    }
    return render(request, "footage/clip.html", context)


def _offset(digits):
    # Past 18 digits a number is beyond any file; int() of thousands of digits raises instead.
    return int(digits) if len(digits) <= 18 else 10**18


def _ranges(header, size):
    match = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", header or "")
    if not match or not (match[1] or match[2]):
        return None
    if match[1]:
        start = _offset(match[1])
        end = min(_offset(match[2]), size - 1) if match[2] else size - 1
    else:
        start, end = max(0, size - _offset(match[2])), size - 1
    return start, end


def _stream(handle, start, length):
    try:
        handle.seek(start)
        while length > 0:
            block = handle.read(min(CHUNK, length))
            if not block:
                break
            length -= len(block)
            yield block
    finally:
        handle.close()


def ranged_response(request, fieldfile, content_type, *, filename=None):
    """Serve a stored file with HTTP Range support (206 Partial Content), as <video> seeking needs."""
    size = fieldfile.size
    wanted = _ranges(request.headers.get("Range"), size)
    handle = fieldfile.open("rb")
    if wanted is None:
        response = StreamingHttpResponse(_stream(handle, 0, size), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        if start >= size or start > end:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = StreamingHttpResponse(_stream(handle, start, end - start + 1), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@requires(Capability.REVIEW_FOOTAGE)
def clip_video(request, pk):
    clip = get_object_or_404(FootageClip, pk=pk)
    viewed(clip, request.user, client_address=audit.client_address(request))
    content_type = clip.content_type if clip.content_type.startswith("video/") else video_mime(clip.file.name)
    return ranged_response(request, clip.file, content_type)


@requires(Capability.REVIEW_FOOTAGE)
def clip_download(request, pk):
    clip = get_object_or_404(FootageClip, pk=pk)
    custody(
        clip,
        CustodyAction.DOWNLOADED,
        actor=request.user,
        detail="Downloaded",
        client_address=audit.client_address(request),
    )
    name = PurePath(clip.original_name or clip.file.name).name.replace('"', "")
    return ranged_response(request, clip.file, "application/octet-stream", filename=name)


@requires(Capability.REVIEW_FOOTAGE)
def clip_thumbnail(request, pk, n):
    """One frame along the clip's timeline, as a small JPEG cached in storage."""
    clip = get_object_or_404(FootageClip, pk=pk)
    if clip.duration_seconds is None:
        describe(clip)
    times = _thumb_times(clip)
    if n >= len(times):
        raise Http404("No such thumbnail.")
    name = f"footage/thumbs/{clip.pk}/{n:02d}.jpg"
    if not default_storage.exists(name):
        with local_path(clip) as path:
            capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
            capture.set(cv2.CAP_PROP_POS_MSEC, times[n]["t"] * 1000)
            ok, frame = capture.read()
            capture.release()
        if not ok:
            raise Http404("This part of the clip cannot be decoded.")
        height, width = frame.shape[:2]
        frame = cv2.resize(frame, (240, max(1, int(height * 240 / width))), interpolation=cv2.INTER_AREA)
        default_storage.save(
            name, ContentFile(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())
        )
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@requires(Capability.REVIEW_FOOTAGE)
def plate_crop(request, pk):
    plate = get_object_or_404(ClipPlate, pk=pk)
    if not plate.crop:
        raise Http404("No picture of this plate.")
    response = FileResponse(plate.crop.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- Jobs -----------------------------------------------------------------------------


@requires(Capability.REVIEW_FOOTAGE)
@require_POST
def job_start(request, pk):
    clip = get_object_or_404(FootageClip, pk=pk)
    kind = request.POST.get("kind", "")
    if kind not in (AnalysisKind.PLATES, AnalysisKind.TRANSCODE):
        return _answer(request, clip, error=f"Unknown job {kind!r}.")
    busy = clip.jobs.filter(kind=kind, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()
    if busy:
        return _answer(request, clip, job=busy, note="Already running.")
    job = services.job_create(clip=clip, kind=kind, actor=request.user)
    return _answer(request, clip, job=job)


def _answer(request, clip, *, job=None, error="", note=""):
    if wants_json(request):
        if error:
            return JsonResponse({"error": error}, status=400)
        return JsonResponse({**job.as_progress(), "note": note, "status_url": reverse("footage:job", args=[job.pk])})
    if error:
        messages.error(request, error)
    elif note:
        messages.info(request, note)
    return redirect("footage:clip", pk=clip.pk)


@requires(Capability.REVIEW_FOOTAGE)
def job_status(request, pk):
    """A job's progress; a finished plate job also lists its plates (audited: it is plate data)."""
    job = get_object_or_404(AnalysisJob, pk=pk)
    body = job.as_progress()
    if job.kind == AnalysisKind.PLATES and job.status == JobStatus.DONE:
        plates = list(job.plates.all())
        body["plates"] = [
            {
                "id": p.pk,
                "plate": p.plate,
                "confidence": p.confidence,
                "first_seconds": p.first_seconds,
                "best_seconds": p.best_seconds,
                "last_seconds": p.last_seconds,
                "crop_url": reverse("footage:plate-crop", args=[p.pk]) if p.crop else "",
                "hotlist_matches": visible_hotlist_matches(p.hotlist_matches, request.user),
            }
            for p in plates
        ]
        audit.record(
            actor=request.user,
            action="footage.plates.view",
            obj=job.clip,
            request=request,
            details={"job_id": job.pk, "plates": [p.plate for p in plates]},
        )
    return JsonResponse(body)


@requires(Capability.REVIEW_FOOTAGE)
@require_POST
def bookmark_add(request, pk):
    clip = get_object_or_404(FootageClip, pk=pk)
    note = request.POST.get("note", "").strip()
    try:
        at = float(request.POST.get("at_seconds", ""))
    except ValueError:
        at = -1
    if not note:
        messages.error(request, "Write a note for the bookmark.")
    elif at < 0 or (clip.duration_seconds and at > clip.duration_seconds + 1):
        messages.error(request, "The bookmark's time is not inside the clip.")
    else:
        ClipBookmark.objects.create(clip=clip, at_seconds=round(at, 3), note=note[:500], created_by=request.user)
        custody(clip, CustodyAction.NOTE, actor=request.user, detail=f"Bookmark at {at:.2f} s: {note[:300]}")
        messages.success(request, f"Bookmark added at {at:.2f} s.")
    return redirect(reverse("footage:clip", args=[pk]) + "#bookmarks")


@requires(Capability.REVIEW_FOOTAGE)
@require_POST
def export(request, pk):
    clip = get_object_or_404(FootageClip, pk=pk)
    try:
        made = evidence.export_create(
            clip=clip, reason=request.POST.get("reason", ""), actor=request.user, request=request
        )
    except evidence.EvidenceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Evidence package ready: sha256 {made.sha256[:16]}… (download below).")
    return redirect(reverse("footage:clip", args=[pk]) + "#export")


@requires(Capability.REVIEW_FOOTAGE)
def export_download(request, pk):
    made = get_object_or_404(EvidenceExport, pk=pk)
    audit.record(
        actor=request.user, action="footage.export.download", obj=made.clip, request=request, reason=made.reason
    )
    return ranged_response(request, made.file, "application/zip", filename=f"evidence-clip{made.clip_id}-{made.pk}.zip")


@requires(Capability.REVIEW_FOOTAGE)
@require_POST
def redact(request, pk):
    clip = get_object_or_404(FootageClip, pk=pk)
    method = request.POST.get("method", "blur")
    faces = request.POST.get("faces") == "on"
    try:
        regions = parse_regions(request.POST.get("regions", ""), width=clip.width, height=clip.height)
        if method not in METHODS:
            raise ValueError(f"Choose {' or '.join(METHODS)}.")
        if not faces and not regions:
            raise ValueError("Nothing to redact: tick faces, list regions, or both.")
    except ValueError as exc:
        messages.error(request, f"Redaction not started: {exc}")
        return redirect(reverse("footage:clip", args=[pk]) + "#redact")
    services.job_create(
        clip=clip,
        kind=AnalysisKind.REDACT,
        actor=request.user,
        options={"faces": faces, "regions": [r.as_dict() for r in regions], "method": method},
    )
    messages.success(request, "Redaction started: the redacted copy appears under Derived copies when it is done.")
    return redirect("footage:clip", pk=pk)


@requires(Capability.REVIEW_FOOTAGE)
@require_POST
def verify(request, pk):
    clip = get_object_or_404(FootageClip, pk=pk)
    if verify_clip(clip, actor=request.user):
        messages.success(request, "The stored file matches the hash taken at intake.")
    else:
        messages.error(request, "HASH MISMATCH: the stored file differs from intake. Tell a supervisor now.")
    return redirect(reverse("footage:clip", args=[pk]) + "#custody")
