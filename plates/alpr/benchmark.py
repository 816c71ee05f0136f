"""Benchmark the reader on folders in the OpenALPR benchmark layout.

A folder holds `NAME.jpg` (or .png) images, each with `NAME.txt` holding one
tab-separated line: `file  x  y  w  h  PLATE`.  DIR may be one such folder or a
folder of them.  A scene counts as read when the best reading equals PLATE.
No Django here: `bench/alpr_bench.py` and the management command wrap `run()`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .normalisation import KNOWN_REGIONS, normalise


@dataclass
class Sample:
    image: Path
    plate: str
    box: tuple[int, int, int, int]


@dataclass
class FolderResult:
    name: str
    images: int = 0
    exact: int = 0
    ms: list[float] = field(default_factory=list)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # file, truth, read

    @property
    def accuracy(self) -> float:
        return self.exact / self.images if self.images else 0.0

    def percentile(self, q: float) -> float:
        if not self.ms:
            return 0.0
        xs = sorted(self.ms)
        k = (len(xs) - 1) * q
        lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)

    def summary(self) -> dict:
        return {
            "images": self.images,
            "exact": self.exact,
            "accuracy": round(self.accuracy, 4),
            "ms_median": round(self.percentile(0.5), 1),
            "ms_p95": round(self.percentile(0.95), 1),
        }


def load_folder(folder: Path) -> list[Sample]:
    out = []
    for txt in sorted(folder.glob("*.txt")):
        try:
            line = txt.read_text(encoding="utf-8", errors="replace").strip().splitlines()[0]
        except (OSError, IndexError):
            continue
        parts = line.split("\t")
        if len(parts) < 6:
            continue
        img = folder / parts[0]
        if not img.is_file():
            continue
        try:
            box = tuple(int(float(v)) for v in parts[1:5])
        except ValueError:
            continue
        out.append(Sample(img, normalise(parts[5]), box))
    return out


def find_folders(root: Path) -> list[Path]:
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"benchmark folder not found: {root}")
    if any(root.glob("*.txt")) and load_folder(root):
        return [root]
    return [p for p in sorted(root.iterdir()) if p.is_dir() and load_folder(p)]


def limit_threads() -> None:
    """Measure on one core."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("RTCC_ALPR_THREADS", "1")
    try:
        import cv2

        cv2.setNumThreads(1)
    except Exception:
        pass


def run(
    root,
    engine: str | None = None,
    region: str | None = "auto",
    out: TextIO = sys.stdout,
    as_json: bool = False,
    limit: int | None = None,
    verbose: bool = False,
) -> dict:
    """Benchmark every folder under `root`; print a table (and a JSON last line).

    region: "auto" uses the folder name as the plate region when it is one of
    us/eu/br (as a deployment would configure its country), None reads with no
    region knowledge, or a fixed region for every folder.
    """
    limit_threads()
    import cv2

    from .engines import engine_name, get_reader

    name = engine_name(engine)
    folders = find_folders(Path(root))
    if not folders:
        raise FileNotFoundError(f"no benchmark folders (NAME.jpg + NAME.txt) under {root}")
    results: dict[str, FolderResult] = {}
    for folder in folders:
        samples = load_folder(folder)[:limit] if limit else load_folder(folder)
        reg = folder.name.lower() if region == "auto" else region
        if reg not in KNOWN_REGIONS:
            reg = None
        reader = get_reader(name, region=reg)
        res = FolderResult(folder.name)
        results[folder.name] = res
        # warm up (model loading is not part of the per-image time)
        if samples:
            im = cv2.imread(str(samples[0].image))
            if im is not None:
                reader.read(im)
        for i, s in enumerate(samples, 1):
            im = cv2.imread(str(s.image))
            t0 = time.perf_counter()
            try:
                readings = reader.read(im)
            except ValueError:
                readings = []
            dt = (time.perf_counter() - t0) * 1000.0
            best = readings[0].text if readings else ""
            res.images += 1
            res.ms.append(dt)
            if best == s.plate:
                res.exact += 1
            else:
                res.misses.append((s.image.name, s.plate, best))
            if verbose:
                print(
                    f"  {s.image.name}\t{s.plate}\t{best}\t{'ok' if best == s.plate else 'MISS'}\t{dt:.0f} ms", file=out
                )
            if i % 10 == 0 or i == len(samples):
                print(f"\r{folder.name}: {i}/{len(samples)} exact {res.exact}", end="", file=sys.stderr, flush=True)
        print("", file=sys.stderr)
    print(f"engine {name}", file=out)
    print(f"{'folder':<10}{'images':>8}{'exact':>8}{'accuracy':>10}{'median ms':>11}{'p95 ms':>9}", file=out)
    for k, r in results.items():
        s = r.summary()
        print(
            f"{k:<10}{s['images']:>8}{s['exact']:>8}{s['accuracy'] * 100:>9.1f}%"
            f"{s['ms_median']:>11.0f}{s['ms_p95']:>9.0f}",
            file=out,
        )
    summary = {"folders": {k: r.summary() for k, r in results.items()}, "engine": name}
    if as_json:
        print(json.dumps(summary), file=out)
    return summary
