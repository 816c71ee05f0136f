"""A real Celery worker, run as docker-compose.yml runs it, outlives a Redis restart and then runs tasks."""

import time

import pytest
from django.core.cache.backends.redis import RedisCache

from rtcc.celery import app, heartbeat
from tests import live_processes
from tests.live_processes import compose_command, process_env

own_redis, processes = live_processes.own_redis, live_processes.processes  # the fixtures


def send_heartbeat(redis_url):
    with app.connection_for_write(redis_url) as connection:
        heartbeat.apply_async(connection=connection)


def wait_for_stamp(redis_url, since, timeout):
    """Send the heartbeat task until the worker has stamped it (in the cache, as /healthz reads it) after `since`."""
    cache = RedisCache(redis_url, {"KEY_PREFIX": "rtcc"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            send_heartbeat(redis_url)
            stamp = cache.get("heartbeat:worker")
        except Exception:  # Redis is still coming back
            stamp = None
        if stamp and stamp["at"] >= since:
            return stamp
        time.sleep(1.0)
    return None


@pytest.mark.redis
def test_the_worker_survives_a_redis_restart_and_then_runs_a_task(own_redis, processes, tmp_path):
    env = process_env(own_redis.url, f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    worker = processes.start("worker", compose_command("worker", WORKER_CONCURRENCY=2), env)
    assert wait_for_stamp(own_redis.url, time.time(), 60), processes.log("worker")

    own_redis.stop()
    time.sleep(10)  # long enough for the worker to lose its connection and fail to reconnect a few times
    assert worker.poll() is None, f"the worker exited while Redis was down: {processes.log('worker')}"
    own_redis.start()  # without its data, as a Redis restart without persistence comes back
    restarted_at = time.time()

    stamp = wait_for_stamp(own_redis.url, restarted_at, 60)
    assert worker.poll() is None, f"the worker exited: {processes.log('worker')}"
    assert stamp, f"no task ran after Redis came back: {processes.log('worker')}"
