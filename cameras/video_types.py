"""The one list of video file types the center handles: suffixes, their MIME types, and who accepts which.

Standard library only (the plate reader's command-line tools import it without Django).
"""

from pathlib import PurePath

# Every video file the center reads: staff uploads, local camera sources, the plate reader's tools.
VIDEO_TYPES: dict[str, str] = {
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
    ".avi": "video/x-msvideo",
    ".ts": "video/mp2t",
    ".mts": "video/mp2t",
    ".mpg": "video/mpeg",
    ".mpeg": "video/mpeg",
    ".3gp": "video/3gpp",
    ".h264": "video/h264",
    ".dav": "video/x-dav",  # Dahua recorders' export format
    ".mjpeg": "video/x-motion-jpeg",
    ".mjpg": "video/x-motion-jpeg",
}
VIDEO_SUFFIXES = frozenset(VIDEO_TYPES)

# What a registered camera's owner may upload: only containers whose first bytes the public
# form can check (registry.validation.sniff_video), since the file comes from outside.
OWNER_UPLOAD_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".ts", ".mts"})

# What a browser's <video> plays when the codec is one it knows (H.264, VP8/9, AV1).
BROWSER_SUFFIXES = frozenset({".mp4", ".m4v", ".webm"})

MP4 = "video/mp4"


def suffix_of(name) -> str:
    return PurePath(str(name or "")).suffix.lower()


def is_video_name(name) -> bool:
    return suffix_of(name) in VIDEO_SUFFIXES


def video_mime(name, default: str = MP4) -> str:
    """The MIME type a file's suffix announces (`default` for a suffix not on the list)."""
    return VIDEO_TYPES.get(suffix_of(name), default)


def listed(suffixes) -> str:
    """The suffixes for a message: '.avi, .mkv, .mp4'."""
    return ", ".join(sorted(suffixes))
