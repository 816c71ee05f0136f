"""Frames ingested per second per core: N simultaneous 720p RTSP streams from one local server.

The RTSP server (GStreamer, x264) runs in its own process; the figure counts
only the capture process's CPU time, so it measures our ingestion, not the
encoder. Plate reading, when on, analyses 2 sampled frames per second per
camera in the camera's analysis thread, with motion gating off so every
sample is read (the worst case).
"""

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import setup_django  # noqa: E402

TITLE = "Camera ingestion: 720p RTSP streams"
SECONDS = float(os.environ.get("BENCH_CAPTURE_SECONDS", "20"))
CONFIGS = [(1, False), (4, False), (8, False), (1, True), (4, True)]
FPS = 10


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def start_server(count):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = ["/usr/bin/python3", str(ROOT / "scripts" / "rtsp_server.py"), "--port", str(port)]
    for n in range(count):
        args += ["--mount", f"cam{n}=test:ball:1280x720:{FPS}"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if process.stdout.readline().strip() != "READY":
        process.kill()
        raise RuntimeError("RTSP server did not start")
    return process, port


def measure(count, plates):
    from cameras.capture import CaptureConfig, CaptureRun
    from cameras.models import Camera, CaptureSession
    from plates.pipeline import PlateReadingPipeline

    Camera.objects.all().delete()
    server, port = start_server(count)
    try:
        cameras = [
            Camera.objects.create(
                name=f"bench {n}",
                latitude=29.95,
                longitude=-90.07,
                stream_url=f"rtsp://127.0.0.1:{port}/cam{n}",
                plate_reading=plates,
                sample_fps=2,
            )
            for n in range(count)
        ]
        config = CaptureConfig.from_settings()
        config.open_timeout = 7
        config.motion_threshold = 0.0  # analyse every sampled frame: measure the reader's full cost
        stop = threading.Event()
        factory = (lambda camera: PlateReadingPipeline(camera, region="us")) if plates else None
        runs = [
            CaptureRun(c.pk, holder=f"bench:1:{c.pk}", config=config, stop=stop, analyser_factory=factory)
            for c in cameras
        ]
        threads = [threading.Thread(target=run.run) for run in runs]
        for thread in threads:
            thread.start()
        # Let every stream open, then count frames over a steady window.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(r.session is None or r.session.frames_read < 5 for r in runs):
            time.sleep(0.2)
        start_frames = sum(r.session.frames_read for r in runs)
        start_cpu, start_wall = cpu_seconds(), time.monotonic()
        time.sleep(SECONDS)
        frames = sum(r.session.frames_read for r in runs) - start_frames
        cpu, wall = cpu_seconds() - start_cpu, time.monotonic() - start_wall
        stop.set()
        for thread in threads:
            thread.join(30)
        analysed = sum(s.frames_analysed for s in CaptureSession.objects.filter(camera__in=cameras))
    finally:
        server.terminate()
        server.wait(10)
    return {
        "fps": frames / wall,
        "cpu": cpu,
        "wall": wall,
        "per_core": frames / cpu if cpu else 0,
        "analysed": analysed,
    }


def run():
    if (
        not Path("/usr/bin/python3").exists()
        or subprocess.run(
            ["/usr/bin/python3", "-c", "import gi; gi.require_version('GstRtspServer', '1.0')"], capture_output=True
        ).returncode
    ):
        return "Skipped: GStreamer's RTSP server is not installed for /usr/bin/python3.\n"
    setup_django()
    rows = []
    for count, plates in CONFIGS:
        print(f"   {count} stream(s), plate reading {'on' if plates else 'off'}", flush=True)
        f = measure(count, plates)
        rows.append(
            f"| {count} | {'on' if plates else 'off'} | {f['fps']:.1f} | {count * FPS} | {f['cpu'] / f['wall']:.2f} | "
            f"{f['per_core']:.0f} | {f['analysed']} |"
        )
    return (
        f"Each stream: 1280x720 H.264 at {FPS} fps from scripts/rtsp_server.py on loopback, read for {SECONDS:.0f} s "
        "after all streams opened. 'cores used' is the capture process's CPU time over wall time; "
        "'frames per core-second' is frames read per CPU second of the capture process. "
        "Where frames read stay below frames sent, the single local GStreamer server could not encode more "
        "720p on this 2-core machine: the reader was not the limit (see cores used).\n\n"
        "| streams | plate reading | frames/s read | frames/s sent | cores used | frames per core-second "
        "| frames analysed |\n| --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
        "Command: `make bench` (or `python bench/run_all.py bench_capture`); `BENCH_CAPTURE_SECONDS` sets the window.\n"
    )


if __name__ == "__main__":
    from common import main

    main(run)
