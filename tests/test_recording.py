"""Recording around events: an ffmpeg segmenter on a real RTSP stream, pruning, and pulling a clip into the library."""

import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from cameras import recording
from footage.choices import ClipSource, CustodyAction
from footage.library import probe, sha256_of
from tests.factories import camera as make_camera


def wait_for_buffer(camera_id, seconds, timeout=45):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = recording.segments(camera_id)
        if len(found) >= 2 and (found[-1].start - found[0].start).total_seconds() >= seconds:
            return found
        time.sleep(0.5)
    raise AssertionError(f"the recorder did not buffer {seconds} s in {timeout} s: {recording.segments(camera_id)}")


def moving_ball_frames(folder, size=(640, 360), count=20):
    """JPEG frames of a ball crossing the view, for the RTSP server to loop (`frames:` mount)."""
    import cv2
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    width, height = size
    for n in range(count):
        frame = np.full((height, width, 3), 60, np.uint8)
        cv2.circle(frame, (int(width * (n + 0.5) / count), height // 2), height // 8, (40, 200, 240), -1)
        cv2.imwrite(str(folder / f"frame{n:04d}.jpg"), frame)
    return f"frames:{folder}/frame%04d.jpg:10"


def decoded_frames(path):
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return int(done.stdout.strip())


@pytest.mark.django_db
def test_a_clip_recorded_from_a_real_rtsp_stream_has_the_right_duration_and_plays(rtsp_server, users, tmp_path):
    server = rtsp_server({"cam": moving_ball_frames(tmp_path / "frames")})
    cam = make_camera(stream_url=server.url("cam"))
    recorder = recording.Recorder(cam.pk, cam.stream_url, segment_seconds=2).start()
    try:
        found = wait_for_buffer(cam.pk, seconds=8)
    finally:
        recorder.stop()
    assert all(s.path.suffix == ".ts" for s in found)

    start = found[0].start + timedelta(seconds=2)
    clip = recording.pull_clip(cam, start=start, end=start + timedelta(seconds=5), actor=users["video_technician"])

    path = clip.file.path
    info = probe(path)
    assert info.codec == "h264" and info.browser_playable
    assert abs(info.duration - 5.0) < 0.5
    assert abs(decoded_frames(path) - 50) <= 5  # 5 s at 10 fps, every frame decodes
    assert (info.width, info.height) == (640, 360)
    assert clip.source == ClipSource.RECORDING and clip.camera == cam
    assert clip.started_at == start and abs((clip.ended_at - start).total_seconds() - 5) < 0.5
    with open(path, "rb") as handle:
        assert sha256_of(handle) == clip.sha256
    entry = clip.custody.get()
    assert entry.action == CustodyAction.CREATED and entry.actor == users["video_technician"]
    assert "recording buffer" in entry.detail


@pytest.mark.django_db(transaction=True)
def test_a_recording_session_holds_the_cameras_lease_so_a_second_worker_does_not_record_it(
    rtsp_server, tmp_path, settings
):
    server = rtsp_server({"cam": moving_ball_frames(tmp_path / "frames", size=(320, 180))})
    cam = make_camera(stream_url=server.url("cam"))
    stop = threading.Event()
    settings.RTCC_RECORDING_ENABLED = True
    ended = {}

    def run():
        from django.db import connection

        ended["reason"] = recording.record_session(cam.pk, holder="host:1:1", stop=stop)
        connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        wait_for_buffer(cam.pk, seconds=2)
        assert recording.claim(cam.pk, "host:2:1", ttl=15) is False
        assert recording.cameras_to_record(grace_seconds=30) == []
    finally:
        stop.set()
        thread.join(30)
    assert ended["reason"] == "worker stopping"
    assert recording.claim(cam.pk, "host:2:1", ttl=15) is True  # released on the way out


def fake_segments(camera_id, starts, size=1000):
    folder = recording.camera_dir(camera_id)
    folder.mkdir(parents=True, exist_ok=True)
    for start in starts:
        (folder / f"{start:%Y%m%d-%H%M%S}.ts").write_bytes(b"\0" * size)


def test_pruning_drops_segments_older_than_the_buffer_but_never_a_cameras_newest():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    fake_segments(1, [now - timedelta(minutes=m) for m in (50, 40, 31, 20, 10, 1)])
    fake_segments(2, [now - timedelta(minutes=45)])  # a stopped camera: its last segment stays
    removed = recording.prune(minutes=30, budget_mb=100, now=now)
    assert removed == 2  # the one from 31 minutes ago runs until 20 minutes ago: part of it is still in the buffer
    assert [s.start for s in recording.segments(1)] == [now - timedelta(minutes=m) for m in (31, 20, 10, 1)]
    assert len(recording.segments(2)) == 1


def test_pruning_deletes_the_oldest_footage_first_to_stay_within_the_disk_budget():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    mb = 1024 * 1024
    fake_segments(1, [now - timedelta(minutes=m) for m in (9, 7, 5)], size=mb)
    fake_segments(2, [now - timedelta(minutes=m) for m in (8, 6, 4)], size=mb)
    removed = recording.prune(minutes=30, budget_mb=4, now=now)
    assert removed == 2
    assert [s.start for s in recording.segments(1)] == [now - timedelta(minutes=m) for m in (7, 5)]
    assert [s.start for s in recording.segments(2)] == [now - timedelta(minutes=m) for m in (6, 4)]


@pytest.mark.django_db
def test_pulling_a_window_the_buffer_does_not_hold_says_what_it_holds():
    cam = make_camera()
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    fake_segments(cam.pk, [now - timedelta(seconds=s) for s in (30, 20, 10)])
    with pytest.raises(recording.NoFootage, match="it holds 11:59:30"):
        recording.pull_clip(cam, start=now - timedelta(hours=2), end=now - timedelta(hours=1))
    with pytest.raises(recording.NoFootage, match="is recording on"):
        recording.pull_clip(make_camera(name="Empty"), start=now - timedelta(minutes=1), end=now)
    with pytest.raises(ValueError, match="after its start"):
        recording.pull_clip(cam, start=now, end=now - timedelta(minutes=1))


@pytest.mark.django_db
def test_only_enabled_city_cameras_with_a_stream_are_recorded_and_only_when_recording_is_on(settings):
    city = make_camera(name="City", stream_url="rtsp://10.0.0.1/cam")
    make_camera(name="No stream")
    make_camera(name="Off", stream_url="rtsp://10.0.0.2/cam", enabled=False)
    make_camera(name="Plate reader", kind="plate_reader", stream_url="rtsp://10.0.0.3/cam")
    settings.RTCC_RECORDING_ENABLED = False
    assert recording.cameras_to_record(grace_seconds=30) == []
    settings.RTCC_RECORDING_ENABLED = True
    assert recording.cameras_to_record(grace_seconds=30) == [city.pk]
    recording.mark_dispatched([city.pk])
    assert recording.cameras_to_record(grace_seconds=30) == []


@pytest.mark.django_db
def test_an_incident_preserves_the_nearby_cameras_recordings_of_its_time(
    rtsp_server, users, tmp_path, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from footage.models import FootageClip
    from rtcc.celery import app
    from tests.factories import incident

    server = rtsp_server({"cam": moving_ball_frames(tmp_path / "frames", size=(320, 180))})
    near = make_camera("Canal & Bourbon", stream_url=server.url("cam"), latitude=29.9546, longitude=-90.0694)
    make_camera("Far away", latitude=30.5, longitude=-91.0)  # no buffer, out of range
    recorder = recording.Recorder(near.pk, near.stream_url, segment_seconds=2).start()
    try:
        wait_for_buffer(near.pk, seconds=6)
    finally:
        recorder.stop()
    inc = incident(latitude=29.9547, longitude=-90.0695)
    client.force_login(users["analyst"])
    app.conf.task_always_eager = True  # run the pull here, with the real task body
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("incidents:preserve-recordings", args=[inc.pk]))
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    clip = FootageClip.objects.get()
    assert clip.camera == near and clip.incident == inc and clip.source == ClipSource.RECORDING
    assert probe(clip.file.path).duration > 3
    assert inc.timeline.filter(text__contains="Preserving recordings from 1 nearby camera").exists()
