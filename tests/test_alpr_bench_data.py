"""End to end on a fixed small subset of ../shared/alpr-bench (skipped when absent)."""

import io
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = (ROOT / ".." / "shared" / "alpr-bench").resolve()

pytestmark = pytest.mark.skipif(
    not (BENCH / "br").is_dir(), reason=f"ALPR benchmark data not found at {BENCH} (it lives outside the repository)"
)

# (folder, image, plate) - a fixed subset; the reader must get most of them.
SUBSET = [
    ("br", "AYO9034.jpg"),
    ("br", "AZJ6991.jpg"),
    ("br", "HPM9362.jpg"),
    ("br", "JIT7463.jpg"),
    ("br", "JQV5526.jpg"),
    ("eu", "eu11.jpg"),
    ("eu", "test_003.jpg"),
    ("eu", "test_013.jpg"),
    ("us", "car14.jpg"),
    ("us", "us1.jpg"),
    ("us", "us8.jpg"),
    ("us", "car9-1.jpg"),
]


def truth(folder, name):
    txt = (BENCH / folder / name).with_suffix(".txt")
    return txt.read_text().strip().split("\t")[5]


def test_the_reader_reads_most_of_a_fixed_subset_of_real_scenes():
    from plates.alpr import load_image, read_frame

    got = []
    for folder, name in SUBSET:
        if not (BENCH / folder / name).is_file():
            pytest.skip(f"{folder}/{name} missing from {BENCH}")
        readings = read_frame(load_image(BENCH / folder / name), region=folder)
        got.append((readings[0].text if readings else "") == truth(folder, name))
    assert sum(got) >= len(SUBSET) - 2, got


def test_the_benchmark_prints_a_json_summary_as_its_last_line():
    from plates.alpr.benchmark import run

    out = io.StringIO()
    run(BENCH / "br", engine="ppocr", out=out, as_json=True, limit=3)
    last = json.loads(out.getvalue().strip().splitlines()[-1])
    assert last["engine"] == "ppocr"
    br = last["folders"]["br"]
    assert br["images"] == 3 and 0 <= br["exact"] <= 3
    assert set(br) == {"images", "exact", "accuracy", "ms_median", "ms_p95"}
