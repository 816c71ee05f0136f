"""Camera pages: wall, detail with drawn uptime, snapshots and live MJPEG behind role checks, test-stream action."""

from datetime import timedelta

import cv2
import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from cameras import selectors, services
from cameras.models import CameraStatusEvent
from tests.factories import camera
from tests.stream_servers import CameraServer


def jpeg():
    return cv2.imencode(".jpg", np.zeros((90, 160, 3), np.uint8))[1].tobytes()


@pytest.fixture
def cam(db):
    return camera(stream_url="rtsp://operator:s3cret@10.0.0.5/live")


@pytest.mark.django_db
def test_the_snapshot_is_served_to_staff_and_refused_to_responders(client, users, cam):
    services.snapshot_store(cam.pk, jpeg(), timezone.now(), ttl=60)
    url = reverse("cameras:snapshot", args=[cam.pk])
    client.force_login(users["video_technician"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content[:2] == b"\xff\xd8"
    client.force_login(users["responder"])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_a_camera_without_a_recent_picture_says_so(client, users, cam):
    client.force_login(users["analyst"])
    response = client.get(reverse("cameras:snapshot", args=[cam.pk]))
    assert response.status_code == 404 and b"No recent picture" in response.content
    assert client.get(reverse("cameras:snapshot", args=[99999])).status_code == 404


@pytest.mark.django_db
def test_the_live_view_is_mjpeg_and_refused_to_responders(client, users, cam):
    url = reverse("cameras:live", args=[cam.pk])
    client.force_login(users["responder"])
    assert client.get(url).status_code == 403
    client.force_login(users["analyst"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "multipart/x-mixed-replace; boundary=rtccsnapshot"
    assert response.is_async


@pytest.mark.django_db
def test_the_wall_shows_each_streaming_camera_with_its_status_and_no_credentials(client, users, cam):
    camera("API-fed LPR", kind="plate_reader")
    client.force_login(users["analyst"])
    html = client.get(reverse("cameras:wall")).content.decode()
    assert reverse("cameras:snapshot", args=[cam.pk]) in html
    assert "API-fed LPR" not in html  # nothing to show without a stream
    assert "s3cret" not in html and "operator" not in html


@pytest.mark.django_db
def test_uptime_is_computed_from_the_status_history_and_drawn(client, users, cam):
    now = timezone.now()
    for hours_ago, status in ((30, "online"), (12, "offline"), (6, "online")):
        event = CameraStatusEvent.objects.create(camera=cam, status=status)
        CameraStatusEvent.objects.filter(pk=event.pk).update(at=now - timedelta(hours=hours_ago))
    assert selectors.uptime(cam, days=1, now=now) == pytest.approx(18 / 24, abs=0.01)
    segments = selectors.history_segments(cam, days=1, now=now)
    assert [s["status"] for s in segments] == ["online", "offline", "online"]
    assert sum(s["width"] for s in segments) == pytest.approx(100, abs=0.01)
    client.force_login(users["analyst"])
    html = client.get(reverse("cameras:detail", args=[cam.pk])).content.decode()
    assert "75% online" in html and 'class="seg-offline"' in html


@pytest.mark.django_db
def test_the_test_stream_button_reports_a_working_stream(client, users):
    server = CameraServer("mjpeg")
    try:
        working = camera("Working", stream_url=server.url)
        client.force_login(users["analyst"])
        response = client.post(reverse("cameras:test-stream", args=[working.pk]), follow=True)
        text = " ".join(str(m) for m in response.context["messages"])
        assert "stream works – 320×240" in text
    finally:
        server.stop()


@pytest.mark.django_db
def test_the_test_stream_button_reports_a_broken_stream_clearly(client, users):
    broken = camera("Broken", stream_url="rtsp://127.0.0.1:1/live")
    client.force_login(users["analyst"])
    response = client.post(reverse("cameras:test-stream", args=[broken.pk]), follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Could not open rtsp://127.0.0.1:1/live" in text


@pytest.mark.django_db
def test_a_javascript_stream_url_is_refused_by_the_admin_form(client, users):
    client.force_login(users["admin"])
    response = client.post(
        reverse("admin:cameras_camera_add"),
        {
            "name": "Evil",
            "kind": "city",
            "latitude": "29.95",
            "longitude": "-90.07",
            "stream_url": "javascript:alert(1)",
            "sample_fps": "2",
            "offline_after_seconds": "30",
            "enabled": "on",
            "status_events-TOTAL_FORMS": "0",
            "status_events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Unsupported stream scheme" in response.content.decode()
    from cameras.models import Camera

    assert not Camera.objects.filter(name="Evil").exists()
