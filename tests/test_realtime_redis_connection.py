"""Under the Redis channel layer an idle websocket stays up and /healthz tells the truth (a real gunicorn server)."""

import asyncio
import json
import time
import urllib.request

import pytest
import websockets
from django.conf import settings

from tests import live_processes
from tests.conftest import session_cookie_for
from tests.live_processes import process_env, shared_database_url, start_web

own_redis, processes = live_processes.own_redis, live_processes.processes  # the fixtures

IDLE_SECONDS = 60
POLLS = 60


def healthz(url):
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as answer:
        return answer.code, json.load(answer)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_idle_websocket_stays_connected_and_healthz_gives_no_false_503(own_redis, processes, users):
    url = start_web(processes, process_env(own_redis.url, shared_database_url()))
    cookie = session_cookie_for(users["analyst"])

    async def idle_socket_and_polls():
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", "Origin": url}
        async with websockets.connect(url.replace("http", "ws") + "/ws/events/", additional_headers=headers) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert hello["type"] == "hello"
            started = time.monotonic()
            answers = []
            # One poll a second while the socket idles; any message or close on the socket meanwhile is a failure.
            receiving = asyncio.ensure_future(ws.recv())
            for _ in range(POLLS):
                answers.append(await asyncio.to_thread(healthz, url))
                await asyncio.sleep(max(0.0, started + len(answers) * IDLE_SECONDS / POLLS - time.monotonic()))
                assert not receiving.done(), f"the socket got {receiving.exception() or receiving.result()!r}"
            receiving.cancel()
            idle_for = time.monotonic() - started
            await ws.send(json.dumps({"type": "ping"}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "pong"}
            return idle_for, answers

    idle_for, answers = asyncio.run(idle_socket_and_polls())
    assert idle_for >= IDLE_SECONDS
    false_alarms = [(status, body["checks"]) for status, body in answers if status != 200]
    assert false_alarms == [], processes.log("web")
    assert len(answers) == POLLS
