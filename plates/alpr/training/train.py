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
    """32x128 grey -> 32 time steps x 37 classes (0 = CTC blank); any width
    that is a multiple of 4 gives width / 4 time steps."""

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


def load_onnx(model: CRNN, path: str) -> None:
    """Start from a committed ONNX model (exported by `export`, BatchNorm folded
    into the convolutions): each conv takes the folded weights and its
    BatchNorm becomes the identity plus the folded bias; fine-tune with the
    BatchNorms frozen (`freeze_bn`)."""
    import onnx
    from onnx import numpy_helper

    g = onnx.load(path).graph
    init = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in g.initializer}
    convs = [n for n in g.node if n.op_type == "Conv"]
    mods = list(model.cnn)
    pairs = [(s[0], s[1]) for s in mods if isinstance(s, nn.Sequential)] + [(mods[-3], mods[-2])]
    assert len(pairs) == len(convs)
    with torch.no_grad():
        for (conv, bn), node in zip(pairs, convs, strict=True):
            conv.weight.copy_(init[node.input[1]])
            bn.weight.fill_(1.0)
            bn.bias.copy_(init[node.input[2]])
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
        lstm = next(n for n in g.node if n.op_type == "LSTM")
        W, R, B = (init[lstm.input[i]] for i in (1, 2, 3))
        h = model.rnn.hidden_size
        order = [0, 2, 3, 1]  # ONNX gates i, o, f, c -> torch i, f, g, o

        def re(x):
            return torch.cat([x[k * h : (k + 1) * h] for k in order])

        for d, sfx in enumerate(("", "_reverse")):
            getattr(model.rnn, "weight_ih_l0" + sfx).copy_(re(W[d]))
            getattr(model.rnn, "weight_hh_l0" + sfx).copy_(re(R[d]))
            getattr(model.rnn, "bias_ih_l0" + sfx).copy_(re(B[d][: 4 * h]))
            getattr(model.rnn, "bias_hh_l0" + sfx).copy_(re(B[d][4 * h :]))
        mm = next(n for n in g.node if n.op_type == "MatMul")
        model.fc.weight.copy_(init[mm.input[1]].T)
        model.fc.bias.copy_(init["m.fc.bias"])


def freeze_bn(model: nn.Module) -> None:
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()


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
    ap.add_argument("--width", type=int, default=128, help="input width (32 px high; 4 px per CTC time step)")
    ap.add_argument("--init", default="", help="start from these torch weights (a --ckpt of the same shape)")
    ap.add_argument("--init-onnx", default="", help="fine-tune a committed model (BatchNorms frozen)")
    ap.add_argument("--real", default="", help="real plate crops folder (crops/us with groundtruth.csv) to mix in")
    ap.add_argument("--real-lines", default="", help="cache file for realcrops.extract (made when missing)")
    ap.add_argument("--real-share", type=float, default=0.25, help="share of each batch drawn from the real crops")
    a = ap.parse_args(argv)

    synth.set_style(a.style)
    synth.W = a.width  # every crop (synthetic, real, held-out, export) is squeezed to 32 x width
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    t0 = time.time()
    xv, yv = synth.make_batch(2000, seed=a.seed * 1000 + 999)
    model = CRNN(c=tuple(int(v) for v in a.channels.split(",")), hidden=a.hidden)
    if a.init:
        model.load_state_dict(torch.load(a.init))
    if a.init_onnx:
        load_onnx(model, a.init_onnx)
    print(f"params {sum(p.numel() for p in model.parameters())}", flush=True)
    real = RealLines(a.real, a.real_lines) if a.real else None
    n_real = int(round(a.batch * a.real_share)) if real else 0
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    n_syn = a.batch - n_real  # synthetic samples per step
    steps_per_round = (a.train // n_syn) * a.epochs
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps_per_round * a.rounds, pct_start=0.1)
    step, stop = 0, False
    for rnd in range(a.rounds):
        tg = time.time()
        xs, ys = synth.make_batch(a.train, seed=a.seed * 1000 + rnd)
        print(f"round {rnd}: generated {a.train} in {time.time() - tg:.0f}s", flush=True)
        rng = np.random.default_rng(a.seed + rnd)
        for ep in range(a.epochs):
            model.train()
            if a.init_onnx:
                freeze_bn(model)
            order = rng.permutation(a.train)
            run = 0.0
            for b in range(a.train // n_syn):
                idx = order[b * n_syn : (b + 1) * n_syn]
                xb, yb = xs[idx], [ys[i] for i in idx]
                if n_real:
                    xr, yr = real.batch(rng, n_real)
                    xb, yb = np.concatenate([xb, xr]), yb + yr
                x = to_tensor(xb)
                tgt, ln = encode(yb)
                logp = model(x).log_softmax(-1).permute(1, 0, 2)  # (T, N, C)
                loss = ctc(logp, tgt, torch.full((len(yb),), logp.shape[0], dtype=torch.long), ln)
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
            if real:
                print(f"  real held-out lines exact {evaluate(model, *real.held_out()):.3f}", flush=True)
            export(model, a.out)  # a usable model after every epoch
            if a.ckpt:
                torch.save(model.state_dict(), a.ckpt)
            if stop:
                break
        if stop:
            break
    export(model, a.out)
    print(f"wrote {a.out} ({os.path.getsize(a.out) / 1e6:.2f} MB) in {time.time() - t0:.0f}s", flush=True)


class RealLines:
    """Real registration lines (realcrops.py) drawn with fresh augmentation;
    the held-out crops (benchmark.crop_is_held_out) only for evaluation."""

    def __init__(self, folder, cache):
        import cv2
        import realcrops

        self.sample = realcrops.line_sample
        recs = realcrops.load_or_extract(Path(folder), cache or None)
        usable = [r for r in recs if r["polygon"] and 1 <= len(r["plate"]) <= 8]
        rows = [(cv2.imread(str(Path(folder) / r["file"])), r["polygon"], r["plate"], r["held_out"]) for r in usable]
        self.train = [(img, poly, plate) for img, poly, plate, held in rows if not held]
        self.test = [(img, poly, plate) for img, poly, plate, held in rows if held]
        print(f"real lines: {len(self.train)} for training, {len(self.test)} held out", flush=True)

    def batch(self, rng, n):
        xs, ys = [], []
        for k in rng.integers(0, len(self.train), n):
            img, poly, plate = self.train[k]
            xs.append(self.sample(rng, img, poly))
            ys.append(plate)
        return np.stack(xs), ys

    def held_out(self):
        """Each held-out line cut as the reader cuts it, at its own resolution."""
        import cv2

        from plates.alpr.detect import crop_polygon

        xs = []
        for img, poly, _ in self.test:
            g = cv2.cvtColor(crop_polygon(img, poly, pad_x=0.0, pad_y=0.1, pad_xh=0.25), cv2.COLOR_BGR2GRAY)
            xs.append(cv2.resize(g, (synth.W, synth.H), interpolation=cv2.INTER_AREA))
        return np.stack(xs), [p for _, _, p in self.test]


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
