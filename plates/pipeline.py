"""From sampled video frames to plates: the one sighting pipeline, for live cameras and for footage.

    frame -> motion gate -> plate reader -> tracker -> one Sighting per passing vehicle

A Sighting is a track's readings voted into one plate, with the times of its first, best and last
reading, a crop of the best, the state with the best support among its readings (US plates) and the
other readings the track still supports (its strong alternatives, which critical hotlists also match).
`PlateSightings` is the pipeline itself (it knows nothing of where frames come from or where plates go);
`PlateReadingPipeline` stores a camera's sightings as PlateReads (raising hits), and footage analysis
stores a clip's as ClipPlates.

The tracker is used only through its public API: every frame's track events (started, updated,
ended, each with a stable track id) reach an optional `on_event` listener, and `current(track_id)`
gives a live track's sighting so far, so a caller can act on a plate before its track ends.

Early sightings: a live track whose readings make a hotlist match trustworthy (settings
RTCC_EARLY_HIT_AGREEING_READINGS readings agree on the voted text and it, or one of the track's strong
alternative readings on a critical list, matches; or one reading at
least RTCC_EARLY_HIT_SINGLE_CONFIDENCE confident matches an entry exactly) is reported once, while the
car is still in view, as a sighting with `final=False`; its final sighting (`final=True`, same track id)
follows when the track ends. A camera stores the early one as a PlateRead with its hits and writes the
final vote onto that same read (withdrawing a hit it no longer supports); footage keeps the final one.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from .alpr import PlateTracker, TrackResult, get_reader
from .alpr.engines import engine_name
from .alpr.reader import STRONG_ALTERNATIVE
from .alpr.tracker import ENDED, TrackEvent, vote
from .choices import MatchKind
from .services import hotlist_matches, plate_read_record, plate_read_revise

log = logging.getLogger(__name__)

# Video has many frames of each car, and the tracker votes them: the high-resolution retry a
# still photo needs would only triple the cost of every empty frame.
VIDEO_RETRY_OFF = {"ppocr", "crnn", "ensemble"}

# What a database restart or a lost connection raises; a sighting that meets it is kept and stored later.
DATABASE_AWAY = (OperationalError, InterfaceError)


def video_reader(engine=None, *, region=None):
    """The plate reader tuned for video frames (`region` "none" or None: any region)."""
    extra = {"retry_below": 0} if engine_name(engine) in VIDEO_RETRY_OFF else {}
    return get_reader(engine, region=None if region in (None, "none") else region, **extra)


@dataclass
class Sighting:
    """One passing plate: its voted reading, when it was first, best and last seen, and a crop of the best."""

    track_id: int
    result: TrackResult
    first_at: object  # a frame time as the caller gives it: a datetime (camera) or seconds (clip)
    last_at: object
    best_at: object
    crop: bytes | None
    final: bool = True  # False: an early sighting of a live track that matched a hotlist
    state: str = ""  # the issuing state with the best support among the track's readings ("" unknown)
    state_confidence: float = 0.0
    alternatives: list = field(default_factory=list)  # [(plate, share)]: the track's strong alternative readings


@dataclass
class _Seen:
    first_at: object
    last_at: object
    readings: list = field(default_factory=list)  # (Reading, frame time, crop JPEG) until the track ends
    early: bool = False  # an early sighting was reported


def hotlist_kinds(text: str, alternatives=()) -> set[str]:
    """How a plate (or, on a critical list, one of its strong alternatives) matches the live hotlists now
    (exact, look-alike, wildcard); empty when it is not wanted.

    While the database is away the answer is "not known yet": empty, so no early sighting is raised on
    this frame; the track is asked again on its next reading, and its final sighting is matched when stored.
    """
    try:
        return {match.kind for match in hotlist_matches(plate=text, at=timezone.now(), alternatives=alternatives)}
    except DATABASE_AWAY as exc:
        connection.close()  # the next query opens a fresh connection
        log.warning("hotlist check for an early hit deferred: database unavailable (%s)", exc)
        return set()


def _weight(reading) -> float:
    return max(float(reading.confidence), 1e-3)


def track_state(readings) -> tuple[str, float]:
    """The state with the best support among a track's readings, and its share of that support.

    Each reading's state probabilities (its state and runners-up) count with the reading's confidence, so
    a glimpse read from a blurred frame cannot outvote the clear ones. ("", 0.0) when no reading has a state.
    """
    support: dict[str, float] = defaultdict(float)
    total = 0.0
    for r in readings:
        if not getattr(r, "state", None):
            continue
        weight = _weight(r)
        total += weight
        shares = dict(r.state_alternatives or ())
        shares.setdefault(r.state, r.state_confidence)
        for state, share in shares.items():
            support[state] += weight * float(share)
    if not support:
        return "", 0.0
    state, best = max(support.items(), key=lambda kv: kv[1])
    return state, min(1.0, best / total)


def track_alternatives(readings, text: str) -> list[tuple[str, float]]:
    """The other readings a track still supports: (plate, share) at least `STRONG_ALTERNATIVE`, strongest first.

    Each reading shares its weight (its confidence) between its own text and its strong alternatives, so
    a text several frames read, or one the reader kept as a strong alternative in most frames, stays.
    """
    support: dict[str, float] = defaultdict(float)
    total = 0.0
    for r in readings:
        weight = _weight(r)
        total += weight
        others = getattr(r, "strong_alternatives", None) or []
        support[r.text] += weight * max(0.0, 1.0 - sum(share for _, share in others))
        for alt, share in others:
            support[alt] += weight * float(share)
    shares = ((t, round(v / total, 4)) for t, v in support.items() if t and t != text) if total else ()
    return sorted((kv for kv in shares if kv[1] >= STRONG_ALTERNATIVE), key=lambda kv: (-kv[1], kv[0]))


class PlateSightings:
    """Frames in, sightings out; a frame offered with a `gate` (cameras.motion.MotionGate) is read only if it moved."""

    def __init__(
        self,
        *,
        reader,
        tracker=None,
        on_event: Callable[[TrackEvent], None] | None = None,
        watch: Callable[[str], set[str]] | None = None,
    ):
        """`watch(text, alternatives=())`: how a plate text (or its strong alternatives, [(text, share)], on a
        critical list) matches the hotlists, a set of MatchKind; None: no early sightings."""
        self.reader = reader
        self.tracker = tracker or PlateTracker()
        self.on_event = on_event
        self.watch = watch
        self.agreeing = settings.RTCC_EARLY_HIT_AGREEING_READINGS
        self.single_confidence = settings.RTCC_EARLY_HIT_SINGLE_CONFIDENCE
        self.index = -1
        self.frames_analysed = 0
        self._seen: dict[int, _Seen] = {}

    @property
    def following(self) -> bool:
        return self.tracker.following

    def process(self, frame, at, *, gate=None, clock: float | None = None) -> list[Sighting]:
        """One sampled frame taken at `at`; returns early sightings, then those of tracks that just ended.

        With a gate, the frame is read only when it is worth it (`clock`: its time in seconds).
        """
        self.index += 1
        readings = []
        if gate is None or gate.worth_reading(frame, at=clock, following=self.tracker.following):
            self.frames_analysed += 1
            try:
                readings = self.reader.read(frame)
            except ValueError as exc:
                log.warning("frame not readable: %s", exc)
        return self._handle(self.tracker.observe(readings, frame_index=self.index), frame, at)

    def flush(self) -> list[Sighting]:
        """End every track (end of the clip, or a break in the stream) and return their sightings."""
        return self._handle(self.tracker.finish(), None, None)

    def current(self, track_id: int) -> Sighting | None:
        """A live track's sighting so far (None when it is not live or too short to vote)."""
        seen, result = self._seen.get(track_id), self.tracker.current_vote(track_id)
        return None if seen is None or result is None else _sighting(track_id, seen, result)

    def _handle(self, events, frame, at) -> list[Sighting]:
        early, done = [], []
        for event in events:
            if event.kind == ENDED:
                seen = self._seen.pop(event.track_id, None)
                result = event.result
                if result is None and seen is not None and seen.early:
                    # Too few readings for the tracker to report, but one was sure enough to alert on:
                    # its final sighting still comes, so whoever stored the early one can close it.
                    result = vote([r for r, _, _ in seen.readings], track_id=event.track_id)
                if seen is not None and result is not None:
                    done.append(_sighting(event.track_id, seen, result))
            else:
                seen = self._seen.setdefault(event.track_id, _Seen(first_at=at, last_at=at))
                seen.last_at = at
                seen.readings.append((event.reading, at, crop_jpeg(frame, event.reading.box)))
                sighting = self._early(event.track_id, seen)
                if sighting is not None:
                    seen.early = True
                    early.append(sighting)
            if self.on_event is not None:
                self.on_event(event)
        return early + done

    def _early(self, track_id, seen) -> Sighting | None:
        """The track's sighting when its readings first make a hotlist match trustworthy, else None.

        Either enough readings agree on the voted text and it matches, or one reading is confident
        enough and matches an entry exactly (a look-alike or partial match needs a second reading).
        """
        if self.watch is None or seen.early:
            return None
        result = self.tracker.current_vote(track_id)
        readings = [r for r, _, _ in seen.readings]
        if result is not None and sum(r.text == result.text for r in readings) >= self.agreeing:
            if self.watch(result.text, track_alternatives(readings, result.text)):
                return _sighting(track_id, seen, result, final=False)
        sure = max(readings, key=lambda r: r.confidence)
        if sure.confidence >= self.single_confidence and MatchKind.EXACT in self.watch(sure.text):
            if result is None or result.text != sure.text:
                result = vote([sure], track_id=track_id)
                readings = [sure]
            return _sighting(track_id, seen, result, final=False, readings=readings)
        return None


def _sighting(track_id, seen, result, *, final=True, readings=None) -> Sighting:
    """The sighting of `result`; its state and alternatives from `readings` (default: all the track's so far)."""
    readings = [r for r, _, _ in seen.readings] if readings is None else readings
    best_at, crop = next(((at, crop) for r, at, crop in seen.readings if r is result.best), (seen.first_at, None))
    state, state_confidence = track_state(readings)
    return Sighting(
        track_id,
        result,
        seen.first_at,
        seen.last_at,
        best_at,
        crop,
        final=final,
        state=state,
        state_confidence=state_confidence,
        alternatives=track_alternatives(readings, result.text),
    )


class PlateReadingPipeline:
    """One camera's frames in, one PlateRead per passing vehicle out (its readings voted by the tracker).

    A wanted plate's read is stored, with its hits, as soon as the track's early sighting comes (the
    car still in view); the final vote then revises that same read. Other reads are stored at track end.

    A sighting the database cannot take (it is restarting, the connection was lost) is kept, in order,
    and stored on the next frame, flush or `retry` after the database is back: a car passing during a
    database outage is stored once it returns, not lost. At most `max_pending` sightings wait (the
    oldest is dropped, with an error logged, beyond that: about an hour of a busy camera's cars).
    """

    max_pending = 2000

    def __init__(self, camera, *, engine=None, region=None, reader=None, tracker=None, on_event=None, watch=None):
        self.camera_id = camera.pk
        self.sightings = PlateSightings(
            reader=reader or video_reader(engine, region=region),
            tracker=tracker,
            on_event=on_event,
            watch=watch or hotlist_kinds,
        )
        self._early_reads: dict[int, int] = {}  # live track id -> the PlateRead its early sighting stored
        self._pending: list[Sighting] = []  # sightings not stored yet (the database was away), oldest first

    @property
    def following(self) -> bool:
        return self.sightings.following

    @property
    def frames_analysed(self) -> int:
        return self.sightings.frames_analysed

    @property
    def pending(self) -> int:
        """Sightings waiting for the database."""
        return len(self._pending)

    def process(self, frame, frame_time, *, gate=None, clock=None):
        """Read one frame; returns the PlateReads it created (early ones, and those of tracks that just ended)."""
        return self._store(self.sightings.process(frame, frame_time, gate=gate, clock=clock))

    def flush(self):
        return self._store(self.sightings.flush())

    def retry(self):
        """Store what waits for the database (the capture's closing calls it until nothing is left)."""
        return self._store([])

    def _store(self, sightings):
        for s in sightings:
            if s.final and s.track_id not in self._early_reads:
                # An early sighting of this track that never reached the database is superseded: the final
                # one is stored as the track's read, with its hits.
                self._pending = [p for p in self._pending if p.track_id != s.track_id]
            self._pending.append(s)
        if len(self._pending) > self.max_pending:
            dropped, self._pending = self._pending[: -self.max_pending], self._pending[-self.max_pending :]
            log.error(
                "camera %s: database unavailable too long, %d sightings dropped: %s",
                self.camera_id,
                len(dropped),
                ", ".join(s.result.text for s in dropped),
            )
        created = []
        while self._pending:
            try:
                read = self._write(self._pending[0])
            except DATABASE_AWAY as exc:
                connection.close()
                log.warning(
                    "camera %s: database unavailable, %d sightings kept to store later (%s)",
                    self.camera_id,
                    len(self._pending),
                    exc,
                )
                break
            self._pending.pop(0)
            if read is not None:
                created.append(read)
        return created

    def _write(self, s):
        """Store one sighting: a new read (returned), or the final vote onto its early read (None)."""
        fields = {
            "plate": s.result.text,
            "plate_raw": s.result.best.raw_text,
            "confidence": s.result.confidence,
            "region": s.state,
            "region_confidence": s.state_confidence,
            "alternatives": s.alternatives,
            "read_at": s.best_at,
            "engine": s.result.best.engine,
            "box": {"x": s.result.box.x, "y": s.result.box.y, "w": s.result.box.w, "h": s.result.box.h},
            "crop_jpeg": s.crop,
        }
        read_id = self._early_reads.get(s.track_id) if s.final else None
        if read_id is not None:
            _reconnecting_once(lambda: plate_read_revise(read_id=read_id, **fields))
            del self._early_reads[s.track_id]
            return None
        read = _reconnecting_once(lambda: plate_read_record(camera_id=self.camera_id, **fields))
        if not s.final:
            self._early_reads[s.track_id] = read.pk
        return read


def _reconnecting_once(write):
    """Run a database write; if the connection was lost (the database restarted), reconnect and try once more.

    A capture worker's thread keeps its connection for hours: a restart of the database leaves it a closed
    connection, and the server is often back by the next write. When it is not, the error reaches the caller.
    """
    try:
        return write()
    except DATABASE_AWAY:
        connection.close()
        return write()


def crop_jpeg(frame, box, margin=0.25):
    """The plate with a margin around it, as JPEG bytes (None when the box lies outside the frame)."""
    height, width = frame.shape[:2]
    mx, my = int(box.w * margin), int(box.h * margin)
    x0, y0 = max(0, box.x - mx), max(0, box.y - my)
    x1, y1 = min(width, box.x + box.w + mx), min(height, box.y + box.h + my)
    if x1 <= x0 or y1 <= y0:
        return None
    ok, jpeg = cv2.imencode(".jpg", frame[y0:y1, x0:x1], [cv2.IMWRITE_JPEG_QUALITY, 90])
    return jpeg.tobytes() if ok else None
