"""Password guessing is slowed down: after too many failed sign-ins a name or an address must wait.

Counted with rtcc/ratecount.py (the shared cache) per user name and per client address, over a
window; a success clears the name's count. Used by the login form and the CAP feeds' HTTP Basic.
"""

import hashlib

from django.conf import settings

from . import ratecount
from .audit import client_address


def _keys(request, username):
    # A window starts at the first failure and lasts RTCC_LOGIN_FAILURE_WINDOW_SECONDS (the keys expire then).
    name = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return [f"signin-fail:user:{name}", f"signin-fail:addr:{client_address(request) or 'unknown'}"]


def locked_out(request, username) -> bool:
    """True while this user name, or this address, has failed too often in the current window."""
    limit = settings.RTCC_LOGIN_MAX_FAILURES
    user_key, addr_key = _keys(request, username)
    counts = ratecount.counts([user_key, addr_key])
    return counts[user_key] >= limit or counts[addr_key] >= limit * 3


def note_failure(request, username) -> None:
    for key in _keys(request, username):
        ratecount.count(key, window=settings.RTCC_LOGIN_FAILURE_WINDOW_SECONDS)


def note_success(request, username) -> None:
    ratecount.forget(_keys(request, username)[0])


LOCKED_MESSAGE = (
    "Too many failed sign-ins for this name or from this address. Wait {minutes} minutes, or ask a "
    "supervisor to check the account."
)


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=max(1, settings.RTCC_LOGIN_FAILURE_WINDOW_SECONDS // 60))
