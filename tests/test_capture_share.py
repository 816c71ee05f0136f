"""Cameras are shared among capture workers only, and a capture run rides out short Redis and database outages."""

import time

import pytest
from django.db import connection
from django.utils import timezone

from cameras import leases
from cameras.choices import CameraStatus
from cameras.models import CaptureLease, CaptureSession, CaptureWorker
from cameras.services import snapshot_latest
from tests import live_processes
from tests.conftest import _close_other_sessions
from tests.factories import camera
from tests.live_processes import compose_command, process_env, shared_database_url, short_lease
from tests.stream_servers import CameraServer
from tests.test_camera_capture import FAST, Reader, status_of, wait_for
from tests.test_worker_recovery import wait_for_stamp

own_redis, processes = live_processes.own_redis, live_processes.processes  # the fixtures


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_capture_worker_counts_toward_the_share_and_an_ordinary_worker_does_not(own_redis, processes):
    env = process_env(own_redis.url, shared_database_url(), **short_lease(6))
    ordinary = processes.start("worker", compose_command("worker", WORKER_CONCURRENCY=1), env)
    capture = processes.start("capture", compose_command("capture", CAPTURE_CONCURRENCY=4), env)
    for n in range(3):
        camera(f"Camera {n}", stream_url=f"rtsp://127.0.0.1:9/cam{n}")

    assert wait_for(lambda: CaptureWorker.objects.exists(), 30), processes.logs()
    # The ordinary worker is ready (it ran a task), and it must not have registered.
    assert wait_for_stamp(own_redis.url, time.time() - 60, 30), processes.logs()
    time.sleep(1)
    names = list(CaptureWorker.objects.values_list("name", flat=True))
    assert [int(name.rsplit(":", 1)[1]) for name in names] == [capture.pid], processes.logs()
    assert ordinary.poll() is None
    assert leases.fair_share(6) == 3  # one capture worker reads all three cameras


@pytest.mark.django_db
def test_a_dead_capture_worker_stops_counting_once_its_heartbeat_is_older_than_a_lease():
    for n in range(4):
        camera(f"Camera {n}", stream_url=f"rtsp://127.0.0.1:9/cam{n}")
    leases.worker_heartbeat("host:1", forget_after=300)
    leases.worker_heartbeat("host:2", forget_after=300)
    assert leases.fair_share(6) == 2
    CaptureWorker.objects.filter(name="host:2").update(heartbeat_at=timezone.now() - timezone.timedelta(seconds=7))
    assert leases.fair_share(6) == 4  # the survivor may take every camera
    CaptureWorker.objects.filter(name="host:2").update(heartbeat_at=timezone.now() - timezone.timedelta(seconds=400))
    leases.worker_heartbeat("host:1", forget_after=300)
    assert list(CaptureWorker.objects.values_list("name", flat=True)) == ["host:1"]  # forgotten, not kept forever


def frames_read(camera_id):
    return CaptureSession.objects.get(camera_id=camera_id).frames_read


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_capture_keeps_its_stream_and_session_through_a_redis_outage(own_redis, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    server = CameraServer("mjpeg")
    cam = camera(stream_url=server.url)
    reader = Reader(cam.pk)
    try:
        assert wait_for(lambda: status_of(cam.pk)[0] == CameraStatus.ONLINE, 15)
        assert wait_for(lambda: snapshot_latest(cam.pk), 5)
        own_redis.stop()
        time.sleep(FAST.lease_seconds)  # snapshots fail all this while
        own_redis.start()  # empty: any snapshot in it now was taken after the outage
        before = frames_read(cam.pk)
        assert wait_for(lambda: snapshot_latest(cam.pk), 10), "snapshots never resumed"
        assert reader.thread.is_alive(), f"the capture run ended: {reader.result}"
        assert wait_for(lambda: frames_read(cam.pk) > before, 5)
        assert CaptureSession.objects.filter(camera=cam).count() == 1  # the same run, never restarted
        assert CaptureLease.objects.get(camera=cam).holder == reader.run.holder
    finally:
        reader.finish()
        server.stop()
    assert CaptureSession.objects.get(camera=cam).ended_at is not None
    assert CaptureLease.objects.get(camera=cam).holder == ""


_test_started = {}


@pytest.fixture(autouse=True)
def _reopen_dropped_sessions():
    """Only sessions opened during the test are dropped (not those of other tests' long-lived threads)."""
    _test_started["at"] = timezone.now()  # the database runs on this machine's clock
    yield
    _close_other_sessions()


def drop_other_connections():
    """What a database restart does to the capture sessions: each one's next query fails.

    Sessions opened before the test began (threads that outlive tests) are left alone, so a later test's
    live server does not inherit a dead connection.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_start >= %s",
            [_test_started["at"]],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_capture_keeps_its_lease_and_session_when_its_database_connection_drops():
    if connection.vendor != "postgresql":
        pytest.skip("drops PostgreSQL sessions: run with DATABASE_URL (PostgreSQL), as CI does")
    server = CameraServer("mjpeg")
    cam = camera(stream_url=server.url)
    reader = Reader(cam.pk)
    try:
        assert wait_for(lambda: status_of(cam.pk)[0] == CameraStatus.ONLINE, 15)
        for _ in range(4):  # several drops, over more than a lease
            assert drop_other_connections() >= 1
            time.sleep(FAST.lease_seconds / 2)
        before = frames_read(cam.pk)
        assert reader.thread.is_alive(), f"the capture run ended: {reader.result}"
        assert wait_for(lambda: frames_read(cam.pk) > before, 5), "the session's heartbeat stopped"
        assert CaptureSession.objects.filter(camera=cam).count() == 1
        assert CaptureLease.objects.get(camera=cam).holder == reader.run.holder
    finally:
        reader.finish()
        server.stop()
    assert CaptureSession.objects.get(camera=cam).ended_at is not None
    assert CaptureLease.objects.get(camera=cam).holder == ""


@pytest.mark.django_db
def test_the_next_lease_holder_ends_a_dead_workers_open_session():
    cam = camera(stream_url="rtsp://127.0.0.1:9/cam")
    dead = CaptureSession.objects.create(camera=cam, holder="host:1:1", heartbeat_at=timezone.now())
    live = CaptureSession.objects.create(camera=cam, holder="host:2:1")
    assert leases.end_orphaned_sessions(cam.pk, keep=live.pk) == 1
    dead.refresh_from_db()
    live.refresh_from_db()
    assert dead.ended_at == dead.heartbeat_at and dead.end_reason.startswith("worker lost")
    assert live.ended_at is None
