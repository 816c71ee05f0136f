"""Synthetic footage of cars passing with readable plates, drawn here: for tests, the benchmark and demos.

Nothing is downloaded or shipped; frames come from `plates.alpr.synthetic`.
"""

from pathlib import Path

import cv2

from plates.alpr.synthetic import background, passing_car


def write_passing_plates(
    path,
    plates=("GKW5830", "KXR4725"),
    *,
    size=(480, 854),
    fps: int = 10,
    pass_seconds: float = 1.6,
    gap_seconds: float = 1.0,
    char_height: int | None = None,
) -> list[tuple[str, float, float]]:
    """Write an MPEG-4 clip of `plates` passing one after another, with empty road between them.

    Returns (plate, first second, last second) for each, the ground truth a reader should find.
    """
    height, width = size
    char_height = char_height or max(24, int(height / 16))
    writer = cv2.VideoWriter(str(Path(path)), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {path}: this OpenCV build has no MPEG-4 encoder")
    truth = []
    index = 0
    empty = background(height, width, seed=999)
    try:
        for n, plate in enumerate(plates):
            for _ in range(int(gap_seconds * fps)):
                writer.write(empty)
                index += 1
            frames = int(pass_seconds * fps)
            first = index / fps
            for frame in passing_car(plate, frames=frames, size=(height, width), char_height=char_height, seed=n * 50):
                writer.write(frame)
                index += 1
            truth.append((plate, first, (index - 1) / fps))
        for _ in range(int(gap_seconds * fps)):
            writer.write(empty)
    finally:
        writer.release()
    return truth
