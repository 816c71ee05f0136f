"""Train the plate recogniser (CRNN + CTC over A-Z0-9) on synthetic plates and
export it to ONNX for `plates.alpr.recognise.PlateCRNNRecogniser`.

One command, end to end (CPU, one thread, needs torch + onnx: see README.md):

    OMP_NUM_THREADS=1 python plates/alpr/training/train.py --seed 7

Training data is generated on the fly by `synth.py` from the seed; no real
image is used.  Output: plates/alpr/models/plate_crnn.onnx (~0.9 MB).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402

ALPHABET = synth.ALPHABET
HERE = Path(__file__).resolve().parent
OUT_DEFAULT = HERE.parent / "models" / "plate_crnn.onnx"


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class CRNN(nn.Module):
    """32x128 grey -> 32 time steps x 37 classes (0 = CTC blank)."""

    def __init__(self, c=(16, 32, 64, 96), hidden=64):
        super().__init__()
        self.cnn = nn.Sequential(
            block(1, c[0]),
            nn.MaxPool2d(2),  # 16x64
            block(c[0], c[1]),
            nn.MaxPool2d(2),  # 8x32
            block(c[1], c[2]),
            block(c[2], c[2]),
            nn.MaxPool2d((2, 1)),  # 4x32
            block(c[2], c[3]),
            nn.MaxPool2d((2, 1)),  # 2x32
            nn.Conv2d(c[3], c[3], (2, 1), bias=False),  # 1x32
            nn.BatchNorm2d(c[3]),
            nn.ReLU(inplace=True),
        )
        self.rnn = nn.LSTM(c[3], hidden, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(2 * hidden, len(ALPHABET) + 1)

    def forward(self, x):  # x: (N, 1, 32, 128) in [-1, 1]
        f = self.cnn(x).squeeze(2).permute(0, 2, 1)  # (N, 32, C)
        f, _ = self.rnn(f)
        return self.fc(f)  # logits (N, T, 37)


class Export(nn.Module):
    """uint8-range float input (N, 1, 32, 128) -> softmax (N, T, 37)."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return torch.softmax(self.m(x * (2.0 / 255.0) - 1.0), dim=-1)


def encode(labels):
    tg = torch.tensor([ALPHABET.index(c) + 1 for t in labels for c in t], dtype=torch.long)
    ln = torch.tensor([len(t) for t in labels], dtype=torch.long)
    return tg, ln


def greedy(logits):
    best = logits.argmax(-1).numpy()
    out = []
    for row in best:
        s, prev = [], 0
        for k in row:
            if k != prev and k != 0:
                s.append(ALPHABET[k - 1])
            prev = k
        out.append("".join(s))
    return out


def to_tensor(xs):
    return torch.from_numpy(xs).float().unsqueeze(1) * (2.0 / 255.0) - 1.0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--train", type=int, default=80_000, help="synthetic samples per data round")
    ap.add_argument("--rounds", type=int, default=1, help="fresh synthetic data rounds")
    ap.add_argument("--epochs", type=int, default=3, help="epochs over each round")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--minutes", type=float, default=0, help="stop training after this long (0: no limit)")
    ap.add_argument("--out", default=str(OUT_DEFAULT))
    ap.add_argument("--ckpt", default="", help="also save the torch weights here")
    ap.add_argument("--channels", default="16,32,64,96", help="conv channels of the 4 blocks")
    ap.add_argument("--hidden", type=int, default=64, help="LSTM units per direction")
    ap.add_argument("--style", default="v4", help="synthetic generator version (synth.STYLES)")
    ap.add_argument("--init", default="", help="start from these torch weights (a --ckpt of the same shape)")
    a = ap.parse_args(argv)

    synth.set_style(a.style)
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    t0 = time.time()
    xv, yv = synth.make_batch(2000, seed=a.seed * 1000 + 999)
    model = CRNN(c=tuple(int(v) for v in a.channels.split(",")), hidden=a.hidden)
    if a.init:
        model.load_state_dict(torch.load(a.init))
    print(f"params {sum(p.numel() for p in model.parameters())}", flush=True)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    steps_per_round = (a.train // a.batch) * a.epochs
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps_per_round * a.rounds, pct_start=0.1)
    step, stop = 0, False
    for rnd in range(a.rounds):
        tg = time.time()
        xs, ys = synth.make_batch(a.train, seed=a.seed * 1000 + rnd)
        print(f"round {rnd}: generated {a.train} in {time.time() - tg:.0f}s", flush=True)
        rng = np.random.default_rng(a.seed + rnd)
        for ep in range(a.epochs):
            model.train()
            order = rng.permutation(a.train)
            run = 0.0
            for b in range(a.train // a.batch):
                idx = order[b * a.batch : (b + 1) * a.batch]
                x = to_tensor(xs[idx])
                tgt, ln = encode([ys[i] for i in idx])
                logp = model(x).log_softmax(-1).permute(1, 0, 2)  # (T, N, C)
                loss = ctc(logp, tgt, torch.full((len(idx),), logp.shape[0], dtype=torch.long), ln)
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                opt.step()
                sched.step()
                step += 1
                run = 0.98 * run + 0.02 * loss.item() if step > 1 else loss.item()
                if step % 200 == 0:
                    print(f"step {step} loss {run:.3f} {time.time() - t0:.0f}s", flush=True)
                if a.minutes and time.time() - t0 > a.minutes * 60:
                    stop = True
                    break
            acc = evaluate(model, xv, yv)
            print(f"round {rnd} epoch {ep}: synthetic val exact {acc:.3f}  {time.time() - t0:.0f}s", flush=True)
            export(model, a.out)  # a usable model after every epoch
            if a.ckpt:
                torch.save(model.state_dict(), a.ckpt)
            if stop:
                break
        if stop:
            break
    export(model, a.out)
    print(f"wrote {a.out} ({os.path.getsize(a.out) / 1e6:.2f} MB) in {time.time() - t0:.0f}s", flush=True)


def evaluate(model, xv, yv):
    model.eval()
    ok = 0
    with torch.no_grad():
        for i in range(0, len(xv), 256):
            pred = greedy(model(to_tensor(xv[i : i + 256])))
            ok += sum(p == t for p, t in zip(pred, yv[i : i + 256], strict=False))
    return ok / len(xv)


def export(model, out):
    model.eval()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.zeros(1, 1, synth.H, synth.W)
    torch.onnx.export(
        Export(model),
        dummy,
        out,
        input_names=["image"],
        output_names=["probs"],
        dynamic_axes={"image": {0: "n"}, "probs": {0: "n"}},
        opset_version=17,
        dynamo=False,
    )


if __name__ == "__main__":
    main()
