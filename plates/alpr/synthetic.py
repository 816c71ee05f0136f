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


# A few US state plate designs, simplified: background, registration colour,
# the state's name above the registration (font, colour) and a slogan below.
# Used by the tests of the state read and, for every state, as synthetic
# training data for the state classifier (plates/alpr/training/train_state.py).
# Colours are BGR.
STATE_DESIGNS = {
    "CA": {"bg": (245, 245, 245), "fg": (110, 40, 20), "name": "California", "name_fg": (40, 30, 200), "script": True},
    "TX": {
        "bg": (240, 240, 236),
        "fg": (25, 25, 25),
        "name": "TEXAS",
        "name_fg": (30, 30, 30),
        "slogan": "THE LONE STAR STATE",
    },
    "NY": {
        "bg": (40, 190, 245),
        "fg": (120, 40, 10),
        "name": "NEW YORK",
        "name_fg": (120, 40, 10),
        "slogan": "THE EMPIRE STATE",
    },
    "FL": {
        "bg": (245, 245, 240),
        "fg": (60, 110, 20),
        "name": "MYFLORIDA.COM",
        "name_fg": (60, 110, 20),
        "slogan": "Sunshine State",
    },
    "AK": {"bg": (40, 215, 250), "fg": (140, 60, 10), "name": "ALASKA", "name_fg": (140, 60, 10)},
    "DE": {
        "bg": (110, 45, 15),
        "fg": (90, 190, 235),
        "name": "THE FIRST STATE",
        "name_fg": (90, 190, 235),
        "slogan": "DELAWARE",
    },
    "IL": {
        "bg": (240, 240, 240),
        "fg": (110, 35, 30),
        "name": "Illinois",
        "name_fg": (40, 40, 190),
        "script": True,
        "slogan": "Land of Lincoln",
    },
    "NJ": {
        "bg": (150, 230, 245),
        "fg": (20, 20, 20),
        "name": "NEW JERSEY",
        "name_fg": (20, 20, 20),
        "slogan": "Garden State",
    },
    "VA": {"bg": (245, 245, 245), "fg": (100, 40, 20), "name": "VIRGINIA", "name_fg": (140, 60, 20)},
    "PA": {
        "bg": (235, 235, 235),
        "fg": (90, 40, 20),
        "name": "PENNSYLVANIA",
        "name_fg": (245, 245, 245),
        "band": (120, 50, 20),
    },
}


def render_state_plate(text: str, state: str, char_height: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A US plate in a simplified state design (`STATE_DESIGNS`): the state's
    name above the registration, a slogan below.  Returns the plate image and
    the 4 corners of the registration line (clockwise from top-left)."""
    d = STATE_DESIGNS[state]
    f = cv2.FONT_HERSHEY_DUPLEX
    scale = cv2.getFontScaleFromHeight(f, char_height, 2)
    thick = max(2, int(round(char_height / 8)))
    (tw, th), base = cv2.getTextSize(text, f, scale, thick)
    h = int(char_height * 2.1)
    w = max(int(h * 2.0), tw + char_height)
    img = np.full((h, w, 3), d["bg"], np.uint8)
    band_h = int(h * 0.24)
    if "band" in d:
        img[:band_h] = d["band"]
    nf = cv2.FONT_HERSHEY_SCRIPT_SIMPLEX if d.get("script") else cv2.FONT_HERSHEY_SIMPLEX
    ns = cv2.getFontScaleFromHeight(nf, int(band_h * 0.7), 1)
    (nw, _), _ = cv2.getTextSize(d["name"], nf, ns, max(1, char_height // 16))
    if nw > w * 0.9:
        ns *= w * 0.9 / nw
        (nw, _), _ = cv2.getTextSize(d["name"], nf, ns, max(1, char_height // 16))
    cv2.putText(
        img,
        d["name"],
        ((w - nw) // 2, int(band_h * 0.85)),
        nf,
        ns,
        d["name_fg"],
        max(1, char_height // 14),
        cv2.LINE_AA,
    )
    x0 = (w - tw) // 2
    y_base = int(h * 0.26) + th
    cv2.putText(img, text, (x0, y_base), f, scale, d["fg"], thick, cv2.LINE_AA)
    if d.get("slogan"):
        sf = cv2.FONT_HERSHEY_SIMPLEX
        ss = cv2.getFontScaleFromHeight(sf, int(h * 0.1), 1)
        (sw, _), _ = cv2.getTextSize(d["slogan"], sf, ss, 1)
        cv2.putText(img, d["slogan"], ((w - sw) // 2, int(h * 0.93)), sf, ss, d["name_fg"], 1, cv2.LINE_AA)
    cv2.rectangle(img, (1, 1), (w - 2, h - 2), (60, 60, 60), max(1, char_height // 20))
    quad = np.array(
        [[x0, y_base - th], [x0 + tw, y_base - th], [x0 + tw, y_base + base // 2], [x0, y_base + base // 2]], np.float32
    )
    return img, quad


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
    state: str | None = None,
) -> np.ndarray:
    """A scene with one plate: the plain design, or a US state's (`STATE_DESIGNS`)."""
    h, w = size
    scene = background(h, w, seed)
    plate = render_state_plate(text, state, char_height)[0] if state else render_plate(text, char_height, font)
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
