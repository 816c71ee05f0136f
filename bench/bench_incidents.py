"""Dispatch to screen: from an analyst's dispatch to the frame arriving at hundreds of responders' phones.

Serves the real ASGI app with one uvicorn server (a subprocess on Redis, as in
production; a thread on the in-process layer when REDIS_URL is not set),
connects BENCH_INCIDENT_CLIENTS websockets, each signed in as a different
responder of one agency, dispatches incidents to that agency through
`incidents.services.incident_dispatch` and records when each client receives
each `dispatch.created` event. Uses DATABASE_URL when set, else a temporary
SQLite file.
"""

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import setup_django  # noqa: E402

TITLE = "Incidents: dispatch to responders' screens"
CLIENTS = int(os.environ.get("BENCH_INCIDENT_CLIENTS", "500"))
DISPATCHES = int(os.environ.get("BENCH_INCIDENT_DISPATCHES", "20"))
GAP_SECONDS = float(os.environ.get("BENCH_INCIDENT_GAP", "0.5"))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def responders(agency, count):
    """`count` responders of the agency, each with a session cookie of their own."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore

    from rtcc.models import User

    group = Group.objects.get(name="responder")
    existing = {u.username: u for u in User.objects.filter(username__startswith="bench-responder-")}
    fresh = [
        User(username=f"bench-responder-{n}", agency=agency, password="!")
        for n in range(count)
        if f"bench-responder-{n}" not in existing
    ]
    User.objects.bulk_create(fresh)
    users = list(User.objects.filter(username__startswith="bench-responder-").order_by("pk")[:count])
    group.user_set.add(*users)
    cookies = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    return cookies


def start_server(redis_url):
    """(port, stop) for one uvicorn server: a subprocess on Redis, else a thread sharing the in-process layer."""
    port = free_port()
    if redis_url:
        env = dict(os.environ, LOG_LEVEL="WARNING", RTCC_IN_PROCESS_WORKERS="false")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "rtcc.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            process.kill()
            raise RuntimeError("uvicorn did not start")

        def stop():
            process.terminate()
            process.wait(20)

        return port, stop
    import uvicorn

    from rtcc.asgi import application

    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off", log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)

    def stop():
        server.should_exit = True

    return port, stop


def measure():
    import websockets

    from incidents import services
    from incidents.models import Agency, Incident, IncidentType
    from rtcc.roles import agency_group

    agency, _ = Agency.objects.get_or_create(
        short_name="bench-fire", defaults={"name": "Bench Fire Department", "kind": "fire"}
    )
    kind, _ = IncidentType.objects.get_or_create(
        slug="fire", defaults={"name": "Structure fire", "cap_category": "Fire"}
    )
    print(f"   signing in {CLIENTS} responders", flush=True)
    cookies = responders(agency, CLIENTS)
    incidents = [
        Incident.objects.create(
            incident_type=kind, title=f"Bench fire {n}", latitude=29.95 + n * 1e-4, longitude=-90.07, priority=1
        )
        for n in range(DISPATCHES)
    ]
    port, stop = start_server(os.environ.get("REDIS_URL"))
    group = agency_group(agency.pk)
    sent_at = {}
    latencies = []
    per_dispatch = {}
    ready = threading.Event()
    failures = []

    reconnects = []

    async def open_socket(cookie, last_id=None):
        headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}
        query = f"?groups={group}" + (f"&last_id={last_id}" if last_id is not None else "")
        ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/events/{query}", additional_headers=headers, open_timeout=60, max_queue=None
        )
        hello = json.loads(await ws.recv())
        assert hello["type"] == "hello", hello
        return ws

    async def clients():
        sockets = []
        for start in range(0, len(cookies), 50):  # in waves, as a shift change would
            wave = cookies[start : start + 50]
            batch = await asyncio.gather(*(open_socket(c) for c in wave), return_exceptions=True)
            for cookie, item in zip(wave, batch, strict=True):
                if isinstance(item, BaseException):
                    failures.append(item)
                else:
                    sockets.append((cookie, item))
            print(f"\r   {len(sockets)}/{CLIENTS} websockets connected", end="", flush=True)
        print(flush=True)
        ready.set()

        async def listen(cookie, ws):
            # As RTCC.live (common.js) does: a dropped connection reconnects with the last id seen and catches up.
            got, last_id = set(), None
            while len(got) < DISPATCHES:
                try:
                    message = await ws.recv()
                except websockets.ConnectionClosed:
                    reconnects.append(cookie)
                    ws = await open_socket(cookie, last_id if last_id is not None else 0)
                    continue
                now = time.perf_counter()
                data = json.loads(message)
                if data.get("type") != "event":
                    continue
                event = data["event"]
                last_id = event["id"]
                if event["kind"] == "dispatch.created" and event["data"]["incident_id"] in sent_at:
                    incident_id = event["data"]["incident_id"]
                    if incident_id in got:
                        continue
                    got.add(incident_id)
                    latency = now - sent_at[incident_id]
                    latencies.append(latency)
                    per_dispatch.setdefault(incident_id, []).append(latency)
            await ws.close()

        await asyncio.wait_for(asyncio.gather(*(listen(c, ws) for c, ws in sockets)), timeout=300)

    listener = threading.Thread(target=lambda: asyncio.run(clients()))
    listener.start()
    ready.wait(600)
    time.sleep(1)
    for n, incident in enumerate(incidents):
        sent_at[incident.pk] = time.perf_counter()
        services.incident_dispatch(incident=incident, agencies=[agency])
        time.sleep(GAP_SECONDS)
        print(f"\r   {n + 1}/{DISPATCHES} dispatched", end="", flush=True)
    print(flush=True)
    listener.join(600)
    stop()
    ms = [v * 1000 for v in latencies]
    last = [max(v) * 1000 for v in per_dispatch.values()]  # when the last of the agency's screens had it
    return {
        "connected": CLIENTS - len(failures),
        "deliveries": len(ms),
        "expected": (CLIENTS - len(failures)) * DISPATCHES,
        "p50": statistics.median(ms),
        "p95": percentile(ms, 95),
        "max": max(ms),
        "all_p50": statistics.median(last),
        "reconnects": len(reconnects),
    }


def run():
    setup_django()
    from django.conf import settings

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    layer = "Redis" if os.environ.get("REDIS_URL") else "in-process"
    server = "uvicorn subprocess" if layer == "Redis" else "uvicorn thread"
    f = measure()
    return (
        "From calling `incident_dispatch` (dispatch rows and event written and committed, then pushed to the agency's "
        "channel group) to the `dispatch.created` frame arriving at each responder's websocket, every client signed "
        "in as a different responder of the agency, all on this machine over loopback. 'all screens p50' is the "
        "median over dispatches of the time until the last of the agency's screens had it.\n\n"
        "| channel layer | database | server | websockets | dispatches | deliveries | p50 ms | p95 ms | max ms "
        "| all screens p50 ms | reconnects |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        f"| {layer} | {database} | {server} | {f['connected']} | {DISPATCHES} | {f['deliveries']}/{f['expected']} "
        f"| {f['p50']:.0f} | {f['p95']:.0f} | {f['max']:.0f} | {f['all_p50']:.0f} | {f['reconnects']} |\n\n"
        "A client whose connection drops reconnects with the last event id it saw and catches up, as the pages do; "
        "its latency then includes the reconnection ('reconnects' counts them).\n\n"
        "Command: `DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/run_all.py bench_incidents` (or `make "
        "bench`); `BENCH_INCIDENT_CLIENTS`, `BENCH_INCIDENT_DISPATCHES` and `BENCH_INCIDENT_GAP` (seconds between "
        "dispatches) change the load.\n"
    )


if __name__ == "__main__":
    from common import main

    main(run)
