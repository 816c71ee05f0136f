"""Input checks: turn anything that is not a usable BGR frame into a clear error."""

from __future__ import annotations

import numpy as np

MAX_PIXELS = 40_000_000  # ~ 8K x 5K; bigger frames are refused, not processed
MIN_SIDE = 16


class InvalidFrameError(ValueError):
    """The frame given to the reader cannot be read as an image."""


class FrameTooLargeError(InvalidFrameError):
    """The frame is larger than the reader accepts."""


def check_frame(frame) -> np.ndarray:
    """Return a contiguous uint8 HxWx3 BGR array, or raise InvalidFrameError.

    Accepted: uint8 BGR (H, W, 3), BGRA (H, W, 4), greyscale (H, W) or (H, W, 1),
    and uint16 images (scaled down to 8 bits).  Frames smaller than MIN_SIDE on a
    side are accepted and simply yield no readings (the caller checks `is_tiny`).
    """
    if frame is None:
        raise InvalidFrameError("frame is None (unreadable or corrupt image?)")
    if not isinstance(frame, np.ndarray):
        raise InvalidFrameError(f"frame must be a numpy array, not {type(frame).__name__}")
    if frame.size == 0:
        raise InvalidFrameError(f"frame is empty (shape {frame.shape})")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] not in (3, 4)):
        raise InvalidFrameError(f"frame must be HxW, HxWx1, HxWx3 or HxWx4, got shape {frame.shape}")
    h, w = frame.shape[:2]
    if h * w > MAX_PIXELS:
        raise FrameTooLargeError(
            f"frame is {w}x{h} = {h * w / 1e6:.0f} Mpx, above the {MAX_PIXELS / 1e6:.0f} Mpx limit; "
            "resize it before reading"
        )
    if frame.dtype == np.uint8:
        pass
    elif frame.dtype == np.uint16:
        frame = (frame >> 8).astype(np.uint8)
    elif frame.dtype == np.bool_:
        frame = frame.astype(np.uint8) * 255
    elif np.issubdtype(frame.dtype, np.floating):
        if not np.isfinite(frame).all():
            raise InvalidFrameError("frame holds NaN or infinite values")
        scale = 255.0 if float(frame.max(initial=0.0)) <= 1.0 else 1.0
        frame = np.clip(frame * scale, 0, 255).astype(np.uint8)
    else:
        raise InvalidFrameError(f"unsupported pixel type {frame.dtype}")
    if frame.ndim == 2:
        frame = np.repeat(frame[:, :, None], 3, axis=2)
    elif frame.shape[2] == 4:
        frame = frame[:, :, :3]
    return np.ascontiguousarray(frame)


def is_tiny(frame: np.ndarray) -> bool:
    return min(frame.shape[:2]) < MIN_SIDE
