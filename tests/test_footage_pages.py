"""Footage library pages: who may open them, range requests for the player, uploads, bookmarks, export by form."""

import pytest
from django.urls import reverse

from footage import jobs, services
from footage.choices import AnalysisKind, ClipSource, CustodyAction
from footage.library import store_clip
from footage.synthetic import write_passing_plates
from rtcc.models import AuditRecord

ROLES = {"analyst": 403, "video_technician": 200, "responder": 403, "supervisor": 200, "norole": 403}


@pytest.fixture
def clip(tmp_path, users):
    path = tmp_path / "two-plates.mp4"
    write_passing_plates(path)
    made = store_clip(path, name="two-plates.mp4", clip_source=ClipSource.MANUAL_UPLOAD, actor=users["supervisor"])
    jobs.job_run(services.job_create(clip=made, kind=AnalysisKind.TRANSCODE).pk)
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["footage:library", "footage:clip", "footage:video", "footage:thumbnail"])
def test_footage_pages_answer_only_technicians_and_supervisors(client, users, clip, name):
    args = {"footage:library": [], "footage:thumbnail": [clip.pk, 0]}.get(name, [clip.pk])
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for role, expected in ROLES.items():
        client.force_login(users[role])
        assert client.get(url).status_code == expected, role


@pytest.mark.django_db
def test_the_player_gets_partial_content_for_a_range_and_one_viewed_entry_per_person(client, users, clip):
    client.force_login(users["video_technician"])
    url = reverse("footage:video", args=[clip.pk])
    data = open(clip.file.path, "rb").read()

    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-50")
    assert b"".join(tail.streaming_content) == data[-50:]
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == data
    assert client.get(url, HTTP_RANGE=f"bytes={len(data) + 10}-").status_code == 416
    assert clip.custody.filter(action=CustodyAction.VIEWED).count() == 1


@pytest.mark.django_db
def test_the_clip_page_shows_the_player_timeline_and_custody_and_plays_the_browser_copy(client, users, clip):
    client.force_login(users["video_technician"])
    html = client.get(reverse("footage:clip", args=[clip.pk])).content.decode()
    copy = clip.derivatives.get()
    assert reverse("footage:video", args=[copy.pk]) in html  # the MPEG-4 Part 2 original plays through its H.264 copy
    assert clip.sha256 in html and "Chain of custody" in html and 'class="thumbs"' in html
    assert client.get(reverse("footage:thumbnail", args=[clip.pk, 3]))["Content-Type"] == "image/jpeg"


@pytest.mark.django_db
def test_a_staff_upload_is_stored_as_received_and_a_file_of_another_type_is_refused(client, users, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from footage.models import FootageClip

    client.force_login(users["video_technician"])
    path = tmp_path / "door.mp4"
    write_passing_plates(path, ("ABC1234",))
    body = path.read_bytes()
    answer = client.post(reverse("footage:upload"), {"file": SimpleUploadedFile("door.mp4", body), "note": "USB stick"})
    made = FootageClip.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("footage:clip", args=[made.pk])
    assert open(made.file.path, "rb").read() == body and made.duration_seconds and made.width == 854
    assert made.custody.get().action == CustodyAction.RECEIVED

    refused = client.post(reverse("footage:upload"), {"file": SimpleUploadedFile("notes.exe", b"MZ")}, follow=True)
    assert "not a video file" in refused.content.decode()
    assert FootageClip.objects.count() == 1


@pytest.mark.django_db
def test_a_bookmark_is_added_at_the_players_time_and_an_export_without_reason_is_refused(client, users, clip):
    client.force_login(users["video_technician"])
    client.post(reverse("footage:bookmark-add", args=[clip.pk]), {"at_seconds": "2.5", "note": "Car enters"})
    assert list(clip.bookmarks.values_list("at_seconds", "note")) == [(2.5, "Car enters")]

    refused = client.post(reverse("footage:export", args=[clip.pk]), {"reason": ""}, follow=True)
    assert "reason" in refused.content.decode() and not clip.exports.exists()
    client.post(reverse("footage:export", args=[clip.pk]), {"reason": "Case 26-555"})
    made = clip.exports.get()
    download = client.get(reverse("footage:export-download", args=[made.pk]))
    assert download["Content-Type"] == "application/zip"
    assert AuditRecord.objects.filter(action="footage.export", reason="Case 26-555").exists()
    assert AuditRecord.objects.filter(action="footage.export.download").exists()


@pytest.mark.django_db
def test_plate_results_are_audited_when_shown(client, users, clip):
    jobs.job_run(services.job_create(clip=clip, kind=AnalysisKind.PLATES, actor=users["video_technician"]).pk)
    client.force_login(users["video_technician"])
    html = client.get(reverse("footage:clip", args=[clip.pk])).content.decode()
    assert "GKW5830" in html and "KXR4725" in html
    record = AuditRecord.objects.get(action="footage.plates.view")
    assert record.actor == users["video_technician"] and sorted(record.details["plates"]) == ["GKW5830", "KXR4725"]


@pytest.mark.django_db
def test_the_navigation_offers_the_footage_library_to_technicians_only(client, users):
    client.force_login(users["video_technician"])
    assert reverse("footage:library") in client.get(reverse("dashboard")).content.decode()
    client.force_login(users["analyst"])
    assert reverse("footage:library") not in client.get(reverse("dashboard")).content.decode()


def test_a_range_header_with_a_number_too_long_to_parse_is_answered_not_a_server_error(client, users, tmp_path):
    path = tmp_path / "door.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4)
    stored_clip = store_clip(path, name="door.mp4", clip_source=ClipSource.MANUAL_UPLOAD, actor=users["supervisor"])
    client.force_login(users["video_technician"])
    url = reverse("footage:video", args=[stored_clip.pk])
    size = stored_clip.file.size
    huge = "9" * 5000  # past Python's int() digit limit

    beyond = client.get(url, HTTP_RANGE=f"bytes={huge}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"
    to_the_end = client.get(url, HTTP_RANGE=f"bytes=10-{huge}")
    assert to_the_end.status_code == 206 and to_the_end["Content-Range"] == f"bytes 10-{size - 1}/{size}"
    whole_tail = client.get(url, HTTP_RANGE=f"bytes=-{huge}")
    assert whole_tail.status_code == 206 and whole_tail["Content-Range"] == f"bytes 0-{size - 1}/{size}"
