"""Per-address rate limiting for the public pages, counted with rtcc/ratecount.py (the shared cache)."""

from django.conf import settings

from rtcc import ratecount
from rtcc.audit import client_address


def client_ip(request) -> str:
    """The caller's address (X-Forwarded-For believed only as far as RTCC_TRUSTED_PROXY_COUNT proxies added it)."""
    return client_address(request) or "unknown"


def over_limit(request, scope: str, *, limit: int | None = None, window: int | None = None) -> bool:
    """Count one action by this address in `scope`; True once the address has used up its window."""
    limit = limit or settings.RTCC_REGISTRY_RATE_LIMIT
    window = window or settings.RTCC_REGISTRY_RATE_WINDOW_SECONDS
    return ratecount.count(f"registry:{scope}:{client_ip(request)}", window=window) > limit
