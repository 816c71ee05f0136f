"""Two real Celery workers against Redis and PostgreSQL share the cameras; killing one moves its cameras."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.utils import timezone

from cameras.models import Camera, CaptureLease, CaptureSession
from cameras.tasks import dispatch_capture
from tests.conftest import REPO
from tests.factories import camera
from tests.live_processes import shared_database_url

LEASE = 10.0
TAKEOVER_BUDGET = LEASE + 2 * 1.0 + 6.0  # lease expiry, two dispatch ticks, opening the stream


def worker_env(redis_url):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=shared_database_url(),
        REDIS_URL=redis_url,
        RTCC_CAPTURE_LEASE_SECONDS=str(LEASE),
        RTCC_CAPTURE_READ_TIMEOUT="1",
        RTCC_CAPTURE_OPEN_TIMEOUT="4.5",
        RTCC_CAPTURE_BACKOFF_BASE="0.2",
        RTCC_CAPTURE_BACKOFF_MAX="1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start_worker(name, env, log_path):
    log = open(log_path, "w")  # noqa: SIM115  (closed with the process)
    command = [sys.executable, "-m", "celery", "-A", "rtcc", "worker", "-Q", "capture", "-P", "threads", "-c", "8"]
    command += ["--hostname", f"{name}@test", "--without-heartbeat", "--without-mingle", "--without-gossip"]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def holders():
    return dict(
        CaptureLease.objects.filter(holder__gt="", expires_at__gt=timezone.now()).values_list("camera_id", "holder")
    )


def pid_of(holder):
    return int(holder.split(":")[1])


def run_beat_until(condition, timeout):
    """Act as the one beat: dispatch every second until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dispatch_capture()
        result = condition()
        if result:
            return result
        time.sleep(1.0)
    return condition()


@pytest.fixture
def capture_queue(redis_url, settings):
    settings.RTCC_CAPTURE_LEASE_SECONDS = LEASE
    from rtcc.celery import app

    with app.connection_for_write(redis_url) as conn:
        conn.default_channel.queue_purge("capture") if conn.default_channel.queue_declare(
            "capture", passive=False, durable=True, auto_delete=False
        ) else None
    return redis_url


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_each_camera_is_read_by_one_worker_and_a_killed_workers_cameras_move(
    rtsp_server, capture_queue, tmp_path, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("several worker processes need a shared database: run with DATABASE_URL (PostgreSQL), as CI does")
    server = rtsp_server({f"cam{n}": "test:ball:320x240:10" for n in range(4)})
    cameras = [camera(f"Camera {n}", stream_url=server.url(f"cam{n}")) for n in range(4)]
    settings.CELERY_BROKER_URL = capture_queue
    env = worker_env(capture_queue)
    workers = {
        "w1": start_worker("w1", env, tmp_path / "w1.log"),
        "w2": start_worker("w2", env, tmp_path / "w2.log"),
    }
    try:
        everyone_read = run_beat_until(
            lambda: len(holders()) == 4 and Camera.objects.filter(status="online").count() == 4, 60
        )
        assert everyone_read, f"cameras held: {holders()}; logs: {(tmp_path / 'w1.log').read_text()[-1500:]}"
        # Both workers take part (the cameras are shared out), each camera by exactly one holder.
        spread = run_beat_until(
            lambda: (
                {pid_of(h) for h in holders().values()} == {p.pid for p in workers.values()} and len(holders()) == 4
            ),
            30,
        )
        assert spread, f"not shared out: {holders()}"
        victim_pid = pid_of(holders()[cameras[0].pk])
        victim = next(name for name, p in workers.items() if p.pid == victim_pid)
        moved = [cid for cid, h in holders().items() if pid_of(h) == victim_pid]

        workers[victim].send_signal(signal.SIGKILL)
        workers[victim].wait(10)
        killed_at = time.monotonic()
        survivor_pid = next(p.pid for name, p in workers.items() if name != victim)
        taken_over = run_beat_until(
            lambda: (
                all(pid_of(holders().get(cid, "x:0:0")) == survivor_pid for cid in moved)
                and Camera.objects.filter(pk__in=moved, lease__holder__gt="").count() == len(moved)
            ),
            TAKEOVER_BUDGET + 10,
        )
        took = time.monotonic() - killed_at
        assert taken_over, f"cameras {moved} not taken over: {holders()}"
        assert took <= TAKEOVER_BUDGET, f"takeover took {took:.1f} s (budget {TAKEOVER_BUDGET} s)"
        assert len(holders()) == 4
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in workers.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()

    # No camera was read by two workers at once: each session's last frame came before the next session began.
    # (A killed worker's last frame is at most one heartbeat after its last recorded one, and its lease,
    # which the next session had to wait out, outlasts that by design.)
    overlaps = []
    for cam in cameras:
        sessions = list(CaptureSession.objects.filter(camera=cam).order_by("started_at"))
        assert sessions, cam
        for earlier, later in zip(sessions, sessions[1:], strict=False):
            if earlier.last_frame_at and earlier.last_frame_at > later.started_at:
                overlaps.append((cam.name, earlier.holder, earlier.last_frame_at, later.holder, later.started_at))
    assert overlaps == []
