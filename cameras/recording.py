"""Recording around events: a rolling buffer of recent footage per city camera, and pulling clips out of it.

Each recorded camera has one ffmpeg process (`Recorder`) copying its stream,
without decoding, into MPEG-TS segments of a few seconds under
`RTCC_RECORDING_ROOT/<camera id>/YYYYmmdd-HHMMSS.ts` (UTC). TS segments stay
readable when cut off mid-write, so a crash loses seconds, not the buffer.
The recorder runs inside a Celery task on the capture queue holding the
camera's `RecordingLease`, so exactly one worker records a camera; the beat
prunes segments by age and by the disk budget.

`pull_clip` joins and trims the segments covering a time window into one
H.264 MP4 in the footage library, with its hash and custody opened, before
the buffer rolls over it.
"""

import ctypes
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from footage.choices import ClipSource, CustodyAction
from footage.library import BROWSER_H264, VideoUnreadable, probe, store_clip
from incidents.models import Incident
from rtcc import realtime
from rtcc.backoff import backoff_delay
from rtcc.models import User
from rtcc.roles import Role, staff_group, user_group

from . import leases
from .choices import CameraKind
from .models import Camera, RecordingLease

log = logging.getLogger(__name__)

SEGMENT_SUFFIX = ".ts"
NAME_FORMAT = "%Y%m%d-%H%M%S"
MAX_PULL_SECONDS = 2 * 3600


class NoFootage(ValueError):
    """Nothing in the buffer covers the asked window; the message says what the buffer holds."""


class PullFailed(RuntimeError):
    """ffmpeg could not join or trim the segments."""


# --- Where segments live ------------------------------------------------------


def camera_dir(camera_id: int, root: Path | None = None) -> Path:
    return Path(root or settings.RTCC_RECORDING_ROOT) / str(int(camera_id))


@dataclass(frozen=True)
class Segment:
    path: Path
    start: datetime
    end: datetime  # the next segment's start, or the file's last write for the newest one
    size: int


def segments(camera_id: int, root: Path | None = None) -> list[Segment]:
    """The camera's buffered segments, oldest first."""
    folder = camera_dir(camera_id, root)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"*{SEGMENT_SUFFIX}"):
        try:
            start = datetime.strptime(path.stem, NAME_FORMAT).replace(tzinfo=UTC)
            stat = path.stat()
        except (ValueError, OSError):
            continue
        found.append((start, path, stat))
    found.sort(key=lambda item: item[0])
    result = []
    for i, (start, path, stat) in enumerate(found):
        if i + 1 < len(found):
            end = found[i + 1][0]
        else:
            end = max(start, datetime.fromtimestamp(stat.st_mtime, UTC))
        result.append(Segment(path=path, start=start, end=end, size=stat.st_size))
    return result


def buffer_span(camera_id: int, root: Path | None = None) -> tuple[datetime, datetime] | None:
    found = segments(camera_id, root)
    return (found[0].start, found[-1].end) if found else None


# --- The recorder process -----------------------------------------------------


def segment_command(url: str, folder: Path, segment_seconds: int) -> list[str]:
    """ffmpeg copying `url` (RTSP, HTTP or a local file) into timestamped TS segments in `folder`."""
    scheme = urlsplit(url).scheme
    inputs = ["-hide_banner", "-nostdin", "-loglevel", "error", "-fflags", "+genpts"]
    if scheme in ("rtsp", "rtsps"):
        inputs += ["-rtsp_transport", "tcp", "-timeout", str(int(settings.RTCC_CAPTURE_READ_TIMEOUT * 1_000_000))]
    elif scheme in ("http", "https"):
        inputs += ["-rw_timeout", str(int(settings.RTCC_CAPTURE_READ_TIMEOUT * 1_000_000))]
    else:
        inputs += ["-re", "-stream_loop", "-1"]  # a file replayed like a live camera, as capture does
    return [
        settings.RTCC_FFMPEG,
        *inputs,
        "-i",
        url,
        "-map",
        "0:v:0",
        "-c",
        "copy",
        "-f",
        "segment",
        "-segment_time",
        str(segment_seconds),
        "-segment_format",
        "mpegts",
        "-reset_timestamps",
        "1",
        "-strftime",
        "1",
        str(folder / f"%Y%m%d-%H%M%S{SEGMENT_SUFFIX}"),
    ]


PR_SET_PDEATHSIG = 1  # linux/prctl.h
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _die_with_worker(worker_pid):
    """Run in the ffmpeg child before exec: the kernel kills it when the worker dies, even by SIGKILL.

    Kept to one C call (the child of a threaded worker must not take locks before exec). Otherwise a killed
    worker's recorder would go on writing segments beside the next worker's.
    """
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != worker_pid:  # the worker died before the signal was asked for
        os._exit(1)


class Recorder:
    """One ffmpeg segmenter for one camera. Start, check `alive()`, `stop()`.

    ffmpeg runs in a process group of its own (a signal meant for the worker's group does not cut a segment
    short; `stop()` ends it cleanly) and dies with the worker that started it. The kernel's parent-death
    signal follows the thread that started it: start and stop a recorder on one thread, as record_session does.
    """

    def __init__(self, camera_id: int, url: str, *, root: Path | None = None, segment_seconds: int | None = None):
        self.camera_id = camera_id
        self.url = url
        self.folder = camera_dir(camera_id, root)
        self.segment_seconds = segment_seconds or settings.RTCC_RECORDING_SEGMENT_SECONDS
        self.process = None
        self.log_path = self.folder / "ffmpeg.log"

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        log_file = open(self.log_path, "wb")  # noqa: SIM115 - handed to the child, closed below
        try:
            self.process = subprocess.Popen(
                segment_command(self.url, self.folder, self.segment_seconds),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log_file,
                env={**os.environ, "TZ": "UTC"},  # segment names are UTC
                process_group=0,
                preexec_fn=partial(_die_with_worker, os.getpid()),  # one prctl call, see above
            )
        except FileNotFoundError:
            raise PullFailed(f"{settings.RTCC_FFMPEG} is not installed (apt-get install ffmpeg).") from None
        finally:
            log_file.close()
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def error(self) -> str:
        """The last line ffmpeg wrote, to show why recording stopped."""
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1][:500] if lines else ""

    def stop(self, timeout: float = 10.0):
        if not self.alive():
            return
        self.process.send_signal(signal.SIGINT)  # ffmpeg closes the current segment cleanly
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


# --- Which cameras record, and who records them ----------------------------------


def recordable_cameras():
    return Camera.objects.filter(enabled=True, kind=CameraKind.CITY).exclude(stream_url="")


def cameras_to_record(grace_seconds: float) -> list[int]:
    if not settings.RTCC_RECORDING_ENABLED:
        return []
    return leases.unleased(recordable_cameras(), grace_seconds, model=RecordingLease)


# Recording holds its own lease per camera, by the same mechanism as capture (cameras/leases.py).
claim = partial(leases.claim, model=RecordingLease)
renew = partial(leases.renew, model=RecordingLease)
release = partial(leases.release, model=RecordingLease)
mark_dispatched = partial(leases.mark_dispatched, model=RecordingLease)


def record_session(camera_id: int, *, holder: str, stop, session_seconds: float | None = None, root=None) -> str:
    """Record one camera while holding its lease, restarting ffmpeg with backoff; returns why it ended."""
    ttl = settings.RTCC_CAPTURE_LEASE_SECONDS
    if not claim(camera_id, holder, ttl):
        return "another worker records this camera"
    session_seconds = session_seconds or settings.RTCC_CAPTURE_SESSION_SECONDS
    deadline = time.monotonic() + session_seconds
    recorder, failures, retry_at = None, 0, 0.0
    reason = "session ended"
    try:
        while not stop.is_set():
            if time.monotonic() > deadline:
                break
            camera = Camera.objects.filter(pk=camera_id).first()
            if camera is None or not settings.RTCC_RECORDING_ENABLED or not recordable_cameras().filter(pk=camera_id):
                reason = "camera no longer recorded"
                break
            error = ""
            if recorder is not None and recorder.url != camera.stream_url:
                recorder.stop()  # an administrator gave the camera a new address: record that one from now
                recorder, failures, retry_at = None, 0, 0.0
            if recorder is not None and not recorder.alive():
                error = recorder.error() or f"ffmpeg exited with status {recorder.process.returncode}"
                failures += 1
                retry_at = time.monotonic() + backoff_delay(
                    failures - 1, base=settings.RTCC_CAPTURE_BACKOFF_BASE, cap=settings.RTCC_CAPTURE_BACKOFF_MAX
                )
                recorder = None
                log.warning("recorder of camera %s stopped: %s", camera_id, error)
            if recorder is None and time.monotonic() >= retry_at:
                recorder = Recorder(camera_id, camera.stream_url, root=root).start()
            newest = segments(camera_id, root)[-1:] if recorder else []
            if newest and newest[0].end > timezone.now() - timedelta(seconds=ttl):
                failures = 0
            fields = {"last_error": error[:500]} if error else {}
            if newest:
                fields["last_segment_at"] = newest[0].end
            if not renew(camera_id, holder, ttl, **fields):
                reason = "lease lost"
                break
            close_old_connections()
            stop.wait(min(ttl / 3, 2.0))
        else:
            reason = "worker stopping"
    finally:
        if recorder is not None:
            recorder.stop()
        release(camera_id, holder)
    return reason


# --- Pruning ------------------------------------------------------------------


def prune(*, root: Path | None = None, minutes: int | None = None, budget_mb: int | None = None, now=None) -> int:
    """Delete segments older than the buffer, then the oldest until under the disk budget. Returns how many.

    A camera's newest segment is never deleted: its recorder may still be writing it.
    """
    root = Path(root or settings.RTCC_RECORDING_ROOT)
    minutes = minutes or settings.RTCC_RECORDING_MINUTES
    budget = (budget_mb or settings.RTCC_RECORDING_DISK_BUDGET_MB) * 1024 * 1024
    now = now or timezone.now()
    if not root.is_dir():
        return 0
    deletable = []
    total = 0
    for folder in root.iterdir():
        if not folder.is_dir() or not folder.name.isdigit():
            continue
        found = segments(int(folder.name), root)
        total += sum(s.size for s in found)
        deletable += found[:-1]
    deletable.sort(key=lambda s: s.start)
    cutoff = now - timedelta(minutes=minutes)
    removed = 0
    for segment in deletable:
        if segment.end >= cutoff and total <= budget:
            break
        try:
            segment.path.unlink()
        except FileNotFoundError:
            pass
        total -= segment.size
        removed += 1
    return removed


# --- Pulling a clip -------------------------------------------------------------


def _contiguous_run(chosen: list[Segment], start: datetime, slack: float) -> list[Segment]:
    """The run of back-to-back segments that holds the window's start (or the first run after it)."""
    runs, current = [], []
    for segment in chosen:
        if current and (segment.start - current[-1].end).total_seconds() > slack:
            runs.append(current)
            current = []
        current.append(segment)
    if current:
        runs.append(current)
    for run in runs:
        if run[-1].end > start:
            return run
    return runs[-1]


def cut_window(camera, *, start: datetime, end: datetime, out: Path, root: Path | None = None):
    """Join and trim the buffered segments covering [start, end] into a browser-playable H.264 MP4 at `out`.

    Returns (segments used, clip start, clip end, VideoInfo). Raises NoFootage when the buffer holds nothing
    of the window, ValueError for a window that makes no sense, PullFailed when ffmpeg fails.
    """
    if end <= start:
        raise ValueError("The end of the window must be after its start.")
    if (end - start).total_seconds() > MAX_PULL_SECONDS:
        raise ValueError(f"A clip may span at most {MAX_PULL_SECONDS // 3600} hours; pull it in parts.")
    buffered = segments(camera.pk, root)
    chosen = [s for s in buffered if s.end > start and s.start < end]
    if not chosen:
        if buffered:
            held = f"it holds {buffered[0].start:%H:%M:%S} to {buffered[-1].end:%H:%M:%S} UTC"
        else:
            held = "it is empty (is recording on for this camera?)"
        raise NoFootage(f"No recorded footage of {camera.name} covers {start:%H:%M:%S} to {end:%H:%M:%S} UTC: {held}.")
    run = _contiguous_run(chosen, start, slack=settings.RTCC_RECORDING_SEGMENT_SECONDS)
    clip_start = max(start, run[0].start)
    clip_end = min(end, run[-1].end)
    offset = (clip_start - run[0].start).total_seconds()
    duration = (clip_end - clip_start).total_seconds()
    if duration <= 0:
        raise NoFootage(f"The buffer of {camera.name} ends before {start:%H:%M:%S} UTC.")
    with tempfile.TemporaryDirectory(prefix="rtcc-pull-") as work:
        listing = Path(work) / "segments.txt"
        listing.write_text("".join(f"file '{s.path.as_posix()}'\n" for s in run))
        command = [
            settings.RTCC_FFMPEG,
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(listing),
            "-ss",
            f"{offset:.3f}",
            "-t",
            f"{duration:.3f}",
            "-map",
            "0:v:0",
            *BROWSER_H264,
            "-f",
            "mp4",
            "-y",
            str(out),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=max(120, duration * 4))
        except subprocess.TimeoutExpired:
            raise PullFailed("ffmpeg took too long to cut the clip.") from None
    if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise PullFailed(f"ffmpeg could not cut the clip: {(done.stderr or '').strip()[-300:]}")
    try:
        info = probe(out)
    except VideoUnreadable as exc:
        raise PullFailed(f"The cut clip is not readable: {exc}") from None
    return run, clip_start, clip_end, info


def pull_clip(
    camera,
    *,
    start: datetime,
    end: datetime,
    actor=None,
    incident=None,
    title: str = "",
    client_address=None,
    root: Path | None = None,
):
    """Cut [start, end] out of the buffer (`cut_window`) into one H.264 MP4 in the footage library.

    Raises NoFootage when the buffer holds nothing of the window, ValueError for
    a window that makes no sense, PullFailed when ffmpeg fails.
    """
    with tempfile.TemporaryDirectory(prefix="rtcc-pull-") as work:
        out = Path(work) / "clip.mp4"
        run, clip_start, clip_end, info = cut_window(camera, start=start, end=end, out=out, root=root)
        real_end = clip_start + timedelta(seconds=info.duration or (clip_end - clip_start).total_seconds())
        note = ""
        if clip_start > start or clip_end < end:
            note = f" (asked {start:%H:%M:%S}-{end:%H:%M:%S} UTC; the buffer held only this part)"
        return store_clip(
            out,
            name=f"camera{camera.pk}-{clip_start:{NAME_FORMAT}}.mp4",
            title=title or f"{camera.name} {timezone.localtime(clip_start):%Y-%m-%d %H:%M:%S}",
            clip_source=ClipSource.RECORDING,
            actor=actor,
            camera=camera,
            incident=incident,
            started_at=clip_start,
            ended_at=real_end,
            content_type="video/mp4",
            client_address=client_address,
            custody_action=CustodyAction.CREATED,
            detail=f"Pulled from the recording buffer of {camera.name}: "
            f"{clip_start:%Y-%m-%d %H:%M:%S}-{clip_end:%H:%M:%S} UTC, {len(run)} segments{note}",
            duration_seconds=info.duration,
            width=info.width,
            height=info.height,
            fps=info.fps,
            video_codec=info.codec,
        )


def pull_and_notify(camera_id, start: str, end: str, *, user_id=None, incident_id=None):
    """`pull_clip` for a queued request; the result (or why it failed) goes to the asker's screen."""
    camera = Camera.objects.get(pk=camera_id)
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    incident = None
    if incident_id:
        incident = Incident.objects.filter(pk=incident_id).first()
    group = user_group(actor.pk) if actor else staff_group(Role.TECHNICIAN)
    try:
        clip = pull_clip(
            camera,
            start=datetime.fromisoformat(start),
            end=datetime.fromisoformat(end),
            actor=actor,
            incident=incident,
        )
    except (NoFootage, PullFailed, ValueError) as exc:
        realtime.publish(
            group=group,
            kind="footage.pull.failed",
            summary=f"Could not pull footage of {camera.name}: {exc}",
            data={"camera_id": camera.pk},
            severity="warning",
        )
        return None
    realtime.publish(
        group=group,
        kind="footage.pull.done",
        summary=f"Footage of {camera.name} is in the library: {clip.title} ({clip.duration_seconds or 0:.0f} s)",
        data={"camera_id": camera.pk, "clip_id": clip.pk},
    )
    return clip.pk
