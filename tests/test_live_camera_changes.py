"""A camera's settings take effect within seconds, in the running capture session, and its status says so meanwhile.

Real parts: GStreamer's RTSP server with two mounts of different colours, the in-process capture loop, the
real plate pipeline, and (in the browser test) Chromium watching the camera's page while the address changes.
"""

import time

import cv2
import numpy as np
import pytest

from cameras.choices import CameraStatus
from cameras.models import Camera, CameraStatusEvent, CaptureSession
from cameras.services import snapshot_latest
from tests.conftest import sign_in
from tests.factories import camera
from tests.test_camera_capture import Reader, status_of, wait_for, write_passing_plate_frames

# Two mounts told apart by colour: videotestsrc's solid red and solid blue (the time overlay is small).
MOUNTS = {"red": "test:red:320x240:10", "blue": "test:blue:320x240:10"}


def colour_of_jpeg(jpeg: bytes) -> str:
    b, g, r = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).reshape(-1, 3).mean(axis=0)
    if r > 2 * b and r > 100:
        return "red"
    if b > 2 * r and b > 100:
        return "blue"
    return "other"


def snapshot_colour(camera_id):
    latest = snapshot_latest(camera_id)
    return colour_of_jpeg(latest[1]) if latest else None


def readdress(camera_id, url):
    """Change the address as the admin form does: a save of the row."""
    cam = Camera.objects.get(pk=camera_id)
    cam.stream_url = url
    cam.save()


@pytest.mark.django_db(transaction=True)
def test_a_new_stream_address_is_read_within_seconds_in_the_same_session(rtsp_server):
    server = rtsp_server(MOUNTS)
    cam = camera(stream_url=server.url("red"))
    reader = Reader(cam.pk)
    try:
        assert wait_for(lambda: snapshot_colour(cam.pk) == "red", 20)
        assert status_of(cam.pk)[0] == CameraStatus.ONLINE
        changed = time.monotonic()
        readdress(cam.pk, server.url("blue"))
        assert wait_for(lambda: snapshot_colour(cam.pk) == "blue", 10, interval=0.1), "still the old picture"
        took = time.monotonic() - changed
        assert took < 10, f"the new address took {took:.1f} s"
        assert wait_for(lambda: status_of(cam.pk)[0] == CameraStatus.ONLINE, 5)
        assert reader.thread.is_alive()
    finally:
        assert reader.finish() == "worker stopping"
    # One session throughout, and the switch is in the health history in plain words.
    assert CaptureSession.objects.filter(camera=cam).count() == 1
    history = list(CameraStatusEvent.objects.filter(camera=cam).order_by("at", "id").values_list("status", "reason"))
    assert history == [
        ("online", ""),
        ("unknown", "Connecting to its new stream address"),
        ("online", ""),
    ]


@pytest.mark.django_db(transaction=True)
def test_while_a_new_address_cannot_be_opened_the_camera_is_not_shown_online(rtsp_server):
    server = rtsp_server(MOUNTS)
    cam = camera(stream_url=server.url("red"), offline_after_seconds=60)
    reader = Reader(cam.pk)
    try:
        assert wait_for(lambda: status_of(cam.pk)[0] == CameraStatus.ONLINE, 20)
        readdress(cam.pk, "rtsp://127.0.0.1:1/nothing-here")
        # Not "Online, 10 fps" for a minute: the old stream's frames say nothing of the new address.
        assert wait_for(lambda: status_of(cam.pk)[0] == CameraStatus.OFFLINE, 10)
        assert "Could not open rtsp://127.0.0.1:1/nothing-here" in status_of(cam.pk)[1]
        assert Camera.objects.get(pk=cam.pk).measured_fps is None
        # Fixed again while capture waits between retries: the wait is cut short.
        readdress(cam.pk, server.url("blue"))
        assert wait_for(lambda: snapshot_colour(cam.pk) == "blue", 10, interval=0.1)
        assert wait_for(lambda: status_of(cam.pk)[0] == CameraStatus.ONLINE, 5)
    finally:
        reader.finish()


@pytest.mark.django_db(transaction=True)
def test_disabling_a_camera_that_is_between_retries_ends_its_capture_at_once():
    cam = camera(stream_url="rtsp://127.0.0.1:1/refused")
    reader = Reader(cam.pk)
    try:
        assert wait_for(lambda: status_of(cam.pk)[0] == CameraStatus.OFFLINE, 15)
        Camera.objects.filter(pk=cam.pk).update(enabled=False)
        reader.thread.join(5)
        assert reader.result == "camera disabled"
        assert status_of(cam.pk)[0] == CameraStatus.DISABLED
    finally:
        reader.finish()


@pytest.mark.django_db(transaction=True)
def test_turning_plate_reading_on_and_off_applies_to_the_running_capture(rtsp_server, tmp_path):
    from plates.models import PlateRead
    from plates.pipeline import PlateReadingPipeline

    pattern = write_passing_plate_frames(tmp_path, "KXR4821")
    server = rtsp_server({"lpr": f"frames:{pattern}:10"})
    cam = camera(stream_url=server.url("lpr"), plate_reading=False, sample_fps=5)
    reader = Reader(cam.pk, analyser_factory=lambda c: PlateReadingPipeline(c, region="us"))
    try:
        assert wait_for(lambda: status_of(cam.pk)[0] == CameraStatus.ONLINE, 20)
        time.sleep(2)
        assert reader.run.analysis is None and not PlateRead.objects.filter(camera=cam).exists()
        Camera.objects.filter(pk=cam.pk).update(plate_reading=True)
        assert wait_for(lambda: reader.run.analysis is not None, 3), "plate reading did not start"
        first = wait_for(lambda: PlateRead.objects.filter(camera=cam).first(), 40, interval=0.5)
        assert first is not None and first.plate == "KXR4821"
        Camera.objects.filter(pk=cam.pk).update(plate_reading=False)
        assert wait_for(lambda: reader.run.analysis is None, 10), "plate reading did not stop"
        time.sleep(1.5)  # a heartbeat writes the counts
        analysed = CaptureSession.objects.get(camera=cam).frames_analysed
        assert analysed > 0
        time.sleep(2)
        assert CaptureSession.objects.get(camera=cam).frames_analysed == analysed  # nothing analysed since
    finally:
        reader.finish()
    assert CaptureSession.objects.filter(camera=cam).count() == 1


@pytest.mark.browser
def test_a_changed_stream_address_shows_the_new_picture_on_the_camera_page_within_10_s(
    live_asgi, browser, make_user, rtsp_server
):
    server = rtsp_server(MOUNTS)
    make_user("analyst", username="andre")
    cam = camera(stream_url=server.url("red"))
    reader = Reader(cam.pk)
    try:
        assert wait_for(lambda: snapshot_colour(cam.pk) == "red", 20)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        sign_in(page, live_asgi.url, "andre")
        page.goto(f"{live_asgi.url}/cameras/{cam.pk}/")
        page.wait_for_load_state("load", timeout=10_000)  # the page finishes loading
        assert page_picture_colour(page) == "red"
        changed = time.monotonic()
        readdress(cam.pk, server.url("blue"))
        deadline = changed + 10
        while time.monotonic() < deadline and page_picture_colour(page) != "blue":
            time.sleep(0.2)
        took = time.monotonic() - changed
        assert page_picture_colour(page) == "blue", "the page still shows the old picture after 10 s"
        assert took <= 10
        assert errors == []
    finally:
        reader.finish()


def page_picture_colour(page):
    """The live picture's main colour, read from the image the browser shows (drawn onto a canvas)."""
    rgb = page.evaluate(
        """() => {
          const img = document.querySelector("[data-live-picture] img");
          if (!img || !img.complete || !img.naturalWidth) { return null; }
          const canvas = document.createElement("canvas");
          canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
          const ctx = canvas.getContext("2d");
          ctx.drawImage(img, 0, 0);
          const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          let r = 0, g = 0, b = 0;
          for (let i = 0; i < data.length; i += 4) { r += data[i]; g += data[i + 1]; b += data[i + 2]; }
          const n = data.length / 4;
          return [r / n, g / n, b / n];
        }"""
    )
    if rgb is None:
        return None
    r, _, b = rgb
    if r > 2 * b and r > 100:
        return "red"
    if b > 2 * r and b > 100:
        return "blue"
    return "other"


@pytest.mark.django_db(transaction=True)
def test_the_recorder_records_a_new_stream_address_within_seconds(rtsp_server, settings):
    import threading

    from cameras import recording

    server = rtsp_server(MOUNTS)
    cam = camera(stream_url=server.url("red"))
    settings.RTCC_RECORDING_ENABLED = True
    settings.RTCC_RECORDING_SEGMENT_SECONDS = 1
    stop = threading.Event()

    def run():
        from django.db import connection

        try:
            recording.record_session(cam.pk, holder="host:1:1", stop=stop)
        finally:
            connection.close()

    def newest_colour():
        found = recording.segments(cam.pk)
        if len(found) < 2:
            return None
        capture = cv2.VideoCapture(str(found[-2].path))  # the newest finished segment
        ok, frame = capture.read()
        capture.release()
        return colour_of_jpeg(cv2.imencode(".jpg", frame)[1].tobytes()) if ok else None

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert wait_for(lambda: newest_colour() == "red", 30, interval=0.5)
        readdress(cam.pk, server.url("blue"))
        assert wait_for(lambda: newest_colour() == "blue", 15, interval=0.5), "still recording the old address"
    finally:
        stop.set()
        thread.join(30)
