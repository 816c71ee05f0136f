"""The hotlist index's version cannot repeat: a Redis restart without persistence must not leave an index stale."""

import os
import shutil
import subprocess
import sys
import time

import pytest

from plates.matching import current_index
from plates.models import Hotlist, HotlistEntry
from tests.conftest import REPO, free_port
from tests.live_processes import shared_database_url

# Another process (a worker, `manage.py import_hotlist`) invalidating the index as plates/apps.py does after a commit.
OTHER_PROCESS = """
import sys, django
django.setup()
from plates.matching import invalidate
for line in sys.stdin:
    invalidate()
    print("done", flush=True)
"""


class RedisServer:
    def __init__(self, tmp_path):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.dir = tmp_path
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*args, "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout != b"PONG\n":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def restartable_redis(tmp_path, settings):
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(tmp_path)
    server.start()
    # The production cache settings (rtcc/settings.py), on this test's own server.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "rtcc",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    yield server
    server.stop()


class OtherProcess:
    def __init__(self, redis_url):
        # The test's own database: a change writes its token there, in the change's transaction.
        env = {**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "rtcc.settings"}
        env["DATABASE_URL"] = shared_database_url()
        self.process = subprocess.Popen(
            [sys.executable, "-c", OTHER_PROCESS],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def invalidate(self):
        self.process.stdin.write("invalidate\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "done"

    def close(self):
        self.process.stdin.close()
        self.process.wait(10)


def add_behind_this_process(hotlist, plate):
    """A change this process hears of only through the shared version (bulk_create sends no model signal)."""
    HotlistEntry.objects.bulk_create([HotlistEntry(hotlist=hotlist, plate=plate, reason="Stolen")])


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_index_built_before_a_redis_restart_is_rebuilt_after_the_next_change(restartable_redis):
    (hotlist,) = Hotlist.objects.bulk_create([Hotlist(name="NCIC stolen vehicles", source="ncic", priority=1)])
    other = OtherProcess(restartable_redis.url)
    try:
        add_behind_this_process(hotlist, "KXR4821")
        other.invalidate()  # the first change this Redis has seen
        assert current_index().match("KXR4821")  # this process holds the index and the version it was built at

        restartable_redis.stop()
        restartable_redis.start()  # no persistence: the version is gone

        add_behind_this_process(hotlist, "NEW0001")
        other.invalidate()  # the first change the new Redis has seen: its version must not equal the old one
        assert current_index().match("NEW0001"), "the index built before the restart was kept"
    finally:
        other.close()
