"""The US state of a plate, read from its design around the registration line.

A small CNN (`models/us_state.onnx`, trained by `training/train_state.py` on
the training part of the real US plate crops and on synthetic state designs)
looks at the plate area around the registration line: the state's name,
slogan, colours and artwork.  Its class list (two-letter codes) is stored in
the model's metadata.  The registration's own form adds a little evidence
(`LAYOUT_WEIGHT`): the softmax is combined with how often each state issues
that letter / digit pattern, learned from the same training crops.
"""

from __future__ import annotations

import json

import cv2
import numpy as np

from . import models
from .detect import crop_polygon

HEIGHT, WIDTH = 48, 96
# The plate around its registration line: US characters are about half the
# plate's height and the line about 80 % of its width.
PAD_X, PAD_Y = 0.12, 0.55
# Weight of the registration's form against the design (1 = a plain product).
LAYOUT_WEIGHT = 0.5


def plate_area(frame: np.ndarray, polygon) -> np.ndarray:
    """The plate around a registration line, rectified to 48x96 BGR."""
    crop = crop_polygon(frame, polygon, pad_x=PAD_X, pad_y=PAD_Y)
    h = crop.shape[0]
    return cv2.resize(crop, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA if h > HEIGHT else cv2.INTER_LINEAR)


def pattern(text: str) -> str:
    """LLLNNNN-style form of a registration."""
    return "".join("N" if c.isdigit() else "L" for c in text)


class StateReader:
    """callable(frame, polygon, text) -> (state, confidence, [(state, p), ...] best first)."""

    def __init__(self, model: str = models.STATE_MODEL):
        self.model = model
        self._meta = None

    def _load(self):
        if self._meta is None:
            sess = models.session(self.model)
            meta = sess.get_modelmeta().custom_metadata_map
            self._meta = (sess, json.loads(meta["states"]), json.loads(meta.get("layout_prior", "{}")))
        return self._meta

    @property
    def states(self) -> list[str]:
        return self._load()[1]

    def probabilities(self, frame: np.ndarray, polygon, text: str = "") -> np.ndarray:
        sess, states, prior = self._load()
        x = plate_area(frame, polygon).astype(np.float32).transpose(2, 0, 1)[None]
        p = sess.run(None, {sess.get_inputs()[0].name: x})[0][0].astype(np.float64)
        row = prior.get(pattern(text)) if text else None
        if row:
            # P(state | design) x P(pattern | state)^w, renormalised
            p = p * np.power(np.asarray(row, np.float64), LAYOUT_WEIGHT)
            p /= max(float(p.sum()), 1e-12)
        return p

    def __call__(self, frame: np.ndarray, polygon, text: str = "") -> tuple[str, float, list[tuple[str, float]]]:
        p = self.probabilities(frame, polygon, text)
        states = self.states
        order = np.argsort(-p)[:3]
        top = [(states[i], float(p[i])) for i in order]
        return top[0][0], top[0][1], top
