"""Per-address rate limiting for the public pages: a fixed-window counter in the shared cache.

Redis in production (shared by every web process), the local-memory cache in
the embedded mode and the tests.
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The caller's address. X-Forwarded-For is trusted only as far as RTCC_TRUSTED_PROXY_COUNT proxies added it."""
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    proxies = settings.RTCC_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    # Each trusted proxy appended the address it saw; the one our outermost proxy saw is the client.
    if len(hops) >= proxies and _is_ip(hops[-proxies]):
        return hops[-proxies]
    return remote


def _is_ip(value: str) -> bool:
    """Only an address is believed: it is stored (GenericIPAddressField) and keys the rate limit."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


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
