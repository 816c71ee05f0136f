"""Frame sources: RTSP (over TCP), HTTP(S) MJPEG and local video files, all with timeouts.

`open_source(url)` returns a `FrameSource` whose `read()` gives one BGR frame
or raises `StreamError` with a message an operator can act on. Nothing here
blocks longer than the configured open and read timeouts.
"""

import os
import time
from pathlib import Path
from urllib.parse import urlsplit

# RTSP over TCP: UDP loses packets through firewalls and NAT and smears frames.
# OpenCV's FFmpeg backend reads this each time it opens a stream; a deployment may override it.
os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp")

import cv2  # noqa: E402

from .stream_urls import NETWORK_SCHEMES, redact_url, validate_stream_url  # noqa: E402


class StreamError(Exception):
    """A stream that cannot be opened or read; the message is shown to operators."""


class FrameSource:
    """An open stream. Files are replayed in a loop at their own frame rate, like a live camera."""

    def __init__(self, url, *, open_timeout=5.0, read_timeout=5.0):
        self.url = validate_stream_url(url)
        self.safe_url = redact_url(self.url)
        self.is_file = urlsplit(self.url).scheme not in NETWORK_SCHEMES
        self.open_timeout = open_timeout
        self.read_timeout = read_timeout
        self.capture = None
        self.nominal_fps = None
        self._next_due = 0.0
        self._open()

    def _open(self):
        if self.is_file and not Path(self.url).is_file():
            raise StreamError(f"Video file not found: {self.url}")
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            int(self.open_timeout * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            int(self.read_timeout * 1000),
        ]
        started = time.monotonic()
        capture = cv2.VideoCapture(self.url, cv2.CAP_FFMPEG, params)
        if not capture.isOpened():
            capture.release()
            waited = time.monotonic() - started
            if not self.is_file and waited >= self.open_timeout * 0.9:
                raise StreamError(f"No answer from {self.safe_url} within {self.open_timeout:.0f} s.")
            raise StreamError(f"Could not open {self.safe_url}: refused, not found, or not a video stream.")
        fps = capture.get(cv2.CAP_PROP_FPS)
        self.nominal_fps = fps if fps and 1 <= fps <= 120 else None
        self.capture = capture
        self._next_due = time.monotonic()

    def read(self):
        """The next frame (BGR uint8). Raises StreamError on end of a live stream, timeout or garbage."""
        if self.capture is None:
            raise StreamError("Stream is closed.")
        if self.is_file:
            self._pace()
        started = time.monotonic()
        ok, frame = self.capture.read()
        if not ok or frame is None:
            if self.is_file:
                # Loop the file, as the demo and replays expect.
                self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = self.capture.read()
                if ok and frame is not None:
                    return frame
                raise StreamError(f"Video file has no readable frames: {self.url}")
            waited = time.monotonic() - started
            if waited >= self.read_timeout * 0.9:
                raise StreamError(f"Stream stalled: no frame from {self.safe_url} for {self.read_timeout:.0f} s.")
            raise StreamError(f"Stream ended or sent data that is not video: {self.safe_url}.")
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.size == 0:
            raise StreamError(f"Stream sent frames of an unexpected shape {frame.shape}.")
        return frame

    def _pace(self):
        if not self.nominal_fps:
            return
        now = time.monotonic()
        if self._next_due > now:
            time.sleep(self._next_due - now)
        self._next_due = max(self._next_due, now - 1.0) + 1.0 / self.nominal_fps

    def close(self):
        if self.capture is not None:
            self.capture.release()
            self.capture = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_source(url, **timeouts) -> FrameSource:
    try:
        return FrameSource(url, **timeouts)
    except ValueError as exc:
        raise StreamError(str(exc)) from None


def probe(url, *, open_timeout=5.0, read_timeout=5.0, frames=5):
    """Open a stream and read a few frames: what the 'test stream' action reports."""
    started = time.monotonic()
    with open_source(url, open_timeout=open_timeout, read_timeout=read_timeout) as source:
        opened = time.monotonic()
        first = source.read()
        for _ in range(frames - 1):
            source.read()
        done = time.monotonic()
    height, width = first.shape[:2]
    return {
        "width": width,
        "height": height,
        "open_ms": round((opened - started) * 1000),
        "fps": round((frames - 1) / max(done - opened, 1e-6), 1) if frames > 1 else None,
        "nominal_fps": source.nominal_fps,
    }
