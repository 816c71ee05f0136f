"""Plate intelligence at volume, on PostgreSQL: REST ingest rate, partial-plate search over millions of reads,
hotlist matching against a million entries, and read-commit to hit-on-screen latency.

Needs DATABASE_URL (PostgreSQL). The read table for the search figure is
filled once in a database of its own (`<name>_bench`) and kept for later runs.
"""

import json
import os
import random
import statistics
import string
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TITLE = "Plate intelligence (PostgreSQL)"
SEARCH_ROWS = int(os.environ.get("BENCH_PLATE_READS", "10000000"))
HOTLIST_SIZE = int(os.environ.get("BENCH_HOTLIST_ENTRIES", "1000000"))
INGEST_SECONDS = float(os.environ.get("BENCH_INGEST_SECONDS", "20"))
BATCH = 500


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def random_plate(rng):
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(rng.choice((6, 7))))


def bench_database_url():
    import dj_database_url

    url = os.environ["DATABASE_URL"]
    parts = dj_database_url.parse(url)
    name = parts["NAME"] + "_bench"
    base = url.rsplit("/", 1)[0]
    subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], capture_output=True, check=False)
    return f"{base}/{name}"


def setup():
    os.environ["DATABASE_URL"] = bench_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtcc.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill_reads(camera_id):
    """Millions of reads over 30 days, made by PostgreSQL itself (generate_series), once."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM plates_plateread WHERE camera_id = %s", [camera_id])
        have = cursor.fetchone()[0]
        if have >= SEARCH_ROWS:
            return have, 0.0
        print(f"   filling {SEARCH_ROWS - have:,} plate reads (once; kept for later runs)…", flush=True)
        started = time.monotonic()
        # Build the trigram index once at the end rather than row by row.
        cursor.execute("DROP INDEX IF EXISTS plates_plateread_plate_trgm")
        step = 1_000_000
        for start in range(have, SEARCH_ROWS, step):
            end = min(SEARCH_ROWS, start + step)
            cursor.execute(
                """
                INSERT INTO plates_plateread
                    (camera_id, plate, plate_raw, region, confidence, read_at, created_at, source, engine, box,
                     crop, external_id, legal_hold)
                SELECT %s,
                       upper(substr(translate(encode(sha256(i::text::bytea), 'base64'), '+/=', 'XYZ'), 1,
                                    6 + (i %% 2))),
                       '', 'LA', 0.9, now() - (i %% 2592000) * interval '1 second', now(), 'ingest', 'bench',
                       '{}'::jsonb, '', '', false
                FROM generate_series(%s, %s) AS i
                """,
                [camera_id, start, end - 1],
            )
            print(f"\r   {end:,}/{SEARCH_ROWS:,}", end="", flush=True)
        print("\n   building the trigram index…", flush=True)
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS plates_plateread_plate_trgm ON plates_plateread USING gin (plate gin_trgm_ops)"
        )
        cursor.execute("ANALYZE plates_plateread")
        return SEARCH_ROWS, time.monotonic() - started


def search_figures(camera_id):
    from plates.selectors import plate_reads_search

    total, fill_seconds = fill_reads(camera_id)
    rng = random.Random(7)
    queries = []
    for _ in range(60):
        plate = random_plate(rng)
        queries.append(plate[: rng.choice((3, 4))])  # partial: a witness remembers part of it
        queries.append(plate[:2] + "?" + plate[3:5] + "*")  # pattern with an unknown character
    plate_reads_search(query="AB")  # warm the connection
    times = []
    for query in queries:
        started = time.perf_counter()
        plate_reads_search(query=query)
        times.append((time.perf_counter() - started) * 1000)
    return total, fill_seconds, statistics.median(times), pct(times, 95), len(queries)


def matching_figures():
    from django.utils import timezone

    from plates.matching import EntryRef, HotlistIndex

    rng = random.Random(11)
    started = time.monotonic()
    entries = [EntryRef(n, 1, random_plate(rng), None) for n in range(HOTLIST_SIZE)]
    entries += [EntryRef(HOTLIST_SIZE + n, 1, random_plate(rng)[:3] + "?*", None) for n in range(200)]
    index = HotlistIndex(entries)
    build = time.monotonic() - started
    probes = [random_plate(rng) for _ in range(20000)] + [e.plate for e in entries[:1000]]
    now = timezone.now()
    started = time.perf_counter()
    found = sum(len(index.match(p, at=now)) for p in probes)
    per_read_us = (time.perf_counter() - started) / len(probes) * 1e6
    return build, per_read_us, found, len(probes)


def ingest_figures(camera_id, key):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, DJANGO_DEBUG="true", LOG_LEVEL="ERROR")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "rtcc.asgi:application",
            "-k",
            "uvicorn.workers.UvicornWorker",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api/v1/cameras/{camera_id}/reads/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    # Ids unique to this run: a repeated id is a duplicate delivery, which ingest (rightly) skips.
    run = f"{time.time_ns():x}"
    counter = {"reads": 0, "errors": 0, "duplicates": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + INGEST_SECONDS

    def client(worker):
        rng = random.Random(worker)
        n = 0
        while time.monotonic() < stop_at:
            reads = [
                {
                    "id": f"bench-{run}-{worker}-{n}-{i}",
                    "plate": random_plate(rng),
                    "read_at": "2026-11-25T09:00:00Z",
                    "confidence": 0.9,
                }
                for i in range(BATCH)
            ]
            n += 1
            body = json.dumps({"reads": reads}).encode()
            request = Request(
                url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Device {key}", "Host": "127.0.0.1"},
            )
            try:
                with urlopen(request, timeout=30) as response:
                    answer = json.loads(response.read())
                with lock:
                    counter["reads"] += answer["created"]
                    counter["duplicates"] += answer["duplicates"]
            except Exception:  # noqa: BLE001 - any failed request counts, and the client goes on
                with lock:
                    counter["errors"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    server.terminate()
    server.wait(20)
    return counter["reads"] / elapsed, counter["reads"], counter["errors"], counter["duplicates"]


def hit_latency_figures(camera_id):
    """Read committed (with its hotlist match) -> hit frame at a signed-in websocket client."""
    import asyncio

    from common import serve_signed_in
    from django.test.utils import override_settings

    from plates.models import Hotlist, HotlistEntry
    from plates.services import plate_read_record

    redis_url = os.environ.get("REDIS_URL")
    layer = (
        {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis_url]}}
        if redis_url
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
    hotlist, _ = Hotlist.objects.get_or_create(name="bench hotlist", defaults={"priority": 1})
    HotlistEntry.objects.get_or_create(hotlist=hotlist, plate="BENCH01", defaults={"reason": "bench"})
    with override_settings(CHANNEL_LAYERS={"default": layer}):
        from rtcc.asgi import application

        port, cookie, server = serve_signed_in(application, "bench-admin")
        latencies, sent = [], {}
        ready = threading.Event()
        count = 100

        async def listen():
            import websockets

            async with websockets.connect(
                f"ws://127.0.0.1:{port}/ws/events/?groups=staff.analyst",
                additional_headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"},
            ) as ws:
                await ws.recv()
                ready.set()
                got = 0
                while got < count:
                    frame = json.loads(await ws.recv())
                    if frame.get("type") == "event" and frame["event"]["kind"] == "hit.created":
                        latencies.append(time.perf_counter() - sent[frame["event"]["data"]["read_at"]])
                        got += 1

        listener = threading.Thread(target=lambda: asyncio.run(listen()))
        listener.start()
        ready.wait(30)
        from datetime import timedelta

        from django.utils import timezone

        base = timezone.now()
        for n in range(count):
            read_at = base + timedelta(milliseconds=n)
            sent[read_at.isoformat()] = time.perf_counter()
            plate_read_record(camera_id=camera_id, plate="BENCH01", read_at=read_at, confidence=0.9)
            time.sleep(0.02)
        listener.join(60)
        server.should_exit = True
    ms = [v * 1000 for v in latencies]
    return statistics.median(ms), pct(ms, 95), len(ms), "Redis" if redis_url else "in-process"


def run():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return "Skipped: set DATABASE_URL to a PostgreSQL database (these figures are about PostgreSQL).\n"
    setup()
    from cameras.models import Camera, DeviceToken

    camera, _ = Camera.objects.get_or_create(
        name="bench LPR", defaults={"latitude": 29.95, "longitude": -90.07, "kind": "plate_reader"}
    )
    ingest_camera, _ = Camera.objects.get_or_create(
        name="bench ingest LPR", defaults={"latitude": 29.95, "longitude": -90.07, "kind": "plate_reader"}
    )
    _, key = DeviceToken.issue(camera=ingest_camera, label="bench")

    # The big table first, so that ingest is measured against it, as in a city after a month of reads.
    total, fill_seconds = fill_reads(camera.pk)
    print("   hotlist matching…", flush=True)
    build, per_read_us, found, probes = matching_figures()
    print(f"   REST ingest into a table of {total:,} reads…", flush=True)
    rate, ingested, errors, duplicates = ingest_figures(ingest_camera.pk, key)
    print("   read to hit on screen…", flush=True)
    hit_p50, hit_p95, hits, layer = hit_latency_figures(ingest_camera.pk)
    print("   partial-plate search…", flush=True)
    total, _, search_p50, search_p95, queries = search_figures(camera.pk)
    return (
        "| measure | figure | target |\n| --- | --- | --- |\n"
        f"| REST ingest, batches of {BATCH}, 4 clients, gunicorn 2 uvicorn workers, into a table of {total:,} reads "
        f"| {rate:,.0f} reads/s "
        f"({ingested:,} new reads in {INGEST_SECONDS:.0f} s, {errors} failed requests, {duplicates} duplicates) "
        "| ≥ 2,000 reads/s |\n"
        f"| partial-plate search over {total:,} reads ({queries} queries: 3-4 known characters, or a `?`/`*` "
        f"pattern; newest 500) | p50 {search_p50:.0f} ms, p95 {search_p95:.0f} ms | p95 < 200 ms |\n"
        f"| hotlist matching, {HOTLIST_SIZE:,} entries + 200 wildcards, exact + look-alike + wildcard | "
        f"{per_read_us:.0f} µs per read ({probes:,} reads, {found:,} matches; index built in {build:.1f} s) "
        f"| < 1 ms |\n"
        f"| read commit to hit at a websocket client ({layer} channel layer, {hits} hits) | "
        f"p50 {hit_p50:.1f} ms, p95 {hit_p95:.1f} ms | p95 < 100 ms |\n\n"
        "Command: `DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/run_all.py bench_plates` "
        f"(or `make bench`). `BENCH_PLATE_READS` sets the search table size"
        + (f"; filling it took {fill_seconds:.0f} s this run" if fill_seconds else "")
        + ".\n"
    )


if __name__ == "__main__":
    from common import main

    main(run)
