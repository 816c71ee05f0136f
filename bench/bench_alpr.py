"""Plate reader accuracy and speed on ../shared/alpr-bench, one row per engine (one core each)."""

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("OMP_NUM_THREADS", "1")

TITLE = "Plate reader: real photographs (../shared/alpr-bench)"
DATA = ROOT.parent / "shared" / "alpr-bench"
ENGINES = os.environ.get("BENCH_ALPR_ENGINES", "ensemble,ppocr,crnn,tesseract").split(",")


def run():
    if not DATA.is_dir():
        return f"Skipped: {DATA} is absent (the benchmark photographs are not shipped with the project).\n"
    from plates.alpr.benchmark import run as benchmark

    rows = []
    for engine in ENGINES:
        print(f"   engine {engine}", flush=True)
        summary = benchmark(DATA, engine=engine, out=io.StringIO())
        for folder, f in summary["folders"].items():
            rows.append(
                f"| {engine} | {folder} | {f['images']} | {f['exact']} | {f['accuracy'] * 100:.1f}% | "
                f"{f['ms_median']:.0f} | {f['ms_p95']:.0f} |"
            )
    return (
        "Whole scenes, exact match of the best reading, region from the folder name (as a deployment sets "
        "its country). Development split; targets: us 80%, eu 85%, br 85%, median under 250 ms.\n\n"
        "| engine | folder | images | exact | accuracy | median ms | p95 ms |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
        "Command: `python manage.py alpr_benchmark ../shared/alpr-bench --engine ENGINE --json` "
        "(or `make bench`).\n"
    )


if __name__ == "__main__":
    from common import main

    main(run)
