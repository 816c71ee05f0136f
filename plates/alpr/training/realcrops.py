"""Real US plate crops (the benchmark's `crops/us/`) as training data for the
recognisers and the state classifier, in the form the reader sees them.

Each crop (a whole plate, 320x156) is searched by the reader's own detector
(`detect.TwoPassDetector`); the text line whose PP-OCR reading is nearest to
the labelled plate (edit distance <= max(2, len/3)) is taken as the plate's
registration line, so training crops are cut exactly as at run time.  The
choice depends only on the detector and PP-OCR (models from the rapidocr
wheel), never on the project's own models, so the data is the same for every
training run.  Crops with `benchmark.crop_is_held_out(file)` are marked and
never trained on.

    python plates/alpr/training/realcrops.py ../shared/alpr-bench/crops/us --out lines.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import synth  # noqa: E402

from plates.alpr.benchmark import crop_is_held_out, load_crops  # noqa: E402
from plates.alpr.detect import TwoPassDetector  # noqa: E402
from plates.alpr.reader import PlateReader, _merge_neighbours  # noqa: E402
from plates.alpr.recognise import PPOCRRecogniser  # noqa: E402


def edit_distance(a: str, b: str) -> int:
    d = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, cb in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (ca != cb))
    return d[len(b)]


def extract(folder: Path) -> list[dict]:
    """One record per labelled crop: file, plate, state, held_out, polygon
    of the registration line (None where no text line matched the label)."""
    cv2.setNumThreads(1)
    reader = PlateReader(TwoPassDetector(), PPOCRRecogniser(), "ppocr")
    out = []
    for file, state, plate in load_crops(folder):
        img = cv2.imread(str(Path(folder) / file))
        rec = {"file": file, "plate": plate, "state": state, "held_out": crop_is_held_out(file), "polygon": None}
        out.append(rec)
        if img is None:
            continue
        cands = _merge_neighbours(reader.detector(img)[:8])
        if not cands or not plate:
            continue
        reads = reader.recogniser(reader._crops(img, cands))
        dists = [edit_distance(r.text, plate) for r in reads]
        k = int(np.argmin(dists))
        if dists[k] <= max(2, len(plate) // 3):
            rec["polygon"] = [[round(float(x), 2), round(float(y), 2)] for x, y in cands[k].polygon]
            rec["ppocr"] = reads[k].text
    return out


def load_or_extract(folder: Path, cache: str | None) -> list[dict]:
    if cache and Path(cache).is_file():
        return json.loads(Path(cache).read_text())
    recs = extract(folder)
    if cache:
        Path(cache).write_text(json.dumps(recs))
    return recs


def line_sample(rng: np.random.Generator, img: np.ndarray, poly) -> np.ndarray:
    """A 32x128 grey training crop of a real registration line: the reader's
    padding jittered, perspective / rotation, the plate shrunk to 11-60 px
    characters and degraded like the synthetic plates (`synth.degrade`)."""
    q = np.array(poly, np.float32)
    ux = (q[1] - q[0]) / max(float(np.linalg.norm(q[1] - q[0])), 1e-6)
    uy = (q[3] - q[0]) / max(float(np.linalg.norm(q[3] - q[0])), 1e-6)
    th = float(max(np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1])))
    # the reader pads 0.25 h left / right and 0.1 h top / bottom; vary around it
    pl, pr = th * rng.uniform(0.05, 0.5), th * rng.uniform(0.05, 0.5)
    pt, pb = th * rng.uniform(0.0, 0.3), th * rng.uniform(0.0, 0.3)
    src = np.array(
        [q[0] - ux * pl - uy * pt, q[1] + ux * pr - uy * pt, q[2] + ux * pr + uy * pb, q[3] - ux * pl + uy * pb],
        np.float32,
    )
    src += rng.normal(0, 1, src.shape).astype(np.float32) * th * rng.uniform(0.0, 0.06)
    if rng.random() < 0.5:
        ang = np.deg2rad(rng.normal(0, 3))
        c = src.mean(axis=0)
        R = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]], np.float32)
        src = (src - c) @ R.T + c
    char_px = float(np.exp(rng.uniform(np.log(11), np.log(60))))
    sh_ = max(6, int(round(char_px * (1 + (pt + pb) / th))))
    cw = float(np.linalg.norm(src[1] - src[0]))
    chh = float(np.linalg.norm(src[3] - src[0]))
    sw_ = max(8, int(round(sh_ * cw / max(chh, 1))))
    dst = np.array([[0, 0], [sw_ - 1, 0], [sw_ - 1, sh_ - 1], [0, sh_ - 1]], np.float32)
    M = cv2.getPerspectiveTransform(src, dst)
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if rng.random() < 0.7 else img[:, :, int(rng.integers(3))]
    # a blurred copy first, so shrinking a sharp 70 px line does not alias
    small = cv2.warpPerspective(grey, M, (sw_, sh_), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    if rng.random() < 0.12:
        small = 255 - small  # night IR / inverse plates
    small = synth.degrade(rng, small)
    return cv2.resize(small, (synth.W, synth.H), interpolation=cv2.INTER_AREA if sh_ > synth.H else cv2.INTER_CUBIC)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    recs = extract(Path(a.folder))
    Path(a.out).write_text(json.dumps(recs))
    found = [r for r in recs if r["polygon"]]
    train = [r for r in found if not r["held_out"]]
    print(
        f"{len(recs)} crops, line found in {len(found)}, {len(train)} for training, "
        f"{sum(r['held_out'] for r in recs)} held out"
    )


if __name__ == "__main__":
    main()
