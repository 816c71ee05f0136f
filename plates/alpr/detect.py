"""Plate detection: find regions of a frame that may hold a plate's characters.

Detectors are callables `detector(frame_bgr) -> list[Candidate]`.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from . import models
from .types import Box, Candidate, box_from_polygon


def _order(pts: np.ndarray) -> np.ndarray:
    """Order 4 points clockwise starting top-left."""
    pts = pts[np.argsort(pts[:, 0])]
    left, right = pts[:2], pts[2:]
    tl, bl = left[np.argsort(left[:, 1])]
    tr, br = right[np.argsort(right[:, 1])]
    return np.array([tl, tr, br, bl], dtype=np.float32)


_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
_STD = np.array([0.229, 0.224, 0.225], np.float32)


class DBTextDetector:
    """PP-OCRv4 DB text detector (ONNX) restricted to plate-like text boxes.

    The frame is scaled so its longer side is `max_side` (multiple of 32).
    Each text box is kept when its height and aspect fit a plate's character line.
    """

    name = "db"

    def __init__(
        self,
        max_side: int = 640,
        thresh: float = 0.3,
        box_thresh: float = 0.45,
        unclip: float = 1.6,
        min_h_px: float = 6.0,
        max_candidates: int = 12,
        norm: str = "imagenet",
        rgb: bool = True,
        max_pixels: int | None = None,
    ):
        self.max_pixels = max_pixels
        self.norm = norm
        self.rgb = rgb
        self.max_side = max_side
        self.thresh = thresh
        self.box_thresh = box_thresh
        self.unclip = unclip
        self.min_h_px = min_h_px
        self.max_candidates = max_candidates

    def prob_map(self, frame: np.ndarray, scale: float | None = None):
        h, w = frame.shape[:2]
        if scale is not None:
            s = scale
        else:
            s = min(1.0, self.max_side / max(h, w))
            if self.max_pixels:
                s = min(s, (self.max_pixels / float(h * w)) ** 0.5)
        nh = max(32, int(round(h * s / 32)) * 32)
        nw = max(32, int(round(w * s / 32)) * 32)
        img = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
        if self.rgb:
            img = img[:, :, ::-1]
        if self.norm == "imagenet":
            x = (img.astype(np.float32) * (1.0 / 255.0) - _MEAN) / _STD
        else:
            x = img.astype(np.float32) * (2.0 / 255.0) - 1.0
        x = x.transpose(2, 0, 1)[None]
        sess = models.session(models.DET_MODEL)
        pred = sess.run(None, {sess.get_inputs()[0].name: x})[0][0, 0]
        return pred, w / nw, h / nh

    def __call__(self, frame: np.ndarray) -> list[Candidate]:
        pred, sx, sy = self.prob_map(frame)
        return self.boxes(pred, sx, sy, frame.shape)[: self.max_candidates]

    def boxes(self, pred, sx, sy, shape) -> list[Candidate]:
        H, W = shape[:2]
        bitmap = (pred > self.thresh).astype(np.uint8)
        bitmap = cv2.dilate(bitmap, np.ones((2, 2), np.uint8))
        contours, _ = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        out: list[Candidate] = []
        for c in contours:
            if len(c) < 4:
                continue
            rect = cv2.minAreaRect(c)
            (cx, cy), (rw, rh), ang = rect
            if min(rw, rh) < 2:
                continue
            x, y, bw, bh = cv2.boundingRect(c)
            mask = np.zeros((bh, bw), np.uint8)
            cv2.fillPoly(mask, [c.reshape(-1, 2) - [x, y]], 1)
            score = float(cv2.mean(pred[y : y + bh, x : x + bw], mask)[0])
            if score < self.box_thresh:
                continue
            area, peri = rw * rh, 2 * (rw + rh)
            d = area * self.unclip / max(peri, 1e-6)
            rect = ((cx, cy), (rw + 2 * d, rh + 2 * d), ang)
            pts = cv2.boxPoints(rect)
            pts[:, 0] *= sx
            pts[:, 1] *= sy
            pts[:, 0] = np.clip(pts[:, 0], 0, W - 1)
            pts[:, 1] = np.clip(pts[:, 1], 0, H - 1)
            pts = _order(pts)
            wlen = float(np.linalg.norm(pts[1] - pts[0]))
            hlen = float(np.linalg.norm(pts[3] - pts[0]))
            if hlen < self.min_h_px or wlen < hlen * 0.8:
                continue
            poly = [(float(a), float(b)) for a, b in pts]
            out.append(Candidate(poly, box_from_polygon(poly), score, "db"))
        out.sort(key=lambda c: -c.score)
        return out


def crop_polygon(
    frame: np.ndarray, poly, pad_x: float = 0.06, pad_y: float = 0.12, out_h: int | None = None, pad_xh: float = 0.0
) -> np.ndarray:
    """Perspective-rectify a 4-point polygon (clockwise from top-left) with padding."""
    pts = np.array(poly, dtype=np.float32)
    w = float(max(np.linalg.norm(pts[1] - pts[0]), np.linalg.norm(pts[2] - pts[3])))
    h = float(max(np.linalg.norm(pts[3] - pts[0]), np.linalg.norm(pts[2] - pts[1])))
    w, h = max(w, 2.0), max(h, 2.0)
    # expand the polygon about its centre
    ux = (pts[1] - pts[0]) / max(np.linalg.norm(pts[1] - pts[0]), 1e-6)
    uy = (pts[3] - pts[0]) / max(np.linalg.norm(pts[3] - pts[0]), 1e-6)
    pad_x = pad_x + pad_xh * h / w
    dx, dy = ux * w * pad_x, uy * h * pad_y
    pts = np.array([pts[0] - dx - dy, pts[1] + dx - dy, pts[2] + dx + dy, pts[3] - dx + dy], np.float32)
    W = w * (1 + 2 * pad_x)
    Hh = h * (1 + 2 * pad_y)
    scale = (out_h / Hh) if out_h else 1.0
    ow, oh = max(4, int(round(W * scale))), max(4, int(round(Hh * scale)))
    dst = np.array([[0, 0], [ow - 1, 0], [ow - 1, oh - 1], [0, oh - 1]], np.float32)
    M = cv2.getPerspectiveTransform(pts, dst)
    return cv2.warpPerspective(frame, M, (ow, oh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def morphology_proposals(frame: np.ndarray, width: int = 640, max_out: int = 10) -> list[Candidate]:
    """Classical plate proposals: dense vertical strokes (black-hat / top-hat +
    horizontal gradient, closed into blobs) with a plate's aspect.  Cheap (~15 ms)
    and independent of the text detector, so it finds low-contrast plates the
    coarse DB pass misses at low resolution."""
    h, w = frame.shape[:2]
    s = min(1.0, width / max(w, 1))
    g = cv2.cvtColor(
        cv2.resize(frame, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY
    )
    found = []
    for kw, kh in ((13, 3), (21, 5)):
        se = cv2.getStructuringElement(cv2.MORPH_RECT, (kw, kh * 3))
        for op in (cv2.MORPH_BLACKHAT, cv2.MORPH_TOPHAT):
            src = cv2.morphologyEx(g, op, se)
            gx = cv2.GaussianBlur(np.abs(cv2.Sobel(src, cv2.CV_32F, 1, 0, ksize=3)), (5, 5), 0)
            m = (gx > max(20.0, float(np.percentile(gx, 95)))).astype(np.uint8) * 255
            m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kw, kh)))
            m = cv2.morphologyEx(m, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 3)))
            cs, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            for c in cs:
                x, y, bw, bh = cv2.boundingRect(c)
                if bh < 6 or bh > 100 or bw < 1.2 * bh or bw > 7 * bh:
                    continue
                sc = float(gx[y : y + bh, x : x + bw].mean()) * cv2.contourArea(c) / (bw * bh)
                found.append((sc, x / s, y / s, bw / s, bh / s))
    found.sort(key=lambda t: -t[0])
    out: list[Candidate] = []
    top = found[0][0] if found else 1.0
    for sc, x, y, bw, bh in found:
        b = Box(int(x), int(y), int(bw), int(bh))
        if any(b.iou(o.box) > 0.5 for o in out):
            continue
        poly = [(x, y), (x + bw, y), (x + bw, y + bh), (x, y + bh)]
        out.append(Candidate(poly, b, 0.5 * sc / top, "morph"))
        if len(out) >= max_out:
            break
    return out


class TwoPassDetector:
    """Coarse DB pass on the scaled-down frame, then a fine DB pass on each
    plate-sized region around a coarse box, at a scale where characters are
    ~30-60 px tall.  The fine pass separates the registration line from state
    names and slogans and gives tight, complete boxes for small plates."""

    name = "db2"

    def __init__(
        self,
        max_side: int = 640,
        roi_height: int = 160,
        max_rois: int = 6,
        morph: int = 0,
        max_pixels: int | None = 250_000,
        coarse: DBTextDetector | None = None,
        fine: DBTextDetector | None = None,
    ):
        self.morph = morph
        self.coarse = coarse or DBTextDetector(max_side=max_side, thresh=0.25, box_thresh=0.4, max_pixels=max_pixels)
        self.fine = fine or DBTextDetector(thresh=0.3, box_thresh=0.5, min_h_px=3.0)
        self.roi_height = roi_height
        self.max_rois = max_rois

    def rois(self, cands: list[Candidate], shape) -> list[tuple[Box, float]]:
        H, W = shape[:2]
        rois: list[tuple[Box, float]] = []
        for c in cands:
            b = c.box
            ex = max(0.2 * b.w, 0.8 * b.h)
            ey = 0.7 * b.h
            x0, y0 = max(0, int(b.x - ex)), max(0, int(b.y - ey))
            x1, y1 = min(W, int(b.x + b.w + ex)), min(H, int(b.y + b.h + ey))
            r = Box(x0, y0, x1 - x0, y1 - y0)
            if r.w < 4 or r.h < 4:
                continue
            merged = False
            for i, (q, sc) in enumerate(rois):
                inter = Box(max(q.x, r.x), max(q.y, r.y), 0, 0)
                ix = min(q.x + q.w, r.x + r.w) - inter.x
                iy = min(q.y + q.h, r.y + r.h) - inter.y
                if ix > 0 and iy > 0 and ix * iy > 0.6 * min(q.area, r.area):
                    ux, uy = min(q.x, r.x), min(q.y, r.y)
                    rois[i] = (
                        Box(ux, uy, max(q.x + q.w, r.x + r.w) - ux, max(q.y + q.h, r.y + r.h) - uy),
                        max(sc, c.score),
                    )
                    merged = True
                    break
            if not merged:
                rois.append((r, c.score))
        return rois[: self.max_rois]

    def __call__(self, frame: np.ndarray) -> list[Candidate]:
        cands = self.coarse(frame)
        rois = self.rois(cands, frame.shape)
        if self.morph:
            extra = [
                r
                for r in self.rois(morphology_proposals(frame, max_out=self.morph * 2), frame.shape)
                if not any(_overlap(r[0], q) > 0.5 for q, _ in rois)
            ]
            rois += extra[: self.morph]
        out: list[Candidate] = []
        for roi, sc in rois:
            sub = frame[roi.y : roi.y + roi.h, roi.x : roi.x + roi.w]
            s = min(4.0, max(0.25, self.roi_height / max(roi.h, 1)))
            pred, sx, sy = self.fine.prob_map(sub, scale=s)
            lines = self.fine.boxes(pred, sx, sy, sub.shape)
            if not lines:
                continue
            hmax = max(c.box.h for c in lines)
            for c in lines:
                if c.box.h < 0.45 * hmax:
                    continue
                poly = [(x + roi.x, y + roi.y) for x, y in c.polygon]
                out.append(Candidate(poly, box_from_polygon(poly), c.score * (0.5 + 0.5 * sc), "db2"))
        return out

    def around(self, frame: np.ndarray, boxes: list[Box], looks=((3.0, 1.5, 240),)) -> list[Candidate]:
        """Text lines in wide regions around `boxes` (weak readings: part of a
        plate split by an emblem, or a faint plate where only a fragment was
        found).  Each look (ex, ey, height) searches the box grown by `ex` box
        heights left and right and `ey` above and below, scaled to `height` px."""
        H, W = frame.shape[:2]
        out: list[Candidate] = []
        for b in boxes:
            for ex, ey, height in looks:
                x0, y0 = max(0, int(b.x - ex * b.h)), max(0, int(b.y - ey * b.h))
                x1, y1 = min(W, int(b.x + b.w + ex * b.h)), min(H, int(b.y + b.h + ey * b.h))
                if x1 - x0 < 4 or y1 - y0 < 4:
                    continue
                sub = frame[y0:y1, x0:x1]
                s = min(4.0, max(0.25, height / max(sub.shape[0], 1)))
                pred, sx, sy = self.fine.prob_map(sub, scale=s)
                for c in self.fine.boxes(pred, sx, sy, sub.shape):
                    poly = [(x + x0, y + y0) for x, y in c.polygon]
                    nb = box_from_polygon(poly)
                    # only the same line, grown: not the state name or slogan above / below
                    cy = nb.centre[1]
                    if not (b.y <= cy <= b.y + b.h) or nb.x > b.x + b.w or nb.x + nb.w < b.x:
                        continue
                    out.append(Candidate(poly, nb, c.score, "around"))
        return out


def _overlap(a: Box, b: Box) -> float:
    ix = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    iy = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    return ix * iy / max(1, min(a.area, b.area)) if ix > 0 and iy > 0 else 0.0


DETECTORS: dict[str, Callable[..., Callable]] = {"db": DBTextDetector, "db2": TwoPassDetector}
