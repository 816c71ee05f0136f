"""Camera workflows: status changes (durable, then pushed), health checks, snapshots (stored and read)."""

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from rtcc import realtime
from rtcc.roles import STAFF_ALL

from .choices import CameraStatus
from .models import Camera, CameraStatusEvent

SEVERITY = {
    CameraStatus.OFFLINE: "critical",
    CameraStatus.DEGRADED: "warning",
    CameraStatus.ONLINE: "info",
    CameraStatus.DISABLED: "info",
    CameraStatus.UNKNOWN: "info",
}


def camera_set_status(*, camera_id: int, status: str, reason: str = "") -> bool:
    """Move a camera to `status`. A change is a CameraStatusEvent row and a dashboard event; True if it changed.

    The same status with a new reason only updates the reason (a camera
    retrying its connection must not flood operators with alerts).
    """
    reason = reason[:300]
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera_id)
        if camera.status == status:
            if camera.status_reason != reason:
                Camera.objects.filter(pk=camera_id).update(status_reason=reason)
            return False
        previous = camera.status
        now = timezone.now()
        Camera.objects.filter(pk=camera_id).update(status=status, status_reason=reason, status_changed_at=now)
        CameraStatusEvent.objects.create(camera_id=camera_id, status=status, reason=reason)
        label = CameraStatus(status).label.lower()
        summary = f"{camera.name} is {label}" + (f": {reason}" if reason else "")
        if status == CameraStatus.ONLINE and previous in (CameraStatus.OFFLINE, CameraStatus.DEGRADED):
            summary = f"{camera.name} is back online"
        realtime.publish(
            group=STAFF_ALL,
            kind=f"camera.{status}",
            summary=summary,
            severity=SEVERITY[status],
            data={"camera_id": camera_id, "status": status, "previous": previous, "reason": reason},
        )
    return True


def camera_record_heartbeat(*, camera_id: int, last_frame_at, measured_fps) -> None:
    Camera.objects.filter(pk=camera_id).update(last_frame_at=last_frame_at, measured_fps=measured_fps)


def cameras_mark_silent_offline(now=None) -> list[int]:
    """Enabled cameras whose last frame is older than their threshold go offline (a dead worker reads nothing)."""
    now = now or timezone.now()
    changed = []
    candidates = (
        Camera.objects.filter(enabled=True)
        .exclude(stream_url="")
        .exclude(status=CameraStatus.OFFLINE)
        .only("id", "last_frame_at", "offline_after_seconds", "status_changed_at", "created_at", "status")
    )
    for camera in candidates:
        since = camera.last_frame_at or camera.status_changed_at or camera.created_at
        silence = (now - since).total_seconds()
        if silence > camera.offline_after_seconds:
            reason = (
                f"No frames for {int(silence)} s" if camera.last_frame_at else f"Never read in {int(silence)} s"
            ) + " (stream down or no capture worker running)"
            if camera_set_status(camera_id=camera.pk, status=CameraStatus.OFFLINE, reason=reason):
                changed.append(camera.pk)
    return changed


def cameras_mark_disabled() -> None:
    for camera_id in (
        Camera.objects.filter(enabled=False).exclude(status=CameraStatus.DISABLED).values_list("pk", flat=True)
    ):
        camera_set_status(camera_id=camera_id, status=CameraStatus.DISABLED, reason="Disabled by an administrator")


def snapshot_key(camera_id: int) -> str:
    return f"camera:{camera_id}:snapshot"


def snapshot_store(camera_id: int, jpeg: bytes, taken_at, ttl: int) -> None:
    cache.set(snapshot_key(camera_id), (taken_at.isoformat(), jpeg), timeout=ttl)


def snapshot_latest(camera_id: int):
    """(taken_at ISO string, JPEG bytes) or None."""
    return cache.get(snapshot_key(camera_id))


def camera_record_device_contact(*, camera_id: int) -> None:
    """A device that pushed reads is alive: note it, and bring the camera online if it was not."""
    Camera.objects.filter(pk=camera_id).update(last_frame_at=timezone.now())
    if Camera.objects.filter(pk=camera_id).exclude(status=CameraStatus.ONLINE).exists():
        camera_set_status(camera_id=camera_id, status=CameraStatus.ONLINE, reason="")
