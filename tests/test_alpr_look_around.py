"""When every reading of a frame stays weak, the reader looks again at wide
regions around the best ones: a plate of which the detector found only a
fragment (split by an emblem, or faint) is then read whole.  The detector's
`around` search is the real text detector on a drawn scene."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

np = pytest.importorskip("numpy")
pytest.importorskip("cv2")
pytest.importorskip("onnxruntime")

from plates.alpr.detect import TwoPassDetector  # noqa: E402
from plates.alpr.models import ModelNotFoundError, model_dir  # noqa: E402
from plates.alpr.reader import PlateReader  # noqa: E402
from plates.alpr.synthetic import place, render_plate, scene_with_plate  # noqa: E402
from plates.alpr.types import Candidate, Recognition, box_from_polygon  # noqa: E402

try:
    model_dir()
except ModelNotFoundError as e:  # pragma: no cover
    pytest.skip(f"OCR models not installed: {e}", allow_module_level=True)


def _line(frame):
    """The plate's registration line as the real detector finds it."""
    cands = TwoPassDetector()(frame)
    assert cands, "the drawn plate is found"
    return max(cands, key=lambda c: c.box.w)


def _fragment(c: Candidate) -> Candidate:
    """The left third of a line (what a detector keeps of a split plate)."""
    p = np.array(c.polygon, np.float32)
    p[1] = p[0] + (p[1] - p[0]) / 3
    p[2] = p[3] + (p[2] - p[3]) / 3
    poly = [(float(x), float(y)) for x, y in p]
    return Candidate(poly, box_from_polygon(poly), c.score, "db2")


class _Recogniser:
    """Reads a whole line (wide crop) surely and a fragment (short crop) weakly."""

    def __init__(self):
        self.crops = 0

    def __call__(self, crops):
        self.crops += len(crops)
        out = []
        for c in crops:
            whole = c.shape[1] > 3.0 * c.shape[0]
            text, conf = ("KXR4725", 0.95) if whole else ("KXR", 0.05)
            out.append(Recognition(text, [conf] * len(text)))
        return out


def _reader(frame, fragment, below=0.2):
    det = TwoPassDetector()
    return PlateReader(
        lambda _f: [fragment],
        _Recogniser(),
        "test",
        region="us",
        look_around=lambda f, boxes: det.around(f, boxes, ((2.0, 1.0, 160), (3.0, 1.5, 240))),
        look_around_below=below,
    )


def test_a_weak_reading_of_part_of_a_plate_is_read_again_from_the_whole_line():
    frame = scene_with_plate("KXR4725", char_height=30)
    line = _line(frame)
    reader = _reader(frame, _fragment(line))
    best = reader.read(frame)[0]
    assert best.text == "KXR4725"
    assert best.box.w > 2 * _fragment(line).box.w


def test_a_sure_reading_is_not_looked_around():
    frame = scene_with_plate("KXR4725", char_height=30)
    line = _line(frame)
    reader = _reader(frame, line)
    assert [r.text for r in reader.read(frame)] == ["KXR4725"]
    assert reader.recogniser.crops == 1


def test_looking_around_keeps_the_line_itself_not_the_text_above_or_below_it():
    frame = scene_with_plate("KXR4725", char_height=30)
    line = _line(frame)
    b = line.box
    # a second line of the same size just above the plate (a state name, a slogan)
    place(frame, render_plate("TEXAS", 30), (b.centre[0], b.y - 1.2 * b.h))
    found = TwoPassDetector().around(frame, [_fragment(line).box], ((3.0, 1.5, 240),))
    assert found
    for c in found:
        assert b.y <= c.box.centre[1] <= b.y + b.h
