"""Plain data types shared by every stage of the plate reader."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in frame pixels (x, y = top-left)."""

    x: int
    y: int
    w: int
    h: int

    @property
    def area(self) -> int:
        return max(0, self.w) * max(0, self.h)

    @property
    def centre(self) -> Point:
        return (self.x + self.w / 2.0, self.y + self.h / 2.0)

    def iou(self, other: Box) -> float:
        x1, y1 = max(self.x, other.x), max(self.y, other.y)
        x2 = min(self.x + self.w, other.x + other.w)
        y2 = min(self.y + self.h, other.y + other.h)
        inter = max(0, x2 - x1) * max(0, y2 - y1)
        union = self.area + other.area - inter
        return inter / union if union else 0.0

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.w, self.h)


@dataclass
class Candidate:
    """A region the detector thinks may hold a plate (or its text line)."""

    polygon: list[Point]  # 4 corners, clockwise from top-left, frame pixels
    box: Box
    score: float = 1.0
    source: str = ""


@dataclass
class Recognition:
    """Raw output of a recogniser on one crop, before plate rules."""

    text: str
    char_confidences: list[float]
    # Per character position: list of (char, probability) best first (may be empty).
    char_options: list[list[tuple[str, float]]] = field(default_factory=list)
    # (T, 37) CTC frame probabilities (blank + A-Z0-9) where the recogniser has them.
    probs: object = None
    # Other recognisers' readings of the same crop (ensemble engines).
    others: list = field(default_factory=list)

    @property
    def confidence(self) -> float:
        if not self.char_confidences:
            return 0.0
        return float(min(self.char_confidences))


@dataclass
class Reading:
    """One plate read in a frame (or voted over a track)."""

    text: str  # normalised: A-Z 0-9 only
    confidence: float  # 0..1
    char_confidences: list[float]
    box: Box
    polygon: list[Point]
    engine: str
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    layout: str | None = None  # e.g. "br-mercosul", "us", "generic"
    raw_text: str = ""
    score: float = 0.0  # ranking score (confidence x layout prior)
    # Other readings of the same plate that the evidence still supports: (text,
    # share of the probability among this plate's hypotheses), strongest first;
    # only those with at least `reader.STRONG_ALTERNATIVE` (a hotlist may try them).
    strong_alternatives: list[tuple[str, float]] = field(default_factory=list)
    # US plates (region "us"): the issuing state from the plate's design and
    # text, two upper-case letters, with its probability and the runners-up.
    state: str | None = None
    state_confidence: float = 0.0
    state_alternatives: list[tuple[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "char_confidences": [round(float(c), 4) for c in self.char_confidences],
            "box": list(self.box.as_tuple()),
            "polygon": [[round(float(x), 1), round(float(y), 1)] for x, y in self.polygon],
            "engine": self.engine,
            "alternatives": [[t, round(float(s), 4)] for t, s in self.alternatives],
            "layout": self.layout,
            "raw_text": self.raw_text,
            "strong_alternatives": [[t, round(float(p), 4)] for t, p in self.strong_alternatives],
            "state": self.state,
            "state_confidence": round(float(self.state_confidence), 4),
            "state_alternatives": [[t, round(float(p), 4)] for t, p in self.state_alternatives],
        }


def box_from_polygon(poly: Sequence[Point]) -> Box:
    xs = [p[0] for p in poly]
    ys = [p[1] for p in poly]
    x0, y0 = int(min(xs)), int(min(ys))
    return Box(x0, y0, int(round(max(xs))) - x0, int(round(max(ys))) - y0)
