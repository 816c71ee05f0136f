"""The words every screen, push and summary uses for a hit's marks (one place, so they read the same everywhere)."""


def state_mismatch_label(*, read_region: str, read_confidence: float, entry_region: str) -> str:
    """What every screen says of a state mismatch: "State mismatch: read LA (0.93), list says TX"."""
    return f"State mismatch: read {read_region} ({read_confidence:.2f}), list says {entry_region}"


def alternative_label(*, alternative: str, share: float | None, plate: str) -> str:
    """What every screen says of a match on an alternative reading: "Matched alternative reading ABC1234 (22 %)
    of read ABC1Z34"."""
    # A no-break space before the % sign: "22 %" never splits across two lines.
    return f"Matched alternative reading {alternative} ({round((share or 0.0) * 100)}\u00a0%) of read {plate}"
