"""The plate reader on plates the test draws itself (no shared data needed)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

np = pytest.importorskip("numpy")
pytest.importorskip("cv2")
pytest.importorskip("onnxruntime")

from plates.alpr import PlateTracker, read_frame  # noqa: E402
from plates.alpr.models import ModelNotFoundError, model_dir  # noqa: E402
from plates.alpr.synthetic import passing_car, scene_with_plate  # noqa: E402

try:
    model_dir()
except ModelNotFoundError as e:  # pragma: no cover
    pytest.skip(f"OCR models not installed: {e}", allow_module_level=True)


def best_text(frame):
    readings = read_frame(frame)
    return readings[0].text if readings else ""


@pytest.mark.parametrize("font", ["simplex", "duplex", "triplex", "complex"])
def test_it_reads_a_synthetic_plate_in_each_font(font):
    assert best_text(scene_with_plate("KXR4725", font=font)) == "KXR4725"


@pytest.mark.parametrize("char_height", [18, 28, 48, 90])
def test_it_reads_a_synthetic_plate_at_each_size(char_height):
    assert best_text(scene_with_plate("7WNP384", char_height=char_height)) == "7WNP384"


@pytest.mark.parametrize("angle", [-15, -10, 5, 10, 15])
def test_it_reads_a_synthetic_plate_rotated_up_to_fifteen_degrees(angle):
    assert best_text(scene_with_plate("HTC5829", angle=angle)) == "HTC5829"


def test_it_reads_a_synthetic_plate_rotated_ten_degrees_with_blur_and_noise():
    frame = scene_with_plate("MKV3946", angle=10, blur=1.2, noise=8, seed=3)
    assert best_text(frame) == "MKV3946"


def test_it_reads_a_blurred_plate():
    assert best_text(scene_with_plate("RTY7364", blur=1.5)) == "RTY7364"


def test_it_reads_a_noisy_plate():
    assert best_text(scene_with_plate("XPE2957", noise=14, seed=5)) == "XPE2957"


def test_a_reading_carries_box_confidences_engine_and_alternatives():
    from plates.alpr.engines import engine_name

    frame = scene_with_plate("KXR4725", centre=(640, 430))
    r = read_frame(frame)[0]
    assert r.text == "KXR4725"
    assert 0.0 < r.confidence <= 1.0
    assert len(r.char_confidences) == len(r.text)
    assert all(0.0 <= c <= 1.0 for c in r.char_confidences)
    assert r.engine == engine_name()  # the default engine, or $RTCC_ALPR_ENGINE
    assert len(r.polygon) == 4
    cx, cy = r.box.centre
    assert abs(cx - 640) < 60 and abs(cy - 430) < 40
    assert r.alternatives and r.alternatives[0][0] == "KXR4725"
    assert all(isinstance(t, str) and isinstance(s, float) for t, s in r.alternatives)


def test_an_empty_street_gives_no_reading():
    from plates.alpr.synthetic import background

    assert read_frame(background(480, 640)) == []


def test_a_passing_plate_in_a_synthetic_video_yields_exactly_one_tracked_reading():
    tracker = PlateTracker()
    results = []
    for i, frame in enumerate(passing_car("GKW5830", frames=16)):
        results += tracker.update(read_frame(frame), frame_index=i)
    results += tracker.flush()
    assert len(results) == 1
    assert results[0].text == "GKW5830"
    assert results[0].hits >= 8
    assert 0.0 < results[0].confidence <= 1.0


def test_the_engine_can_be_chosen_by_environment_variable(monkeypatch):
    from plates.alpr.engines import UnknownEngineError, engine_name

    monkeypatch.setenv("RTCC_ALPR_ENGINE", "tesseract")
    assert engine_name() == "tesseract"
    monkeypatch.setenv("RTCC_ALPR_ENGINE", "no-such-engine")
    with pytest.raises(UnknownEngineError):
        engine_name()
    assert engine_name("ppocr") == "ppocr"


def test_the_tesseract_engine_reads_a_large_synthetic_plate():
    import shutil

    if not shutil.which("tesseract"):
        pytest.skip("tesseract binary not installed (apt-get install tesseract-ocr)")
    pytest.importorskip("pytesseract")
    readings = read_frame(scene_with_plate("KXR4725", char_height=48), engine="tesseract")
    assert readings and readings[0].text == "KXR4725"
    assert readings[0].engine == "tesseract"
