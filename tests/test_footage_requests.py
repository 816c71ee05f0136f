"""Footage requests: an analyst asks owners near an incident; the owner uploads through a signed link or declines."""

import hashlib
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from footage.choices import ClipSource, CustodyAction
from footage.models import FootageClip
from registry import links, services
from registry.choices import FootageRequestStatus
from registry.models import FootageRequest
from rtcc.models import AuditRecord, Event
from tests.factories import incident
from tests.registry_helpers import CommitClient, committed, later_by, links_in, make_site
from tests.stream_servers import raw_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return CommitClient()


@pytest.fixture(scope="module")
def mp4_bytes(tmp_path_factory):
    """A real two-second H.264 MP4 made by ffmpeg."""
    out = tmp_path_factory.mktemp("video") / "porch.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "2"]
        + ["-pix_fmt", "yuv420p", "-c:v", "libx264", str(out)],
        check=True,
        timeout=60,
    )
    return out.read_bytes()


def files_under(path):
    path = Path(path)
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


@pytest.fixture
def scene():
    """An incident with two approved registered cameras near it and one far away."""
    inc = incident(latitude=29.9600, longitude=-90.0650)
    near = make_site(
        email="near@example.org",
        latitude=29.95955,
        longitude=-90.0650,
        cameras=[{"placement": "Porch", "bearing": 0}, {"placement": "Driveway", "bearing": 180}],
    )
    far = make_site(email="far@example.org", latitude=29.99, longitude=-90.10, cameras=[{"placement": "Far"}])
    return {"incident": inc, "near": near, "far": far}


def request_form(cameras, start=None, minutes=30, **extra):
    start = start or timezone.localtime() - timedelta(hours=2)
    data = {
        "cameras": [str(c.pk) for c in cameras],
        "window_start": start.strftime("%Y-%m-%dT%H:%M"),
        "window_end": (start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M"),
        "deadline_hours": "48",
        "message": "A car was broken into on your block.",
    }
    data.update(extra)
    return data


def send_request(client, user, scene, cameras=None, **extra):
    client.force_login(user)
    cameras = cameras or list(scene["near"].cameras.order_by("pk"))
    url = reverse("registry:footage_request_create", args=[scene["incident"].pk])
    return client.post(url, request_form(cameras, **extra))


def test_an_analyst_requests_a_window_from_chosen_cameras_and_each_owner_gets_an_upload_link(client, users, scene):
    url = reverse("registry:footage_request_create", args=[scene["incident"].pk])
    client.force_login(users["analyst"])
    page = client.get(url).content.decode()
    assert "Porch" in page and "Driveway" in page and "Far" not in page

    response = send_request(client, users["analyst"], scene)
    assert response.status_code == 302
    requests_ = list(FootageRequest.objects.order_by("pk"))
    assert [r.registered_camera.placement for r in requests_] == ["Front door", "Front door"] or len(requests_) == 2
    assert {r.status for r in requests_} == {FootageRequestStatus.SENT}
    assert all(r.requested_by == users["analyst"] and r.sent_at for r in requests_)
    assert all(abs((r.deadline - timezone.now()) - timedelta(hours=48)) < timedelta(minutes=1) for r in requests_)
    assert [m.to for m in mail.outbox] == [["near@example.org"], ["near@example.org"]]
    assert "/register/footage/" in mail.outbox[0].body and "A car was broken into" in mail.outbox[0].body
    assert AuditRecord.objects.filter(action="registry.footage_requested").count() == 2
    listed = client.get(url).content.decode()
    assert listed.count("Sent</span>") == 2


def test_a_window_longer_than_allowed_is_refused_with_a_message(client, users, scene, settings):
    settings.RTCC_FOOTAGE_REQUEST_MAX_MINUTES = 60
    response = send_request(client, users["analyst"], scene, minutes=90)
    assert response.status_code == 200
    assert "A request may cover at most 60 minutes." in response.content.decode()
    assert not FootageRequest.objects.exists() and mail.outbox == []


def test_a_camera_outside_the_incident_area_cannot_be_requested(client, users, scene):
    response = send_request(client, users["analyst"], scene, cameras=list(scene["far"].cameras.all()))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not FootageRequest.objects.exists()


@pytest.mark.parametrize("role", ["video_technician", "responder", "norole"])
def test_only_roles_allowed_owner_contact_may_request_footage(client, users, scene, role):
    response = send_request(client, users[role], scene)
    assert response.status_code == 403
    assert not FootageRequest.objects.exists() and mail.outbox == []


def owner_link(client, users, scene):
    send_request(client, users["analyst"], scene, cameras=[scene["near"].cameras.order_by("pk").first()])
    mail.outbox.clear()
    return FootageRequest.objects.get(), links_in(mail_for_request())[0]


def mail_for_request():
    # The request e-mail was cleared above; rebuild the link the way the e-mail does.
    fr = FootageRequest.objects.get()

    class Message:
        body = links.upload_url(fr)

    return Message


def test_opening_the_link_marks_the_request_opened(client, users, scene):
    fr, link = owner_link(client, users, scene)
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "Can you share footage" in page.content.decode()
    fr.refresh_from_db()
    assert fr.status == FootageRequestStatus.OPENED and fr.opened_at


def test_the_uploaded_files_stored_hash_matches_its_bytes(client, users, scene, media, mp4_bytes):
    fr, link = owner_link(client, users, scene)
    client.logout()
    upload = SimpleUploadedFile("porch-2026.mp4", mp4_bytes, content_type="application/octet-stream")
    response = client.post(link, {"video": upload}, REMOTE_ADDR="198.51.100.44")
    assert response.status_code == 200
    html = response.content.decode()
    expected = hashlib.sha256(mp4_bytes).hexdigest()
    assert "your footage has arrived" in html and expected in html

    clip = FootageClip.objects.get()
    assert clip.sha256 == expected and clip.size_bytes == len(mp4_bytes)
    with clip.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == expected
    assert clip.source == ClipSource.REGISTRY_UPLOAD and clip.incident == scene["incident"]
    assert clip.content_type == "video/mp4" and clip.original_name == "porch-2026.mp4"
    entry = clip.custody.get()
    assert entry.action == CustodyAction.RECEIVED and entry.sha256 == expected
    assert entry.actor_label == f"owner of registration {scene['near'].pk} via signed link"
    assert entry.client_address == "198.51.100.44"
    fr.refresh_from_db()
    assert fr.status == FootageRequestStatus.UPLOADED and list(fr.clips.all()) == [clip]
    assert mail.outbox[-1].subject == "Your footage has arrived" and expected in mail.outbox[-1].body
    assert Event.objects.filter(group="staff.video_technician", kind="registry.footage_uploaded").exists()
    assert files_under(media / "upload-tmp") == []


def test_a_technician_sees_the_uploaded_clip_on_the_footage_page(client, users, scene, media, mp4_bytes):
    fr, link = owner_link(client, users, scene)
    client.logout()
    client.post(link, {"video": SimpleUploadedFile("clip.mp4", mp4_bytes)})
    client.force_login(users["video_technician"])
    html = client.get(reverse("registry:footage")).content.decode()
    assert "clip.mp4" in html and "Footage uploaded" in html


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", b"hello", "Only video files can be uploaded"),
        ("evil.mp4", b"MZ\x90\x00" + b"\x00" * 400, "does not look like a video file"),
        ("page.mov", b"<html><script>alert(1)</script></html>", "does not look like a video file"),
    ],
)
def test_a_file_that_is_not_a_video_is_refused_with_a_message(client, users, scene, media, name, content, message):
    fr, link = owner_link(client, users, scene)
    client.logout()
    response = client.post(link, {"video": SimpleUploadedFile(name, content)})
    assert response.status_code == 400 and message in response.content.decode()
    assert not FootageClip.objects.exists()
    fr.refresh_from_db()
    assert fr.status == FootageRequestStatus.OPENED


def test_an_upload_over_the_limit_is_cut_off_without_filling_the_disk(client, users, scene, media, settings):
    settings.RTCC_FOOTAGE_UPLOAD_MAX_BYTES = 200_000
    fr, link = owner_link(client, users, scene)
    client.logout()
    # Just over the limit: the request passes the Content-Length check, the streaming handler stops it.
    body = b"\x00\x00\x00\x18ftypisom" + b"\x00" * (200_000 + 5_000)
    response = client.post(link, {"video": SimpleUploadedFile("big.mp4", body)})
    assert response.status_code == 413 and "larger than" in response.content.decode()
    # Far over: refused from the declared length before the body is read.
    huge = client.post(link, {"video": SimpleUploadedFile("huge.mp4", body * 5)})
    assert huge.status_code == 413
    assert not FootageClip.objects.exists()
    assert files_under(media / "media") == [] and files_under(media / "upload-tmp") == []
    fr.refresh_from_db()
    assert fr.status == FootageRequestStatus.OPENED


def test_the_owner_declines_and_the_link_then_closes(client, users, scene, media, mp4_bytes):
    fr, link = owner_link(client, users, scene)
    client.logout()
    token = link.rstrip("/").rsplit("/", 1)[1]
    response = client.post(reverse("registry-public:decline", args=[token]), {"reason": "Camera was off that night"})
    assert response.status_code == 200
    fr.refresh_from_db()
    assert fr.status == FootageRequestStatus.DECLINED and fr.decline_reason == "Camera was off that night"
    assert client.get(link).status_code == 410
    late = client.post(link, {"video": SimpleUploadedFile("late.mp4", mp4_bytes)})
    assert late.status_code == 410 and not FootageClip.objects.exists()


def test_requests_past_their_deadline_expire_and_their_link_closes(client, users, scene):
    fr, link = owner_link(client, users, scene)
    answered = FootageRequest.objects.create(
        incident=fr.incident,
        registered_camera=fr.registered_camera,
        window_start=fr.window_start,
        window_end=fr.window_end,
        deadline=timezone.now() - timedelta(hours=1),
        status=FootageRequestStatus.UPLOADED,
    )
    FootageRequest.objects.filter(pk=fr.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert services.expire_footage_requests() == 1
    fr.refresh_from_db()
    answered.refresh_from_db()
    assert fr.status == FootageRequestStatus.EXPIRED and answered.status == FootageRequestStatus.UPLOADED
    client.logout()
    response = client.get(link)
    assert response.status_code == 410 and "closed" in response.content.decode()


def test_a_tampered_upload_link_is_refused(client, users, scene):
    fr, link = owner_link(client, users, scene)
    client.logout()
    token = link.rstrip("/").rsplit("/", 1)[1]
    bad = reverse("registry-public:upload", args=[token[:-2] + ("xy" if token[-2:] != "xy" else "zz")])
    response = client.get(bad)
    assert response.status_code == 400 and "not valid" in response.content.decode()
    fr.refresh_from_db()
    assert fr.status == FootageRequestStatus.SENT


# --- Through the real ASGI server: the body is capped while it streams, before Django spools it ---


@pytest.fixture
def live_upload(live_asgi, users, scene, settings, tmp_path, monkeypatch):
    import tempfile

    settings.RTCC_FOOTAGE_UPLOAD_MAX_BYTES = 1024 * 1024
    settings.MEDIA_ROOT = tmp_path / "media"
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    with committed():
        [fr] = services.footage_request_create(
            incident=scene["incident"],
            registered_cameras=[scene["near"].cameras.first()],
            window_start=timezone.now() - timedelta(hours=1),
            window_end=timezone.now() - timedelta(minutes=30),
            deadline=timezone.now() + timedelta(days=1),
            message="",
            requested_by=users["analyst"],
        )
    return {"fr": fr, "path": reverse("registry-public:upload", args=[links.upload_token(fr)]), "spool": spool}


def test_a_declared_oversize_upload_is_refused_before_its_body_is_read(live_asgi, live_upload):
    megabyte = b"\x00" * (1024 * 1024)
    status, sent = raw_post(
        live_asgi.url,
        live_upload["path"],
        {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(64 * 1024 * 1024)},
        (megabyte for _ in range(64)),
    )
    assert status.startswith("HTTP/1.1 413")
    assert sent < 64 * 1024 * 1024  # the server hung up long before the 64 MB were through
    assert not FootageClip.objects.exists()
    assert files_under(live_upload["spool"]) == []


def test_a_chunked_upload_is_cut_off_once_it_passes_the_limit(live_asgi, live_upload):
    def chunked():
        block = b"\x00" * (256 * 1024)
        for _ in range(256):  # 64 MB offered
            yield f"{len(block):x}\r\n".encode() + block + b"\r\n"
        yield b"0\r\n\r\n"

    status, sent = raw_post(
        live_asgi.url,
        live_upload["path"],
        {"Content-Type": "multipart/form-data; boundary=x", "Transfer-Encoding": "chunked"},
        chunked(),
    )
    assert status.startswith("HTTP/1.1 413")
    assert sent < 64 * 1024 * 1024
    assert not FootageClip.objects.exists()
    assert files_under(live_upload["spool"]) == [] and files_under(live_upload["spool"].parent / "media") == []
    live_upload["fr"].refresh_from_db()
    assert live_upload["fr"].status == FootageRequestStatus.SENT


def test_an_upload_link_still_opens_before_a_long_deadline_set_by_staff(settings, users, monkeypatch):
    settings.RTCC_FOOTAGE_REQUEST_DEADLINE_HOURS = 72
    site = make_site()
    with committed():
        [request] = services.footage_request_create(
            incident=incident(),
            registered_cameras=[site.cameras.get()],
            window_start=timezone.now() - timedelta(hours=2),
            window_end=timezone.now() - timedelta(hours=1),
            deadline=timezone.now() + timedelta(hours=24 * 30),  # the longest the staff form allows
            message="",
            requested_by=users["analyst"],
        )
    path = reverse("registry-public:upload", args=[links.upload_token(request)])
    later_by(monkeypatch, 29 * 24 * 3600)  # the owner answers on day 29, before the deadline
    page = CommitClient().get(path)
    assert page.status_code == 200, page.content.decode()[:300]
    assert "Can you share footage" in page.content.decode()
