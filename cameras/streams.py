"""Camera stream addresses: whether one is a source the center can read, and how to show it without secrets.

Standard library only: the model, the frame sources and the registry's forms all use it.
"""

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .video_types import VIDEO_SUFFIXES, listed

NETWORK_SCHEMES = ("rtsp", "rtsps", "http", "https")
SECRET_QUERY_KEYS = {"user", "username", "usr", "pass", "password", "passwd", "pwd", "token", "key", "auth", "secret"}


def redact_url(url: str) -> str:
    """The stream URL with any user name and password removed, safe to show.

    Credentials may sit before the host (`user:pass@`) or, with many camera makes, in the query
    (`?user=admin&pwd=…`): both are hidden.
    """
    if not url:
        return ""
    parts = urlsplit(url)
    netloc, query = parts.netloc, parts.query
    if parts.username is not None or parts.password is not None:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        netloc = f"***@{host}"
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(name.lower() in SECRET_QUERY_KEYS for name, _ in pairs):
            query = urlencode([(n, "***" if n.lower() in SECRET_QUERY_KEYS else v) for n, v in pairs], safe="*")
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def validate_stream_url(url: str) -> str:
    """The URL if it is a source we can read, else a ValueError saying why."""
    url = (url or "").strip()
    if not url:
        raise ValueError("No stream URL is set.")
    if any(ch in url for ch in "\r\n\t\0"):
        raise ValueError("The stream URL contains control characters.")
    parts = urlsplit(url)
    if parts.scheme in NETWORK_SCHEMES:
        if not parts.hostname:
            raise ValueError(f"{parts.scheme}:// URL has no host.")
        return url
    if parts.scheme in ("", "file"):
        path = Path(parts.path if parts.scheme == "file" else url)
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            raise ValueError(f"Local sources must be video files ({listed(VIDEO_SUFFIXES)}).")
        return str(path)
    raise ValueError(f"Unsupported stream scheme {parts.scheme!r}: use rtsp://, http(s):// or a video file.")
