"""The capture loop: one worker thread reading one camera while it holds the camera's lease.

Opens the stream (reconnecting with exponential backoff and jitter), keeps
the camera's health (measured fps, last frame, status), keeps the latest
snapshot in the cache, and hands motion-gated sampled frames to the plate
reader for cameras that read plates.
"""

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass

import cv2
import redis
from django.conf import settings
from django.db import Error as DatabaseError
from django.db import close_old_connections
from django.utils import timezone

from rtcc.backoff import backoff_delay
from rtcc.netguard import OutboundAddressRefused, check_outbound_url

from . import leases, services
from .analysis_thread import AnalysisThread
from .choices import CameraKind, CameraStatus
from .models import Camera, CaptureSession
from .motion import MotionGate
from .sources import StreamError, open_source

log = logging.getLogger(__name__)

# A short outage of the database or of Redis (the snapshot cache): capture waits it out, keeping its stream,
# its open plate tracks and, when nobody took it meanwhile, its lease.
OUTAGE = (DatabaseError, redis.exceptions.RedisError)


# A camera's frame rate must stay low this long before it is degraded, and good this long to recover:
# a busy moment must not flood operators with status changes.
DEGRADE_AFTER_SECONDS = 15.0
RECOVER_AFTER_SECONDS = 10.0


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass
class CaptureConfig:
    lease_seconds: float
    open_timeout: float
    read_timeout: float
    backoff_base: float
    backoff_max: float
    session_seconds: float
    snapshot_interval: float
    snapshot_width: int
    motion_threshold: float
    motion_max_skip: float
    degraded_ratio: float

    @classmethod
    def from_settings(cls):
        return cls(
            lease_seconds=settings.RTCC_CAPTURE_LEASE_SECONDS,
            open_timeout=settings.RTCC_CAPTURE_OPEN_TIMEOUT,
            read_timeout=settings.RTCC_CAPTURE_READ_TIMEOUT,
            backoff_base=settings.RTCC_CAPTURE_BACKOFF_BASE,
            backoff_max=settings.RTCC_CAPTURE_BACKOFF_MAX,
            session_seconds=settings.RTCC_CAPTURE_SESSION_SECONDS,
            snapshot_interval=settings.RTCC_SNAPSHOT_INTERVAL,
            snapshot_width=settings.RTCC_SNAPSHOT_WIDTH,
            motion_threshold=settings.RTCC_MOTION_THRESHOLD,
            motion_max_skip=settings.RTCC_MOTION_MAX_SKIP_SECONDS,
            degraded_ratio=settings.RTCC_DEGRADED_FPS_RATIO,
        )


class FpsMeter:
    """Frames per second over a sliding window of recent frame times."""

    def __init__(self, window=3.0):
        self.window = window
        self.times = []

    def tick(self, now):
        self.times.append(now)
        cutoff = now - self.window
        while self.times and self.times[0] < cutoff:
            self.times.pop(0)

    def fps(self):
        if len(self.times) < 2:
            return None
        span = self.times[-1] - self.times[0]
        return (len(self.times) - 1) / span if span > 0 else None


class LeaseLost(Exception):
    pass


class Handover(Exception):
    """This worker reads more than its share: let a less busy worker take this camera."""


class CaptureRun:
    """Reads one camera until the lease is lost, the camera is disabled, `stop` is set or the session ends."""

    def __init__(self, camera_id, *, holder=None, config=None, stop=None, analyser_factory=None):
        self.camera_id = camera_id
        self.holder = holder or worker_identity()
        self.config = config or CaptureConfig.from_settings()
        self.stop = stop or threading.Event()
        self.analyser_factory = analyser_factory
        self.session = None
        self.lease_valid_until = 0.0
        self.last_frame_wall = None
        self.last_error = ""
        self.rate_low, self.rate_since = False, time.monotonic()

    # -- lease ------------------------------------------------------------
    def _renew(self):
        if not leases.renew(self.camera_id, self.holder, self.config.lease_seconds):
            raise LeaseLost("lease taken by another worker")
        self.lease_valid_until = time.monotonic() + self.config.lease_seconds * 0.8

    def _check_lease_locally(self):
        # A read that blocked past our lease (or an outage that kept us from renewing it) must not go on
        # unless the lease is still ours: another worker may hold it now.
        if time.monotonic() > self.lease_valid_until:
            self._reclaim()

    def _reclaim(self):
        """Renew a lapsed lease, waiting out an outage; LeaseLost when another worker took it meanwhile."""
        if not self._despite_outage(self._renew, give_up=self._should_end, sleep=self.stop.wait):
            raise LeaseLost("lease could not be renewed before the run ended")

    def _despite_outage(self, action, *, give_up, sleep=time.sleep) -> bool:
        """Do `action`, retrying with backoff through an outage until `give_up()`; False when it gave up."""
        attempt = 0
        while True:
            try:
                action()
                return True
            except OUTAGE as exc:
                self._outage(exc)
                if give_up():
                    return False
            sleep(backoff_delay(attempt, base=self.config.backoff_base, cap=self.config.backoff_max))
            attempt += 1

    def _outage(self, exc):
        log.warning("capture of camera %s: %s: %s (retrying)", self.camera_id, type(exc).__name__, exc)
        close_old_connections()  # a connection broken by the outage is replaced on the next query

    # -- main loop --------------------------------------------------------
    def run(self) -> str:
        self.worker = leases.worker_name(self.holder)
        held = leases.held_by_worker(self.worker)
        if self.camera_id not in held and len(held) >= leases.fair_share(self.config.lease_seconds):
            leases.undispatch(self.camera_id)
            return "worker already reads its share"
        if not leases.claim(self.camera_id, self.holder, self.config.lease_seconds):
            return "already being read"
        self.lease_valid_until = time.monotonic() + self.config.lease_seconds * 0.8
        self.started = time.monotonic()
        reason = "stopped"
        self.analysis = None
        try:
            self.session = CaptureSession.objects.create(camera_id=self.camera_id, holder=self.holder)
            # Holding the lease proves every other open session of this camera belongs to a dead worker.
            leases.end_orphaned_sessions(self.camera_id, keep=self.session.pk)
            self._plates_follow(Camera.objects.get(pk=self.camera_id))
            reason = self._loop()
        except (LeaseLost, Handover) as exc:
            reason = str(exc)
        except Camera.DoesNotExist:
            reason = "camera deleted"
        except Exception as exc:  # a bug must not leave the lease held or the session open
            log.exception("capture of camera %s failed", self.camera_id)
            reason = f"error: {type(exc).__name__}: {exc}"[:200]
        finally:
            self._finish(reason)
        return reason

    def _plates_follow(self, camera):
        """Start or stop reading plates to match the camera's setting, which an administrator may change live."""
        if camera.plate_reading and self.analysis is None and self.analyser_factory:
            self.analysis = AnalysisThread(
                self.analyser_factory(camera),
                self.camera_id,
                MotionGate(keyframe_seconds=self.config.motion_max_skip, per_mille=self.config.motion_threshold),
            )
            # A session that stopped and restarted reading plates keeps counting from where it was.
            self.analysis_base = (self.session.frames_analysed, self.session.plate_reads)
        elif not camera.plate_reading and self.analysis is not None:
            self.analysis.close()
            self._count_analysis()
            self.analysis = None

    def _finish(self, reason):
        """End the tracks, close the session and release the lease, waiting out a short outage for each."""
        if self.analysis is not None:
            try:
                self.analysis.close()
            except Exception:
                log.exception("could not flush plate tracks of camera %s", self.camera_id)
            self._count_analysis()
        # Past this deadline the lease runs out by itself, and the next reader ends the orphaned session.
        deadline = time.monotonic() + self.config.lease_seconds
        steps = [lambda: leases.release(self.camera_id, self.holder)]
        if self.session is not None:
            steps.insert(0, lambda: self._close_session(reason))
        for step in steps:
            if not self._despite_outage(step, give_up=lambda: time.monotonic() >= deadline):
                log.error("capture of camera %s: could not close its session or release its lease", self.camera_id)
        close_old_connections()

    def _close_session(self, reason):
        CaptureSession.objects.filter(pk=self.session.pk).update(
            last_frame_at=self.last_frame_wall,
            ended_at=timezone.now(),
            end_reason=reason[:200],
            frames_read=self.session.frames_read,
            frames_analysed=self.session.frames_analysed,
            plate_reads=self.session.plate_reads,
            heartbeat_at=timezone.now(),
        )

    def _count_analysis(self):
        if self.analysis is not None:
            self.session.frames_analysed = self.analysis_base[0] + self.analysis.analysed
            self.session.plate_reads = self.analysis_base[1] + self.analysis.stored

    def _loop(self):
        self.attempt = 0  # reconnects since the stream last opened
        while True:
            try:
                outcome = self._connect_and_read()
            except OUTAGE as exc:
                self._outage(exc)
                if self._should_end():
                    return self._end_reason()
                self.stop.wait(self._backoff())
                continue
            if outcome is not None:
                return outcome

    def _backoff(self):
        delay = backoff_delay(self.attempt, base=self.config.backoff_base, cap=self.config.backoff_max)
        self.attempt += 1
        return delay

    def _connect_and_read(self):
        """Open the stream and read it; None when it failed (reconnect after a backoff), else why the run ends."""
        camera = Camera.objects.get(pk=self.camera_id)
        if not camera.enabled or not camera.stream_url:
            services.camera_set_status(
                camera_id=camera.pk, status=CameraStatus.DISABLED, reason="Disabled by an administrator"
            )
            return "camera disabled"
        if self._should_end():
            return self._end_reason()
        self._renew()  # opening may take up to its timeout: start it with a fresh lease
        try:
            if camera.kind == CameraKind.REGISTERED_PRIVATE:
                # An owner's address, checked again before each connection: its name may now resolve inside.
                check_outbound_url(camera.stream_url, allowed_networks=settings.RTCC_STREAM_ALLOWED_NETWORKS)
            source = open_source(
                camera.stream_url, open_timeout=self.config.open_timeout, read_timeout=self.config.read_timeout
            )
        except (StreamError, OutboundAddressRefused) as exc:
            self._check_lease_locally()
            self._note_failure(camera, str(exc))
            self._wait(self._backoff(), url=camera.stream_url)
            return None
        self.attempt = 0
        opened = camera.stream_url
        with source:
            outcome = self._read(camera, source)
        if outcome is not None:
            return outcome
        if self.analysis is not None:
            self.analysis.stream_gap()  # a car cannot be followed across a gap in the stream
        if camera.stream_url == opened:
            self._wait(self._backoff(), url=opened)
        return None

    def _read(self, camera, source):
        """Read frames until the stream fails (None: reconnect) or the run should end (a reason)."""
        meter = FpsMeter()
        opened = camera.stream_url
        sample_every = 1.0 / camera.sample_fps
        next_sample = next_beat = next_snapshot = time.monotonic()
        while True:
            try:
                frame = source.read()
            except StreamError as exc:
                self._check_lease_locally()
                self._note_failure(camera, str(exc))
                return None
            now = time.monotonic()
            self._check_lease_locally()
            self.session.frames_read += 1
            self.last_frame_wall = timezone.now()
            meter.tick(now)
            if now >= next_beat:
                next_beat = now + min(1.0, self.config.lease_seconds / 3)
                try:
                    self._heartbeat(camera, meter.fps(), source.nominal_fps)
                    camera.refresh_from_db(fields=["enabled", "stream_url", "sample_fps", "plate_reading"])
                except OUTAGE as exc:
                    # Keep reading (and the open plate tracks): every frame checks the lease, which is renewed
                    # or re-claimed once the database answers again.
                    self._outage(exc)
                if self._should_end():
                    return self._end_reason()
                if not camera.enabled or not camera.stream_url:
                    return "camera disabled"
                if camera.stream_url != opened:
                    self._address_changed(camera)
                    return None
                self._plates_follow(camera)
                sample_every = 1.0 / camera.sample_fps
            if now >= next_snapshot:
                next_snapshot = now + self.config.snapshot_interval
                try:
                    self._snapshot(camera, frame)
                except OUTAGE as exc:
                    self._outage(exc)  # the live picture pauses; reading goes on
            if self.analysis is not None and now >= next_sample:
                next_sample = max(next_sample + sample_every, now - sample_every)
                self.analysis.offer(frame, self.last_frame_wall, now)

    def _heartbeat(self, camera, fps, nominal):
        self._renew()
        self._balance()
        self._count_analysis()
        now = timezone.now()
        fps_value = round(fps, 2) if fps else None
        services.camera_record_heartbeat(
            camera_id=camera.pk, last_frame_at=self.last_frame_wall, measured_fps=fps_value
        )
        CaptureSession.objects.filter(pk=self.session.pk).update(
            heartbeat_at=now,
            last_frame_at=self.last_frame_wall,
            frames_read=self.session.frames_read,
            frames_analysed=self.session.frames_analysed,
            plate_reads=self.session.plate_reads,
        )
        self._judge_rate(camera, fps, nominal)
        self.last_error = ""

    def _judge_rate(self, camera, fps, nominal):
        """Online or degraded, with hysteresis: a rate must stay low (or good) for a while before the status flips."""
        now = time.monotonic()
        low = bool(fps and nominal and fps < nominal * self.config.degraded_ratio)
        if low != self.rate_low:
            self.rate_low, self.rate_since = low, now
        steady_for = now - self.rate_since
        camera.refresh_from_db(fields=["status"])
        if low and steady_for >= DEGRADE_AFTER_SECONDS:
            services.camera_set_status(
                camera_id=camera.pk,
                status=CameraStatus.DEGRADED,
                reason=f"Receiving {fps:.1f} of {nominal:.0f} frames per second",
            )
        elif not low and (camera.status != CameraStatus.DEGRADED or steady_for >= RECOVER_AFTER_SECONDS):
            services.camera_set_status(camera_id=camera.pk, status=CameraStatus.ONLINE, reason="")

    def _balance(self):
        """Hand over the highest-numbered camera while this worker reads more than its share."""
        held = leases.held_by_worker(self.worker)
        if len(held) > leases.fair_share(self.config.lease_seconds) and self.camera_id == held[-1]:
            leases.undispatch(self.camera_id)
            raise Handover("handed over to balance cameras across workers")

    def _address_changed(self, camera):
        """An administrator gave the camera a new stream address: say so until its first frame, not 'Online'."""
        log.info("camera %s: stream address changed, reconnecting", camera.pk)
        self.last_frame_wall = None  # the old stream's frames say nothing of the new one
        Camera.objects.filter(pk=camera.pk).update(measured_fps=None)
        services.camera_set_status(
            camera_id=camera.pk, status=CameraStatus.UNKNOWN, reason="Connecting to its new stream address"
        )

    def _note_failure(self, camera, message):
        """Record why the stream failed; go offline once silent for longer than the camera's threshold."""
        self.last_error = message
        log.warning("camera %s (%s): %s", camera.pk, camera.name, message)
        camera.refresh_from_db(fields=["last_frame_at", "offline_after_seconds", "status"])
        silent_since = self.last_frame_wall or camera.last_frame_at
        silence = (timezone.now() - silent_since).total_seconds() if silent_since else None
        if silence is None:
            silence = time.monotonic() - self.started
        # A camera never read yet has nothing to wait for: say at once why it cannot be read.
        if camera.status == CameraStatus.UNKNOWN or silence >= camera.offline_after_seconds:
            services.camera_set_status(camera_id=camera.pk, status=CameraStatus.OFFLINE, reason=message)
        else:
            services.camera_set_status(camera_id=camera.pk, status=camera.status, reason=f"Reconnecting: {message}")

    def _wait(self, seconds, *, url):
        """Sleep between reconnects, keeping the lease; cut short by a stop, or a camera disabled or readdressed."""
        deadline = time.monotonic() + seconds
        while not self.stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._renew()
            camera = Camera.objects.only(
                "enabled", "stream_url", "offline_after_seconds", "status", "last_frame_at"
            ).get(pk=self.camera_id)
            if not camera.enabled or camera.stream_url != url:
                return
            if self.last_error and camera.status != CameraStatus.OFFLINE:
                self._note_failure(camera, self.last_error)
            self.stop.wait(min(remaining, self.config.lease_seconds / 3, 1.0))

    def _snapshot(self, camera, frame):
        height, width = frame.shape[:2]
        if width > self.config.snapshot_width:
            scale = self.config.snapshot_width / width
            frame = cv2.resize(frame, (self.config.snapshot_width, int(height * scale)), interpolation=cv2.INTER_AREA)
        ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
        if ok:
            ttl = max(60, camera.offline_after_seconds * 4)
            services.snapshot_store(camera.pk, jpeg.tobytes(), self.last_frame_wall, ttl)

    def _should_end(self):
        return self.stop.is_set() or time.monotonic() - self.started >= self.config.session_seconds

    def _end_reason(self):
        return "worker stopping" if self.stop.is_set() else "session time reached"
