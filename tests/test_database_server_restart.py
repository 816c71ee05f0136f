"""The PostgreSQL server itself is stopped and started again while a hotlisted car passes a real RTSP camera.

docker-compose.yml's `web`, `worker`, `capture` and `beat` commands run as processes against a PostgreSQL
cluster of the test's own (initdb in a temporary folder, on a free port: the only way to restart a server
without taking CI's shared one down with it) and a redis-server of the test's own. An analyst's websocket
stays open on the web process throughout.

The first pass of the looping video shows the path works (its hit reaches the socket). Then the server is
stopped just before the car comes round again and kept away, refusing every connection, until well after that
pass's track has ended, so the car is seen, voted and ready to store while there is no database at all.

What must hold: the capture worker keeps running without a restart; the pass seen during the outage is stored
once the server is back, with its hit; no pass is stored twice; every hit in the database reaches the open
socket (after catch-up) without the page reconnecting.
"""

import asyncio
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime

import pytest
import websockets
from django.conf import settings

from tests import live_processes
from tests.conftest import REPO, free_port
from tests.live_processes import compose_command, process_env, start_web
from tests.test_camera_capture import write_passing_plate_frames

own_redis, processes = live_processes.own_redis, live_processes.processes  # the fixtures

WANTED = "KXR4821"
FPS, PASS_FRAMES, EMPTY_FRAMES = 10, 30, 130  # a loop of 16 s: the car in view for 3 s, then 13 s of road
LOOP = (PASS_FRAMES + EMPTY_FRAMES) / FPS
OUTAGE = 14.0  # seconds without a database: the next pass, the tracker's wait after it, and more


def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


class PostgresServer:
    """A PostgreSQL cluster of the test's own (trust authentication, loopback only), stopped and started at will."""

    def __init__(self, bin_dir):
        self.bin = bin_dir
        self.root = tempfile.mkdtemp(prefix="rtcc-pg-")  # under /tmp: reachable by the postgres user
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/rtcc"
        # The server refuses to run as root: as root, run it as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.root, "postgres")

    def _run(self, *args, check=True):
        done = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise AssertionError(f"{args[0]} failed: {done.stdout}{done.stderr}")
        return done

    def init(self):
        self._run(f"{self.bin}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.start()
        self._run(f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "rtcc")

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        log = os.path.join(self.root, "server.log")
        self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-l", log, "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode="fast"):
        self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop", check=False)

    def log(self):
        try:
            with open(os.path.join(self.root, "server.log")) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def remove(self):
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def own_postgres():
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed (apt-get install postgresql)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("running as root without runuser: initdb cannot be run as another user")
    server = PostgresServer(bin_dir)
    try:
        server.init()
        yield server
    finally:
        server.remove()


# Run inside the test's database by `manage.py shell`: the camera, the wanted plate, an analyst's session.
ARRANGE = """
import json
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from cameras.models import Camera
from plates.models import Hotlist, HotlistEntry
from rtcc.models import User

cam = Camera.objects.create(
    name="Claiborne LPR", kind="plate_reader", stream_url={url!r}, plate_reading=True, sample_fps=5,
    latitude=29.9546, longitude=-90.0694, address="Claiborne Ave at Orleans Ave",
)
hotlist = Hotlist.objects.create(name="Stolen vehicles", source="ncic", priority=1)
HotlistEntry.objects.create(hotlist=hotlist, plate={plate!r}, reason="Stolen")
analyst = User.objects.create(username="analyst")
analyst.groups.add(Group.objects.get(name="analyst"))
session = SessionStore()
session[SESSION_KEY] = str(analyst.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = analyst.get_session_auth_hash()
session.create()
print(json.dumps({{"camera": cam.pk, "session": session.session_key}}))
"""

# What was stored for the camera, afterwards.
INSPECT = """
import json
from plates.models import Hit, PlateRead
from cameras.models import CaptureSession
reads = list(PlateRead.objects.filter(camera_id={camera}).order_by("read_at").values("id", "plate", "read_at"))
hits = list(Hit.objects.filter(plate_read__camera_id={camera}).values("id", "plate_read_id", "status", "created_at"))
open_sessions = CaptureSession.objects.filter(camera_id={camera}, ended_at__isnull=True).count()
print(json.dumps({{"reads": reads, "hits": hits, "open_sessions": open_sessions}}, default=str))
"""


def manage(env, *args, code=None):
    command = [sys.executable, "manage.py", *args]
    if code is not None:
        command += ["-c", code]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"manage.py {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.mark.redis
def test_a_pass_seen_while_the_database_server_is_down_is_stored_once_after_it_returns_with_its_hit(
    own_postgres, own_redis, processes, rtsp_server, tmp_path
):
    env = process_env(
        own_redis.url,
        own_postgres.url,
        RTCC_RECORDING_ENABLED="false",
        MEDIA_ROOT=tmp_path / "media",
        RTCC_EVENT_SWEEP_SECONDS=1,
        RTCC_HEARTBEAT_SECONDS=2,
        RTCC_CAPTURE_SCHEDULE_SECONDS=2,
        # Every pass of the looping video stands for another car: no folding of repeats into one alert.
        RTCC_HIT_REPEAT_WINDOW_SECONDS=0,
    )
    manage(env, "migrate", "--noinput")
    frames = write_passing_plate_frames(tmp_path, WANTED, passes_frames=PASS_FRAMES, empty_frames=EMPTY_FRAMES)
    server = rtsp_server({"lpr": f"frames:{frames}:{FPS}"})
    arranged = json.loads(manage(env, "shell", code=ARRANGE.format(url=server.url("lpr"), plate=WANTED)))

    url = start_web(processes, env)
    processes.start("worker", compose_command("worker", WORKER_CONCURRENCY=1), env)
    capture = processes.start("capture", compose_command("capture", CAPTURE_CONCURRENCY=4), env)
    beat = compose_command("beat")
    beat[beat.index("--schedule") + 1] = str(tmp_path / "celerybeat-schedule")
    processes.start("beat", beat, env)

    events, outage = [], {}

    async def watch():
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={arranged['session']}", "Origin": url}
        async with websockets.connect(url.replace("http", "ws") + "/ws/events/", additional_headers=headers) as ws:
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if outage.get("ended") and len({e["hit_id"] for e in events}) >= 3:
                    break  # the first pass, the pass during the outage and one after it
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 1))
                except TimeoutError:
                    message = {}
                if message.get("type") == "event" and message["event"]["kind"] == "hit.created":
                    events.append({"at": time.time(), **message["event"]["data"]})
                if events and "began" not in outage:
                    # The first pass's early hit was read from a frame taken within a second of its car
                    # appearing: the next car comes a loop later. Stop the server before it and keep it away.
                    first_seen = datetime.fromisoformat(events[0]["read_at"]).timestamp()
                    await asyncio.sleep(max(0.0, first_seen + LOOP - 4.0 - time.time()))
                    outage["began"] = time.time()
                    await asyncio.to_thread(own_postgres.stop)
                    await asyncio.sleep(OUTAGE)
                    await asyncio.to_thread(own_postgres.start)
                    outage["ended"] = time.time()
                    assert capture.poll() is None, f"the capture worker exited\n{processes.log('capture')}"
        outage["socket_closed"] = time.time()

    asyncio.run(watch())
    assert outage.get("ended"), f"no hit before the outage: {events}\n{processes.logs()}"
    assert capture.poll() is None, f"the capture worker exited\n{processes.log('capture')}"
    capture.send_signal(signal.SIGTERM)  # a warm shutdown: the open track is stored
    capture.wait(60)
    stored = json.loads(manage(env, "shell", code=INSPECT.format(camera=arranged["camera"])))
    reads, hits = stored["reads"], stored["hits"]
    logs = f"{processes.logs()}\n--- postgres\n{own_postgres.log()}"

    assert all(r["plate"] == WANTED for r in reads), reads
    times = [datetime.fromisoformat(r["read_at"]).timestamp() for r in reads]
    # One read per pass: reads of the same car would lie within its 3 s in view; passes lie a loop apart.
    assert all(b - a > LOOP / 2 for a, b in zip(times, times[1:], strict=False)), f"a pass stored twice: {reads}"
    # The car that passed while there was no database at all was stored when it came back.
    during = [t for t in times if outage["began"] < t < outage["began"] + OUTAGE]
    assert len(during) == 1, f"the pass during the outage: {reads}, outage {outage}\n{logs}"
    assert len(reads) >= 3, f"{reads}\n{logs}"
    # Every read raised its hit, and every hit reached the analyst's open socket (pushed, or swept up).
    assert sorted(h["plate_read_id"] for h in hits) == sorted(r["id"] for r in reads)
    # (A hit stored in the last seconds before the socket closed may still have been on its way.)
    due = {h["id"] for h in hits if datetime.fromisoformat(h["created_at"]).timestamp() < outage["socket_closed"] - 3}
    assert len(due) >= 2 and due <= {e["hit_id"] for e in events}, f"hits not delivered: {due}, {events}\n{logs}"
    assert all(h["status"] == "new" for h in hits), hits
    assert stored["open_sessions"] == 0, "the capture session was left open"
