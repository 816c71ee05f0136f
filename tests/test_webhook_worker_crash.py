"""A Celery worker killed in the middle of sending an agency webhook: the webhook still arrives, counted right.

Real processes: the worker command of docker-compose.yml against Redis and PostgreSQL, and a receiver on
loopback that holds the first request open while the worker is killed.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from incidents import services
from incidents.models import Delivery
from incidents.outbox import DELIVERY_HEADER
from incidents.tasks import send_deliveries
from tests.conftest import REPO, free_port
from tests.factories import incident
from tests.live_processes import shared_database_url

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


class StallingReceiver:
    """Holds the first webhook open (the worker is killed meanwhile), accepts every later one."""

    def __init__(self):
        self.requests = []  # delivery ids, in order of arrival
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(self.headers[DELIVERY_HEADER])
                if len(receiver.requests) == 1:
                    receiver.first_arrived.set()
                    receiver.release.wait(30)
                    return  # the sender is gone: nobody reads an answer
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def start_worker(redis_url, log_path):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=shared_database_url(),
        REDIS_URL=redis_url,
        RTCC_WEBHOOK_TIMEOUT="5",
        RTCC_WEBHOOK_CLAIM_GRACE="1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # docker-compose.yml's worker command; its own session so the kill takes the pool children too.
    command = [sys.executable, "-m", "celery", "-A", "rtcc", "worker", "-Q", "celery", "-c", "1", "--loglevel", "INFO"]
    command += ["--without-mingle", "--without-gossip", "--hostname", f"crash-{time.monotonic_ns()}@test"]
    log = open(log_path, "w")  # noqa: SIM115  (closed with the process)
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_a_webhook_whose_worker_was_killed_mid_send_is_delivered_with_both_attempts_counted(
    redis_url, agencies, users, settings, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a shared database: run with DATABASE_URL (PostgreSQL), as CI does")
    settings.RTCC_WEBHOOK_TIMEOUT = 5
    settings.RTCC_WEBHOOK_CLAIM_GRACE = 1
    from rtcc.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_declare("celery", durable=True, auto_delete=False)
        conn.default_channel.queue_purge("celery")
    receiver = StallingReceiver()
    fire = agencies["nofd"]
    fire.webhook_url, fire.webhook_secret = receiver.url, "shared-secret"
    fire.save()
    first = start_worker(redis_url, tmp_path / "first.log")
    second = None
    try:
        services.incident_dispatch(incident=incident(), agencies=[fire], user=users["analyst"])
        delivery = Delivery.objects.get(channel="webhook")
        assert receiver.first_arrived.wait(60), (tmp_path / "first.log").read_text()[-2000:]
        # The attempt was recorded before the send, so the kill cannot lose it.
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("sending", 1)
        stop(first, signal.SIGKILL)

        second = start_worker(redis_url, tmp_path / "second.log")

        def delivered():
            send_deliveries.delay()  # as the beat does every few seconds
            delivery.refresh_from_db()
            return delivery.status == "delivered"

        assert wait_for(delivered, 60), (tmp_path / "second.log").read_text()[-2000:]
        assert delivery.attempts == 2
        # The receiver saw the same delivery id twice and can drop the repeat by it.
        assert receiver.requests == [str(delivery.pk), str(delivery.pk)]
    finally:
        receiver.stop()
        stop(first)
        if second is not None:
            stop(second)
