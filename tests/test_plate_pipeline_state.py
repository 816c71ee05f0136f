"""A camera's stored read carries the state its track read best, with its confidence, and the track's strong
alternative readings: voted over the track's readings, from real rendered plates through the production reader."""

import pytest
from django.utils import timezone

from plates.alpr.tracker import PlateTracker
from plates.alpr.types import Box, Reading
from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
from plates.pipeline import PlateReadingPipeline, track_alternatives, track_state, video_reader
from tests.factories import camera


def reading(text, conf, state=None, state_conf=0.0, states=(), strong=()):
    return Reading(
        text=text,
        confidence=conf,
        char_confidences=[conf] * len(text),
        box=Box(100, 200, 120, 40),
        polygon=[],
        engine="test",
        strong_alternatives=list(strong),
        state=state,
        state_confidence=state_conf,
        state_alternatives=list(states),
    )


def test_the_track_keeps_the_state_with_the_best_support_weighted_by_reading_confidence():
    readings = [
        reading("ABC1234", 0.9, "TX", 0.8, [("TX", 0.8), ("LA", 0.15)]),
        reading("ABC1234", 0.9, "TX", 0.7, [("TX", 0.7), ("OK", 0.2)]),
        reading("ABC1234", 0.2, "LA", 0.95, [("LA", 0.95)]),  # a blurred glimpse, sure of the wrong state
    ]
    state, confidence = track_state(readings)
    assert state == "TX" and confidence == pytest.approx((0.9 * 0.8 + 0.9 * 0.7) / 2.0)
    assert track_state([reading("ABC1234", 0.9)]) == ("", 0.0)  # no state read (a region without states)


def test_the_track_keeps_the_alternatives_its_readings_still_support():
    readings = [
        reading("ABC1234", 0.9, strong=[("ABC1Z34", 0.3)]),
        reading("ABC1234", 0.9, strong=[("ABC1Z34", 0.2)]),
        reading("A8C1234", 0.4),
        reading("ABC1234", 0.9, strong=[("XBC1234", 0.11)]),  # strong in one frame, weak over the track
    ]
    alternatives = dict(track_alternatives(readings, "ABC1234"))
    assert set(alternatives) == {"ABC1Z34", "A8C1234"}
    assert alternatives["ABC1Z34"] == pytest.approx((0.9 * 0.3 + 0.9 * 0.2) / 3.1, abs=1e-3)
    assert alternatives["A8C1234"] == pytest.approx(0.4 / 3.1, abs=1e-3)


def test_a_camera_read_of_a_rendered_texas_plate_stores_its_state_confidence_and_alternatives(db):
    pytest.importorskip("onnxruntime")
    from plates.alpr.synthetic import scene_with_plate

    stolen = Hotlist.objects.create(name="NCIC stolen", priority=1)
    HotlistEntry.objects.create(hotlist=stolen, plate="5S2Z8B1", region="LA", reason="Stolen in Metairie")
    lpr = camera("Claiborne & Orleans LPR", kind="plate_reader")
    pipeline = PlateReadingPipeline(lpr, reader=video_reader(region="us"), tracker=PlateTracker(max_gap=1))
    # A Texas plate whose blurred B the reader also takes for an 8: the track keeps that reading as an alternative.
    frames = [
        scene_with_plate(
            "5S2Z8B1", size=(480, 854), char_height=30, state="TX", centre=(330 + 40 * i, 240 + 4 * i), seed=i, blur=2.5
        )
        for i in range(4)
    ]
    now = timezone.now()
    for i, frame in enumerate(frames):
        pipeline.process(frame, now + timezone.timedelta(milliseconds=500 * i))
    pipeline.flush()

    read = PlateRead.objects.get()  # the early read, revised by the final vote: one row per pass
    assert read.plate == "5S2Z8B1" and read.region == "TX"
    assert 0.6 <= read.region_confidence <= 1.0
    assert [text for text, _ in read.alternatives] == ["5S2Z881"]
    assert 0.1 <= read.alternatives[0][1] < 0.5

    hit = Hit.objects.get()
    assert hit.state_mismatch and hit.state_mismatch_label == (
        f"State mismatch: read TX ({read.region_confidence:.2f}), list says LA"
    )
