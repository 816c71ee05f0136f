"""Redis is a convenience, not a dependency: the cache and the channel layer keep working through an outage.

While Redis is away the cache answers as if empty (sign-in throttling and rate counters fail open and
say so in the log, hotlist matching keeps its in-process index), and websockets stay open: their
events arrive from the event table's sweep (rtcc.consumers) instead of the push, and the page says that
instant updates are paused. Nothing here hides an outage from /healthz, which checks Redis directly.
"""

import asyncio
import functools
import logging
import time

import redis.exceptions
from channels_redis.core import RedisChannelLayer
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ConnectionError, TimeoutError, OSError)
_LOG_EVERY_SECONDS = 30.0


class Warner:
    """One warning per interval, not one per request, while Redis is down."""

    def __init__(self, what):
        self.what = what
        self.last = 0.0

    def __call__(self, exc):
        now = time.monotonic()
        if now - self.last >= _LOG_EVERY_SECONDS:
            self.last = now
            log.warning(
                "Redis unavailable for the %s (%s: %s); carrying on without it", self.what, type(exc).__name__, exc
            )


def _or_fallback(fallback):
    """Run the cache operation; on a Redis outage return what `fallback(*args, **kwargs)` gives instead."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except REDIS_DOWN as exc:
                self._warn(exc)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


class ResilientRedisCache(RedisCache):
    """Django's Redis cache that answers like an empty cache while Redis is unreachable.

    `add` answers True (as if the key were new) and `incr` the increment, so counters start over rather
    than fail; `set` and `delete` are dropped.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._warn = Warner("cache")

    get = _or_fallback(_default)(RedisCache.get)
    get_many = _or_fallback(lambda keys, *a, **k: {})(RedisCache.get_many)
    has_key = _or_fallback(lambda *a, **k: False)(RedisCache.has_key)
    set = _or_fallback(lambda *a, **k: None)(RedisCache.set)
    set_many = _or_fallback(lambda data, *a, **k: list(data))(RedisCache.set_many)
    add = _or_fallback(lambda *a, **k: True)(RedisCache.add)
    touch = _or_fallback(lambda *a, **k: False)(RedisCache.touch)
    delete = _or_fallback(lambda *a, **k: False)(RedisCache.delete)
    delete_many = _or_fallback(lambda *a, **k: None)(RedisCache.delete_many)
    incr = _or_fallback(lambda key, delta=1, *a, **k: delta)(RedisCache.incr)
    decr = _or_fallback(lambda key, delta=1, *a, **k: -delta)(RedisCache.decr)


class ResilientRedisChannelLayer(RedisChannelLayer):
    """channels-redis, except that a consumer's receive waits out a Redis outage instead of failing.

    Without this a lost Redis connection ends every websocket's consumer with an error. `outages` counts
    failed receives, so consumers know to join their groups again (a restarted Redis without its
    append-only file has forgotten them).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outages = 0
        self._warn = Warner("channel layer")

    async def receive(self, channel):
        delay = 0.25
        while True:
            try:
                return await super().receive(channel)
            except REDIS_DOWN as exc:
                self.outages += 1
                self._warn(exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
