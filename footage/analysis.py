"""Plate reading and browser-playable copies: the runners of the PLATES and TRANSCODE analysis jobs."""

import tempfile
from pathlib import Path

import cv2
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from plates.pipeline import crop_jpeg

from .choices import CustodyAction, Derivation
from .derived import UNREADABLE, JobFailed, ffmpeg_encode, store_derived
from .library import custody, local_path, probe
from .models import ClipPlate

VIDEO_RETRY_OFF = {"ppocr", "crnn", "ensemble"}


def _reader():
    from plates.alpr import get_reader
    from plates.alpr.engines import engine_name

    region = settings.RTCC_PLATE_REGION
    extra = {"retry_below": 0} if engine_name(None) in VIDEO_RETRY_OFF else {}
    return get_reader(None, region=None if region == "none" else region, **extra)


def hotlist_matches(plate: str, *, viewer=None) -> list[dict]:
    """The live hotlist entries a plate found in footage matches, read-only (no Hit rows, no alerts).

    An owner-only hotlist counts only for its owner (as its hits do).
    """
    from plates.matching import current_index
    from plates.models import Hotlist, HotlistEntry

    matches = current_index().match(plate, at=timezone.now())
    if not matches:
        return []
    hotlists = Hotlist.objects.in_bulk({m.entry.hotlist_id for m in matches})
    entries = HotlistEntry.objects.in_bulk({m.entry.entry_id for m in matches})
    found = []
    for match in matches:
        hotlist, entry = hotlists.get(match.entry.hotlist_id), entries.get(match.entry.entry_id)
        if hotlist is None or entry is None or not hotlist.active:
            continue
        if not hotlist.is_visible_to(viewer):
            continue
        found.append(
            {
                "hotlist": hotlist.name,
                "hotlist_id": hotlist.pk,
                "priority": hotlist.priority,
                "entry_id": entry.pk,
                "matched_plate": entry.plate,
                "match_kind": match.kind,
                "reason": entry.reason,
                "vehicle": entry.vehicle_description,
            }
        )
    return sorted(found, key=lambda m: m["priority"])


KEYFRAME_SECONDS = 2.0  # read a still scene at least this often (slow changes: light, a parked car)


class MotionGate:
    """Says whether a sampled frame differs enough from the previous one to be worth reading.

    Frames are compared small, grey and blurred (sensor noise and compression shimmer do not count);
    a frame is read when enough of it changed, while a plate is being followed, and every `every`
    sampled frames regardless.
    """

    SIZE = (160, 90)
    LEVEL = 14  # grey levels a pixel must change by
    SHARE = 0.002  # share of pixels that must change (a distant car entering is a few dozen pixels)

    def __init__(self, every: int):
        self.every = every
        self.previous = None
        self.since = 0

    def worth_reading(self, frame, *, following: bool) -> bool:
        small = cv2.GaussianBlur(
            cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), self.SIZE, interpolation=cv2.INTER_AREA), (5, 5), 0
        )
        previous, self.previous = self.previous, small
        moved = previous is None or (
            cv2.countNonZero(cv2.threshold(cv2.absdiff(small, previous), self.LEVEL, 255, cv2.THRESH_BINARY)[1])
            > self.SHARE * small.size
        )
        self.since += 1
        if moved or following or self.since >= self.every:
            self.since = 0
            return True
        return False


def read_plates(job, progress):
    """Every plate that passes in the clip, with the time of its clearest reading, a crop and hotlist matches."""
    from plates.alpr import PlateTracker

    clip = job.clip
    reader = _reader()
    tracker = PlateTracker()
    with local_path(clip) as path:
        capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        if not capture.isOpened():
            capture.release()
            raise JobFailed(UNREADABLE)
        try:
            fps = capture.get(cv2.CAP_PROP_FPS)
            fps = fps if fps and 1 <= fps <= 240 else (clip.fps or 25.0)
            total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            if total <= 0 and clip.duration_seconds:
                total = int(clip.duration_seconds * fps)
            stride = max(1, round(fps / settings.RTCC_FOOTAGE_ANALYSIS_FPS))
            gate = (
                MotionGate(every=max(1, round(KEYFRAME_SECONDS * fps / stride)))
                if settings.RTCC_FOOTAGE_MOTION_GATE
                else None
            )
            sightings = {}
            found = []
            index = sampled = analysed = 0

            def keep(results):
                for result in results:
                    seen_at, crop = sightings.get(id(result.best), (result.first_frame * stride / fps, None))
                    found.append((result, seen_at, crop))
                live = {id(r) for track in tracker._tracks for _, r in track.readings}
                for key in [k for k in sightings if k not in live]:
                    del sightings[key]

            while True:
                if index % stride:
                    if not capture.grab():
                        break
                    index += 1
                    continue
                ok, frame = capture.read()
                if not ok or frame is None:
                    break
                seconds = index / fps
                readings = []
                # A still scene with no plate being followed has nothing new to read: skip the reader.
                if gate is None or gate.worth_reading(frame, following=bool(tracker._tracks)):
                    try:
                        readings = reader.read(frame)
                    except ValueError:
                        readings = []
                    analysed += 1
                for reading in readings:
                    sightings[id(reading)] = (seconds, crop_jpeg(frame, reading.box))
                keep(tracker.update(readings, frame_index=sampled))
                sampled += 1
                index += 1
                job.frames_analysed = analysed
                if total:
                    progress(index / total, f"Reading plates: {index / fps:.0f} s of {total / fps:.0f} s")
            keep(tracker.flush())
        finally:
            capture.release()
    if index == 0:
        raise JobFailed(UNREADABLE)
    job.seconds_of_video = index / fps
    plates = [_store_plate(job, result, seen_at, crop, stride, fps) for result, seen_at, crop in found]
    on_hotlist = sum(1 for p in plates if p.hotlist_matches)
    message = f"{len(plates)} plate{'s' if len(plates) != 1 else ''} found in {index / fps:.1f} s of video"
    if on_hotlist:
        message += f", {on_hotlist} on a hotlist"
    if total and index < total * 0.9:
        message += f" (decoding stopped at {index / fps:.1f} s of {total / fps:.1f} s: the file may be damaged)"
    job.message = message
    custody(
        clip,
        CustodyAction.ANALYSED,
        actor=job.created_by,
        detail=f"Plate reading (job {job.pk}): {message}; {analysed} frames analysed",
        data={"job_id": job.pk, "plates": len(plates)},
    )


def _store_plate(job, result, seen_at, crop, stride, fps):
    plate = ClipPlate(
        job=job,
        clip=job.clip,
        plate=result.text[:16],
        plate_raw=(result.best.raw_text or "")[:32],
        confidence=round(result.confidence, 4),
        first_seconds=round(result.first_frame * stride / fps, 3),
        last_seconds=round(max(result.last_frame * stride / fps, result.first_frame * stride / fps), 3),
        best_seconds=round(seen_at, 3),
        readings=result.hits,
        box={"x": result.box.x, "y": result.box.y, "w": result.box.w, "h": result.box.h},
        alternatives=[[text, round(score, 3)] for text, score in result.alternatives],
        hotlist_matches=hotlist_matches(result.text, viewer=job.created_by),
    )
    if crop:
        plate.crop.save(f"clip{job.clip_id}-job{job.pk}-{result.text[:16]}.jpg", ContentFile(crop), save=False)
    plate.save()
    return plate


def transcode(job, progress):
    clip = job.clip
    with local_path(clip) as path, tempfile.TemporaryDirectory(prefix="rtcc-transcode-") as work:
        info = probe(path)
        out = Path(work) / "playable.mp4"
        ffmpeg_encode(["-i", str(path)], out, duration=info.duration, progress=progress, label="Transcoding")
        made = probe(out)
        copy = store_derived(
            clip,
            out,
            derivation=Derivation.TRANSCODE,
            actor=job.created_by,
            info=made,
            detail=f"Browser-playable H.264 copy of clip {clip.pk} (intake sha256 {clip.sha256}), made by job {job.pk}",
        )
    job.result_clip = copy
    job.message = f"Browser-playable copy ready ({made.duration or 0:.1f} s, {made.width}x{made.height})"
