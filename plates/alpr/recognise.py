"""Recognition: read the characters of one plate (or text-line) crop."""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from . import ctc, models
from . import normalisation as N
from .normalisation import ALPHABET
from .types import Recognition


class PPOCRRecogniser:
    """PP-OCRv4 CRNN/SVTR recogniser (ONNX) with its output restricted to A-Z0-9.

    The model reads 6,600 characters; we fold lower case into upper case, count
    every other symbol as a gap (CTC blank) and decode greedily.  For each output
    character we keep the whole A-Z0-9 distribution at its peak frame, which the
    plate rules use to pick the best letter or digit where a layout needs one.
    """

    name = "ppocr"

    def __init__(self, height: int = 48, max_width: int = 320):
        self.height = height
        self.max_width = max_width
        self._map = None

    def _index(self):
        if self._map is None:
            sess = models.session(models.REC_MODEL)
            meta = sess.get_modelmeta().custom_metadata_map
            chars = meta["character"].splitlines()
            chars = ["<blank>"] + chars + [" "]
            up = [[] for _ in ALPHABET]
            for i, c in enumerate(chars):
                if len(c) == 1 and c.upper() in ALPHABET and c.isascii():
                    up[ALPHABET.index(c.upper())].append(i)
            self._map = up
        return self._map

    def prepare(self, crop: np.ndarray) -> np.ndarray:
        h, w = crop.shape[:2]
        nw = int(math.ceil(self.height * w / max(h, 1)))
        nw = max(16, min(self.max_width, nw))
        img = cv2.resize(crop, (nw, self.height), interpolation=cv2.INTER_AREA if h > self.height else cv2.INTER_CUBIC)
        return (img.astype(np.float32) * (2.0 / 255.0) - 1.0).transpose(2, 0, 1)

    def __call__(self, crops: Sequence[np.ndarray]) -> list[Recognition]:
        if not crops:
            return []
        sess = models.session(models.REC_MODEL)
        idx = self._index()
        arrs = [self.prepare(c) for c in crops]
        # batch crops of similar width together
        order = sorted(range(len(arrs)), key=lambda i: arrs[i].shape[2])
        res: dict[int, Recognition] = {}
        i = 0
        while i < len(order):
            j = i + 1
            while j < len(order) and j - i < 6 and arrs[order[j]].shape[2] - arrs[order[i]].shape[2] <= 48:
                j += 1
            W = max(arrs[k].shape[2] for k in order[i:j])
            batch = np.zeros((j - i, 3, self.height, W), np.float32)
            for b, k in enumerate(order[i:j]):
                batch[b, :, :, : arrs[k].shape[2]] = arrs[k]
            probs = sess.run(None, {sess.get_inputs()[0].name: batch})[0]
            for b, k in enumerate(order[i:j]):
                res[k] = self.decode(probs[b], idx)
            i = j
        return [res[k] for k in range(len(arrs))]

    @staticmethod
    def decode(p: np.ndarray, idx) -> Recognition:
        # p: (T, C) softmax.  Fold to (T, 37): blank + 36 plate characters.
        al = np.stack([p[:, ix].sum(axis=1) for ix in idx], axis=1)  # (T, 36)
        blank = np.clip(1.0 - al.sum(axis=1, keepdims=True), 0.0, 1.0)  # everything else
        q = np.concatenate([blank, al], axis=1)
        return ctc.greedy(q)


class TesseractRecogniser:
    """Tesseract 5 (LSTM) through pytesseract, tuned for one plate line."""

    name = "tesseract"

    def __init__(self, char_height: int = 64, psm: int = 7):
        self.char_height = char_height
        self.psm = psm

    def _binarise(self, crop: np.ndarray) -> np.ndarray:
        g = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
        h, w = g.shape
        s = self.char_height / max(h, 1)
        g = cv2.resize(g, (max(8, int(w * s)), self.char_height), interpolation=cv2.INTER_CUBIC)
        g = cv2.createCLAHE(2.0, (4, 4)).apply(g)
        _, b = cv2.threshold(cv2.GaussianBlur(g, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        # dark text on light background
        border = np.concatenate([b[0], b[-1], b[:, 0], b[:, -1]])
        if border.mean() < 127:
            b = 255 - b
        return cv2.copyMakeBorder(b, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255)

    def __call__(self, crops: Sequence[np.ndarray]) -> list[Recognition]:
        import pytesseract

        cfg = (
            f"--psm {self.psm} --oem 1 -c tessedit_char_whitelist={ALPHABET} -c load_system_dawg=0 -c load_freq_dawg=0"
        )
        out = []
        for crop in crops:
            img = self._binarise(crop)
            try:
                d = pytesseract.image_to_data(img, config=cfg, output_type=pytesseract.Output.DICT, timeout=5)
            except RuntimeError:  # timeout
                out.append(Recognition("", []))
                continue
            text, confs = [], []
            for word, conf in zip(d["text"], d["conf"], strict=False):
                word = "".join(c for c in str(word).upper() if c in ALPHABET)
                if not word:
                    continue
                # Tesseract 5 reports 0 for a word when the whitelist removed its
                # top LSTM choice; treat that as "unknown" rather than "wrong".
                c = float(conf) / 100.0 if float(conf) > 0 else 0.5
                c = 0.3 + 0.7 * c
                text.append(word)
                confs.extend([c] * len(word))
            t = "".join(text)
            out.append(Recognition(t, confs, [{ch: cf} for ch, cf in zip(t, confs, strict=False)]))
        return out


class PlateCRNNRecogniser:
    """The project's own plate recogniser: a small CRNN + CTC over A-Z0-9,
    trained only on synthetic plates (`plates/alpr/training/`, one command),
    shipped as `plates/alpr/models/plate_crnn.onnx`.  Input: the crop in grey,
    squeezed to the model's input size (32x128; 32x192 for the wider ones)."""

    name = "crnn"
    height, width = 32, 128

    def __init__(self, model: str = models.CRNN_MODEL, lookalike_floor: bool = True):
        self.model = model
        # False for the models fine-tuned on real plates: they learnt where a
        # plate prints O and where 0, so the ensemble does not blur their pairs.
        self.lookalike_floor = lookalike_floor

    def prepare(self, crop: np.ndarray, width: int | None = None) -> np.ndarray:
        g = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
        h = g.shape[0]
        g = cv2.resize(
            g, (width or self.width, self.height), interpolation=cv2.INTER_AREA if h > self.height else cv2.INTER_CUBIC
        )
        return g.astype(np.float32)[None]

    def __call__(self, crops: Sequence[np.ndarray]) -> list[Recognition]:
        if not crops:
            return []
        sess = models.session(self.model)
        width = sess.get_inputs()[0].shape[3]
        width = width if isinstance(width, int) else self.width
        x = np.stack([self.prepare(c, width) for c in crops])
        probs = sess.run(None, {sess.get_inputs()[0].name: x})[0]
        return [ctc.greedy(p) for p in probs]


# Weights of `models.US_CRNN_MODELS` in the us region (NOTES.md, session 5).
US_WEIGHTS = [0.7, 0.7]


class EnsembleRecogniser:
    """Two recognisers vote on each crop.  The candidate strings are both
    readers' plate hypotheses (layouts, look-alikes, a dropped stray char);
    each is scored by the weighted sum of its CTC log-likelihoods under the
    models (look-alikes floored as in the plate rules) plus the layout prior."""

    name = "ensemble"

    def __init__(self, members=None, weights=None, candidates: int = 8, region_weights=None):
        if members is None:
            members = [
                PPOCRRecogniser(),
                *(PlateCRNNRecogniser(m) for m in models.CRNN_MODELS),
                *(PlateCRNNRecogniser(m, lookalike_floor=False) for m in models.US_CRNN_MODELS),
            ]
            # PP-OCR counts fully, each synthetic-only CRNN at 0.35: they are
            # surer of themselves than they should be on real plates (O read as
            # D on Brazilian plates), but their errors differ from PP-OCR's and
            # from each other's; NOTES.md.  The CRNNs fine-tuned on real US
            # plates vote in the us region only (they learnt US typefaces).
            weights = weights or [1.0] + [0.35] * len(models.CRNN_MODELS) + [0.0] * len(models.US_CRNN_MODELS)
            if region_weights is None:
                n, n_us = len(models.CRNN_MODELS), len(models.US_CRNN_MODELS)
                region_weights = {
                    "us": [1.0] + [0.35] * n + US_WEIGHTS,
                    # every synthetic-trained CRNN reads Brazil's Mandatory O as
                    # D (sessions 2-4); PP-OCR alone read every br scene there
                    "br": [1.0] + [0.0] * (n + n_us),
                }
        self.members = members
        self.weights = weights or [1.0] * len(members)
        # region -> weights replacing `weights` there; a member at 0 takes no part
        self.region_weights = region_weights or {}
        self.candidates = candidates

    @classmethod
    def for_region(cls, region: str | None) -> EnsembleRecogniser:
        """The default ensemble with only the members that vote in `region`
        (a reader serves one region; the others would be run for nothing)."""
        ens = cls()
        w = ens.weights_for(region)
        keep = [i for i, v in enumerate(w) if v > 0]
        ens.members = [ens.members[i] for i in keep]
        ens.weights = [w[i] for i in keep]
        ens.region_weights = {}
        return ens

    def weights_for(self, region: str | None) -> list[float]:
        return self.region_weights.get(region or "", self.weights)

    def __call__(self, crops: Sequence[np.ndarray]) -> list[Recognition]:
        outs = [m(crops) for m in self.members]
        res = []
        for k in range(len(crops)):
            first = outs[0][k]
            first.others = [o[k] for o in outs[1:]]
            res.append(first)
        return res

    def hypotheses(self, rec: Recognition, region: str | None = None) -> list[N.Hypothesis]:
        everyone = zip([rec, *getattr(rec, "others", [])], self.weights_for(region), self.members, strict=False)
        voters = [(r, w, m) for r, w, m in everyone if w > 0]
        recs = [r for r, _, _ in voters]
        if any(N.is_date_or_number(r.text) for r in recs):
            return []
        cands: dict[str, N.Hypothesis] = {}
        for r in recs:
            for h in N.hypotheses(r.text, r.char_options, r.char_confidences, region, max_alternatives=self.candidates):
                if h.text not in cands:
                    cands[h.text] = h
        texts = [t for t in cands if t]
        if len(recs) > 1 and len({len(r.text) for r in recs}) == 1:
            # A character that every reader reads the same at the same place
            # stays: readers that err differently agreeing is stronger evidence
            # than a layout table listing only a region's common formats (which
            # would otherwise turn an 8 that all of them read into a B).
            agreed = [(i, c) for i, c in enumerate(rec.text) if all(r.text[i] == c for r in recs)]
            n = len(rec.text)
            texts = [t for t in texts if len(t) != n or all(t[i] == c for i, c in agreed)]
        if not texts:
            return []
        band = N.LEADING_BAND.get(region or "")
        banded = [i for i, t in enumerate(texts) if band and N.layout_prior(t, region)[0] != "generic"]
        ll = np.zeros(len(texts))
        wsum = 0.0
        for r, w, member in voters:
            if r.probs is None:
                continue
            q = np.asarray(r.probs)
            if getattr(member, "lookalike_floor", True):
                q = ctc.with_lookalike_floor(q)
            lt = ctc.log_likelihood(q, texts)
            if band and banded:
                # the band at the plate's left edge read as one more character
                # (only in front of a registration of one of the region's layouts)
                lb = ctc.log_likelihood(q, [ctc.ANY + texts[i] for i in banded]) + math.log(band)
                lt[banded] = np.logaddexp(lt[banded], lb)
            ll += w * lt
            wsum += w
        scored = list(zip(texts, ll, strict=False))
        for read, printed, pattern, i, cost in N.FONT_MISREADS.get(region or "", ()):
            for t, lp in list(scored):
                if len(t) == len(pattern) and t[i] == read:
                    u = t[:i] + printed + t[i + 1 :]
                    if N.matches(u, pattern) and u not in texts:
                        scored.append((u, lp + wsum * math.log(cost)))
        out = []
        for t, lp in scored:
            layout, prior = N.layout_prior(t, region)
            if prior <= 0:
                continue
            conf = math.exp(lp / max(wsum * len(t), 1e-9))
            out.append(
                N.Hypothesis(t, conf * prior, [conf] * len(t), layout, logp=lp / max(wsum, 1e-9) + math.log(prior))
            )
        out.sort(key=lambda h: -h.logp)
        return out[:5]


RECOGNISERS = {
    "ppocr": PPOCRRecogniser,
    "tesseract": TesseractRecogniser,
    "crnn": PlateCRNNRecogniser,
    "ensemble": EnsembleRecogniser,
}
