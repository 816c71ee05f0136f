"""The footage library's intake: store a clip once, hashed while it is written, with its custody opened.

Every path that puts video into the library (recording pulls, owners' uploads
through the registry, staff uploads, derived copies) goes through `store_clip`,
so every clip has a SHA-256 taken at intake and a first custody entry.
"""

import hashlib
import json
import os
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.utils.text import get_valid_filename

from cameras.video_types import BROWSER_SUFFIXES, suffix_of

from .choices import CustodyAction, Derivation
from .models import CustodyEntry, FootageClip

CHUNK = 1024 * 1024


class ClipTooLarge(ValueError):
    """The file is bigger than the caller allows; nothing was stored."""


def _chunks(source):
    if hasattr(source, "chunks"):
        yield from source.chunks(CHUNK)
        return
    while True:
        block = source.read(CHUNK)
        if not block:
            return
        yield block


def sha256_of(fileobj) -> str:
    """Hash an open file (or a storage file) from its start."""
    digest = hashlib.sha256()
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    for block in _chunks(fileobj):
        digest.update(block)
    return digest.hexdigest()


def actor_label_for(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "system"
    return user.get_username()


def custody(clip, action, *, actor=None, actor_label="", detail="", sha256="", client_address=None, data=None):
    """Append one step to a clip's chain of custody."""
    return CustodyEntry.objects.create(
        clip=clip,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=(actor_label or actor_label_for(actor))[:200],
        detail=detail,
        sha256=sha256,
        client_address=client_address,
        data=data or {},
    )


def store_clip(
    source,
    *,
    name: str,
    clip_source: str,
    title: str = "",
    actor=None,
    actor_label: str = "",
    camera=None,
    incident=None,
    derived_from=None,
    started_at=None,
    ended_at=None,
    content_type: str = "",
    max_bytes: int | None = None,
    detail: str = "",
    client_address=None,
    custody_action: str = CustodyAction.CREATED,
    **metadata,
) -> FootageClip:
    """Copy `source` (an UploadedFile, a file object or a path) into the library.

    The bytes are hashed and counted as they are copied; past `max_bytes` the copy
    stops and `ClipTooLarge` is raised with nothing stored. `metadata` may set
    duration_seconds, width, height and fps.
    """
    opened = None
    if isinstance(source, (str, os.PathLike)):
        opened = source = open(source, "rb")  # noqa: SIM115 - closed below
    try:
        digest = hashlib.sha256()
        size = 0
        with tempfile.TemporaryFile() as spool:
            for block in _chunks(source):
                size += len(block)
                if max_bytes is not None and size > max_bytes:
                    raise ClipTooLarge(f"The file is larger than the {max_bytes // (1024 * 1024)} MB allowed.")
                digest.update(block)
                spool.write(block)
            spool.seek(0)
            safe_name = get_valid_filename(PurePath(name).name) or "clip.bin"
            with transaction.atomic():
                clip = FootageClip(
                    title=(title or PurePath(name).name)[:200],
                    source=clip_source,
                    camera=camera,
                    incident=incident,
                    derived_from=derived_from,
                    original_name=PurePath(name).name[:255],
                    content_type=content_type[:100],
                    size_bytes=size,
                    sha256=digest.hexdigest(),
                    started_at=started_at,
                    ended_at=ended_at,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                    **metadata,
                )
                clip.file.save(safe_name, File(spool), save=False)
                clip.save()
                custody(
                    clip,
                    custody_action,
                    actor=actor,
                    actor_label=actor_label,
                    detail=detail or f"Stored {size} bytes from {PurePath(name).name}",
                    sha256=clip.sha256,
                    client_address=client_address,
                )
        return clip
    finally:
        if opened is not None:
            opened.close()


def verify_clip(clip, *, actor=None, actor_label="") -> bool:
    """Re-hash the stored file; record the check in the custody chain; True if unchanged."""
    with clip.file.open("rb") as handle:
        current = sha256_of(handle)
    ok = current == clip.sha256
    custody(
        clip,
        CustodyAction.VERIFIED,
        actor=actor,
        actor_label=actor_label,
        detail="Hash matches intake" if ok else "HASH MISMATCH: the stored file differs from intake",
        sha256=current,
    )
    return ok


# --- Probing and playback (issue #8) ---------------------------------------------

BROWSER_CODECS = {"h264", "vp8", "vp9", "av1"}
BROWSER_CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"}


class VideoUnreadable(ValueError):
    """ffprobe or OpenCV could not make sense of the file; the message says so in plain words."""


@dataclass
class VideoInfo:
    duration: float | None
    width: int | None
    height: int | None
    fps: float | None
    codec: str
    pix_fmt: str
    container: str
    frames: int | None

    @property
    def browser_playable(self) -> bool:
        return (
            self.codec in BROWSER_CODECS
            and self.container in BROWSER_CONTAINERS
            and self.pix_fmt in ("yuv420p", "yuvj420p", "")
        )


# ffmpeg output options for a browser-playable copy: H.264, 4:2:0, index at the front (plays while loading).
BROWSER_H264 = ("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-movflags", "+faststart")


def _rate(text):
    try:
        num, _, den = (text or "").partition("/")
        value = float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return None
    return value if 0 < value <= 240 else None


def probe(path, timeout: float = 30.0, *, formats=()) -> VideoInfo:
    """What ffprobe says of a video file; VideoUnreadable when it is not one.

    `formats`: for a file from outside (an owner's upload), the only containers ffprobe may read it as, and
    local files only: a playlist or concat file posing as video would otherwise have it open other addresses.
    """
    limits = ["-format_whitelist", ",".join(formats), "-protocol_whitelist", "file"] if formats else []
    try:
        done = subprocess.run(
            [
                settings.RTCC_FFPROBE,
                *limits,
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,pix_fmt,nb_frames,duration:"
                "format=duration,format_name",
                "-of",
                "json",
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except FileNotFoundError:
        raise VideoUnreadable(f"{settings.RTCC_FFPROBE} is not installed (apt-get install ffmpeg).") from None
    except subprocess.TimeoutExpired:
        raise VideoUnreadable(f"ffprobe took longer than {timeout:.0f} s to read the file.") from None
    try:
        data = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        data = {}
    streams = data.get("streams") or []
    if done.returncode != 0 or not streams:
        why = (done.stderr or "").strip().splitlines()
        detail = why[-1] if why else "no video stream found"
        raise VideoUnreadable(f"The file is not a readable video ({detail[:200]}).")
    stream, fmt = streams[0], data.get("format") or {}
    duration = stream.get("duration") or fmt.get("duration")
    try:
        duration = float(duration) if duration not in (None, "N/A") else None
    except ValueError:
        duration = None
    frames = stream.get("nb_frames")
    return VideoInfo(
        duration=duration,
        width=stream.get("width"),
        height=stream.get("height"),
        fps=_rate(stream.get("avg_frame_rate")) or _rate(stream.get("r_frame_rate")),
        codec=stream.get("codec_name") or "",
        pix_fmt=stream.get("pix_fmt") or "",
        container=fmt.get("format_name") or "",
        frames=int(frames) if str(frames or "").isdigit() else None,
    )


@contextmanager
def local_path(clip):
    """A path on this machine to the clip's bytes (the file itself with local storage, else a temporary copy)."""
    try:
        path = Path(clip.file.path)
    except NotImplementedError:  # storage with no local files (e.g. object storage)
        path = None
    if path is not None:
        yield path
        return
    suffix = PurePath(clip.file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        with clip.file.open("rb") as handle:
            for block in _chunks(handle):
                copy.write(block)
        copy.flush()
        yield Path(copy.name)


def describe(clip) -> VideoInfo | None:
    """Fill in a clip's duration, size, frame rate and codec from ffprobe, once; None if it is not readable."""
    try:
        with local_path(clip) as path:
            info = probe(path)
    except VideoUnreadable:
        return None
    changed = {}
    for field, value in (
        ("duration_seconds", info.duration),
        ("width", info.width),
        ("height", info.height),
        ("fps", info.fps),
        ("video_codec", info.codec),
    ):
        if value and getattr(clip, field) in (None, ""):
            setattr(clip, field, value)
            changed[field] = value
    if changed:
        type(clip).objects.filter(pk=clip.pk).update(**changed)
    return info


def playback_clip(clip):
    """The clip to play in a browser: itself when playable, else its newest browser-playable copy (or None)."""
    if clip.video_codec in BROWSER_CODECS and suffix_of(clip.file.name) in BROWSER_SUFFIXES:
        return clip
    return clip.derivatives.filter(derivation=Derivation.TRANSCODE).order_by("-created_at").first()


def viewed(clip, user, *, client_address=None, window_seconds: int = 3600) -> bool:
    """Record a 'viewed' custody step once per person, clip and hour (not for every range request)."""
    key = f"footage:viewed:{clip.pk}:{getattr(user, 'pk', 'anon')}"
    if not cache.add(key, 1, timeout=window_seconds):
        return False
    custody(
        clip, CustodyAction.VIEWED, actor=user, detail="Played in the footage library", client_address=client_address
    )
    return True
