#!/usr/bin/env python
"""Benchmark the plate reader on an OpenALPR-layout folder (or folder of folders).

python bench/alpr_bench.py ../shared/alpr-bench [--engine ppocr] [--json] [--calibration]
python bench/alpr_bench.py ../shared/alpr-bench/crops/us --crops held-out [--calibration]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from plates.alpr.benchmark import run, run_crops  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--engine", default=None, help="engine name (default: $RTCC_ALPR_ENGINE or ppocr)")
    ap.add_argument("--region", default="auto", help="'auto' (folder name us/eu/br is the region), 'none', or us/eu/br")
    ap.add_argument("--json", action="store_true", help="last line of output is a JSON summary")
    ap.add_argument("--limit", type=int, default=None, help="only the first N images per folder")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per image")
    ap.add_argument("--calibration", action="store_true", help="print confidence band -> share of exact reads")
    ap.add_argument(
        "--crops",
        default=None,
        choices=("held-out", "train", "all"),
        help="DIR is a crops folder (groundtruth.csv): read these crops, text and state exact",
    )
    a = ap.parse_args(argv)
    region = None if a.region.lower() == "none" else a.region.lower()
    try:
        if a.crops:
            run_crops(a.dir, engine=a.engine, part=a.crops, as_json=a.json, calibrate=a.calibration, verbose=a.verbose)
        else:
            run(
                a.dir,
                engine=a.engine,
                region=region,
                as_json=a.json,
                limit=a.limit,
                verbose=a.verbose,
                calibrate=a.calibration,
            )
    except (FileNotFoundError, ValueError) as e:
        sys.exit(f"error: {e}")


if __name__ == "__main__":
    main()
