"""The one retry schedule: doubling from the base up to the cap, spread by jitter."""

import random

import pytest

from rtcc.backoff import backoff_delay


def test_the_step_doubles_from_the_base_up_to_the_cap():
    steps = [backoff_delay(attempt, base=1.0, cap=10.0, jitter=0) for attempt in range(6)]
    assert steps == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert backoff_delay(10_000, base=1.0, cap=60.0, jitter=0) == 60.0  # no overflow for a long outage
    assert backoff_delay(-1, base=2.0, cap=60.0, jitter=0) == 2.0


def test_jitter_spreads_waits_within_the_top_share_of_the_step():
    random.seed(12)
    waits = [backoff_delay(3, base=1.0, cap=60.0, jitter=0.5) for _ in range(500)]
    assert all(4.0 <= wait <= 8.0 for wait in waits)
    assert max(waits) - min(waits) > 3.0  # spread over most of the band, not one value
    assert len({round(wait, 6) for wait in waits}) > 400
    waits = [backoff_delay(1, base=10.0, cap=600.0, jitter=0.2) for _ in range(200)]
    assert all(16.0 <= wait <= 20.0 for wait in waits)
    assert all(wait <= 60.0 for wait in (backoff_delay(9, base=1.0, cap=60.0) for _ in range(200)))


def test_jitter_must_be_a_share():
    with pytest.raises(ValueError):
        backoff_delay(1, base=1.0, cap=10.0, jitter=1.5)
