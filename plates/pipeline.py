"""From sampled video frames to plates: the one sighting pipeline, for live cameras and for footage.

    frame -> motion gate -> plate reader -> tracker -> one Sighting per passing vehicle

A Sighting is a track's readings voted into one plate, with the times of its first, best and last
reading and a crop of the best. `PlateSightings` is the pipeline itself (it knows nothing of where
frames come from or where plates go); `PlateReadingPipeline` stores a camera's sightings as
PlateReads (raising hits), and footage analysis stores a clip's as ClipPlates.

The tracker is used only through its public API: every frame's track events (started, updated,
ended, each with a stable track id) reach an optional `on_event` listener, and `current(track_id)`
gives a live track's sighting so far, so a caller can act on a plate before its track ends.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2

from .alpr import PlateTracker, TrackResult, get_reader
from .alpr.engines import engine_name
from .alpr.tracker import ENDED, TrackEvent
from .services import plate_read_record

log = logging.getLogger(__name__)

# Video has many frames of each car, and the tracker votes them: the high-resolution retry a
# still photo needs would only triple the cost of every empty frame.
VIDEO_RETRY_OFF = {"ppocr", "crnn", "ensemble"}


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


@dataclass
class _Seen:
    first_at: object
    last_at: object
    readings: list = field(default_factory=list)  # (Reading, frame time, crop JPEG) until the track ends


class PlateSightings:
    """Frames in, sightings out; a frame offered with a `gate` (cameras.motion.MotionGate) is read only if it moved."""

    def __init__(self, *, reader, tracker=None, on_event: Callable[[TrackEvent], None] | None = None):
        self.reader = reader
        self.tracker = tracker or PlateTracker()
        self.on_event = on_event
        self.index = -1
        self.frames_analysed = 0
        self._seen: dict[int, _Seen] = {}

    @property
    def following(self) -> bool:
        return self.tracker.following

    def process(self, frame, at, *, gate=None, clock: float | None = None) -> list[Sighting]:
        """One sampled frame taken at `at`; returns the sightings of tracks that just ended.

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
        done = []
        for event in events:
            if event.kind == ENDED:
                seen = self._seen.pop(event.track_id, None)
                if seen is not None and event.result is not None:
                    done.append(_sighting(event.track_id, seen, event.result))
            else:
                seen = self._seen.setdefault(event.track_id, _Seen(first_at=at, last_at=at))
                seen.last_at = at
                seen.readings.append((event.reading, at, crop_jpeg(frame, event.reading.box)))
            if self.on_event is not None:
                self.on_event(event)
        return done


def _sighting(track_id, seen, result) -> Sighting:
    best_at, crop = next(((at, crop) for r, at, crop in seen.readings if r is result.best), (seen.first_at, None))
    return Sighting(track_id, result, seen.first_at, seen.last_at, best_at, crop)


class PlateReadingPipeline:
    """One camera's frames in, one PlateRead per passing vehicle out (its readings voted by the tracker)."""

    def __init__(self, camera, *, engine=None, region=None, reader=None, tracker=None, on_event=None):
        self.camera_id = camera.pk
        self.sightings = PlateSightings(
            reader=reader or video_reader(engine, region=region), tracker=tracker, on_event=on_event
        )

    @property
    def following(self) -> bool:
        return self.sightings.following

    @property
    def frames_analysed(self) -> int:
        return self.sightings.frames_analysed

    def process(self, frame, frame_time, *, gate=None, clock=None):
        """Read one frame; returns the PlateReads stored for tracks that just ended."""
        return self._store(self.sightings.process(frame, frame_time, gate=gate, clock=clock))

    def flush(self):
        return self._store(self.sightings.flush())

    def _store(self, sightings):
        return [
            plate_read_record(
                camera_id=self.camera_id,
                plate=s.result.text,
                plate_raw=s.result.best.raw_text,
                confidence=s.result.confidence,
                read_at=s.best_at,
                engine=s.result.best.engine,
                box={"x": s.result.box.x, "y": s.result.box.y, "w": s.result.box.w, "h": s.result.box.h},
                crop_jpeg=s.crop,
            )
            for s in sightings
        ]


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
