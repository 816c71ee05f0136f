"""Plate reading and browser-playable copies: the runners of the PLATES and TRANSCODE analysis jobs."""

import tempfile
from pathlib import Path

import cv2
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from cameras.motion import MotionGate
from plates.models import Hotlist
from plates.pipeline import PlateSightings, video_reader
from plates.services import hotlist_matches, match_notes

from .choices import CustodyAction, Derivation
from .derived import UNREADABLE, JobFailed, ffmpeg_encode, store_derived
from .library import custody, local_path, probe
from .models import ClipPlate


def _hotlist_facts(plate: str, *, viewer=None, region="", region_confidence=0.0, alternatives=()) -> list[dict]:
    """The live hotlist entries a plate found in footage matches, read-only (no Hit rows, no alerts).

    Only the lists the person who started the job may see count (an owner-only list, for its owner). The
    same matcher as live reads: a state mismatch and a match on an alternative reading are said with the match.
    """
    matches = hotlist_matches(
        plate=plate,
        at=timezone.now(),
        hotlists=Hotlist.objects.visible_to(viewer),
        region=region,
        region_confidence=region_confidence,
        alternatives=alternatives,
    )
    return [
        {
            "hotlist": match.hotlist.name,
            "hotlist_id": match.hotlist.pk,
            "priority": match.hotlist.priority,
            "entry_id": match.entry.pk,
            "matched_plate": match.entry.plate,
            "match_kind": match.kind,
            "reason": match.entry.reason,
            "vehicle": match.entry.vehicle_description,
            "notes": match_notes(match, plate=plate, region=region, region_confidence=region_confidence),
        }
        for match in matches
    ]


KEYFRAME_SECONDS = 2.0  # read a still scene at least this often (slow changes: light, a parked car)


def read_plates(job, progress):
    """Every plate that passes in the clip, with the time of its clearest reading, a crop and hotlist matches."""
    clip = job.clip
    visible = Hotlist.objects.visible_to(job.created_by)
    # The same early/final sightings as a live camera; a clip keeps each track's final one.
    pipeline = PlateSightings(
        reader=video_reader(region=settings.RTCC_PLATE_REGION),
        watch=lambda text, alternatives=(): {
            m.kind for m in hotlist_matches(plate=text, at=timezone.now(), hotlists=visible, alternatives=alternatives)
        },
    )
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
                MotionGate(keyframe_seconds=KEYFRAME_SECONDS, per_mille=settings.RTCC_MOTION_THRESHOLD)
                if settings.RTCC_FOOTAGE_MOTION_GATE
                else None
            )
            found = {}  # track id -> its latest sighting (the final one replaces an early one)
            index = 0
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
                found.update((s.track_id, s) for s in pipeline.process(frame, seconds, gate=gate, clock=seconds))
                index += 1
                job.frames_analysed = pipeline.frames_analysed
                if total:
                    progress(index / total, f"Reading plates: {index / fps:.0f} s of {total / fps:.0f} s")
            found.update((s.track_id, s) for s in pipeline.flush())
        finally:
            capture.release()
    if index == 0:
        raise JobFailed(UNREADABLE)
    job.seconds_of_video = index / fps
    plates = [_store_plate(job, sighting) for sighting in found.values()]
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
        detail=f"Plate reading (job {job.pk}): {message}; {pipeline.frames_analysed} frames analysed",
        data={"job_id": job.pk, "plates": len(plates)},
    )


def _store_plate(job, sighting):
    result = sighting.result
    plate = ClipPlate(
        job=job,
        clip=job.clip,
        plate=result.text[:16],
        plate_raw=(result.best.raw_text or "")[:32],
        confidence=round(result.confidence, 4),
        first_seconds=round(sighting.first_at, 3),
        last_seconds=round(max(sighting.last_at, sighting.first_at), 3),
        best_seconds=round(sighting.best_at, 3),
        readings=result.hits,
        box={"x": result.box.x, "y": result.box.y, "w": result.box.w, "h": result.box.h},
        alternatives=[[text, round(score, 3)] for text, score in result.alternatives],
        region=sighting.state[:16],
        region_confidence=round(sighting.state_confidence, 4),
        strong_alternatives=[[text, round(share, 4)] for text, share in sighting.alternatives],
        hotlist_matches=_hotlist_facts(
            result.text,
            viewer=job.created_by,
            region=sighting.state,
            region_confidence=sighting.state_confidence,
            alternatives=sighting.alternatives,
        ),
    )
    if sighting.crop:
        plate.crop.save(f"clip{job.clip_id}-job{job.pk}-{result.text[:16]}.jpg", ContentFile(sighting.crop), save=False)
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
