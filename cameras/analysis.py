"""Analysis jobs on footage: read every plate in a clip, make a browser-playable copy, redact a copy.

A job is a row (`AnalysisJob`); the Celery task `cameras.tasks.run_footage_job`
claims it with a conditional UPDATE (queued -> running), so a job runs once even
if its task is delivered twice, then calls `job_run`. Progress goes to the row
and, throttled, to the websocket of the person who started it; the end (done or
failed, with a message a technician can act on) goes to every technician. A job
that fails never stops the worker: the next job runs.
"""

import logging
import subprocess
import tempfile
import time
from pathlib import Path

import cv2
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from plates.pipeline import crop_jpeg
from rtcc import realtime
from rtcc.roles import Role, staff_group, user_group

from .choices import AnalysisKind, ClipSource, CustodyAction, Derivation, JobStatus
from .footage import BROWSER_H264, VideoUnreadable, custody, local_path, probe, store_clip
from .models import AnalysisJob, ClipPlate

log = logging.getLogger(__name__)

PROGRESS_STEP = 5  # percent
PROGRESS_SECONDS = 1.0
VIDEO_RETRY_OFF = {"ppocr", "crnn", "ensemble"}


class JobFailed(Exception):
    """The job cannot go on; the message is shown to the technician as it is."""


UNREADABLE = (
    "The clip could not be decoded as video: the file is corrupt, truncated or in a format ffmpeg cannot read. "
    "The stored original is unchanged; ask the sender for another copy."
)


# --- Creating and running jobs ---------------------------------------------------


def job_create(*, clip, kind: str, actor=None, options: dict | None = None) -> AnalysisJob:
    """Queue a job on a clip; its task is sent once the row is committed."""
    if kind not in AnalysisKind.values:
        raise ValueError(f"Unknown job kind {kind!r}.")
    with transaction.atomic():
        job = AnalysisJob.objects.create(
            clip=clip,
            kind=kind,
            options=options or {},
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            message="Waiting for a worker",
        )
        _publish(job, "footage.job.progress", f"{job.get_kind_display()} queued for clip {clip.pk}")
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id):
    from .tasks import run_footage_job

    run_footage_job.delay(job_id)


def job_run(job_id: int, *, worker: str = "") -> AnalysisJob | None:
    """Run a queued job to its end; None if another worker has it (or it already ran)."""
    claimed = AnalysisJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker=worker[:200], message="Starting"
    )
    if not claimed:
        return None
    job = AnalysisJob.objects.select_related("clip", "created_by").get(pk=job_id)
    progress = Progress(job)
    try:
        RUNNERS[job.kind](job, progress)
    except JobFailed as exc:
        return _finish(job, JobStatus.FAILED, str(exc))
    except VideoUnreadable:
        return _finish(job, JobStatus.FAILED, UNREADABLE)
    except Exception as exc:  # the worker must go on with the next job, and the technician must know
        log.exception("footage job %s failed", job.pk)
        return _finish(
            job, JobStatus.FAILED, f"The job stopped on an unexpected error ({exc.__class__.__name__}: {exc})."
        )
    return _finish(job, JobStatus.DONE, job.message)


def _finish(job, status, message):
    job.status = status
    job.message = (message or "")[:500]
    job.finished_at = timezone.now()
    if status == JobStatus.DONE:
        job.progress = 100
    job.save(
        update_fields=[
            "status",
            "message",
            "finished_at",
            "progress",
            "frames_analysed",
            "seconds_of_video",
            "result_clip",
        ]
    )
    verb = "finished" if status == JobStatus.DONE else "FAILED"
    _publish(
        job,
        "footage.job.done" if status == JobStatus.DONE else "footage.job.failed",
        f"{job.get_kind_display()} on clip {job.clip_id} {verb}: {job.message}",
        group=staff_group(Role.TECHNICIAN),
        severity="info" if status == JobStatus.DONE else "warning",
    )
    return job


def _publish(job, kind, summary, *, group=None, severity="info"):
    group = group or (user_group(job.created_by_id) if job.created_by_id else staff_group(Role.TECHNICIAN))
    realtime.publish(group=group, kind=kind, summary=summary, data=job.as_progress(), severity=severity)


class Progress:
    """Report a job's progress: to its row and its starter's screen, at most every 5 % or once a second."""

    def __init__(self, job):
        self.job = job
        self.sent_percent = -PROGRESS_STEP
        self.sent_at = 0.0

    def __call__(self, fraction: float, message: str = "", force: bool = False):
        percent = max(0, min(99, int(fraction * 100)))
        now = time.monotonic()
        if not force and percent < self.sent_percent + PROGRESS_STEP and now - self.sent_at < PROGRESS_SECONDS:
            return
        if not force and percent == self.sent_percent:
            return
        self.sent_percent, self.sent_at = percent, now
        self.job.progress = percent
        if message:
            self.job.message = message[:500]
        AnalysisJob.objects.filter(pk=self.job.pk).update(
            progress=percent, message=self.job.message, frames_analysed=self.job.frames_analysed
        )
        _publish(
            self.job, "footage.job.progress", f"{self.job.get_kind_display()} on clip {self.job.clip_id}: {percent} %"
        )


# --- Reading plates ------------------------------------------------------------------


def _reader():
    from plates.alpr import get_reader
    from plates.alpr.engines import engine_name

    region = settings.RTCC_PLATE_REGION
    extra = {"retry_below": 0} if engine_name(None) in VIDEO_RETRY_OFF else {}
    return get_reader(None, region=None if region == "none" else region, **extra)


def hotlist_matches(plate: str, *, viewer=None) -> list[dict]:
    """The live hotlist entries a plate found in footage matches, read-only (no Hit rows, no alerts).

    An owner-only hotlist counts only for its owner (as its hits do).
    """
    from plates.matching import current_index
    from plates.models import Hotlist, HotlistEntry

    matches = current_index().match(plate, at=timezone.now())
    if not matches:
        return []
    hotlists = Hotlist.objects.in_bulk({m.entry.hotlist_id for m in matches})
    entries = HotlistEntry.objects.in_bulk({m.entry.entry_id for m in matches})
    found = []
    for match in matches:
        hotlist, entry = hotlists.get(match.entry.hotlist_id), entries.get(match.entry.entry_id)
        if hotlist is None or entry is None or not hotlist.active:
            continue
        if not hotlist.is_visible_to(viewer):
            continue
        found.append(
            {
                "hotlist": hotlist.name,
                "hotlist_id": hotlist.pk,
                "priority": hotlist.priority,
                "entry_id": entry.pk,
                "matched_plate": entry.plate,
                "match_kind": match.kind,
                "reason": entry.reason,
                "vehicle": entry.vehicle_description,
            }
        )
    return sorted(found, key=lambda m: m["priority"])


KEYFRAME_SECONDS = 2.0  # read a still scene at least this often (slow changes: light, a parked car)


class MotionGate:
    """Says whether a sampled frame differs enough from the previous one to be worth reading.

    Frames are compared small, grey and blurred (sensor noise and compression shimmer do not count);
    a frame is read when enough of it changed, while a plate is being followed, and every `every`
    sampled frames regardless.
    """

    SIZE = (160, 90)
    LEVEL = 14  # grey levels a pixel must change by
    SHARE = 0.002  # share of pixels that must change (a distant car entering is a few dozen pixels)

    def __init__(self, every: int):
        self.every = every
        self.previous = None
        self.since = 0

    def worth_reading(self, frame, *, following: bool) -> bool:
        small = cv2.GaussianBlur(
            cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), self.SIZE, interpolation=cv2.INTER_AREA), (5, 5), 0
        )
        previous, self.previous = self.previous, small
        moved = previous is None or (
            cv2.countNonZero(cv2.threshold(cv2.absdiff(small, previous), self.LEVEL, 255, cv2.THRESH_BINARY)[1])
            > self.SHARE * small.size
        )
        self.since += 1
        if moved or following or self.since >= self.every:
            self.since = 0
            return True
        return False


def read_plates(job, progress):
    """Every plate that passes in the clip, with the time of its clearest reading, a crop and hotlist matches."""
    from plates.alpr import PlateTracker

    clip = job.clip
    reader = _reader()
    tracker = PlateTracker()
    with local_path(clip) as path:
        capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        if not capture.isOpened():
            capture.release()
            raise JobFailed(UNREADABLE)
        try:
            fps = capture.get(cv2.CAP_PROP_FPS)
            fps = fps if fps and 1 <= fps <= 240 else (clip.fps or 25.0)
            total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            if total <= 0 and clip.duration_seconds:
                total = int(clip.duration_seconds * fps)
            stride = max(1, round(fps / settings.RTCC_FOOTAGE_ANALYSIS_FPS))
            gate = (
                MotionGate(every=max(1, round(KEYFRAME_SECONDS * fps / stride)))
                if settings.RTCC_FOOTAGE_MOTION_GATE
                else None
            )
            sightings = {}
            found = []
            index = sampled = analysed = 0

            def keep(results):
                for result in results:
                    seen_at, crop = sightings.get(id(result.best), (result.first_frame * stride / fps, None))
                    found.append((result, seen_at, crop))
                live = {id(r) for track in tracker._tracks for _, r in track.readings}
                for key in [k for k in sightings if k not in live]:
                    del sightings[key]

            while True:
                if index % stride:
                    if not capture.grab():
                        break
                    index += 1
                    continue
                ok, frame = capture.read()
                if not ok or frame is None:
                    break
                seconds = index / fps
                readings = []
                # A still scene with no plate being followed has nothing new to read: skip the reader.
                if gate is None or gate.worth_reading(frame, following=bool(tracker._tracks)):
                    try:
                        readings = reader.read(frame)
                    except ValueError:
                        readings = []
                    analysed += 1
                for reading in readings:
                    sightings[id(reading)] = (seconds, crop_jpeg(frame, reading.box))
                keep(tracker.update(readings, frame_index=sampled))
                sampled += 1
                index += 1
                job.frames_analysed = analysed
                if total:
                    progress(index / total, f"Reading plates: {index / fps:.0f} s of {total / fps:.0f} s")
            keep(tracker.flush())
        finally:
            capture.release()
    if index == 0:
        raise JobFailed(UNREADABLE)
    job.seconds_of_video = index / fps
    plates = [_store_plate(job, result, seen_at, crop, stride, fps) for result, seen_at, crop in found]
    on_hotlist = sum(1 for p in plates if p.hotlist_matches)
    message = f"{len(plates)} plate{'s' if len(plates) != 1 else ''} found in {index / fps:.1f} s of video"
    if on_hotlist:
        message += f", {on_hotlist} on a hotlist"
    if total and index < total * 0.9:
        message += f" (decoding stopped at {index / fps:.1f} s of {total / fps:.1f} s: the file may be damaged)"
    job.message = message
    custody(
        clip,
        CustodyAction.ANALYSED,
        actor=job.created_by,
        detail=f"Plate reading (job {job.pk}): {message}; {analysed} frames analysed",
        data={"job_id": job.pk, "plates": len(plates)},
    )


def _store_plate(job, result, seen_at, crop, stride, fps):
    plate = ClipPlate(
        job=job,
        clip=job.clip,
        plate=result.text[:16],
        plate_raw=(result.best.raw_text or "")[:32],
        confidence=round(result.confidence, 4),
        first_seconds=round(result.first_frame * stride / fps, 3),
        last_seconds=round(max(result.last_frame * stride / fps, result.first_frame * stride / fps), 3),
        best_seconds=round(seen_at, 3),
        readings=result.hits,
        box={"x": result.box.x, "y": result.box.y, "w": result.box.w, "h": result.box.h},
        alternatives=[[text, round(score, 3)] for text, score in result.alternatives],
        hotlist_matches=hotlist_matches(result.text, viewer=job.created_by),
    )
    if crop:
        plate.crop.save(f"clip{job.clip_id}-job{job.pk}-{result.text[:16]}.jpg", ContentFile(crop), save=False)
    plate.save()
    return plate


# --- Browser-playable copies -------------------------------------------------------------


def ffmpeg_encode(args_in: list[str], out: Path, *, duration: float | None, progress, label: str):
    """Run ffmpeg to an H.264 MP4, reporting progress from its `-progress` output."""
    command = [
        settings.RTCC_FFMPEG,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        *args_in,
        "-map",
        "0:v:0",
        *BROWSER_H264,
        "-progress",
        "pipe:1",
        "-nostats",
        "-y",
        str(out),
    ]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        for line in process.stdout:
            key, _, value = line.strip().partition("=")
            if key == "out_time_us" and duration and value.isdigit():
                done = int(value) / 1e6
                progress(done / duration, f"{label}: {done:.0f} s of {duration:.0f} s")
        process.wait()
        errors.seek(0)
        tail = errors.read().decode(errors="replace").strip()[-300:]
    if process.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise JobFailed(f"{UNREADABLE} (ffmpeg: {tail or 'no output'})")


def transcode(job, progress):
    clip = job.clip
    with local_path(clip) as path, tempfile.TemporaryDirectory(prefix="rtcc-transcode-") as work:
        info = probe(path)
        out = Path(work) / "playable.mp4"
        ffmpeg_encode(["-i", str(path)], out, duration=info.duration, progress=progress, label="Transcoding")
        made = probe(out)
        copy = store_derived(
            clip,
            out,
            derivation=Derivation.TRANSCODE,
            actor=job.created_by,
            info=made,
            detail=f"Browser-playable H.264 copy of clip {clip.pk} (intake sha256 {clip.sha256}), made by job {job.pk}",
        )
    job.result_clip = copy
    job.message = f"Browser-playable copy ready ({made.duration or 0:.1f} s, {made.width}x{made.height})"


def store_derived(clip, path, *, derivation, actor, info, detail, title_prefix=""):
    """Store a derived copy as a clip of its own (never touching the original) and note it in both chains."""
    label = Derivation(derivation).label
    copy = store_clip(
        path,
        name=f"clip{clip.pk}-{derivation}.mp4",
        title=f"{title_prefix or label}: {clip.title}"[:200],
        clip_source=ClipSource.DERIVED,
        derived_from=clip,
        derivation=derivation,
        actor=actor,
        camera=clip.camera,
        incident=clip.incident,
        started_at=clip.started_at,
        ended_at=clip.ended_at,
        content_type="video/mp4",
        detail=detail,
        duration_seconds=info.duration,
        width=info.width,
        height=info.height,
        fps=info.fps,
        video_codec=info.codec,
    )
    custody(
        clip,
        CustodyAction.DERIVED,
        actor=actor,
        detail=f"{label} made: clip {copy.pk} (sha256 {copy.sha256}); this original was not altered",
        data={"derived_clip_id": copy.pk},
    )
    return copy


def _redact(job, progress):
    from .redaction import redact_job

    redact_job(job, progress)


RUNNERS = {AnalysisKind.PLATES: read_plates, AnalysisKind.TRANSCODE: transcode, AnalysisKind.REDACT: _redact}
