"""The one plate-sighting pipeline (plates/pipeline.py) and the tracker's public API it uses.

The reader here is a list of readings per frame (pure Python): what is tested is how frames,
the motion gate and the tracker's events become sightings with the right times and crops.
"""

import numpy as np

from cameras.motion import MotionGate
from plates.alpr.tracker import ENDED, STARTED, UPDATED, PlateTracker
from plates.alpr.types import Box, Reading
from plates.pipeline import PlateSightings

FRAME = np.full((480, 640, 3), 90, np.uint8)


def reading(text, x, conf=0.9):
    return Reading(
        text=text,
        confidence=conf,
        char_confidences=[conf] * len(text),
        box=Box(x, 200, 120, 40),
        polygon=[],
        engine="test",
        alternatives=[(text, conf)],
    )


class ScriptedReader:
    """Returns the readings scripted for each frame it is asked to read."""

    def __init__(self, script):
        self.script = list(script)
        self.calls = 0

    def read(self, frame):
        self.calls += 1
        return self.script.pop(0) if self.script else []


def test_the_tracker_reports_started_updated_and_ended_with_a_stable_track_id():
    tracker = PlateTracker(max_gap=2)
    events = []
    for i in range(4):
        events += tracker.observe([reading("ABC1234", 20 + 20 * i)], frame_index=i)
        assert tracker.following
    for i in range(4, 8):
        events += tracker.observe([], frame_index=i)
    kinds = [(e.kind, e.frame) for e in events]
    assert kinds == [(STARTED, 0), (UPDATED, 1), (UPDATED, 2), (UPDATED, 3), (ENDED, 6)]
    assert len({e.track_id for e in events}) == 1
    assert events[-1].result.text == "ABC1234" and events[-1].result.hits == 4
    assert not tracker.following and tracker.live_track_ids() == []


def test_a_live_track_has_a_vote_before_it_ends():
    tracker = PlateTracker()
    [started] = tracker.observe([reading("ABC1234", 20)], frame_index=0)
    assert tracker.current_vote(started.track_id) is None  # one reading is a glimpse, not a plate yet
    tracker.observe([reading("ABC1234", 40)], frame_index=1)
    assert tracker.current_vote(started.track_id).text == "ABC1234"
    assert tracker.live_track_ids() == [started.track_id]
    [ended] = tracker.finish()
    assert (ended.kind, ended.track_id, ended.result.hits) == (ENDED, started.track_id, 2)
    assert tracker.current_vote(started.track_id) is None


def test_update_and_flush_still_return_only_reported_results():
    tracker = PlateTracker(min_hits=2)
    assert tracker.update([reading("QWE4567", 300)], frame_index=0) == []
    assert tracker.flush() == []


def test_one_sighting_per_passing_plate_with_the_times_of_its_first_best_and_last_reading():
    script = [[reading("ABC1234", 20, 0.7)], [reading("ABC1234", 60, 0.95)], [reading("ABC1234", 100, 0.8)]]
    events = []
    pipeline = PlateSightings(reader=ScriptedReader(script), tracker=PlateTracker(max_gap=1), on_event=events.append)
    found = []
    for i in range(6):
        found += pipeline.process(FRAME, at=10.0 + i)
    assert len(found) == 1
    [sighting] = found
    assert sighting.result.text == "ABC1234" and sighting.result.hits == 3
    assert (sighting.first_at, sighting.best_at, sighting.last_at) == (10.0, 11.0, 12.0)
    assert sighting.crop[:2] == b"\xff\xd8"  # a JPEG of the best reading
    assert [e.kind for e in events] == [STARTED, UPDATED, UPDATED, ENDED]
    assert pipeline.frames_analysed == 6


def test_a_live_sighting_is_available_before_its_track_ends():
    script = [[reading("ABC1234", 20)], [reading("ABC1234", 40)]]
    started = []
    pipeline = PlateSightings(
        reader=ScriptedReader(script), on_event=lambda e: started.append(e.track_id) if e.kind == STARTED else None
    )
    pipeline.process(FRAME, at=1.0)
    pipeline.process(FRAME, at=2.0)
    live = pipeline.current(started[0])
    assert live.result.text == "ABC1234" and (live.first_at, live.last_at) == (1.0, 2.0)
    assert [s.track_id for s in pipeline.flush()] == started
    assert pipeline.current(started[0]) is None


def test_the_gate_skips_still_frames_but_not_while_a_plate_is_followed():
    reader = ScriptedReader([[reading("ABC1234", 20)], [reading("ABC1234", 40)], [], []])
    pipeline = PlateSightings(reader=reader, tracker=PlateTracker(max_gap=1))
    gate = MotionGate(keyframe_seconds=60)
    found = []
    for second in range(8):
        found += pipeline.process(FRAME, at=second, gate=gate, clock=second)
    # The first frame is read; the plate it finds keeps the next frames read until its track ends.
    assert reader.calls == pipeline.frames_analysed == 4
    assert [s.result.text for s in found] == ["ABC1234"]


def test_an_early_sighting_needs_two_agreeing_readings_or_one_sure_exact_match(settings):
    settings.RTCC_EARLY_HIT_AGREEING_READINGS, settings.RTCC_EARLY_HIT_SINGLE_CONFIDENCE = 2, 0.9
    kinds = {"ABC1234": {"exact"}, "ABC1284": {"lookalike"}}

    def first_early(script):
        pipeline = PlateSightings(
            reader=ScriptedReader(script), watch=lambda text, alternatives=(): kinds.get(text, set())
        )
        for i in range(len(script)):
            early = [s for s in pipeline.process(FRAME, at=float(i)) if not s.final]
            if early:
                return i, early[0].result.text
        return None

    assert first_early([[reading("ABC1234", 20, 0.95)]]) == (0, "ABC1234")  # one sure, exact reading
    assert first_early([[reading("ABC1234", 20, 0.7)], [reading("ABC1234", 40, 0.7)]]) == (1, "ABC1234")
    assert first_early([[reading("ABC1284", 20, 0.95)], [reading("ABC1284", 40, 0.95)]]) == (1, "ABC1284")
    assert first_early([[reading("ABC1234", 20, 0.7)], [reading("ZZZ9999", 400, 0.7)]]) is None
    assert first_early([[reading("QWE4567", 20, 0.99)], [reading("QWE4567", 40, 0.99)]]) is None


def test_a_track_reports_one_early_sighting_then_its_final_one():
    script = [[reading("ABC1234", 20 * i, 0.95)] for i in range(4)]
    pipeline = PlateSightings(
        reader=ScriptedReader(script), tracker=PlateTracker(max_gap=1), watch=lambda text, alternatives=(): {"exact"}
    )
    found = []
    for i in range(7):
        found += pipeline.process(FRAME, at=float(i))
    assert [(s.final, s.first_at) for s in found] == [(False, 0.0), (True, 0.0)]
    assert found[0].track_id == found[1].track_id and found[1].result.hits == 4


def test_a_glimpse_that_raised_an_early_sighting_still_gets_its_final_one():
    # One sure reading alerts; the track then ends with too few readings for the tracker to report.
    reader = ScriptedReader([[reading("ABC1234", 20, 0.95)]])
    pipeline = PlateSightings(
        reader=reader, tracker=PlateTracker(max_gap=1), watch=lambda text, alternatives=(): {"exact"}
    )
    found = []
    for i in range(4):
        found += pipeline.process(FRAME, at=float(i))
    assert [(s.final, s.result.text, s.result.hits) for s in found] == [(False, "ABC1234", 1), (True, "ABC1234", 1)]
