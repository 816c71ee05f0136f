"""Running a write that may lose a race on a unique constraint."""

from django.db import IntegrityError, transaction


def atomic_retrying_once(work, *args, **kwargs):
    """Run `work(*args, **kwargs)` in a transaction; if a concurrent writer wins a unique constraint, run it again.

    For idempotent writes (store this delivery, open the incident for this event id) that look for the
    existing row first: the second run finds the winner's row instead of inserting a duplicate. A second
    IntegrityError is a real one and is raised.
    """
    try:
        with transaction.atomic():
            return work(*args, **kwargs)
    except IntegrityError:
        with transaction.atomic():
            return work(*args, **kwargs)
