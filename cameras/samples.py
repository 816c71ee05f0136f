"""Sample camera footage for the demo: made here, on the machine, so nothing is downloaded or shipped."""

from pathlib import Path

import cv2
import numpy as np

from plates.alpr.synthetic import background, passing_car

SIZE = (640, 360)
FPS = 8
STREET_FPS = 5  # three dozen demo cameras must fit beside everything else on a laptop


def _writer(path, fps=FPS):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, SIZE)
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {path}: this OpenCV build has no MPEG-4 encoder")
    return writer


def _street(t, rng_seed=3):
    """A top-down-ish street: asphalt, lane marks, kerbs, and cars moving both ways."""
    width, height = SIZE
    frame = np.full((height, width, 3), (58, 60, 62), np.uint8)
    cv2.rectangle(frame, (0, 0), (width, 70), (92, 110, 96), -1)
    cv2.rectangle(frame, (0, height - 70), (width, height), (92, 110, 96), -1)
    for x in range(-40, width, 80):
        offset = int(t * 40) % 80
        cv2.rectangle(frame, (x + offset, height // 2 - 3), (x + offset + 40, height // 2 + 3), (210, 210, 210), -1)
    rng = np.random.default_rng(rng_seed)
    for lane, direction in ((130, 1), (230, -1)):
        for car in range(3):
            speed = rng.uniform(70, 140)
            length = int(rng.integers(70, 110))
            colour = tuple(int(c) for c in rng.integers(40, 230, 3))
            x = (car * 260 + t * speed * direction) % (width + 300) - 150
            cv2.rectangle(frame, (int(x), lane - 22), (int(x) + length, lane + 22), colour, -1)
            cv2.rectangle(frame, (int(x) + 18, lane - 17), (int(x) + length - 22, lane + 17), (35, 35, 40), 2)
    return frame


def make_street_clip(path, seconds=12):
    writer = _writer(path, STREET_FPS)
    for n in range(seconds * STREET_FPS):
        frame = _street(n / STREET_FPS)
        cv2.putText(frame, "SAMPLE FOOTAGE", (12, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2)
        writer.write(frame)
    writer.release()


def make_plate_clip(path, plates=("JKL4821", "BXR9302", "7TRK553")):
    """Cars passing a plate reader, their plates readable, with gaps of empty road between them."""
    width, height = SIZE
    writer = _writer(path)
    for n, plate in enumerate(plates):
        for frame in passing_car(plate, frames=3 * FPS, size=(height, width), char_height=26, seed=n * 50):
            writer.write(frame)
        empty = background(height, width, seed=999)
        for _ in range(3 * FPS):
            writer.write(empty)
    writer.release()


def ensure_sample_clips(folder: Path) -> dict:
    """Create the sample clips once; returns {"street": path, "plates": path}."""
    folder.mkdir(parents=True, exist_ok=True)
    clips = {"street": folder / "street-5fps.mp4", "plates": folder / "plates.mp4"}
    if not clips["street"].exists():
        make_street_clip(clips["street"])
    if not clips["plates"].exists():
        make_plate_clip(clips["plates"])
    return {name: str(path) for name, path in clips.items()}
