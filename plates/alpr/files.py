"""Reading image and video files (thin wrappers over OpenCV, with clear errors)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from cameras.video_types import is_video_name

from .validate import InvalidFrameError

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


def load_image(path: str | Path) -> np.ndarray:
    """Read an image file as BGR uint8; InvalidFrameError when unreadable."""
    p = Path(path)
    if not p.is_file():
        raise InvalidFrameError(f"no such image file: {p}")
    data = np.fromfile(str(p), dtype=np.uint8)
    if data.size == 0:
        raise InvalidFrameError(f"image file is empty: {p}")
    img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if img is None:
        raise InvalidFrameError(f"not a readable image (corrupt or unknown format): {p}")
    return img


def iter_video(path: str | Path, every: int = 1, max_frames: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (frame_index, frame) from a video file; InvalidFrameError when unreadable."""
    p = Path(path)
    if not p.is_file():
        raise InvalidFrameError(f"no such video file: {p}")
    cap = cv2.VideoCapture(str(p))
    if not cap.isOpened():
        raise InvalidFrameError(f"not a readable video: {p}")
    try:
        i = n = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            if i % max(1, every) == 0:
                yield i, frame
                n += 1
                if max_frames and n >= max_frames:
                    break
            i += 1
        if i == 0:
            raise InvalidFrameError(f"video has no readable frames: {p}")
    finally:
        cap.release()


def is_video(path: str | Path) -> bool:
    return is_video_name(path)
