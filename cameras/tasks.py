"""Celery tasks for capture and the recording buffer: thin doors onto cameras.capture, .recording and .services."""

import logging
import threading

from celery import shared_task
from celery.signals import worker_ready, worker_shutting_down
from django.conf import settings
from django.db import close_old_connections

from plates.pipeline import PlateReadingPipeline

from . import leases, recording, services
from .capture import CaptureRun, worker_identity

log = logging.getLogger(__name__)

CAPTURE_QUEUE = "capture"

# Set when this worker process is shutting down: capture loops end and release their leases.
_stopping = threading.Event()
# Set in a capture worker (one consuming the capture queue): only those heartbeat and share the cameras.
_reads_cameras = threading.Event()


def _worker_name():
    return leases.worker_name(worker_identity())


@worker_ready.connect
def _start_worker_heartbeat(sender=None, **kwargs):
    """Tell the other capture workers this one is alive, so cameras are shared out among live capture workers.

    An ordinary worker (`-Q celery`) never reads a camera: counted, it would take a share nobody reads.
    """
    if sender is None or CAPTURE_QUEUE not in sender.app.amqp.queues.consume_from:
        return
    _reads_cameras.set()
    name = _worker_name()

    def beat():
        while not _stopping.is_set():
            try:
                leases.worker_heartbeat(name, forget_after=settings.RTCC_CAPTURE_LEASE_SECONDS * 20)
            except Exception:
                log.exception("capture worker heartbeat failed")
            finally:
                close_old_connections()
            _stopping.wait(settings.RTCC_CAPTURE_LEASE_SECONDS / 3)

    threading.Thread(target=beat, name="capture-heartbeat", daemon=True).start()


@worker_shutting_down.connect
def _stop_capture(**kwargs):
    _stopping.set()
    if not _reads_cameras.is_set():
        return
    try:
        leases.worker_gone(_worker_name())
    except Exception:
        log.exception("could not deregister capture worker")


@shared_task(ignore_result=True)
def dispatch_capture():
    """Queue a capture task for every enabled camera nobody is reading (runs on the one beat)."""
    grace = settings.RTCC_CAPTURE_LEASE_SECONDS * 2
    camera_ids = leases.cameras_to_dispatch(grace)
    if camera_ids:
        leases.mark_dispatched(camera_ids)
        for camera_id in camera_ids:
            capture_camera.delay(camera_id)
    return camera_ids


@shared_task(ignore_result=True, acks_late=False, soft_time_limit=None, time_limit=None)
def capture_camera(camera_id):
    """Read one camera for up to a session, holding its lease; another task takes over afterwards."""
    reason = CaptureRun(
        camera_id,
        holder=worker_identity(),
        stop=_stopping,
        analyser_factory=lambda camera: PlateReadingPipeline(camera, region=settings.RTCC_PLATE_REGION),
    ).run()
    log.info("capture of camera %s ended: %s", camera_id, reason)
    return reason


@shared_task(ignore_result=True)
def check_camera_health():
    """Cameras silent past their threshold go offline, whether or not any worker is alive to notice."""
    services.cameras_mark_disabled()
    return services.cameras_mark_silent_offline()


# --- The recording buffer (issue #8) ----------------------------------------------


@shared_task(ignore_result=True)
def dispatch_recording():
    """Queue a recorder for every camera that should be recorded and has none (runs on the one beat)."""
    camera_ids = recording.cameras_to_record(settings.RTCC_CAPTURE_LEASE_SECONDS * 2)
    if camera_ids:
        recording.mark_dispatched(camera_ids)
        for camera_id in camera_ids:
            record_camera.delay(camera_id)
    return camera_ids


@shared_task(ignore_result=True, acks_late=False, soft_time_limit=None, time_limit=None)
def record_camera(camera_id):
    """Run one camera's ffmpeg segmenter for up to a session, holding its recording lease."""
    reason = recording.record_session(camera_id, holder=worker_identity(), stop=_stopping)
    log.info("recording of camera %s ended: %s", camera_id, reason)
    return reason


@shared_task(ignore_result=True)
def prune_recordings():
    """Drop buffered segments older than RTCC_RECORDING_MINUTES, then the oldest past the disk budget."""
    return recording.prune()


@shared_task(ignore_result=True)
def pull_recording(camera_id, start, end, user_id=None, incident_id=None):
    """Pull a window of a camera's buffer into the library; the person who asked is told how it went."""
    return recording.pull_and_notify(camera_id, start, end, user_id=user_id, incident_id=incident_id)
