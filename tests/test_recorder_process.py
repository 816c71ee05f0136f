"""A capture worker's ffmpeg recorder dies with the worker, even when the worker is killed outright."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

# A worker as far as the recorder can tell: Django set up, the recorder started on a pool thread.
WORKER = """
import sys, threading, time
from pathlib import Path
import django
django.setup()
from cameras.recording import Recorder

def record():
    recorder = Recorder(1, sys.argv[1], root=Path(sys.argv[2]), segment_seconds=2).start()
    print(recorder.process.pid, flush=True)
    threading.Event().wait()

threading.Thread(target=record, name="pool-thread").start()
threading.Event().wait()
"""


def running(pid):
    """Alive and not a zombie (an orphan's zombie waits for whoever reaps it; it writes nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_killing_the_worker_kills_its_ffmpeg_recorder(tmp_path):
    if subprocess.run(["which", "ffmpeg"], capture_output=True).returncode:
        pytest.skip("ffmpeg is not installed (apt-get install ffmpeg)")
    source = tmp_path / "camera.ts"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "4"]
        + ["-c:v", "mpeg4", str(source)],
        check=True,
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rtcc.settings", "DATABASE_URL": f"sqlite:///{tmp_path}/db"}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(source), str(tmp_path / "recordings")],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    ffmpeg_pid = None
    try:
        ffmpeg_pid = int(worker.stdout.readline())
        deadline = time.monotonic() + 20
        while not list((tmp_path / "recordings" / "1").glob("*.ts")):
            assert time.monotonic() < deadline and running(ffmpeg_pid), "the recorder wrote no segment"
            time.sleep(0.2)
        assert os.getpgid(ffmpeg_pid) == ffmpeg_pid, "the recorder should lead a process group of its own"

        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        deadline = time.monotonic() + 5
        while running(ffmpeg_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not running(ffmpeg_pid), "ffmpeg outlived the worker that started it"
    finally:
        if worker.poll() is None:
            worker.kill()
        if ffmpeg_pid and running(ffmpeg_pid):
            os.kill(ffmpeg_pid, signal.SIGKILL)
