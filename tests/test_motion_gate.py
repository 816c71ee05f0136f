"""The one motion gate (cameras/motion.py), as the capture loop and footage analysis use it."""

import numpy as np

from cameras.motion import MotionGate

STILL = np.full((360, 640, 3), 90, np.uint8)


def noisy(rng):
    return np.clip(STILL.astype(int) + rng.integers(-4, 5, STILL.shape), 0, 255).astype(np.uint8)


def with_car(x=40):
    frame = STILL.copy()
    frame[200:260, x : x + 100] = 230  # something the size of a distant car
    return frame


def test_sensor_noise_is_not_motion_and_a_still_scene_is_read_every_keyframe():
    gate = MotionGate(keyframe_seconds=2.0)
    rng = np.random.default_rng(7)
    times = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]
    assert [gate.worth_reading(noisy(rng), at=t) for t in times] == [
        True, False, False, False, True, False, False, False, True,
    ]  # fmt: skip


def test_a_car_entering_and_moving_is_read_every_frame():
    gate = MotionGate(keyframe_seconds=60)
    assert gate.worth_reading(STILL, at=0)
    assert not gate.worth_reading(STILL, at=1)
    assert [gate.worth_reading(with_car(x), at=2 + i) for i, x in enumerate((40, 120, 200, 280))] == [True] * 4
    assert not gate.worth_reading(with_car(280), at=6)  # it stopped


def test_a_followed_plate_keeps_the_frames_coming_even_when_nothing_moves():
    gate = MotionGate(keyframe_seconds=60)
    gate.worth_reading(STILL, at=0)
    assert gate.worth_reading(STILL, at=1, following=True)
    assert not gate.worth_reading(STILL, at=2, following=False)


def test_a_threshold_of_zero_reads_every_frame():
    gate = MotionGate(keyframe_seconds=60, per_mille=0)
    assert all(gate.worth_reading(STILL, at=t) for t in range(5))


def test_a_higher_threshold_needs_more_of_the_picture_to_change():
    small_change = with_car()
    assert MotionGate(keyframe_seconds=60, per_mille=2).worth_reading(STILL, at=0)
    sensitive, blunt = MotionGate(keyframe_seconds=60, per_mille=2), MotionGate(keyframe_seconds=60, per_mille=100)
    for gate in (sensitive, blunt):
        gate.worth_reading(STILL, at=0)
    assert sensitive.worth_reading(small_change, at=1)
    assert not blunt.worth_reading(small_change, at=1)
