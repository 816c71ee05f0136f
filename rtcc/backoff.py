"""How long to wait before trying again: exponential backoff, capped, with jitter.

Used by everything that retries something remote: the capture loop reconnecting
to a camera, the recorder restarting ffmpeg, the outbox retrying an agency's webhook.
"""

import random


def backoff_delay(attempt: int, *, base: float, cap: float, jitter: float = 0.5) -> float:
    """Seconds to wait before retry number `attempt` (0 for the first retry).

    The step doubles from `base` up to `cap`; the wait is a random point in the
    top `jitter` share of the step, so many clients that failed together
    (cameras behind one recovering server) do not all come back at once, while
    each wait stays at least (1 - jitter) of its step.
    """
    if not 0 <= jitter <= 1:
        raise ValueError("jitter is a share of the step, between 0 and 1")
    step = min(cap, base * 2 ** min(max(attempt, 0), 32))
    return step * (1 - jitter * random.random())
