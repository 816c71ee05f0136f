"""Follow plates across the frames of one camera and vote their readings.

    tracker = PlateTracker()
    for i, frame in enumerate(frames):
        for result in tracker.update(read_frame(frame), frame_index=i):
            print(result.text, result.confidence)     # a plate that has left the view
    for result in tracker.flush():
        ...

`observe` / `finish` say more: what each frame did to the tracks, as events with a stable
track id (started, updated with the reading added, ended with the final vote), and
`current_vote(track_id)` is a live track's vote so far. A caller keeps whatever it needs per
track (the time and crop of a sighting) by track id; nothing outside this module touches a
track itself.

A reading joins a live track when its box overlaps or lies near the track's
last box (plates move smoothly between frames) or when its text is within one
or two edits of the track's text.  A track ends after `max_gap` frames without a
reading; it is reported when it has at least `min_hits` readings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .types import Box, Reading


def edit_distance(a: str, b: str) -> int:
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@dataclass
class TrackResult:
    """One plate seen across a run of frames, its readings voted into one."""

    text: str
    confidence: float
    hits: int
    first_frame: int
    last_frame: int
    box: Box  # box of the best single reading
    best: Reading  # the best single reading
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    track_id: int = 0


STARTED, UPDATED, ENDED = "started", "updated", "ended"


@dataclass(frozen=True)
class TrackEvent:
    """What one frame did to one track.

    started/updated carry the reading this frame added; ended carries the final vote
    (None when the track had too few readings to report: a glimpse, not a plate).
    """

    kind: str
    track_id: int
    frame: int
    reading: Reading | None = None
    result: TrackResult | None = None


@dataclass
class _Track:
    id: int
    readings: list[tuple[int, Reading]] = field(default_factory=list)

    @property
    def last_frame(self) -> int:
        return self.readings[-1][0]

    @property
    def last_box(self) -> Box:
        return self.readings[-1][1].box

    def leading_text(self) -> str:
        votes: dict[str, float] = defaultdict(float)
        for _, r in self.readings:
            votes[r.text] += r.confidence
        return max(votes.items(), key=lambda kv: kv[1])[0]


class PlateTracker:
    def __init__(self, max_gap: int = 10, min_hits: int = 2, max_move: float = 2.5, max_edits: int = 2):
        self.max_gap = max_gap
        self.min_hits = min_hits
        self.max_move = max_move  # in plate widths per frame of gap
        self.max_edits = max_edits
        self._tracks: list[_Track] = []
        self._next_id = 1
        self._frame = -1

    def _matches(self, t: _Track, r: Reading, frame: int) -> float | None:
        """Association cost (lower is better) or None when it cannot be the same plate."""
        b = t.last_box
        gap = max(1, frame - t.last_frame)
        iou = b.iou(r.box)
        (cx, cy), (rx, ry) = b.centre, r.box.centre
        dist = ((cx - rx) ** 2 + (cy - ry) ** 2) ** 0.5
        scale = max(b.w, r.box.w, 1)
        near = dist <= self.max_move * scale * min(gap, 3)
        size_ok = 0.4 < (r.box.h / max(b.h, 1)) < 2.5
        ed = edit_distance(t.leading_text(), r.text)
        if iou > 0.1 or (near and size_ok and ed <= max(self.max_edits, len(r.text) // 2)):
            return dist / scale + ed * 0.5 - iou
        if ed <= 1 and len(r.text) >= 5 and gap <= self.max_gap:
            return 5.0 + ed + dist / scale * 0.1  # same text, plate jumped (occlusion)
        return None

    @property
    def following(self) -> bool:
        """Whether a plate is being followed (a live track): its next frames are worth reading."""
        return bool(self._tracks)

    def live_track_ids(self) -> list[int]:
        return [t.id for t in self._tracks]

    def current_vote(self, track_id: int) -> TrackResult | None:
        """A live track's readings voted so far (None when it is not live or has too few readings)."""
        track = next((t for t in self._tracks if t.id == track_id), None)
        return None if track is None else self._result(track)

    def observe(self, readings: Sequence[Reading], frame_index: int | None = None) -> list[TrackEvent]:
        """Add one frame's readings; return what happened to the tracks (ended tracks last)."""
        frame = self._frame + 1 if frame_index is None else int(frame_index)
        self._frame = frame
        events = []
        free = list(self._tracks)
        for r in sorted(readings, key=lambda r: -r.confidence):
            if not r.text:
                continue
            best, cost = None, None
            for t in free:
                c = self._matches(t, r, frame)
                if c is not None and (cost is None or c < cost):
                    best, cost = t, c
            if best is None:
                best = _Track(self._next_id)
                self._next_id += 1
                self._tracks.append(best)
                kind = STARTED
            else:
                free.remove(best)
                kind = UPDATED
            best.readings.append((frame, r))
            events.append(TrackEvent(kind, best.id, frame, reading=r))
        ended = [t for t in self._tracks if frame - t.last_frame > self.max_gap]
        self._tracks = [t for t in self._tracks if t not in ended]
        return events + [TrackEvent(ENDED, t.id, frame, result=self._result(t)) for t in ended]

    def finish(self) -> list[TrackEvent]:
        """End every live track (end of video, or a break in the stream)."""
        ended, self._tracks = self._tracks, []
        return [TrackEvent(ENDED, t.id, self._frame, result=self._result(t)) for t in ended]

    def update(self, readings: Sequence[Reading], frame_index: int | None = None) -> list[TrackResult]:
        """Add one frame's readings; return tracks that have just ended."""
        return _results(self.observe(readings, frame_index))

    def flush(self) -> list[TrackResult]:
        """End every live track (end of video) and return their results."""
        return _results(self.finish())

    def _result(self, t: _Track) -> TrackResult | None:
        if len(t.readings) < self.min_hits:
            return None
        return vote([r for _, r in t.readings], t.readings[0][0], t.last_frame, t.id)


def _results(events: Sequence[TrackEvent]) -> list[TrackResult]:
    return [e.result for e in events if e.kind == ENDED and e.result is not None]


def vote(readings: Sequence[Reading], first_frame: int = 0, last_frame: int = 0, track_id: int = 0) -> TrackResult:
    """Combine several readings of one plate.

    Whole strings are voted with their confidences (alternatives count at half
    weight); among readings of the winning length, each position is then voted
    character by character, which repairs a character misread in a few frames.
    """
    votes: dict[str, float] = defaultdict(float)
    for r in readings:
        votes[r.text] += r.confidence
        if r.alternatives:
            top = max(r.alternatives[0][1], 1e-6)
            for alt, s in r.alternatives[1:]:
                votes[alt] += 0.5 * r.confidence * min(1.0, s / top)
    total = sum(r.confidence for r in readings) or 1.0
    text = max(votes.items(), key=lambda kv: kv[1])[0]
    # per-position vote among readings of that length
    same = [r for r in readings if len(r.text) == len(text)]
    if len(same) >= 3:
        chars = []
        for i in range(len(text)):
            pos: dict[str, float] = defaultdict(float)
            for r in same:
                c = r.char_confidences[i] if i < len(r.char_confidences) else r.confidence
                pos[r.text[i]] += c
            chars.append(max(pos.items(), key=lambda kv: kv[1])[0])
        text = "".join(chars)
    agree = sum(r.confidence for r in readings if r.text == text) / total
    mean_conf = sum(r.confidence for r in readings if r.text == text) / max(1, sum(r.text == text for r in readings))
    confidence = min(
        1.0, agree * (mean_conf or max(r.confidence for r in readings)) * min(1.0, 0.5 + 0.1 * len(readings))
    )
    best = max(readings, key=lambda r: (r.text == text, r.confidence))
    alts = sorted(((k, v / total) for k, v in votes.items()), key=lambda kv: -kv[1])[:5]
    return TrackResult(
        text=text,
        confidence=float(confidence),
        hits=len(readings),
        first_frame=first_frame,
        last_frame=last_frame,
        box=best.box,
        best=best,
        alternatives=alts,
        track_id=track_id,
    )
