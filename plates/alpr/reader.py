"""The plate reader pipeline: detect -> crop -> recognise -> plate rules."""

from __future__ import annotations

import cv2
import numpy as np

from . import normalisation as N
from .detect import crop_polygon
from .types import Box, Candidate, Reading, box_from_polygon
from .validate import check_frame, is_tiny


def _merge_neighbours(cands: list[Candidate]) -> list[Candidate]:
    """Add a joined candidate for text boxes side by side on one line
    (plates whose characters are split by a gap, a sticker or a dash)."""
    extra = []
    for i, a in enumerate(cands):
        for b in cands[i + 1 :]:
            left, right = (a, b) if a.box.x <= b.box.x else (b, a)
            ha, hb = left.box.h, right.box.h
            if not (0.6 < ha / max(hb, 1) < 1.6):
                continue
            h = max(ha, hb)
            if abs(left.box.centre[1] - right.box.centre[1]) > 0.35 * h:
                continue
            gap = right.box.x - (left.box.x + left.box.w)
            if gap > 1.2 * h or gap < -0.5 * h:
                continue
            pts = np.array(left.polygon + right.polygon, np.float32)
            rect = cv2.minAreaRect(pts)
            from .detect import _order

            poly = [(float(x), float(y)) for x, y in _order(cv2.boxPoints(rect))]
            extra.append(Candidate(poly, box_from_polygon(poly), min(a.score, b.score), "merged"))
    return cands + extra


# Plates whose text line is split by an emblem: on EU plates (Slovak, Croatian,
# Czech) the district code stands left of a coat of arms / inspection
# stickers, and the text detector often keeps only the longer right part.
# A reading shorter than every layout of the region is read again from a box
# reaching this many box heights further left (two characters and the emblem);
# both readings compete, so a plate read whole keeps its own reading.
LEFT_REACH = {"eu": 1.5}

# An alternative reading is "strong" when it holds at least this share of the
# probability among the plate's hypotheses (the best one holds the most).
STRONG_ALTERNATIVE = 0.1
# Regions whose readings get a state (US plates: `state.StateReader`).
STATE_REGIONS = ("us",)


def _extend_left(c: Candidate, reach: float, width: int) -> Candidate:
    p = np.array(c.polygon, np.float32)
    h = float(max(np.linalg.norm(p[3] - p[0]), np.linalg.norm(p[2] - p[1])))
    ux = (p[1] - p[0]) / max(float(np.linalg.norm(p[1] - p[0])), 1e-6)
    p[0] -= ux * reach * h
    p[3] -= ux * reach * h
    p[:, 0] = np.clip(p[:, 0], 0, width - 1)
    poly = [(float(x), float(y)) for x, y in p]
    return Candidate(poly, box_from_polygon(poly), c.score, "extended-left")


class PlateReader:
    """Find and read plates in BGR frames.

    detector:   callable(frame) -> list[Candidate]
    recogniser: callable(list[crop]) -> list[Recognition]
    region:     None (any), "us", "eu" or "br" - the plate layouts to expect.
    """

    def __init__(
        self,
        detector,
        recogniser,
        engine: str,
        region: str | None = None,
        max_candidates: int = 8,
        min_score: float = 0.02,
        enhance: bool = False,
        retry_detector=None,
        retry_below: float = 0.0,
        state_reader=None,
        look_around=None,
        look_around_below: float = 0.0,
        look_around_count: int = 3,
    ):
        # When still no reading reaches `look_around_below`, search wide regions
        # around the best `look_around_count` readings again
        # (callable(frame, boxes) -> candidates, `TwoPassDetector.around`).
        self.look_around = look_around
        self.look_around_below = look_around_below
        self.look_around_count = look_around_count
        # When no reading of the first detector reaches `retry_below`, run
        # `retry_detector` (e.g. the text detector at a higher resolution, for
        # small plates) and read its new candidates too.
        self.retry_detector = retry_detector
        self.retry_below = retry_below
        self.enhance = enhance
        self.detector = detector
        self.recogniser = recogniser
        self.engine = engine
        self.region = region
        self.max_candidates = max_candidates
        self.min_score = min_score
        # callable(frame, polygon, text) -> (state, p, [(state, p)...]), for `STATE_REGIONS`
        self.state_reader = state_reader

    def read(self, frame) -> list[Reading]:
        """Plates in the frame, best first."""
        frame = check_frame(frame)
        readings = self.all_readings(frame)
        # one reading per place: drop weaker readings overlapping a stronger one
        kept: list[Reading] = []
        for r in readings:
            if all(r.box.iou(k.box) < 0.3 and not _inside(r.box, k.box) for k in kept):
                kept.append(r)
        kept = [r for r in kept if r.score >= self.min_score]
        if self.state_reader is not None and self.region in STATE_REGIONS:
            for r in kept:
                r.state, r.state_confidence, r.state_alternatives = self.state_reader(frame, r.polygon, r.text)
        return kept

    def all_readings(self, frame) -> list[Reading]:
        """Every candidate's best reading, before overlap suppression (for debugging)."""
        frame = check_frame(frame)
        if is_tiny(frame):
            return []
        cands = self.detector(frame)[: self.max_candidates]
        readings = self.read_candidates(frame, cands)
        if self.retry_detector is not None and not any(r.score >= self.retry_below for r in readings):
            more = [
                c
                for c in self.retry_detector(frame)[: self.max_candidates]
                if all(c.box.iou(o.box) < 0.5 for o in cands)
            ]
            readings = sorted(readings + self.read_candidates(frame, more), key=lambda r: -r.score)
        if self.look_around is not None and not any(r.score >= self.look_around_below for r in readings):
            boxes: list[Box] = []
            for r in readings[: self.look_around_count]:
                if all(r.box.iou(b) < 0.5 for b in boxes):  # one look per place
                    boxes.append(r.box)
            more = [c for c in self.look_around(frame, boxes) if all(c.box.iou(b) < 0.9 for b in boxes)]
            readings = sorted(readings + self.read_candidates(frame, more), key=lambda r: -r.score)
        return readings

    def _crops(self, frame, cands: list[Candidate]) -> list[np.ndarray]:
        crops = [strip_blue_band(crop_polygon(frame, c.polygon, pad_x=0.0, pad_y=0.1, pad_xh=0.25)) for c in cands]
        if self.enhance:
            crops = [enhance_contrast(c) for c in crops]
        return crops

    def read_candidates(self, frame, cands: list[Candidate]) -> list[Reading]:
        if not cands:
            return []
        cands = _merge_neighbours(cands)
        recs = self.recogniser(self._crops(frame, cands))
        reach = LEFT_REACH.get(self.region or "")
        if reach:
            shortest = min(len(p) for _, p, _ in N.REGION_LAYOUTS[self.region])
            more = [
                _extend_left(c, reach, frame.shape[1])
                for c, r in zip(cands, recs, strict=False)
                if len(r.text) < shortest
            ]
            if more:
                cands = cands + more
                recs = recs + self.recogniser(self._crops(frame, more))
        readings: list[Reading] = []
        for c, r in zip(cands, recs, strict=False):
            rescore = getattr(self.recogniser, "hypotheses", None)
            if rescore is not None:
                hs = rescore(r, self.region)
            else:
                hs = N.hypotheses(r.text, r.char_options, r.char_confidences, self.region)
            if not hs:
                continue
            best = hs[0]
            det = 0.5 + 0.5 * c.score
            top = max(h.logp for h in hs)
            shares = np.exp(np.array([h.logp for h in hs]) - top)
            shares /= shares.sum()
            score = best.score * det
            readings.append(
                Reading(
                    text=best.text,
                    confidence=float(_geo(best.char_confidences) * det),
                    char_confidences=best.char_confidences,
                    box=c.box,
                    polygon=c.polygon,
                    engine=self.engine,
                    alternatives=[(h.text, float(h.score * (0.5 + 0.5 * c.score))) for h in hs],
                    layout=best.layout,
                    raw_text=r.text,
                    score=float(score),
                    strong_alternatives=[
                        (h.text, float(p))
                        for h, p in zip(hs, shares, strict=True)
                        if h.text != best.text and p >= STRONG_ALTERNATIVE
                    ],
                )
            )
        readings.sort(key=lambda r: -r.score)
        return readings


def _geo(ps) -> float:
    return float(np.exp(np.mean(np.log(np.maximum(np.asarray(ps, float), 1e-6))))) if len(ps) else 0.0


def enhance_contrast(crop: np.ndarray) -> np.ndarray:
    """Local contrast stretch (CLAHE on lightness) for dull or dark plates."""
    lab = cv2.cvtColor(crop, cv2.COLOR_BGR2LAB)
    lab[:, :, 0] = cv2.createCLAHE(2.0, (2, 2)).apply(lab[:, :, 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


def strip_blue_band(crop: np.ndarray) -> np.ndarray:
    """Cut away a blue band (EU country strip) at the left edge of a plate crop."""
    h, w = crop.shape[:2]
    if w < 4 * h * 0.8 or w < 20:
        return crop
    hsv = cv2.cvtColor(crop[:, : max(2, w // 5)], cv2.COLOR_BGR2HSV)
    blue = (hsv[:, :, 0] >= 95) & (hsv[:, :, 0] <= 130) & (hsv[:, :, 1] >= 90) & (hsv[:, :, 2] >= 40)
    col = blue.mean(axis=0) > 0.45
    if not col[:3].any():
        return crop
    k = 0
    while k < len(col) and (col[k] or (k + 1 < len(col) and col[k + 1])):
        k += 1
    if k < 3 or k >= len(col):
        return crop
    return crop[:, k + 1 :]


def _inside(a: Box, b: Box) -> bool:
    cx, cy = a.centre
    return b.x <= cx <= b.x + b.w and b.y <= cy <= b.y + b.h
