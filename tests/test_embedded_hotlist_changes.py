"""`make demo`'s process layout (one `manage.py serve`, SQLite, no Redis): a hotlist imported from another
shell with `manage.py import_hotlist` alerts on the very next matching read, without a restart."""

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import REPO, free_port

pytestmark = pytest.mark.timeout(240)


def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(RTCC_VAR_DIR=str(tmp_path / "var"), RTCC_HOTLIST_CHECK_SECONDS="0.5", PYTHONUNBUFFERED="1")
    return env


def manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, **kwargs
    )


def post_read(base, camera_id, key, read_id, plate):
    body = json.dumps({"reads": [{"id": read_id, "plate": plate, "read_at": "2026-12-01T03:14:03Z"}]}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/cameras/{camera_id}/reads/",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Device {key}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["read_ids"][0]


def hits_for(database, read_id):
    with sqlite3.connect(database) as db:
        return db.execute("select count(*) from plates_hit where plate_read_id = ?", (read_id,)).fetchone()[0]


def test_a_hotlist_imported_from_another_shell_alerts_on_the_next_matching_read(tmp_path):
    env = embedded_env(tmp_path)
    assert manage(env, "migrate", "--noinput").returncode == 0
    made = manage(
        env,
        "shell",
        "-c",
        "from cameras.models import Camera, DeviceToken; "
        "c = Camera.objects.create(name='Canal & Claiborne LPR', kind='plate_reader', "
        "latitude=29.96, longitude=-90.08); "
        "print(c.pk, DeviceToken.issue(camera=c, label='unit 7')[1])",
    )
    assert made.returncode == 0, made.stderr
    camera_id, key = made.stdout.strip().splitlines()[-1].split()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5).close()
                break
            except urllib.error.HTTPError:
                break  # answering, whatever it says about health
            except OSError:
                assert time.monotonic() < deadline, "manage.py serve did not answer"
                time.sleep(0.5)
        database = tmp_path / "var" / "rtcc.sqlite3"
        before = post_read(base, camera_id, key, "r1", "KXR4821")
        assert hits_for(database, before) == 0  # the running server has built its index: no list yet

        feed = tmp_path / "stolen.csv"
        feed.write_text("plate,reason\nKXR4821,Stolen 11/30 (NCIC)\n")
        imported = manage(env, "import_hotlist", "Stolen vehicles", str(feed))
        assert imported.returncode == 0, imported.stderr
        time.sleep(1.0)  # longer than RTCC_HOTLIST_CHECK_SECONDS: the next read is the test

        after = post_read(base, camera_id, key, "r2", "KXR4821")
        assert hits_for(database, after) == 1
    finally:
        server.terminate()
        server.wait(20)
