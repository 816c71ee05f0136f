"""PostgreSQL goes away and comes back while a hotlisted car passes a real RTSP camera: the pass is stored once.

A database restart ends every open session; here every session but the test's own is terminated, again and
again, while the car is in view (the capture loop's, its analysis thread's), so each one's next query fails
exactly as after a restart.
"""

import time

import pytest
from django.db import connection

from cameras.models import CaptureLease, CaptureSession
from plates.choices import HitStatus
from plates.models import Hit, PlateRead
from plates.pipeline import PlateReadingPipeline
from tests.factories import camera
from tests.test_camera_capture import Reader, wait_for, write_passing_plate_frames
from tests.test_capture_share import _reopen_dropped_sessions, drop_other_connections  # noqa: F401  (fixture)
from tests.test_early_hits import WANTED, wanted_list


@pytest.mark.django_db(transaction=True)
def test_a_pass_seen_through_database_restarts_is_stored_once_with_its_hit(rtsp_server, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("ends PostgreSQL sessions: run with DATABASE_URL (PostgreSQL), as CI does")
    wanted_list()
    # 10 s of empty road after the pass: its track ends before the loop shows the car again.
    frames = write_passing_plate_frames(tmp_path, WANTED, empty_frames=100)
    server = rtsp_server({"lpr": f"frames:{frames}:10"})
    cam = camera(stream_url=server.url("lpr"), kind="plate_reader", plate_reading=True, sample_fps=5)
    pipelines, tracks = [], set()

    def factory(c):
        pipelines.append(PlateReadingPipeline(c, region="us", on_event=lambda event: tracks.add(event.track_id)))
        return pipelines[-1]

    reader = Reader(cam.pk, analyser_factory=factory)
    drops = 0
    try:
        assert wait_for(lambda: pipelines and pipelines[0].following, 40, interval=0.02), "the car was never seen"
        while pipelines[0].following:  # the car is in view: the database "restarts" under it, over and over
            drops += drop_other_connections()
            time.sleep(0.3)
        assert reader.thread.is_alive(), f"the capture run ended: {reader.result}"
        # The pass is over; what was stored of it is final once its read is closed.
        assert wait_for(lambda: not pipelines[0]._early_reads, 30, interval=0.1), "the track never closed"
        assert wait_for(lambda: PlateRead.objects.filter(camera=cam).exists(), 10), "the pass was never stored"
    finally:
        reader.finish()
    assert drops >= 1
    reads = list(PlateRead.objects.filter(camera=cam))
    assert len(reads) == 1, f"{len(reads)} reads stored for one pass (tracks seen: {sorted(tracks)})"
    assert reads[0].plate == WANTED
    [hit] = Hit.objects.filter(plate_read=reads[0])
    assert hit.status == HitStatus.NEW
    assert CaptureSession.objects.filter(camera=cam, ended_at__isnull=True).count() == 0
    assert CaptureLease.objects.get(camera=cam).holder == ""
