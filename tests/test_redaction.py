"""Redaction for release: a blurred derived copy; the original's bytes and hash never change."""

import cv2
import numpy as np
import pytest

from footage import jobs, services
from footage.choices import AnalysisKind, ClipSource, CustodyAction, Derivation, JobStatus
from footage.library import sha256_of, store_clip
from footage.redaction import Region, parse_regions


def checkerboard_clip(path, frames=20, size=(240, 320)):
    """Sharp black-and-white squares: blur shows as lost contrast."""
    height, width = size
    tile = ((np.indices((height, width)) // 8).sum(axis=0) % 2 * 255).astype(np.uint8)
    frame = cv2.cvtColor(tile, cv2.COLOR_GRAY2BGR)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (width, height))
    for _ in range(frames):
        writer.write(frame)
    writer.release()


def first_frame(path):
    capture = cv2.VideoCapture(str(path))
    ok, frame = capture.read()
    capture.release()
    assert ok
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).astype(np.float32)


@pytest.mark.django_db
def test_redacting_a_region_blurs_it_in_a_derived_copy_and_the_originals_hash_is_unchanged(tmp_path, users):
    source = tmp_path / "street.mp4"
    checkerboard_clip(source)
    technician = users["video_technician"]
    clip = store_clip(source, name="street.mp4", clip_source=ClipSource.MANUAL_UPLOAD, actor=technician)
    original_bytes = open(clip.file.path, "rb").read()
    options = {"faces": True, "regions": [Region(80, 60, 100, 80).as_dict()], "method": "blur"}
    job = services.job_create(clip=clip, kind=AnalysisKind.REDACT, actor=technician, options=options)

    job = jobs.job_run(job.pk)

    assert job.status == JobStatus.DONE, job.message
    with open(clip.file.path, "rb") as handle:
        assert sha256_of(handle) == clip.sha256  # re-hashed from disk
    assert open(clip.file.path, "rb").read() == original_bytes
    copy = job.result_clip
    assert copy.derived_from == clip and copy.derivation == Derivation.REDACTION and copy.source == ClipSource.DERIVED
    assert copy.sha256 != clip.sha256 and copy.video_codec == "h264"
    before, after = first_frame(clip.file.path), first_frame(copy.file.path)
    inside = (slice(70, 130), slice(95, 165))
    outside = (slice(170, 230), slice(200, 300))
    assert after[inside].std() < before[inside].std() * 0.3  # the region lost its detail
    assert after[outside].std() > before[outside].std() * 0.8  # the rest kept it
    actions = list(clip.custody.values_list("action", flat=True))
    assert CustodyAction.DERIVED in actions and CustodyAction.VERIFIED in actions
    assert clip.custody.get(action=CustodyAction.VERIFIED).detail == "Hash matches intake"


def test_regions_are_read_from_lines_with_an_optional_time_span():
    regions = parse_regions("10,20,30,40\n# a comment\n\n5,5,50,50,12-20.5", width=640, height=360)
    assert regions == [Region(10, 20, 30, 40), Region(5, 5, 50, 50, 12.0, 20.5)]
    assert regions[1].active(15) and not regions[1].active(21)


@pytest.mark.parametrize(
    "text, message",
    [
        ("10,20,30", "Line 1"),
        ("a,b,c,d", "whole numbers"),
        ("10,20,0,40", "above 0"),
        ("700,20,30,40", "outside the 640x360"),
        ("10,20,30,40,20-10", "start-end"),
    ],
)
def test_a_bad_region_line_is_refused_with_a_message_that_names_it(text, message):
    with pytest.raises(ValueError, match=message):
        parse_regions(text, width=640, height=360)
