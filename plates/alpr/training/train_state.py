"""Train the US state classifier (`plates/alpr/models/us_state.onnx`).

Data: the training part of the real US plate crops (`crops/us`, every crop
with `benchmark.crop_is_held_out(file)` false; its registration line found
by `realcrops.py`) and synthetic plates in the simplified state designs of
`plates/alpr/synthetic.STATE_DESIGNS`.  Each sample is the plate area around
the registration line (`state.plate_area`), with the line's box jittered,
shrunk to a random size, blurred, noised, JPEG-compressed, colour-shifted
and sometimes grey (night IR).  The held-out crops are only evaluated.

    OMP_NUM_THREADS=1 python plates/alpr/training/train_state.py ../shared/alpr-bench/crops/us --seed 5

Also stores in the model's metadata the class list and, per registration
pattern (LLLNNNN ...), how often each state issues it (training crops only,
add-one smoothed): `state.StateReader` combines both.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import realcrops  # noqa: E402
import synth  # noqa: E402

from plates.alpr import state as S  # noqa: E402
from plates.alpr.detect import crop_polygon  # noqa: E402
from plates.alpr.synthetic import STATE_DESIGNS, render_state_plate  # noqa: E402

OUT_DEFAULT = ROOT / "plates" / "alpr" / "models" / "us_state.onnx"


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class StateNet(nn.Module):
    """48x96 BGR -> state logits."""

    def __init__(self, n, c=(16, 32, 64, 96)):
        super().__init__()
        self.cnn = nn.Sequential(
            block(3, c[0]),
            nn.MaxPool2d(2),  # 24x48
            block(c[0], c[1]),
            nn.MaxPool2d(2),  # 12x24
            block(c[1], c[2]),
            nn.MaxPool2d(2),  # 6x12
            block(c[2], c[3]),
            nn.MaxPool2d(2),  # 3x6
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(c[3] * 3 * 6, n))

    def forward(self, x):
        return self.head(self.cnn(x))


class Export(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):  # BGR 0-255, (N, 3, 48, 96)
        return torch.softmax(self.m(x * (2.0 / 255.0) - 1.0), dim=-1)


def degrade(rng: np.random.Generator, img: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """The plate area of a (jittered) registration line, at a random small size."""
    q = poly.astype(np.float32).copy()
    th = float(np.linalg.norm(q[3] - q[0]))
    q += rng.normal(0, 1, q.shape).astype(np.float32) * th * rng.uniform(0.0, 0.08)
    pad_x = S.PAD_X + rng.uniform(-0.06, 0.06)
    pad_y = S.PAD_Y + rng.uniform(-0.12, 0.12)
    crop = crop_polygon(img, q, pad_x=pad_x, pad_y=pad_y)
    # the plate's characters were 9-60 px tall: shrink to that and back
    ch = float(np.exp(rng.uniform(np.log(9), np.log(60))))
    f = min(1.0, ch / max(th, 1.0))
    if f < 1.0:
        small = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        crop = cv2.resize(small, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_LINEAR)
    g = crop.astype(np.float32)
    g = g * rng.uniform(0.5, 1.3) + rng.uniform(-40, 40)
    g = g * rng.uniform(0.85, 1.15, 3)[None, None, :]  # white balance
    if rng.random() < 0.3:
        g = cv2.GaussianBlur(g, (0, 0), rng.uniform(0.5, 1.5))
    g = g + rng.normal(0, rng.uniform(0, 10), g.shape)
    g = np.clip(g, 0, 255).astype(np.uint8)
    if rng.random() < 0.1:  # night IR: no colour
        g = cv2.cvtColor(cv2.cvtColor(g, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    if rng.random() < 0.5:
        ok, enc = cv2.imencode(".jpg", g, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(20, 90))])
        if ok:
            g = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    return cv2.resize(g, (S.WIDTH, S.HEIGHT), interpolation=cv2.INTER_AREA)


def synthetic(rng: np.random.Generator, states: list[str]) -> tuple[np.ndarray, np.ndarray, str]:
    st = states[int(rng.integers(len(states)))]
    text, _ = synth.plate_text(rng)
    plate, quad = render_state_plate(text[:8] or "ABC123", st, int(rng.integers(28, 48)))
    # on a dull surround, like a car around the plate
    m = int(plate.shape[0] * 0.6)
    canvas = np.full((plate.shape[0] + 2 * m, plate.shape[1] + 2 * m, 3), rng.integers(20, 200, 3), np.uint8)
    canvas[m : m + plate.shape[0], m : m + plate.shape[1]] = plate
    return canvas, quad + m, st


def pattern_prior(recs: list[dict], states: list[str]) -> dict[str, list[float]]:
    """P(pattern | state), add-one smoothed over the patterns seen in training."""
    counts: dict[str, np.ndarray] = {}
    for r in recs:
        if r["state"] in states:
            counts.setdefault(S.pattern(r["plate"]), np.zeros(len(states)))[states.index(r["state"])] += 1
    per_state = sum(counts.values()) + len(counts)
    return {p: [round(float(v), 5) for v in (c + 1) / per_state] for p, c in counts.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", help="crops/us folder (groundtruth.csv with file,state,plate)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--synthetic-share", type=float, default=0.2)
    ap.add_argument("--real-lines", default="", help="cache file for realcrops.extract (made when missing)")
    ap.add_argument("--out", default=str(OUT_DEFAULT))
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    t0 = time.time()
    recs = realcrops.load_or_extract(Path(a.folder), a.real_lines or None)
    recs = [r for r in recs if r["polygon"] and len(r["state"]) == 2]
    train = [r for r in recs if not r["held_out"]]
    test = [r for r in recs if r["held_out"]]
    states = sorted({r["state"] for r in train} | set(STATE_DESIGNS))
    imgs = {r["file"]: cv2.imread(str(Path(a.folder) / r["file"])) for r in recs}
    print(f"{len(states)} states, {len(train)} training crops, {len(test)} held out", flush=True)
    model = StateNet(len(states))
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.steps, pct_start=0.1)
    lossf = nn.CrossEntropyLoss(label_smoothing=0.05)
    n_syn = int(round(a.batch * a.synthetic_share))
    run = 0.0
    for step in range(1, a.steps + 1):
        model.train()
        xs, ys = [], []
        for k in rng.integers(0, len(train), a.batch - n_syn):
            r = train[k]
            xs.append(degrade(rng, imgs[r["file"]], np.array(r["polygon"], np.float32)))
            ys.append(states.index(r["state"]))
        for _ in range(n_syn):
            img, quad, st = synthetic(rng, sorted(STATE_DESIGNS))
            xs.append(degrade(rng, img, quad))
            ys.append(states.index(st))
        x = torch.from_numpy(np.stack(xs)).float().permute(0, 3, 1, 2) * (2.0 / 255.0) - 1.0
        loss = lossf(model(x), torch.tensor(ys))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        run = 0.98 * run + 0.02 * loss.item() if step > 1 else loss.item()
        if step % 250 == 0 or step == a.steps:
            acc = evaluate(model, test, imgs, states)
            print(f"step {step} loss {run:.3f} held-out state exact {acc:.3f} {time.time() - t0:.0f}s", flush=True)
    export(model, a.out, states, pattern_prior(train, states))
    print(f"wrote {a.out} in {time.time() - t0:.0f}s", flush=True)


def evaluate(model, test, imgs, states) -> float:
    """Held-out crops, plate area cut exactly as at run time (no layout prior)."""
    model.eval()
    x = np.stack([S.plate_area(imgs[r["file"]], r["polygon"]) for r in test])
    with torch.no_grad():
        pred = model(torch.from_numpy(x).float().permute(0, 3, 1, 2) * (2.0 / 255.0) - 1.0).argmax(-1).numpy()
    return float(np.mean([states[p] == r["state"] for p, r in zip(pred, test, strict=True)]))


def export(model, out, states, prior):
    import onnx

    model.eval()
    torch.onnx.export(
        Export(model),
        torch.zeros(1, 3, S.HEIGHT, S.WIDTH),
        out,
        input_names=["image"],
        output_names=["probs"],
        dynamic_axes={"image": {0: "n"}, "probs": {0: "n"}},
        opset_version=17,
        dynamo=False,
    )
    m = onnx.load(out)
    for k, v in (("states", json.dumps(states)), ("layout_prior", json.dumps(prior, sort_keys=True))):
        e = m.metadata_props.add()
        e.key, e.value = k, v
    onnx.save(m, out)


if __name__ == "__main__":
    main()
