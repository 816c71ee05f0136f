"""Per-address rate limiting for the public pages: a fixed-window counter in the shared cache.

Redis in production (shared by every web process), the local-memory cache in
the embedded mode and the tests.
"""

import time

from django.conf import settings
from django.core.cache import cache

from rtcc.audit import client_address


def client_ip(request) -> str:
    """The caller's address (X-Forwarded-For believed only as far as RTCC_TRUSTED_PROXY_COUNT proxies added it)."""
    return client_address(request) or "unknown"


def over_limit(request, scope: str, *, limit: int | None = None, window: int | None = None) -> bool:
    """Count one action by this address in `scope`; True once the address has used up its window."""
    limit = limit or settings.RTCC_REGISTRY_RATE_LIMIT
    window = window or settings.RTCC_REGISTRY_RATE_WINDOW_SECONDS
    bucket = int(time.time() // window)
    key = f"registry-rate:{scope}:{client_ip(request)}:{bucket}"
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 5)
            count = 1
    return count > limit
