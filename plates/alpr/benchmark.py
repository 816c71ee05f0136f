"""Benchmark the reader on folders in the OpenALPR benchmark layout.

A folder holds `NAME.jpg` (or .png) images, each with `NAME.txt` holding one
tab-separated line: `file  x  y  w  h  PLATE`.  DIR may be one such folder or a
folder of them.  A scene counts as read when the best reading equals PLATE.
No Django here: `bench/alpr_bench.py` and the management command wrap `run()`.
"""

from __future__ import annotations

import hashlib
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
    # (confidence of the best reading, read exactly) per image, for `calibration`
    confidences: list[tuple[float, bool]] = field(default_factory=list)

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


# The real US plate crops (`crops/us/`, `groundtruth.csv`) are partly used to
# train the project's recognisers; the crops whose file name hashes to 0 mod 5
# (about a fifth) are never trained on and every figure is reported on them.
HELD_OUT_MODULUS = 5


def crop_is_held_out(file_name: str) -> bool:
    """True for the fixed held-out part of the real plate crops (never trained on)."""
    digest = hashlib.sha1(Path(file_name).name.encode("utf-8")).hexdigest()
    return int(digest, 16) % HELD_OUT_MODULUS == 0


def load_crops(folder: Path) -> list[tuple[str, str, str]]:
    """(file, state in upper case, plate) rows of a crops folder's groundtruth.csv."""
    import csv

    with open(Path(folder) / "groundtruth.csv", encoding="utf-8", newline="") as fh:
        return [(r["file"], r["state"].strip().upper(), normalise(r["plate"])) for r in csv.DictReader(fh)]


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
    calibrate: bool = False,
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
            res.confidences.append((readings[0].confidence if readings else 0.0, best == s.plate))
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
    if calibrate:
        pairs = [p for r in results.values() for p in r.confidences]
        print_calibration("scenes, all folders", pairs, out)
        summary["calibration"] = calibration(pairs)
    if as_json:
        print(json.dumps(summary), file=out)
    return summary


CONFIDENCE_BANDS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def calibration(pairs: list[tuple[float, bool]], bands=CONFIDENCE_BANDS) -> list[dict]:
    """Confidence band -> how many best readings fell in it and the share read exactly."""
    rows = []
    for lo, hi in zip(bands, bands[1:], strict=False):
        inside = [ok for c, ok in pairs if lo <= c < hi]
        rows.append(
            {
                "band": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                "readings": len(inside),
                "exact": sum(inside),
                "share": round(sum(inside) / len(inside), 3) if inside else None,
            }
        )
    return rows


def print_calibration(title: str, pairs: list[tuple[float, bool]], out: TextIO) -> None:
    print(f"calibration ({title}): confidence band, readings, exact, share exact", file=out)
    for r in calibration(pairs):
        share = f"{r['share'] * 100:.1f}%" if r["share"] is not None else "-"
        print(f"  {r['band']:<9}{r['readings']:>6}{r['exact']:>7}{share:>9}", file=out)


def run_crops(
    folder,
    engine: str | None = None,
    part: str = "held-out",
    out: TextIO = sys.stdout,
    as_json: bool = False,
    calibrate: bool = False,
    verbose: bool = False,
) -> dict:
    """Read each plate crop of a `crops/us`-style folder as a small scene with
    the us region; text exact (best reading == plate) and state exact (the
    best reading's state == the labelled state).  part: "held-out" (the crops
    never trained on, `crop_is_held_out`), "train" or "all"."""
    limit_threads()
    import cv2

    from .engines import engine_name, get_reader

    name = engine_name(engine)
    rows = load_crops(Path(folder))
    if part != "all":
        rows = [r for r in rows if crop_is_held_out(r[0]) == (part == "held-out")]
    reader = get_reader(name, region="us")
    text_ok = state_ok = 0
    pairs, state_pairs, ms = [], [], []
    for file, state, plate in rows:
        im = cv2.imread(str(Path(folder) / file))
        t0 = time.perf_counter()
        try:
            readings = reader.read(im)
        except ValueError:
            readings = []
        ms.append((time.perf_counter() - t0) * 1000.0)
        best = readings[0] if readings else None
        ok = best is not None and best.text == plate
        sok = best is not None and best.state == state
        text_ok += ok
        state_ok += sok
        pairs.append((best.confidence if best else 0.0, ok))
        state_pairs.append((best.state_confidence if best else 0.0, sok))
        if verbose:
            got = f"{best.text}\t{best.state}\t{best.state_confidence:.2f}" if best else "-"
            print(f"  {file}\t{plate}\t{state}\t{got}\t{'ok' if ok else 'MISS'}", file=out)
    n = len(rows)
    summary = {
        "engine": name,
        "part": part,
        "crops": n,
        "text_exact": text_ok,
        "text_accuracy": round(text_ok / n, 4) if n else 0.0,
        "state_exact": state_ok,
        "state_accuracy": round(state_ok / n, 4) if n else 0.0,
        "ms_median": round(sorted(ms)[len(ms) // 2], 1) if ms else 0.0,
    }
    print(
        f"engine {name}, crops {part}: {n}, text exact {text_ok} ({summary['text_accuracy'] * 100:.1f}%), "
        f"state exact {state_ok} ({summary['state_accuracy'] * 100:.1f}%)",
        file=out,
    )
    if calibrate:
        print_calibration(f"crops {part}, plate text", pairs, out)
        print_calibration(f"crops {part}, state", state_pairs, out)
        summary["calibration"] = calibration(pairs)
        summary["state_calibration"] = calibration(state_pairs)
    if as_json:
        print(json.dumps(summary), file=out)
    return summary
