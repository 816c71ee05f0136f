"""Bad input never crashes or hangs the reader: a clear error or no readings."""

import os
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

np = pytest.importorskip("numpy")
pytest.importorskip("cv2")

from plates.alpr import FrameTooLargeError, InvalidFrameError, load_image, read_file, read_frame  # noqa: E402
from plates.alpr.validate import check_frame  # noqa: E402


def test_an_empty_array_is_a_clear_error():
    with pytest.raises(InvalidFrameError):
        read_frame(np.zeros((0, 0, 3), np.uint8))


def test_none_is_a_clear_error():
    with pytest.raises(InvalidFrameError):
        read_frame(None)


def test_something_that_is_not_an_array_is_a_clear_error():
    with pytest.raises(InvalidFrameError):
        read_frame("car.jpg")


def test_the_errors_are_value_errors():
    assert issubclass(InvalidFrameError, ValueError)
    assert issubclass(FrameTooLargeError, InvalidFrameError)


def test_a_one_pixel_image_gives_no_readings():
    assert read_frame(np.zeros((1, 1, 3), np.uint8)) == []


def test_a_sixteen_bit_image_is_read_without_error():
    frame = (np.random.default_rng(0).random((240, 320, 3)) * 65535).astype(np.uint16)
    assert isinstance(read_frame(frame), list)
    assert check_frame(frame).dtype == np.uint8


def test_a_single_channel_image_is_read_without_error():
    assert isinstance(read_frame(np.full((240, 320), 128, np.uint8)), list)
    assert isinstance(read_frame(np.full((240, 320, 1), 128, np.uint8)), list)


def test_a_four_channel_image_is_read_without_error():
    assert isinstance(read_frame(np.full((240, 320, 4), 128, np.uint8)), list)


def test_an_array_of_the_wrong_shape_is_a_clear_error():
    with pytest.raises(InvalidFrameError):
        read_frame(np.zeros((10, 10, 2), np.uint8))
    with pytest.raises(InvalidFrameError):
        read_frame(np.zeros((4, 4, 4, 4), np.uint8))


def test_a_float_image_with_nan_is_a_clear_error():
    f = np.zeros((64, 64, 3), np.float32)
    f[0, 0, 0] = np.nan
    with pytest.raises(InvalidFrameError):
        read_frame(f)


def test_a_12000_pixel_square_image_is_refused_quickly():
    frame = np.zeros((12000, 12000), np.uint8)
    t = time.perf_counter()
    with pytest.raises(FrameTooLargeError):
        read_frame(frame)
    assert time.perf_counter() - t < 2.0


def test_a_corrupt_image_file_is_a_clear_error(tmp_path):
    p = tmp_path / "broken.jpg"
    p.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    with pytest.raises(InvalidFrameError):
        load_image(p)
    with pytest.raises(InvalidFrameError):
        read_file(p)


def test_an_empty_file_and_a_missing_file_are_clear_errors(tmp_path):
    p = tmp_path / "empty.png"
    p.write_bytes(b"")
    with pytest.raises(InvalidFrameError):
        load_image(p)
    with pytest.raises(InvalidFrameError):
        load_image(tmp_path / "nope.png")


def test_a_corrupt_video_file_is_a_clear_error(tmp_path):
    p = tmp_path / "broken.mp4"
    p.write_bytes(b"\x00\x00\x00\x18ftypmp42 garbage" * 10)
    with pytest.raises(InvalidFrameError):
        read_file(p)


def test_the_reader_core_does_not_import_django():
    code = (
        f"import sys; sys.path.insert(0, {ROOT!r}); import plates.alpr, plates.alpr.benchmark, "
        "plates.alpr.tracker, plates.alpr.engines; print('django' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
