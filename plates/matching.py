"""Hotlist matching: exact, look-alike characters, and wildcard entries from witnesses.

The index lives in each process's memory and is rebuilt when any hotlist or
entry changes. A change writes a new random token in the database, in the
change's own transaction (`rtcc.models.Generation`), so every process sees it
once the change is visible to it: web, workers, or an import run from another
shell, with or without Redis, and a restarted Redis cannot bring back an old
value. Processes look at the token at most every RTCC_HOTLIST_CHECK_SECONDS;
the same token in the shared cache lets a change made in this process's
cache neighbours show at once. Expiry is checked at match time, so an entry
stops alerting the moment it expires; the periodic rebuild is only a safety
net for changes made behind Django's back (raw SQL).
A lookup is a few dictionary probes plus the wildcard patterns.
"""

import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from rtcc.models import Generation

from .alpr.normalisation import LOOKALIKE_GROUPS
from .choices import MatchKind

VERSION_KEY = "hotlists:version"
GENERATION = "hotlists"
MAX_AGE_SECONDS = 15 * 60

_CANONICAL = {ch: group[0] for group in LOOKALIKE_GROUPS for ch in group}


def canonical(plate: str) -> str:
    """The plate with every look-alike character replaced by its group's first (O/0/D/Q -> O, ...)."""
    return "".join(_CANONICAL.get(ch, ch) for ch in plate)


def lookalike_pattern(plate: str) -> str:
    """A regular expression (text) matching `plate` with any character swapped for a look-alike.

    `B8O` becomes `[B8][O0DQ][...]`-style classes from the reader's table; `?` and `*` keep their
    wildcard meaning. Used by the read search (PostgreSQL's trigram index serves it).
    """
    groups = {ch: group for group in LOOKALIKE_GROUPS for ch in group}
    parts = []
    for ch in plate:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        elif ch in groups:
            parts.append(f"[{groups[ch]}]")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


_US_STATE = re.compile(r"US[-_ ]?([A-Z]{2})")


def region_code(region: str) -> str:
    """A region as the matcher compares it: upper case, a US state as its two letters ("us-la" -> "LA")."""
    code = (region or "").strip().upper()
    us = _US_STATE.fullmatch(code)
    return us.group(1) if us else code


def is_state_mismatch(*, read_region: str, read_confidence: float, entry_region: str) -> bool:
    """Whether the read's state confidently differs from the entry's.

    Never when either state is unknown, or the reader was less sure than RTCC_STATE_MISMATCH_CONFIDENCE.
    """
    read, entry = region_code(read_region), region_code(entry_region)
    return bool(read and entry and read != entry and read_confidence >= settings.RTCC_STATE_MISMATCH_CONFIDENCE)


def wildcard_regex(pattern: str) -> re.Pattern:
    """`?` is one unknown character and `*` any run (including none); everything else is literal."""
    parts = [".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts) + r"\Z")


@dataclass(frozen=True)
class EntryRef:
    entry_id: int
    hotlist_id: int
    plate: str
    expires_at: datetime | None


@dataclass(frozen=True)
class Match:
    entry: EntryRef
    kind: str


class HotlistIndex:
    def __init__(self, entries):
        self.exact: dict[str, list[EntryRef]] = {}
        self.lookalike: dict[str, list[EntryRef]] = {}
        self.wildcards: list[tuple[re.Pattern, EntryRef]] = []
        self.size = 0
        for ref in entries:
            self.size += 1
            if "?" in ref.plate or "*" in ref.plate:
                self.wildcards.append((wildcard_regex(ref.plate), ref))
            else:
                self.exact.setdefault(ref.plate, []).append(ref)
                self.lookalike.setdefault(canonical(ref.plate), []).append(ref)

    def match(self, plate: str, at: datetime | None = None) -> list[Match]:
        """Every live entry the plate matches, each once, the closest kind of match winning."""
        found: dict[int, Match] = {}

        def add(ref, kind):
            if ref.entry_id not in found and (ref.expires_at is None or at is None or ref.expires_at > at):
                found[ref.entry_id] = Match(ref, kind)

        for ref in self.exact.get(plate, ()):
            add(ref, MatchKind.EXACT)
        for ref in self.lookalike.get(canonical(plate), ()):
            add(ref, MatchKind.LOOKALIKE)
        for pattern, ref in self.wildcards:
            if pattern.match(plate):
                add(ref, MatchKind.WILDCARD)
        return list(found.values())


_lock = threading.Lock()
_state = {"index": None, "version": None, "built": 0.0, "checked": 0.0, "stored": None}


def load_index() -> HotlistIndex:
    from .models import HotlistEntry

    now = timezone.now()
    rows = (
        HotlistEntry.objects.filter(hotlist__active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("pk", "hotlist_id", "plate", "expires_at")
        .iterator(chunk_size=20_000)
    )
    return HotlistIndex(EntryRef(*row) for row in rows)


def _stored_version():
    """The database's token, read at most every RTCC_HOTLIST_CHECK_SECONDS (the caller holds the lock)."""
    now = time.monotonic()
    if now - _state["checked"] >= settings.RTCC_HOTLIST_CHECK_SECONDS:
        _state["stored"] = Generation.current(GENERATION)
        _state["checked"] = now
    return _state["stored"]


def current_index() -> HotlistIndex:
    shared = cache.get(VERSION_KEY)
    with _lock:
        version = (shared, _stored_version())
        stale = time.monotonic() - _state["built"] > MAX_AGE_SECONDS
        if _state["index"] is None or _state["version"] != version or stale:
            _state["index"] = load_index()
            _state["version"] = version
            _state["built"] = time.monotonic()
        return _state["index"]


def invalidate() -> None:
    """Every process rebuilds its index before the next match (call inside the change's transaction)."""
    token = Generation.bump(GENERATION)
    cache.set(VERSION_KEY, token, timeout=None)
    with _lock:
        _state["index"] = None
        _state["checked"] = 0.0
