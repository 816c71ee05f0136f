"""Capture leases: at most one worker reads a camera at any time.

Each call is one conditional UPDATE judged by the database's clock, so two
workers racing for the same camera cannot both win, wherever they run.
"""

import math
from datetime import timedelta

from django.db.models import DateTimeField, ExpressionWrapper, Max, Q
from django.db.models.functions import Coalesce, Greatest, Now
from django.utils import timezone

from .models import Camera, CaptureLease, CaptureSession, CaptureWorker

EPOCH_EXPIRED = Q(expires_at__isnull=True) | Q(expires_at__lt=Now())


def _until(seconds):
    return ExpressionWrapper(Now() + timedelta(seconds=seconds), output_field=DateTimeField())


def claim(camera_id: int, holder: str, ttl: float, *, model=CaptureLease) -> bool:
    """Take the camera's lease if it is free, expired, or already ours.

    `model` is the kind of lease: reading the camera (CaptureLease) or recording it (RecordingLease).
    """
    model.objects.get_or_create(camera_id=camera_id)
    won = (
        model.objects.filter(camera_id=camera_id)
        .filter(EPOCH_EXPIRED | Q(holder="") | Q(holder=holder))
        .update(holder=holder, expires_at=_until(ttl), acquired_at=Now(), dispatched_at=None)
    )
    return won == 1


def renew(camera_id: int, holder: str, ttl: float, *, model=CaptureLease, **fields) -> bool:
    """Extend our lease (and set `fields`); False means it was lost (expired and taken) and the work must stop."""
    return model.objects.filter(camera_id=camera_id, holder=holder).update(expires_at=_until(ttl), **fields) == 1


def release(camera_id: int, holder: str, *, model=CaptureLease) -> None:
    model.objects.filter(camera_id=camera_id, holder=holder).update(holder="", expires_at=None)


def unleased(cameras, grace_seconds: float, *, model=CaptureLease) -> list[int]:
    """Of `cameras`, those nobody holds and for which no task was queued in the last `grace_seconds`."""
    held = model.objects.filter(holder__gt="", expires_at__gte=Now()).values("camera_id")
    recently_queued = model.objects.filter(dispatched_at__gte=_until(-grace_seconds)).values("camera_id")
    return list(cameras.exclude(pk__in=held).exclude(pk__in=recently_queued).values_list("pk", flat=True))


def cameras_to_dispatch(grace_seconds: float) -> list[int]:
    """Enabled cameras with a stream, nobody reading them, and no capture task queued recently."""
    return unleased(Camera.objects.filter(enabled=True).exclude(stream_url=""), grace_seconds)


def mark_dispatched(camera_ids, *, model=CaptureLease) -> None:
    for camera_id in camera_ids:
        model.objects.get_or_create(camera_id=camera_id)
    model.objects.filter(camera_id__in=list(camera_ids)).update(dispatched_at=Now())


def worker_name(holder: str) -> str:
    """The worker process part (host:pid) of a holder (host:pid:thread)."""
    return holder.rsplit(":", 1)[0] if holder.count(":") >= 2 else holder


def worker_heartbeat(name: str, *, forget_after: float) -> None:
    """A capture worker is alive; workers silent for `forget_after` seconds (killed, host lost) are forgotten."""
    updated = CaptureWorker.objects.filter(name=name).update(heartbeat_at=Now())
    if not updated:
        CaptureWorker.objects.get_or_create(name=name, defaults={"heartbeat_at": timezone.now()})
    CaptureWorker.objects.filter(heartbeat_at__lt=_until(-forget_after)).delete()


def worker_gone(name: str) -> None:
    CaptureWorker.objects.filter(name=name).delete()


def fair_share(stale_seconds: float) -> int:
    """How many cameras each live capture worker should read: readable cameras shared out evenly.

    Only capture workers heartbeat (cameras/tasks.py); one silent for `stale_seconds` (about a lease) is
    dead and no longer counts, so the survivors take its cameras as soon as its leases run out.
    """
    workers = CaptureWorker.objects.filter(heartbeat_at__gte=_until(-stale_seconds)).count()
    cameras = Camera.objects.filter(enabled=True).exclude(stream_url="").count()
    return math.ceil(cameras / max(1, workers))


def held_by_worker(name: str) -> list[int]:
    return list(
        CaptureLease.objects.filter(holder__startswith=f"{name}:", expires_at__gte=Now())
        .order_by("camera_id")
        .values_list("camera_id", flat=True)
    )


def undispatch(camera_id: int) -> None:
    CaptureLease.objects.filter(camera_id=camera_id).update(dispatched_at=None)


def end_orphaned_sessions(camera_id: int, *, keep: int) -> int:
    """End the camera's open sessions but `keep`: called by the lease holder, so their workers are dead."""
    return (
        CaptureSession.objects.filter(camera_id=camera_id, ended_at__isnull=True)
        .exclude(pk=keep)
        .update(ended_at=Coalesce("heartbeat_at", "started_at"), end_reason="worker lost: its lease ran out")
    )


def cameras_unread(longer_than: float) -> list[dict]:
    """Readable cameras nobody has held for `longer_than` seconds: [{"id", "name", "unread_s"}], longest first.

    Unread since the last moment a session of it was seen alive (or since the camera was added).
    """
    now = timezone.now()
    held = CaptureLease.objects.filter(holder__gt="", expires_at__gte=Now()).values("camera_id")
    cameras = (
        Camera.objects.filter(enabled=True)
        .exclude(stream_url="")
        .exclude(pk__in=held)
        .annotate(
            last_seen=Max(
                Greatest(
                    "capture_sessions__started_at",
                    Coalesce("capture_sessions__heartbeat_at", "capture_sessions__started_at"),
                    Coalesce("capture_sessions__ended_at", "capture_sessions__started_at"),
                )
            )
        )
        .values_list("pk", "name", "last_seen", "created_at")
    )
    unread = []
    for pk, name, last_seen, created_at in cameras:
        since = (now - (last_seen or created_at)).total_seconds()
        if since > longer_than:
            unread.append({"id": pk, "name": name, "unread_s": round(since, 1)})
    return sorted(unread, key=lambda c: -c["unread_s"])
