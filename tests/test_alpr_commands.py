"""The technicians' commands: alpr_read and alpr_benchmark, with clear errors for bad input."""

import json
from io import StringIO

import cv2
import pytest
from django.core.management import CommandError, call_command

from plates.alpr.synthetic import render_plate


def test_alpr_read_prints_the_plate_in_an_image(tmp_path):
    path = tmp_path / "car.png"
    cv2.imwrite(str(path), render_plate("ABC1234"))
    out = StringIO()
    call_command("alpr_read", str(path), region="us", stdout=out)
    assert out.getvalue().split()[0] == "ABC1234"


def test_alpr_read_refuses_a_missing_or_corrupt_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("alpr_read", str(tmp_path / "nope.jpg"))
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8 this is not a jpeg")
    with pytest.raises(CommandError, match="corrupt.jpg"):
        call_command("alpr_read", str(corrupt))


def test_alpr_benchmark_ends_with_one_json_line(tmp_path):
    folder = tmp_path / "us"
    folder.mkdir()
    for plate in ("ABC1234", "7XYZ123"):
        cv2.imwrite(str(folder / f"{plate}.jpg"), render_plate(plate))
        (folder / f"{plate}.txt").write_text(f"{plate}.jpg\t0\t0\t10\t10\t{plate}\n")
    out = StringIO()
    call_command("alpr_benchmark", str(folder), json=True, stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["folders"]["us"]["images"] == 2
    assert set(summary["folders"]["us"]) == {"images", "exact", "accuracy", "ms_median", "ms_p95"}


def test_alpr_benchmark_says_when_a_folder_has_no_samples(tmp_path):
    with pytest.raises(CommandError, match="no benchmark folders"):
        call_command("alpr_benchmark", str(tmp_path))
