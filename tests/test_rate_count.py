"""The one cache counter behind the sign-in throttle and the registry's rate limit."""

import time

from django.core.cache import cache

from rtcc import ratecount


def test_counts_within_a_window_that_starts_at_the_first_action():
    cache.clear()
    assert [ratecount.count("test:a", window=60) for _ in range(3)] == [1, 2, 3]
    assert ratecount.counts(["test:a", "test:b"]) == {"test:a": 3, "test:b": 0}
    ratecount.forget("test:a")
    assert ratecount.counts(["test:a"]) == {"test:a": 0}


def test_a_new_window_starts_when_the_old_one_has_run_out():
    cache.clear()
    assert ratecount.count("test:c", window=1) == 1
    assert ratecount.count("test:c", window=1) == 2
    deadline = time.monotonic() + 5
    while ratecount.counts(["test:c"])["test:c"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ratecount.count("test:c", window=1) == 1
