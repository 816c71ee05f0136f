"""Synthetic plates and scenes drawn with OpenCV, for tests and demos.

Nothing here is a model or data file: images are rendered on the fly.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

FONTS = {
    "simplex": cv2.FONT_HERSHEY_SIMPLEX,
    "duplex": cv2.FONT_HERSHEY_DUPLEX,
    "triplex": cv2.FONT_HERSHEY_TRIPLEX,
    "complex": cv2.FONT_HERSHEY_COMPLEX,
}


def render_plate(
    text: str, char_height: int = 40, font: str = "duplex", fg=(20, 20, 20), bg=(235, 235, 235), border=(40, 40, 40)
) -> np.ndarray:
    """A plate: `text` centred on a light rectangle with a dark rim."""
    f = FONTS[font]
    scale = cv2.getFontScaleFromHeight(f, char_height, 2)
    thick = max(2, int(round(char_height / 9)))
    (tw, th), base = cv2.getTextSize(text, f, scale, thick)
    pad_x, pad_y = int(char_height * 0.5), int(char_height * 0.45)
    w, h = tw + 2 * pad_x, th + base + 2 * pad_y
    img = np.full((h, w, 3), bg, np.uint8)
    cv2.rectangle(img, (1, 1), (w - 2, h - 2), border, max(2, char_height // 12))
    cv2.putText(img, text, (pad_x, pad_y + th), f, scale, fg, thick, cv2.LINE_AA)
    return img


def background(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A plausible dull backdrop: a grey gradient with a darker 'car' block and noise."""
    rng = np.random.default_rng(seed)
    y = np.linspace(90, 150, h, dtype=np.float32)[:, None]
    img = np.repeat(np.repeat(y, w, axis=1)[:, :, None], 3, axis=2)
    img[int(h * 0.25) : int(h * 0.9), int(w * 0.15) : int(w * 0.85)] *= 0.55
    img += rng.normal(0, 6, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def place(scene: np.ndarray, plate: np.ndarray, centre: tuple[float, float], angle: float = 0.0) -> np.ndarray:
    """Paste `plate` rotated by `angle` degrees at `centre` of `scene` (in place, returned)."""
    h, w = plate.shape[:2]
    M = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(M[0, 0]), abs(M[0, 1])
    nw, nh = int(h * sin + w * cos) + 2, int(h * cos + w * sin) + 2
    M[0, 2] += nw / 2 - w / 2
    M[1, 2] += nh / 2 - h / 2
    rot = cv2.warpAffine(plate, M, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    mask = cv2.warpAffine(np.full((h, w), 255, np.uint8), M, (nw, nh), flags=cv2.INTER_LINEAR)
    x0, y0 = int(centre[0] - nw / 2), int(centre[1] - nh / 2)
    H, W = scene.shape[:2]
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(W, x0 + nw), min(H, y0 + nh)
    if xb <= xa or yb <= ya:
        return scene
    sub = scene[ya:yb, xa:xb].astype(np.float32)
    p = rot[ya - y0 : yb - y0, xa - x0 : xb - x0].astype(np.float32)
    a = mask[ya - y0 : yb - y0, xa - x0 : xb - x0].astype(np.float32)[:, :, None] / 255.0
    scene[ya:yb, xa:xb] = (sub * (1 - a) + p * a).astype(np.uint8)
    return scene


def scene_with_plate(
    text: str,
    size: tuple[int, int] = (720, 1280),
    char_height: int = 36,
    font: str = "duplex",
    angle: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
    centre: tuple[float, float] | None = None,
    seed: int = 0,
) -> np.ndarray:
    h, w = size
    scene = background(h, w, seed)
    plate = render_plate(text, char_height, font)
    place(scene, plate, centre or (w * 0.5, h * 0.6), angle)
    if blur > 0:
        k = int(blur * 3) * 2 + 1
        scene = cv2.GaussianBlur(scene, (k, k), blur)
    if noise > 0:
        rng = np.random.default_rng(seed + 1)
        scene = np.clip(scene.astype(np.float32) + rng.normal(0, noise, scene.shape), 0, 255).astype(np.uint8)
    return scene


def passing_car(
    text: str, frames: int = 24, size: tuple[int, int] = (480, 854), char_height: int = 30, seed: int = 0
) -> Iterator[np.ndarray]:
    """Frames of a plate crossing the view left to right, growing slightly."""
    h, w = size
    for i in range(frames):
        t = i / max(1, frames - 1)
        scene = background(h, w, seed + i)
        ch = int(char_height * (0.9 + 0.3 * t))
        place(scene, render_plate(text, ch), (w * (0.2 + 0.6 * t), h * (0.55 + 0.1 * t)), angle=2.0 * (t - 0.5))
        yield scene
