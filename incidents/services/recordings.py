"""Keeping the city cameras' recordings around an incident before they roll off the rolling buffer."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cameras import recording
from cameras.tasks import pull_recording

from ..choices import TimelineKind
from ..models import Incident
from ..selectors import incident_cameras
from .events import timeline_add


def incident_preserve_recordings(
    *, incident: Incident, user=None, minutes_before: int = 10, minutes_after: int = 5, radius_m=None
) -> list[str]:
    """Queue pulls of every nearby city camera's rolling buffer for the incident's window into the library.

    The window runs from `minutes_before` the incident happened to `minutes_after` (or now, if sooner).
    Only cameras whose buffer still holds part of the window are pulled. Returns the cameras' names;
    the pulls run on the workers and each clip arrives linked to the incident.
    """
    at = incident.occurred_at or incident.created_at
    start = at - timedelta(minutes=minutes_before)
    end = min(at + timedelta(minutes=minutes_after), timezone.now())
    queued = []
    for camera in incident_cameras(incident, radius_m=radius_m):
        if camera.kind != "city":
            continue
        span = recording.buffer_span(camera.pk)
        if span is None or span[1] < start or span[0] > end:
            continue
        window_start, window_end = max(start, span[0]), min(end, span[1])
        if (window_end - window_start).total_seconds() < 1:
            continue
        transaction.on_commit(
            lambda c=camera.pk, s=window_start, e=window_end: pull_recording.delay(
                c, s.isoformat(), e.isoformat(), getattr(user, "pk", None), incident.pk
            )
        )
        queued.append(camera.name)
    text = (
        f"Preserving recordings from {len(queued)} nearby camera(s): {', '.join(queued)}"
        if queued
        else "No nearby city camera still holds recordings of this time."
    )
    timeline_add(incident, TimelineKind.NOTE, text, actor=user, shared=False)
    return queued
