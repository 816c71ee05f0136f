"""Redaction for release: blur faces and chosen regions in a derived copy; the original is never altered.

Faces are found with OpenCV's Haar frontal-face cascade, which ships inside the
opencv-python wheel (`cv2.data.haarcascades`); regions are rectangles in video
pixels a technician draws up, each optionally limited to a time span. Frames
are decoded with OpenCV, blurred (or pixelated) and piped to ffmpeg as raw
video for an H.264 MP4, stored as a new clip derived from the original. The
original is re-hashed afterwards and the check written to its custody chain.
"""

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
from django.conf import settings

from .choices import Derivation
from .derived import UNREADABLE, JobFailed, store_derived
from .library import BROWSER_H264, local_path, probe, verify_clip

METHODS = ("blur", "pixelate")
PAST = {"blur": "blurred", "pixelate": "pixelated"}
FACE_MEMORY_FRAMES = 5  # a face missed for a few frames stays covered: a detector flickers, a release must not


@dataclass(frozen=True)
class Region:
    x: int
    y: int
    w: int
    h: int
    start: float | None = None
    end: float | None = None

    def active(self, seconds: float) -> bool:
        return (self.start is None or seconds >= self.start) and (self.end is None or seconds <= self.end)

    def as_dict(self):
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h, "start": self.start, "end": self.end}


def parse_regions(text: str, *, width: int | None = None, height: int | None = None) -> list[Region]:
    """Regions from lines of `x,y,w,h` or `x,y,w,h,start-end` (seconds); ValueError naming the bad line."""
    regions = []
    for number, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) not in (4, 5):
            raise ValueError(f"Line {number} ({line!r}): write x,y,w,h or x,y,w,h,start-end.")
        try:
            x, y, w, h = (int(p) for p in parts[:4])
        except ValueError:
            raise ValueError(f"Line {number} ({line!r}): x, y, w and h must be whole numbers of pixels.") from None
        if x < 0 or y < 0 or w <= 0 or h <= 0:
            raise ValueError(f"Line {number} ({line!r}): x and y must be 0 or more, w and h above 0.")
        if width and height and (x >= width or y >= height):
            raise ValueError(f"Line {number} ({line!r}): the region starts outside the {width}x{height} picture.")
        start = end = None
        if len(parts) == 5:
            first, dash, last = parts[4].partition("-")
            try:
                start = float(first) if first.strip() else None
                end = float(last) if last.strip() else None
            except ValueError:
                raise ValueError(
                    f"Line {number} ({line!r}): the time span is start-end in seconds, like 12-20.5."
                ) from None
            if not dash or (start is not None and end is not None and end < start):
                raise ValueError(f"Line {number} ({line!r}): the time span is start-end in seconds, like 12-20.5.")
        regions.append(Region(x, y, w, h, start, end))
    return regions


def face_detector():
    path = Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"
    cascade = cv2.CascadeClassifier(str(path))
    if cascade.empty():
        raise RuntimeError(f"OpenCV's face cascade is missing or unreadable: {path}")
    return cascade


def detect_faces(cascade, frame, max_width: int = 960):
    """Face boxes (x, y, w, h) in frame pixels; detection runs on a copy at most `max_width` wide."""
    height, width = frame.shape[:2]
    scale = min(1.0, max_width / width)
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if scale < 1.0:
        grey = cv2.resize(grey, (int(width * scale), int(height * scale)), interpolation=cv2.INTER_AREA)
    grey = cv2.equalizeHist(grey)
    found = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(20, 20))
    return [tuple(int(v / scale) for v in box) for box in found]


def obscure(frame, box, method: str = "blur", pad: float = 0.15):
    """Blur or pixelate one box of the frame in place (grown by `pad` so edges of a face go too)."""
    height, width = frame.shape[:2]
    x, y, w, h = box
    px, py = int(w * pad), int(h * pad)
    x0, y0, x1, y1 = max(0, x - px), max(0, y - py), min(width, x + w + px), min(height, y + h + py)
    if x1 <= x0 or y1 <= y0:
        return
    patch = frame[y0:y1, x0:x1]
    if method == "pixelate":
        small = cv2.resize(patch, (max(1, (x1 - x0) // 16), max(1, (y1 - y0) // 16)), interpolation=cv2.INTER_LINEAR)
        frame[y0:y1, x0:x1] = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
    else:
        k = max(31, (max(x1 - x0, y1 - y0) // 3) | 1)
        frame[y0:y1, x0:x1] = cv2.GaussianBlur(patch, (k, k), 0)
        frame[y0:y1, x0:x1] = cv2.GaussianBlur(frame[y0:y1, x0:x1], (k, k), 0)


def redact_job(job, progress):
    """The REDACT job: options {"faces": bool, "regions": [Region dicts], "method": "blur"|"pixelate"}."""
    clip = job.clip
    options = job.options or {}
    method = options.get("method", "blur")
    if method not in METHODS:
        raise JobFailed(f"Unknown redaction method {method!r}: use blur or pixelate.")
    regions = [Region(**r) for r in options.get("regions", [])]
    faces = bool(options.get("faces", True))
    if not faces and not regions:
        raise JobFailed("Nothing to redact: choose faces, regions, or both.")
    cascade = face_detector() if faces else None
    with local_path(clip) as path, tempfile.TemporaryDirectory(prefix="rtcc-redact-") as work:
        capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        if not capture.isOpened():
            raise JobFailed(UNREADABLE)
        ok, frame = capture.read()
        if not ok or frame is None:
            capture.release()
            raise JobFailed(UNREADABLE)
        fps = capture.get(cv2.CAP_PROP_FPS)
        fps = fps if fps and 1 <= fps <= 240 else (clip.fps or 25.0)
        total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        height, width = frame.shape[:2]
        out = Path(work) / "redacted.mp4"
        encoder = subprocess.Popen(
            [
                settings.RTCC_FFMPEG, "-hide_banner", "-loglevel", "error",
                "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}", "-r", f"{fps:.6f}", "-i", "-",
                *BROWSER_H264,
                "-y", str(out),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        index = faces_covered = 0
        recent: list[list[tuple]] = []
        try:
            while ok and frame is not None:
                seconds = index / fps
                boxes = []
                if cascade is not None:
                    found = detect_faces(cascade, frame)
                    faces_covered += len(found)
                    recent = (recent + [found])[-FACE_MEMORY_FRAMES:]
                    boxes += [box for seen in recent for box in seen]
                boxes += [(r.x, r.y, r.w, r.h) for r in regions if r.active(seconds)]
                for box in boxes:
                    obscure(frame, box, method)
                encoder.stdin.write(frame.tobytes())
                index += 1
                if total:
                    progress(index / total, f"Redacting: {seconds:.0f} s of {total / fps:.0f} s")
                ok, frame = capture.read()
            encoder.stdin.close()
        except BrokenPipeError:
            pass
        finally:
            capture.release()
            errors = encoder.stderr.read().decode(errors="replace").strip()[-300:]
            encoder.wait()
        if encoder.returncode != 0 or not out.exists():
            raise JobFailed(f"ffmpeg could not write the redacted copy: {errors or 'no output'}")
        info = probe(out)
        what = ", ".join(
            filter(
                None, ["faces" if faces else "", f"{len(regions)} region{'s' * (len(regions) != 1)}" if regions else ""]
            )
        )
        copy = store_derived(
            clip,
            out,
            derivation=Derivation.REDACTION,
            actor=job.created_by,
            info=info,
            detail=f"Redacted copy ({what}, {method}) of clip {clip.pk} "
            f"(intake sha256 {clip.sha256}), made by job {job.pk}",
        )
    unchanged = verify_clip(clip, actor=job.created_by)
    job.result_clip = copy
    job.frames_analysed = index
    job.seconds_of_video = index / fps
    job.message = f"Redacted copy ready: {what} {PAST[method]} in {index} frames" + (
        "" if unchanged else " - WARNING: the original no longer matches its intake hash"
    )
