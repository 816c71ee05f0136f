"""Time from an event's commit to its arrival at connected dashboard websockets.

Serves the real ASGI app with uvicorn on loopback, connects signed-in
websocket clients, publishes events from sync code (as services do) and
records when each client receives each event. Runs on the in-process channel
layer, and on Redis too when REDIS_URL is set. Uses DATABASE_URL when set,
else a temporary SQLite file.
"""

import asyncio
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import serve_signed_in, setup_django  # noqa: E402

TITLE = "Realtime push: commit to websocket"
CLIENTS = int(os.environ.get("BENCH_REALTIME_CLIENTS", "50"))
EVENTS = int(os.environ.get("BENCH_REALTIME_EVENTS", "100"))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(layer_config):
    import websockets
    from django.test.utils import override_settings

    from rtcc import realtime
    from rtcc.roles import STAFF_ALL

    with override_settings(CHANNEL_LAYERS={"default": layer_config}):
        from rtcc.asgi import application

        port, cookie, server = serve_signed_in(application, "bench-analyst", log_level="warning")

        latencies = []
        ready = threading.Event()

        async def clients():
            headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}
            sockets = []
            for n in range(CLIENTS):
                ws = await websockets.connect(
                    f"ws://127.0.0.1:{port}/ws/events/?groups={STAFF_ALL}", additional_headers=headers
                )
                await ws.recv()  # hello
                sockets.append(ws)
                if n % 10 == 9:
                    print(f"\r   {n + 1}/{CLIENTS} clients connected", end="", flush=True)
            print()
            ready.set()

            async def listen(ws):
                got = 0
                while got < EVENTS:
                    message = await ws.recv()
                    now = time.perf_counter()
                    data = json.loads(message)
                    if data.get("type") == "event":
                        latencies.append(now - data["event"]["data"]["t"])
                        got += 1

            await asyncio.wait_for(asyncio.gather(*(listen(ws) for ws in sockets)), timeout=120)
            for ws in sockets:
                await ws.close()

        def run_clients():
            asyncio.run(clients())

        listener = threading.Thread(target=run_clients)
        listener.start()
        ready.wait(60)
        for n in range(EVENTS):
            realtime.publish(group=STAFF_ALL, kind="bench", summary=f"event {n}", data={"t": time.perf_counter()})
            time.sleep(0.02)
            if n % 20 == 19:
                print(f"\r   {n + 1}/{EVENTS} events published", end="", flush=True)
        print()
        listener.join(180)
        server.should_exit = True
    ms = [v * 1000 for v in latencies]
    return {
        "deliveries": len(ms),
        "p50": statistics.median(ms),
        "p95": percentile(ms, 95),
        "max": max(ms),
    }


def run():
    setup_django()
    from django.conf import settings

    layers = [("in-process", {"BACKEND": "channels.layers.InMemoryChannelLayer"})]
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        layers.append(("Redis", {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis_url]}}))
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    rows = []
    for name, config in layers:
        print(f"   channel layer: {name}")
        figures = measure(config)
        rows.append(
            f"| {name} | {database} | {CLIENTS} | {EVENTS} | {figures['deliveries']} | "
            f"{figures['p50']:.1f} | {figures['p95']:.1f} | {figures['max']:.1f} |"
        )
    return (
        "From `publish()` (row written, committed) to the frame arriving at each connected websocket client, "
        "all on this machine over loopback.\n\n"
        "| channel layer | database | clients | events | deliveries | p50 ms | p95 ms | max ms |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
        "Command: `make bench` (or `python bench/run_all.py bench_realtime`); "
        "`BENCH_REALTIME_CLIENTS` and `BENCH_REALTIME_EVENTS` change the load.\n"
    )


if __name__ == "__main__":
    from common import main

    main(run)
