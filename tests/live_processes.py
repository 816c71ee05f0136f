"""The production processes of docker-compose.yml, started for real by tests: web, worker, capture, beat.

Commands are read from docker-compose.yml itself, so these tests follow compose. The processes share the
test's PostgreSQL database (pytest-django's, so the test can arrange and inspect rows) and a redis-server of
the test's own, which a test may stop and start again on the same port.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml
from django.conf import settings
from django.db import connection

from tests.conftest import REPO, free_port


def compose_command(service, **variables):
    """The service's command from docker-compose.yml, ${VAR:-default} filled from `variables` or the default."""
    spec = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"][service]

    def fill(word):
        return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: str(variables.get(m.group(1), m.group(2))), word)

    command = [fill(word) for word in spec["command"]]
    if command[0] in ("celery", "gunicorn"):
        command = [sys.executable, "-m", *command]  # the test's interpreter, as the image's PATH would find it
    return command


def replace_option(command, option, value):
    """Set `option`'s value in a command (the bind address, the beat's schedule file: test-local places)."""
    i = command.index(option)
    return [*command[: i + 1], value, *command[i + 2 :]]


def shared_database_url():
    """The test database as a URL for other processes; they must share it, so it must be PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("real worker processes need a shared database: run with DATABASE_URL (PostgreSQL), as CI does")
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{port}/{db['NAME']}"


def process_env(redis_url, database_url=None, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")}
    env.update(
        REDIS_URL=redis_url,
        DJANGO_DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,  # the test's sessions must hold in the servers
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # The test's sessions are made with force_login-style cookies, without a second factor.
        RTCC_REQUIRE_2FA="false",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update({k: str(v) for k, v in extra.items()})
    return env


def short_lease(seconds):
    """Capture settings for a short lease (the timeouts must stay under half of it)."""
    return {
        "RTCC_CAPTURE_LEASE_SECONDS": seconds,
        "RTCC_CAPTURE_READ_TIMEOUT": seconds / 3,
        "RTCC_CAPTURE_OPEN_TIMEOUT": seconds * 0.45,
        "RTCC_CAPTURE_BACKOFF_BASE": 0.2,
        "RTCC_CAPTURE_BACKOFF_MAX": 1,
        "RTCC_CAPTURE_SCHEDULE_SECONDS": 1,
    }


class Processes:
    """Started processes, each with its log file; all stopped (TERM, then KILL) at the end."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.running = {}

    def start(self, name, command, env):
        log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115  (closed with the process)
        self.running[name] = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self.running[name]

    def log(self, name, tail=3000):
        return (self.log_dir / f"{name}.log").read_text(errors="replace")[-tail:]

    def logs(self):
        return "\n".join(f"--- {name}\n{self.log(name, 1500)}" for name in self.running)

    def stop_all(self):
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


class RedisServer:
    """A redis-server of the test's own, without persistence, which can be stopped and started on its port."""

    def __init__(self, data_dir):
        self.port = free_port()
        self.data_dir = data_dir
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*args, "--dir", str(self.data_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
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
def own_redis(tmp_path):
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    yield started
    started.stop_all()


def start_web(processes, env):
    """gunicorn with uvicorn workers, as compose runs it, on a free local port; returns its base URL."""
    port = free_port()
    command = compose_command("web", WEB_CONCURRENCY=1)
    command = replace_option(command, "-b", f"127.0.0.1:{port}")
    web = processes.start("web", command, env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=5).read()
            return url
        except urllib.error.HTTPError:
            return url  # it answers (503 is a health answer; the test judges it)
        except OSError:
            if web.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"web did not start: {processes.log('web')}") from None
            time.sleep(0.25)
