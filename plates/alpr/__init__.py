"""rtcc licence plate reader: a plain-Python library (no Django in here).

    from plates.alpr import read_frame
    for r in read_frame(frame_bgr):          # numpy uint8 HxWx3
        print(r.text, r.confidence, r.box, r.alternatives)
    for r in read_frame(frame_bgr, region="us"):
        print(r.text, r.state, r.state_confidence, r.strong_alternatives)

Engines are chosen by name (argument or `RTCC_ALPR_ENGINE`): "ensemble" (default:
PP-OCRv4 ONNX models shipped in the rapidocr-onnxruntime wheel, re-scored together
with the project's own synthetic-trained plate CRNN, `models/plate_crnn.onnx`),
"ppocr", "crnn", "ppocr-noretry", "ppocr-hires", "ppocr-1pass" or "tesseract".
"""

from __future__ import annotations

from .engines import DEFAULT_ENGINE, ENGINES, UnknownEngineError, get_reader
from .files import is_video, iter_video, load_image
from .normalisation import correct, is_plausible, normalise
from .tracker import PlateTracker, TrackResult
from .types import Box, Reading
from .validate import FrameTooLargeError, InvalidFrameError

__all__ = [
    "read_frame",
    "Reading",
    "Box",
    "PlateTracker",
    "InvalidFrameError",
    "FrameTooLargeError",
    "UnknownEngineError",
    "ENGINES",
    "DEFAULT_ENGINE",
    "get_reader",
    "normalise",
    "correct",
    "is_plausible",
    "read_file",
    "read_video",
    "load_image",
    "TrackResult",
    "is_video",
]


def read_frame(frame_bgr, engine: str | None = None, region: str | None = None) -> list[Reading]:
    """Read the plates in one BGR frame; best reading first.

    Raises InvalidFrameError (a ValueError) for input that is not an image.
    """
    return get_reader(engine, region=region).read(frame_bgr)


def read_video(
    path,
    engine: str | None = None,
    region: str | None = None,
    every: int = 1,
    max_frames: int | None = None,
    tracker: PlateTracker | None = None,
) -> list[TrackResult]:
    """Read a video file; one voted result per plate that passed."""
    reader = get_reader(engine, region=region)
    tracker = tracker or PlateTracker()
    out: list[TrackResult] = []
    for i, frame in iter_video(path, every=every, max_frames=max_frames):
        out += tracker.update(reader.read(frame), frame_index=i // max(1, every))
    return out + tracker.flush()


def read_file(path, engine: str | None = None, region: str | None = None):
    """Image file -> list[Reading]; video file -> list[TrackResult]."""
    if is_video(path):
        return read_video(path, engine=engine, region=region)
    return read_frame(load_image(path), engine=engine, region=region)
