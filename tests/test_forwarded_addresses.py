"""A client cannot name its own address: X-Forwarded-For is believed only from configured proxies.

Real servers: docker-compose.yml's gunicorn command and `manage.py serve`, each hammered with failed
sign-ins whose forwarded address changes every time.
"""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from rtcc.models import AuditRecord
from tests.conftest import REPO, free_port
from tests.live_processes import compose_command, shared_database_url

pytestmark = pytest.mark.django_db(transaction=True)

MAX_FAILURES = 3  # per name; an address may fail three times as often


def start(command, log_path):
    env = dict(os.environ, DATABASE_URL=shared_database_url(), RTCC_LOGIN_MAX_FAILURES=str(MAX_FAILURES))
    env.update(RTCC_TRUSTED_PROXY_COUNT="0", ALLOWED_HOSTS="127.0.0.1")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = open(log_path, "w")  # noqa: SIM115  (closed with the process)
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_serving(base, process, log_path):
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {log_path.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=10).close()
            return
        except OSError:  # not listening yet, or still starting up
            time.sleep(0.3)
    pytest.fail(f"server did not answer: {log_path.read_text()[-2000:]}")


def failed_sign_in(base, username, forged):
    """A browser's sign-in with a wrong password, claiming to come from `forged`."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": "wrong"}).encode()
    request = urllib.request.Request(
        f"{base}/login/", data=body, headers={"X-Forwarded-For": forged, "Referer": f"{base}/login/"}
    )
    return opener.open(request, timeout=30).read().decode()


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def gunicorn_command(port):
    command = compose_command("web", WEB_CONCURRENCY="1")
    command[command.index("-b") + 1] = f"127.0.0.1:{port}"
    return command


def serve_command(port):
    return [sys.executable, "manage.py", "serve", "--no-workers", "--host", "127.0.0.1", "--port", str(port)]


@pytest.mark.parametrize("server", [gunicorn_command, serve_command], ids=["compose-gunicorn", "manage-serve"])
def test_rotating_forged_addresses_do_not_dodge_the_sign_in_limit_or_the_audit_log(server, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the server process needs the test's database: run with DATABASE_URL (PostgreSQL), as CI does")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    process = start(server(port), log_path)
    try:
        wait_until_serving(base, process, log_path)
        try:
            answers = [failed_sign_in(base, f"guess{n}", f"203.0.113.{n}") for n in range(MAX_FAILURES * 3 + 1)]
        except OSError as exc:
            pytest.fail(f"{exc!r}; server log: {log_path.read_text()[-3000:]}")
    finally:
        stop(process)
    assert "Too many failed sign-ins" not in answers[0]
    assert "Too many failed sign-ins" in answers[-1], "the real address was locked out, whatever it claimed"
    addresses = set(AuditRecord.objects.filter(action="auth.login_failed").values_list("client_address", flat=True))
    assert addresses == {"127.0.0.1"}
