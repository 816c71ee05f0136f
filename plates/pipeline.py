"""From a camera's sampled frames to stored PlateReads: the reader, the tracker and the crop of the best sighting."""

import logging

import cv2

from .services import plate_read_record

log = logging.getLogger(__name__)

VIDEO_RETRY_OFF = {"ppocr", "crnn", "ensemble"}


class PlateReadingPipeline:
    """One camera's frames in, one PlateRead per passing vehicle out (its readings voted by the tracker)."""

    def __init__(self, camera, *, engine=None, region=None, reader=None, tracker=None):
        from .alpr import PlateTracker, get_reader
        from .alpr.engines import engine_name

        self.camera_id = camera.pk
        # Video has many frames of each car, and the tracker votes them: the high-resolution retry a
        # still photo needs would only triple the cost of every empty frame.
        extra = {"retry_below": 0} if engine_name(engine) in VIDEO_RETRY_OFF else {}
        self.reader = reader or get_reader(engine, region=None if region == "none" else region, **extra)
        self.tracker = tracker or PlateTracker()
        self.index = -1
        self.sightings = {}  # id(Reading) -> (frame time, crop JPEG), until its track ends

    def process(self, frame, frame_time):
        """Read one frame; returns the PlateReads stored for tracks that just ended."""
        self.index += 1
        try:
            readings = self.reader.read(frame)
        except ValueError as exc:
            log.warning("camera %s: frame not readable: %s", self.camera_id, exc)
            readings = []
        for reading in readings:
            self.sightings[id(reading)] = (frame_time, crop_jpeg(frame, reading.box), reading)
        return self._store(self.tracker.update(readings, frame_index=self.index))

    def idle(self):
        """A sampled frame with no motion: nothing new to read, but tracks of cars that left must still end."""
        self.index += 1
        return self._store(self.tracker.update([], frame_index=self.index))

    def flush(self):
        return self._store(self.tracker.flush())

    def _store(self, results):
        stored = []
        for result in results:
            frame_time, crop, _ = self.sightings.get(id(result.best), (None, None, None))
            if frame_time is None:
                continue
            stored.append(
                plate_read_record(
                    camera_id=self.camera_id,
                    plate=result.text,
                    plate_raw=result.best.raw_text,
                    confidence=result.confidence,
                    read_at=frame_time,
                    engine=result.best.engine,
                    box={"x": result.box.x, "y": result.box.y, "w": result.box.w, "h": result.box.h},
                    crop_jpeg=crop,
                )
            )
        self._forget_old()
        return stored

    def _forget_old(self):
        live = {id(r) for track in self.tracker._tracks for _, r in track.readings}
        self.sightings = {key: value for key, value in self.sightings.items() if key in live}


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
