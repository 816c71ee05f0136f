"""Counting actions per key over a time window in the shared cache (Redis in production, local memory otherwise).

A window starts with the first counted action and lasts `window` seconds (the
cache key expires then). Used by the sign-in throttle and the registry's
public-form rate limit.
"""

from django.core.cache import cache

PREFIX = "rate:"


def count(key: str, *, window: int) -> int:
    """Count one action under `key`; returns the count in the current window, this one included."""
    key = PREFIX + key
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr: this action starts the next one
        cache.set(key, 1, timeout=window)
        return 1


def counts(keys: list[str]) -> dict[str, int]:
    """The current count under each key (0 where no window is running)."""
    found = cache.get_many([PREFIX + key for key in keys])
    return {key: found.get(PREFIX + key, 0) for key in keys}


def forget(key: str) -> None:
    cache.delete(PREFIX + key)
