"""The camera page for analysts: no server internals, an incident opened from the camera, and the recording
buffer's last minutes played in the page (a real recorder on a real RTSP stream) or kept in the library."""

import pytest
from django.urls import reverse

from cameras.models import CaptureSession
from footage.library import probe
from rtcc.models import AuditRecord
from tests.factories import camera
from tests.test_recording import moving_ball_frames, wait_for_buffer


@pytest.mark.django_db
def test_the_camera_page_shows_no_server_path_and_no_worker_ids(client, users, tmp_path):
    cam = camera(stream_url=str(tmp_path / "demo" / "canal.mp4"))
    CaptureSession.objects.create(camera=cam, holder="capture-host-7:4242:139871234")
    client.force_login(users["analyst"])
    html = client.get(reverse("cameras:detail", args=[cam.pk])).content.decode()
    assert str(tmp_path) not in html and "canal.mp4" not in html
    assert "capture-host-7" not in html and "4242" not in html
    assert "A recorded video file replayed as a live camera" in html


@pytest.mark.django_db
def test_a_network_camera_is_named_by_its_protocol_and_device_without_credentials(client, users):
    cam = camera(stream_url="rtsp://operator:s3cret@10.0.0.5:554/Streaming/Channels/101")
    client.force_login(users["analyst"])
    html = client.get(reverse("cameras:detail", args=[cam.pk])).content.decode()
    assert "RTSP stream from 10.0.0.5" in html
    assert "s3cret" not in html and "operator" not in html and "Channels" not in html


@pytest.mark.django_db
def test_the_camera_page_finishes_without_a_recording_buffer_and_says_so(client, users):
    cam = camera(stream_url="rtsp://10.0.0.5/live")
    client.force_login(users["analyst"])
    response = client.get(reverse("cameras:detail", args=[cam.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing recorded yet" in html
    assert reverse("cameras:replay", args=[cam.pk]) not in html
    # The picture is refreshed by the page's script, not an endless MJPEG response holding the page open.
    assert reverse("cameras:live", args=[cam.pk]) not in html
    assert client.get(reverse("cameras:replay", args=[cam.pk]), {"minutes": 1}).status_code == 404


@pytest.mark.django_db
def test_an_analyst_opens_an_incident_from_the_camera_at_its_location(client, users):
    cam = camera("Jackson Square", stream_url="rtsp://10.0.0.5/live", latitude=29.9574, longitude=-90.0629)
    client.force_login(users["analyst"])
    html = client.get(reverse("cameras:detail", args=[cam.pk])).content.decode()
    link = f"{reverse('incidents:new')}?camera={cam.pk}"
    assert f'href="{link}"' in html and "Open an incident from this camera" in html
    form = client.get(link).context["form"]
    cam.refresh_from_db()
    assert form.initial["latitude"] == cam.latitude and form.initial["longitude"] == cam.longitude
    assert form.initial["address"] == cam.address and "Jackson Square" in form.initial["title"]
    # A technician cannot open incidents: no link to a page that would refuse them.
    client.force_login(users["video_technician"])
    assert link not in client.get(reverse("cameras:detail", args=[cam.pk])).content.decode()


@pytest.fixture
def buffered_camera(rtsp_server, tmp_path):
    from cameras import recording

    server = rtsp_server({"cam": moving_ball_frames(tmp_path / "frames", size=(320, 180))})
    cam = camera(stream_url=server.url("cam"))
    recorder = recording.Recorder(cam.pk, cam.stream_url, segment_seconds=2).start()
    try:
        wait_for_buffer(cam.pk, seconds=6)
    finally:
        recorder.stop()
    return cam


@pytest.mark.django_db
def test_an_analyst_replays_the_buffers_last_minutes_as_playable_video_and_it_is_audited(
    client, users, buffered_camera, tmp_path
):
    cam = buffered_camera
    client.force_login(users["analyst"])
    html = client.get(reverse("cameras:detail", args=[cam.pk])).content.decode()
    assert "The recording buffer holds" in html and reverse("cameras:replay", args=[cam.pk]) in html
    assert reverse("cameras:keep-recent", args=[cam.pk]) not in html  # analysts do not manage the library

    response = client.get(reverse("cameras:replay", args=[cam.pk]), {"minutes": 1})
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    clip = tmp_path / "replay.mp4"
    clip.write_bytes(b"".join(response.streaming_content))
    info = probe(clip)
    assert info.codec == "h264" and info.browser_playable and info.duration > 4
    record = AuditRecord.objects.get(action="camera.replay")
    assert record.actor == users["analyst"] and record.object_id == str(cam.pk)

    assert client.get(reverse("cameras:replay", args=[cam.pk]), {"minutes": 7}).status_code == 404
    client.force_login(users["responder"])
    assert client.get(reverse("cameras:replay", args=[cam.pk]), {"minutes": 1}).status_code == 403


@pytest.mark.django_db
def test_a_technician_keeps_the_last_minutes_in_the_footage_library_with_one_click(
    client, users, buffered_camera, django_capture_on_commit_callbacks
):
    from footage.choices import ClipSource
    from footage.models import FootageClip
    from rtcc.celery import app

    cam = buffered_camera
    url = reverse("cameras:keep-recent", args=[cam.pk])
    client.force_login(users["analyst"])
    assert client.post(url, {"minutes": 1}).status_code == 403
    client.force_login(users["video_technician"])
    assert url in client.get(reverse("cameras:detail", args=[cam.pk])).content.decode()
    app.conf.task_always_eager = True  # run the pull here, with the real task body
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"minutes": 1})
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302 and response["Location"] == reverse("cameras:detail", args=[cam.pk])
    clip = FootageClip.objects.get()
    assert clip.camera == cam and clip.source == ClipSource.RECORDING and clip.created_by == users["video_technician"]
    assert probe(clip.file.path).duration > 4


@pytest.mark.browser
def test_in_a_browser_the_replay_plays_in_the_camera_page(live_asgi, browser, make_user, buffered_camera):
    from tests.conftest import sign_in

    make_user("analyst", username="andre")
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, "andre")
    page.goto(f"{live_asgi.url}/cameras/{buffered_camera.pk}/")
    page.evaluate("window.__sameDocument = true")
    page.click("[data-replay-form] button[type=submit]")
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-role=replay-video]');"
        " return v && v.readyState >= 2 && v.duration > 4; }",
        timeout=60_000,
    )
    assert page.evaluate("window.__sameDocument") is True  # played in the page, not by leaving it
    assert "Playing the recording" in page.locator("[data-role=replay-state]").inner_text()
    assert errors == []
