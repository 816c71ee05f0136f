"""The production layout of docker-compose.yml, run for real: every camera is read, also after a capture worker dies.

web (gunicorn with uvicorn workers), one ordinary worker (`-Q celery`), TWO capture workers
(`-Q capture -P threads`) and one beat, each started with its command from docker-compose.yml, against
PostgreSQL and a Redis of the test's own, with three cameras served by the RTSP test server.
"""

import json
import signal
import time
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone

from cameras.choices import CameraStatus
from cameras.models import Camera, CaptureLease, CaptureSession
from tests import live_processes
from tests.factories import camera
from tests.live_processes import (
    compose_command,
    process_env,
    replace_option,
    shared_database_url,
    short_lease,
    start_web,
)
from tests.test_camera_capture import wait_for
from tests.test_recorder_process import running

own_redis, processes = live_processes.own_redis, live_processes.processes  # the fixtures

LEASE = 6.0
CAMERAS = 3


def pid_of(holder):
    return int(holder.split(":")[1])


def readers():
    """camera id -> pid of the worker reading it now: a live lease and an open session counting frames."""
    now = timezone.now()
    held = dict(CaptureLease.objects.filter(holder__gt="", expires_at__gt=now).values_list("camera_id", "holder"))
    reading = {}
    for session in CaptureSession.objects.filter(ended_at__isnull=True, frames_read__gt=0):
        if held.get(session.camera_id) == session.holder:
            reading[session.camera_id] = pid_of(session.holder)
    return reading


def ffmpeg_children(pid):
    """The recorders a worker process started (ffmpeg processes whose parent it is)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        if comm == "ffmpeg" and int(rest[1]) == pid and rest[0] != "Z":
            found.append(int(stat.parent.name))
    return found


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_every_camera_is_read_and_read_again_within_the_lease_after_a_capture_worker_is_killed(
    own_redis, processes, rtsp_server, tmp_path, settings
):
    env = process_env(
        own_redis.url,
        shared_database_url(),
        **short_lease(LEASE),
        RTCC_HEARTBEAT_SECONDS=2,
        RTCC_RECORDING_ROOT=tmp_path / "rec",
    )
    server = rtsp_server({f"cam{n}": "test:ball:320x240:10" for n in range(CAMERAS)})
    cameras = [camera(f"Camera {n}", stream_url=server.url(f"cam{n}")) for n in range(CAMERAS)]

    url = start_web(processes, env)
    processes.start("worker", compose_command("worker", WORKER_CONCURRENCY=2), env)
    capture = {
        name: processes.start(name, compose_command("capture", CAPTURE_CONCURRENCY=16), env)
        for name in ("capture1", "capture2")
    }
    beat = compose_command("beat")
    processes.start("beat", replace_option(beat, "--schedule", str(tmp_path / "celerybeat-schedule")), env)

    # Every enabled camera is read, and both capture workers take part (the ordinary worker takes no share).
    everyone = wait_for(
        lambda: len(readers()) == CAMERAS and set(readers().values()) == {p.pid for p in capture.values()}, 60, 0.5
    )
    assert everyone, f"read: {readers()}\n{processes.logs()}"
    assert wait_for(lambda: Camera.objects.filter(status=CameraStatus.ONLINE).count() == CAMERAS, 15)

    victim_pid = max(capture.values(), key=lambda p: list(readers().values()).count(p.pid)).pid
    victim = next(name for name, p in capture.items() if p.pid == victim_pid)
    survivor = next(p for name, p in capture.items() if name != victim)
    recorders = ffmpeg_children(victim_pid)

    capture[victim].send_signal(signal.SIGKILL)
    capture[victim].wait(10)
    killed_at = time.monotonic()
    read_again = wait_for(lambda: readers() == {cam.pk: survivor.pid for cam in cameras}, LEASE + 10 + 5, 0.25)
    took = time.monotonic() - killed_at
    assert read_again, f"after the kill: {readers()}\n{processes.logs()}"
    assert took <= LEASE + 10, f"every camera read again after {took:.1f} s (lease {LEASE} s + 10 s)"
    assert survivor.poll() is None and all(p.poll() is None for n, p in processes.running.items() if n != victim)
    assert not [pid for pid in recorders if running(pid)], "the killed worker's recorders outlived it"
    # The dead worker's sessions were ended by the cameras' next readers: none is left open.
    assert not CaptureSession.objects.filter(holder__contains=f":{victim_pid}:", ended_at__isnull=True).exists()

    # /healthz names every process: the worker and the beat beating, the survivor alive, the dead one down.
    with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
        health = json.load(response)
    checks = health["checks"]
    assert health["status"] == "ok", health
    assert checks["worker"]["status"] == checks["beat"]["status"] == "ok", checks
    workers = {int(w["name"].rsplit(":", 1)[1]): w["status"] for w in checks["capture"]["workers"]}
    assert workers == {survivor.pid: "ok", victim_pid: "down"}, checks["capture"]
    assert checks["capture"]["cameras_unread"] == []
