"""Derived copies of a clip (browser-playable, redacted): encode with ffmpeg, store the copy as a clip of its own.

Also the failure a job reports to the technician (`JobFailed`), shared by every job runner.
"""

import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from .choices import ClipSource, CustodyAction, Derivation
from .library import BROWSER_H264, custody, store_clip


class JobFailed(Exception):
    """The job cannot go on; the message is shown to the technician as it is."""


UNREADABLE = (
    "The clip could not be decoded as video: the file is corrupt, truncated or in a format ffmpeg cannot read. "
    "The stored original is unchanged; ask the sender for another copy."
)


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
