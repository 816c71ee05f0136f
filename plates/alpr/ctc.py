"""CTC helpers: greedy decoding and the log-likelihood of given strings.

Probability matrices are (T, 37): column 0 is the CTC blank, columns 1..36
are `normalisation.ALPHABET`.  Used to let two recognisers vote on the same
candidate strings (`recognise.EnsembleRecogniser`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .normalisation import ALPHABET, LOOKALIKE_FLOOR, LOOKALIKE_GROUPS
from .types import Recognition

_IDX = {c: i + 1 for i, c in enumerate(ALPHABET)}
ANY = "*"  # in a text given to `log_likelihood`: any one character (not blank)
_IDX[ANY] = len(ALPHABET) + 1


def greedy(q: np.ndarray) -> Recognition:
    """Best path decoding; per output char the A-Z0-9 distribution at its peak frame."""
    al = q[:, 1:]
    best = q.argmax(axis=1)
    text, confs, options = [], [], []
    t, T = 0, len(best)
    while t < T:
        k = best[t]
        if k == 0:
            t += 1
            continue
        s = t
        while t < T and best[t] == k:
            t += 1
        peak = s + int(q[s:t, k].argmax())
        dist = al[peak] / max(float(al[peak].sum()), 1e-6)
        text.append(ALPHABET[k - 1])
        confs.append(float(q[peak, k]))
        options.append({ALPHABET[m]: float(dist[m]) for m in np.argsort(-dist)[:12] if dist[m] > 1e-4})
    return Recognition("".join(text), confs, options, probs=q)


def with_lookalike_floor(q: np.ndarray) -> np.ndarray:
    """Give each look-alike of a character at least LOOKALIKE_FLOOR x its
    probability (0.5x that for secondary pairs), frame by frame, so the plate
    layout can still choose O over 0 when the model was sure of 0."""
    out = q.copy()
    for g in LOOKALIKE_GROUPS:
        ix = [_IDX[c] for c in g]
        for a_pos, a in enumerate(ix):
            for b_pos, b in enumerate(ix):
                if a == b:
                    continue
                k = 1.0 if {a_pos, b_pos} == {0, 1} else 0.5
                np.maximum(out[:, a], k * LOOKALIKE_FLOOR * q[:, b], out=out[:, a])
    return out


def log_likelihood(q: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """log P(text | frames) under CTC for each text, vectorised over texts.

    A `ANY` ("*") in a text stands for any one character: its frame
    probability is 1 - P(blank), so "*" + text sums P(c + text) over c."""
    T = q.shape[0]
    if any(ANY in t for t in texts):
        q = np.concatenate([q, 1.0 - q[:, :1]], axis=1)
    K = len(texts)
    if K == 0:
        return np.zeros(0)
    L = max(1, max(len(t) for t in texts))
    S = 2 * L + 1
    lab = np.zeros((K, S), np.int64)  # blank at even positions
    for k, t in enumerate(texts):
        for i, c in enumerate(t):
            lab[k, 2 * i + 1] = _IDX[c]
    lens = np.array([2 * len(t) + 1 for t in texts])
    # a skip from s-2 to s is allowed when s is a label different from s-2
    skip = np.zeros((K, S), bool)
    skip[:, 2:] = (lab[:, 2:] != 0) & (lab[:, 2:] != lab[:, :-2])
    valid = np.arange(S)[None, :] < lens[:, None]
    # forward pass in probability space, rescaled every frame
    emit = np.maximum(q, 1e-12)[:, lab]  # (T, K, S)
    a = np.zeros((K, S))
    a[:, 0] = emit[0, :, 0]
    a[:, 1] = np.where(lens > 1, emit[0, :, 1], 0.0)
    logscale = np.zeros(K)
    skipf = skip.astype(np.float64)
    validf = valid.astype(np.float64)
    for t in range(1, T):
        n = a.copy()
        n[:, 1:] += a[:, :-1]
        n[:, 2:] += a[:, :-2] * skipf[:, 2:]
        a = n * emit[t] * validf
        c = a.max(axis=1)
        c = np.where(c > 0, c, 1.0)
        a /= c[:, None]
        logscale += np.log(c)
    ka = np.arange(K)
    end = a[ka, lens - 1] + np.where(lens > 1, a[ka, np.maximum(lens - 2, 0)], 0.0)
    return np.log(np.maximum(end, 1e-300)) + logscale
