"""Strict checks for what the public sends: text, phone numbers, stream URLs and video files.

The registry is the only part of the system open to anyone, so each value is
checked for what it must be, not only for what it must not be.
"""

import logging
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from cameras.video_types import OWNER_UPLOAD_SUFFIXES, listed, suffix_of
from footage.library import VideoUnreadable, probe
from rtcc.netguard import OutboundAddressRefused, check_outbound_url

log = logging.getLogger(__name__)

# The containers (ffmpeg demuxer names) an owner's upload may be: those of OWNER_UPLOAD_SUFFIXES.
OWNER_UPLOAD_FORMATS = ("mov", "mp4", "matroska", "webm", "avi", "mpegts")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_PHONE_ALLOWED = re.compile(r"^[0-9 +()\-.]+$")
STREAM_SCHEMES = ("rtsp", "rtsps", "http", "https")


def strip_control(value: str) -> str:
    """Remove control and direction-override characters; keep ordinary line breaks and tabs."""
    return _CONTROL.sub("", value or "")


def no_markup(value: str):
    if "<" in value or ">" in value:
        raise ValidationError("Please leave out the < and > characters.", code="markup")


def validate_phone(value: str):
    if not _PHONE_ALLOWED.match(value):
        raise ValidationError("Use only digits, spaces and + ( ) - . in a phone number.", code="phone_chars")
    digits = sum(ch.isdigit() for ch in value)
    if digits < 7 or digits > 15:
        raise ValidationError("A phone number has between 7 and 15 digits.", code="phone_length")


def validate_stream_url(value: str) -> str:
    """A live-feed address the capture workers may read: rtsp(s):// or http(s):// to a host, nothing else."""
    value = (value or "").strip()
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationError("The stream address may not contain spaces or control characters.", code="url_chars")
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in STREAM_SCHEMES:
        raise ValidationError(
            "The stream address must start with rtsp://, rtsps://, http:// or https://.", code="url_scheme"
        )
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValidationError("The stream address has an invalid port.", code="url_port") from None
    if not host:
        raise ValidationError("The stream address needs a host name or IP address.", code="url_host")
    try:
        stream_address_check(value, unresolved_ok=True)
    except OutboundAddressRefused as exc:
        raise ValidationError(str(exc), code="url_internal") from None
    return value


def stream_address_check(url: str, *, unresolved_ok=False):
    """Raise OutboundAddressRefused when a stream address points inside the center's own network (loopback,
    link-local, private ranges, this server) outside the networks RTCC_STREAM_ALLOWED_NETWORKS allows."""
    check_outbound_url(url, allowed_networks=settings.RTCC_STREAM_ALLOWED_NETWORKS, unresolved_ok=unresolved_ok)


def sniff_video(head: bytes) -> str | None:
    """The container a file's first bytes announce, or None when they are not a video we accept."""
    if len(head) >= 12 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        return "video/mp4" if head[4:8] == b"ftyp" and head[8:10] != b"qt" else "video/quicktime"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/x-matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[:1] == b"\x47" and (len(head) < 189 or head[188:189] == b"\x47"):
        return "video/mp2t"
    if len(head) >= 5 and head[4:5] == b"\x47" and (len(head) < 197 or head[196:197] == b"\x47"):
        return "video/mp2t"  # M2TS: 4-byte timestamp before each 188-byte packet
    return None


def validate_video_name(name: str):
    if suffix_of(name) not in OWNER_UPLOAD_SUFFIXES:
        allowed = listed(OWNER_UPLOAD_SUFFIXES)
        raise ValidationError(f"Only video files can be uploaded ({allowed}).", code="video_extension")


@contextmanager
def _path_of(uploaded):
    """A path on disk holding the uploaded bytes: Django's own temporary file, or a copy of a small in-memory one."""
    if hasattr(uploaded, "temporary_file_path"):
        yield Path(uploaded.temporary_file_path())
        return
    folder = settings.FILE_UPLOAD_TEMP_DIR or None
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=suffix_of(uploaded.name), dir=folder) as copy:
        uploaded.seek(0)
        for chunk in uploaded.chunks():
            copy.write(chunk)
        copy.flush()
        uploaded.seek(0)
        yield Path(copy.name)


def validate_video_content(uploaded) -> str:
    """The content type of an uploaded video, when ffprobe finds a real video stream in a container we accept.

    The first bytes and the name only say what a file claims to be (a script named .ts, a web page behind an
    MP4 header); ffprobe reading a picture stream with a size says what it is. ValidationError otherwise.
    """
    refused = ValidationError(
        f"“{uploaded.name}” does not look like a video file. Upload the file exactly as the camera saved it.",
        code="not_video",
    )
    uploaded.seek(0)
    kind = sniff_video(uploaded.read(256))
    uploaded.seek(0)
    if kind is None:
        raise refused
    with _path_of(uploaded) as path:
        try:
            info = probe(path, formats=OWNER_UPLOAD_FORMATS)
        except VideoUnreadable as exc:
            log.info("owner upload %r refused: %s", uploaded.name, exc)
            raise refused from None
    if not (info.codec and info.width and info.height):
        log.info("owner upload %r refused: no picture stream (codec %r)", uploaded.name, info.codec)
        raise refused
    return kind
