"""The analyst's dashboard under a flood of plate hits: how soon a hit is on screen, and whether memory stays flat.

Serves the real ASGI app with uvicorn on loopback and opens the dashboard in headless Chromium (1440x900), signed
in as an analyst. Plate reads that match a hotlist are stored through `plate_read_record`, as capture does, from a
worker thread:

1. burst: 100 hits a minute for BENCH_DASHBOARD_MINUTES minutes, in real time. For each read, the time from
   calling `plate_read_record` to the next painted frame after the dashboard drew the alert (a new alert, or the
   count of a folded one going up) is measured in the browser (requestAnimationFrame) against the same clock.
2. an hour compressed: BENCH_DASHBOARD_HOUR_HITS (default 6,000: an hour at 100 a minute) more reads as fast as
   the server takes them, their read times spread over an hour so that folding behaves as in a real hour.

The plates are a moving set of parked and passing cars: about 20 on the hotlist at a time, each read about 20
times, and an analyst dismisses each car's alert once it has gone (as a shift would), so the queue turns over.
The page's JS heap (after a forced garbage collection), DOM nodes and listeners come from Chrome DevTools
(`Performance.getMetrics`) every 1,000 hits. Uses DATABASE_URL when set, else a temporary SQLite file.
"""

import os
import shutil
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import main, serve_signed_in, setup_django  # noqa: E402

TITLE = "Dashboard: plate hits on screen, and memory over an hour of them"
MINUTES = float(os.environ.get("BENCH_DASHBOARD_MINUTES", "2"))
HOUR_HITS = int(os.environ.get("BENCH_DASHBOARD_HOUR_HITS", "6000"))
PER_MINUTE = 100
ACTIVE = 20  # cars on the hotlist in view at once
READS_PER_STEP = 5  # every 5 reads, one car leaves and another arrives

# Records, for each hit event, when the dashboard painted it: [hit id, count, ms since epoch, alert present].
WATCH = """
window.__shown = [];
RTCC.live.onEvent(function (e) {
  if (e.kind !== "hit.created" && e.kind !== "hit.repeated") { return; }
  const d = e.data || {};
  requestAnimationFrame(function () {
    const li = document.querySelector('#alert-queue li.alert[data-hit="' + d.hit_id + '"]');
    window.__shown.push([d.hit_id, d.count || 1, Date.now(), !!li]);
  });
});
"""


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def plate_of(i):
    """The plate of read i: one of the ACTIVE cars in view, the set moving on by one car every few reads."""
    step = i // READS_PER_STEP
    return f"BN{step + (i * 7) % ACTIVE:05d}", step


class Street:
    """Reads the plates, and dismisses each car's alert once it has left (as the analysts on shift would)."""

    def __init__(self, camera_id, reviewer):
        self.camera_id, self.reviewer = camera_id, reviewer
        self.reviewed_up_to = 0

    def read(self, i, read_at):
        from django.db import connections

        from plates.models import Hit
        from plates.services import hit_review, plate_read_record

        plate, step = plate_of(i)
        try:
            started = time.time() * 1000
            read = plate_read_record(camera_id=self.camera_id, plate=plate, read_at=read_at, confidence=0.9)
            hit = Hit.objects.filter(entry__plate="BN*", plate_read__plate=plate).order_by("-id").first()
            key = (hit.pk, hit.repeat_count) if hit else None
            # Cars that left the set: their alerts are reviewed, so the queue is the cars in view.
            while self.reviewed_up_to < step:
                gone = f"BN{self.reviewed_up_to:05d}"
                for old in Hit.objects.filter(plate_read__plate=gone, status="new"):
                    hit_review(hit=old, user=self.reviewer, status="dismissed", reason="not_the_vehicle")
                self.reviewed_up_to += 1
            return started, key, read.pk
        finally:
            connections.close_all()


def metrics(page, cdp):
    cdp.send("HeapProfiler.collectGarbage")
    page.wait_for_timeout(200)
    values = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    alerts = page.evaluate("document.querySelectorAll('#alert-queue li.alert').length")
    return {
        "heap_mb": values["JSHeapUsedSize"] / 2**20,
        "nodes": int(values["Nodes"]),
        "listeners": int(values["JSEventListeners"]),
        "alerts": alerts,
    }


def run():
    setup_django()
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from cameras.models import Camera
    from plates.models import Hotlist, HotlistEntry
    from rtcc.asgi import application
    from rtcc.models import User

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("needs Chromium (apt-get install chromium)")
    hotlist = Hotlist.objects.create(name="Bench stolen vehicles", priority=3)
    HotlistEntry.objects.create(hotlist=hotlist, plate="BN*", reason="Stolen (bench)")
    camera = Camera.objects.create(
        name="Canal & Carrollton LPR", kind="plate_reader", latitude=29.975, longitude=-90.098, address="Canal St"
    )
    port, cookie, server = serve_signed_in(application, "bench-analyst")
    analyst = User.objects.get(username="bench-analyst")
    analyst.groups.add(Group.objects.get(name="analyst"))
    street = Street(camera.pk, analyst)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop in this thread
    latencies, memory = [], []
    with sync_playwright() as pw, ThreadPoolExecutor(1) as worker:
        browser = pw.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--enable-precise-memory-info"],
        )
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        name, value = cookie.split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": f"http://127.0.0.1:{port}"}])
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/dashboard/")
        page.wait_for_selector("#live-state[data-state=live]", timeout=20_000)
        page.evaluate(WATCH)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        memory.append((0, metrics(page, cdp)))

        # 1. Real time: 100 a minute.
        sent = {}
        burst = int(MINUTES * PER_MINUTE)
        gap = 60.0 / PER_MINUTE
        t0 = time.monotonic()
        for i in range(burst):
            time.sleep(max(0.0, t0 + i * gap - time.monotonic()))
            started, key, _ = worker.submit(street.read, i, timezone.now()).result()
            if key:
                sent[key] = started
            if (i + 1) % 50 == 0:
                print(f"\r   burst {i + 1}/{burst}", end="", flush=True)
        page.wait_for_timeout(3000)
        shown = {(h, c): (at, present) for h, c, at, present in page.evaluate("window.__shown")}
        for key, started in sent.items():
            if key in shown and shown[key][1]:
                latencies.append(shown[key][0] - started)
        missing = len(sent) - len(latencies)
        memory.append((burst, metrics(page, cdp)))
        print()

        # 2. An hour compressed: read times spread over an hour, sent as fast as they are taken.
        page.evaluate("window.__shown = []")
        hour_start = timezone.now() - timedelta(hours=1)
        step = timedelta(seconds=3600 / max(1, HOUR_HITS))
        hour_began = time.monotonic()
        for n in range(HOUR_HITS):
            worker.submit(street.read, burst + n, hour_start + step * n).result()
            if (n + 1) % 1000 == 0:
                page.wait_for_timeout(500)
                memory.append((burst + n + 1, metrics(page, cdp)))
                print(f"\r   hour {n + 1}/{HOUR_HITS}", end="", flush=True)
        hour_seconds = time.monotonic() - hour_began
        print()
        browser.close()
    server.should_exit = True

    rows = "\n".join(
        f"| {hits} | {m['alerts']} | {m['nodes']} | {m['listeners']} | {m['heap_mb']:.1f} |" for hits, m in memory
    )
    heaps = [m["heap_mb"] for _, m in memory[1:]]
    from django.db import connection

    return (
        "The dashboard at 1440×900 in headless Chromium on this machine, the server (uvicorn, in-process channel "
        f"layer, {connection.vendor}) on loopback. Plate reads matching a hotlist arrive {PER_MINUTE} a minute from "
        f"about {ACTIVE} cars in view at a time, each read some 20 times (repeats fold into one alert with a count), "
        "and each car's alert is dismissed once it has gone, as the analysts on shift would.\n\n"
        f"**Time to show a hit** (from calling `plate_read_record` to the next painted frame with the alert drawn or "
        f"its count raised), {burst} hits over {MINUTES:g} min:\n\n"
        "| hits | shown | p50 ms | p95 ms | max ms |\n| --- | --- | --- | --- | --- |\n"
        f"| {len(sent)} | {len(latencies)} | {statistics.median(latencies):.0f} | {percentile(latencies, 95):.0f} | "
        f"{max(latencies):.0f} |\n\n"
        + (
            f"{missing} updates were not seen painted (superseded by a later count before a frame).\n\n"
            if missing
            else ""
        )
        + f"**Memory over an hour of hits** ({HOUR_HITS} more reads spread over an hour of read times, sent in "
        f"{hour_seconds:.0f} s; JS heap after a forced garbage collection, from Chrome DevTools):\n\n"
        "| hits so far | alerts in the queue | DOM nodes | JS listeners | JS heap MB |\n"
        "| --- | --- | --- | --- | --- |\n"
        f"{rows}\n\n"
        f"The heap stays within {min(heaps):.1f}–{max(heaps):.1f} MB after the first burst: the queue holds one "
        "alert per car in view, the live feed keeps its last 200 events, the hits table its last 15 rows, the map's "
        "ring for a new hit lasts a minute (at the compressed rate a hundred or more at once, which is why the DOM "
        "node count moves), and the page's memory of event ids its last 5,000.\n\n"
        "Command: `python bench/run_all.py bench_dashboard` (with `DATABASE_URL=postgres://…` for PostgreSQL); "
        "`BENCH_DASHBOARD_MINUTES` and `BENCH_DASHBOARD_HOUR_HITS` change the load.\n"
    )


if __name__ == "__main__":
    main(run)
