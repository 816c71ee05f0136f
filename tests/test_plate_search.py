"""Plate-read search: a stated reason or no search, every search and export audited, partial and wildcard plates."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from plates.models import PlateRead
from plates.selectors import Match, plate_reads_search
from rtcc.models import AuditRecord
from tests.factories import camera

REASON = "Stolen pickup seen leaving an armed robbery"
CASE = "26-0412"


@pytest.fixture
def reads(db):
    cam = camera()
    now = timezone.now()
    for n, plate in enumerate(["ABC1234", "XABC999", "JTB5507", "JTA5501", "ZZZ0000"]):
        PlateRead.objects.create(camera=cam, plate=plate, read_at=now - timedelta(minutes=n), confidence=0.9)
    return cam


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ("ABC", {"ABC1234", "XABC999"}),
        ("abc-12", {"ABC1234"}),
        ("JT?550?", {"JTB5507", "JTA5501"}),
        ("JT*7", {"JTB5507"}),
        ("*000*", {"ZZZ0000"}),
    ],
)
def test_partial_and_wildcard_plates_are_found(reads, query, expected):
    assert {r.plate for r in plate_reads_search(query=query)} == expected


@pytest.mark.django_db
def test_a_search_without_a_reason_is_refused_and_not_run(client, users, reads):
    client.force_login(users["analyst"])
    response = client.post(reverse("plates:search"), {"plate": "ABC"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert response.context["reads"] is None
    assert not AuditRecord.objects.filter(action="plates.search").exists()


@pytest.mark.django_db
def test_a_search_with_a_reason_shows_results_and_is_audited(client, users, reads):
    client.force_login(users["analyst"])
    response = client.post(
        reverse("plates:search"), {"plate": "ABC", "reason": REASON, "case_number": CASE}, REMOTE_ADDR="10.9.8.7"
    )
    html = response.content.decode()
    assert "ABC1234" in html and "XABC999" in html and "ZZZ0000" not in html
    record = AuditRecord.objects.get(action="plates.search")
    assert record.actor == users["analyst"] and record.reason == f"[{CASE}] {REASON}"
    assert record.details["case_number"] == CASE
    assert record.details["plate"] == "ABC" and record.details["results"] == 2
    assert record.client_address == "10.9.8.7"


@pytest.mark.django_db
def test_an_export_is_a_csv_and_is_audited(client, users, reads):
    client.force_login(users["supervisor"])
    response = client.post(reverse("plates:export"), {"plate": "JT?55*", "reason": REASON, "case_number": CASE})
    assert response["Content-Type"] == "text/csv"
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("read_at,plate,camera") and len(lines) == 3
    assert all(line.endswith(CASE) for line in lines[1:])
    assert AuditRecord.objects.get(action="plates.export").details["results"] == 2


@pytest.mark.django_db
def test_an_export_without_a_reason_is_refused(client, users, reads):
    client.force_login(users["analyst"])
    response = client.post(reverse("plates:export"), {"plate": "ABC"})
    assert response.status_code == 400
    assert not AuditRecord.objects.filter(action="plates.export").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("plate", ["A", "?*", "<script>", "AB;DROP"])
def test_a_query_that_is_not_a_plate_is_refused_clearly(client, users, reads, plate):
    client.force_login(users["analyst"])
    response = client.post(reverse("plates:search"), {"plate": plate, "reason": REASON, "case_number": CASE})
    assert response.context["reads"] is None
    assert response.context["form"].errors["plate"]


@pytest.mark.django_db
def test_responders_and_technicians_cannot_search_or_see_crops(client, users, reads):
    read = PlateRead.objects.first()
    for role in ("responder", "video_technician"):
        client.force_login(users[role])
        assert (
            client.post(reverse("plates:search"), {"plate": "ABC", "reason": REASON, "case_number": CASE}).status_code
            == 403
        )
        assert client.get(reverse("plates:crop", args=[read.pk])).status_code == 403


@pytest.mark.django_db
def test_a_search_without_a_case_number_is_refused_and_not_run(client, users, reads):
    client.force_login(users["analyst"])
    response = client.post(reverse("plates:search"), {"plate": "ABC", "reason": REASON})
    assert response.context["reads"] is None and response.context["form"].errors["case_number"]
    response = client.post(reverse("plates:search"), {"plate": "ABC", "reason": REASON, "case_number": "<x>"})
    assert response.context["reads"] is None and response.context["form"].errors["case_number"]
    assert not AuditRecord.objects.filter(action="plates.search").exists()


@pytest.mark.django_db
def test_an_exact_search_finds_only_that_plate(reads):
    assert {r.plate for r in plate_reads_search(query="ABC1234", match=Match.EXACT)} == {"ABC1234"}
    assert plate_reads_search(query="ABC123", match=Match.EXACT) == []


@pytest.mark.django_db
def test_a_lookalike_search_finds_plates_read_with_confusable_characters(reads):
    # A witness says "JTB55O7" (letter O); the camera read JTB5507 (digit zero) - and 8 for B.
    assert {r.plate for r in plate_reads_search(query="JT855O7", match=Match.LOOKALIKE)} == {"JTB5507"}
    assert {r.plate for r in plate_reads_search(query="ZZZOOOO", match=Match.LOOKALIKE)} == {"ZZZ0000"}
    assert plate_reads_search(query="JTB5508", match=Match.LOOKALIKE) == []


@pytest.mark.django_db
def test_an_area_search_keeps_reads_from_cameras_inside_the_circle(client, users, reads):
    far = camera(name="Far away LPR", latitude=30.5, longitude=-90.9)
    PlateRead.objects.create(camera=far, plate="ABC7777", read_at=timezone.now(), confidence=0.9)
    client.force_login(users["analyst"])
    form = {"plate": "ABC", "reason": REASON, "case_number": CASE}
    assert {r.plate for r in client.post(reverse("plates:search"), form).context["reads"]} == {
        "ABC1234",
        "XABC999",
        "ABC7777",
    }
    near = dict(form, near_latitude=str(reads.latitude), near_longitude=str(reads.longitude), radius_m="500")
    response = client.post(reverse("plates:search"), near)
    assert {r.plate for r in response.context["reads"]} == {"ABC1234", "XABC999"}
    assert AuditRecord.objects.filter(action="plates.search").first().details["area"]["radius_m"] == 500
    # Results are drawn on the map: one marker per camera with its count.
    assert response.context["markers"] == [
        {
            "id": reads.pk,
            "name": reads.name,
            "lat": float(reads.latitude),
            "lon": float(reads.longitude),
            "kind": reads.kind,
            "colour": "#4ea1ff",
            "count": 2,
            "permanent": True,
            "status": "2 reads",
        }
    ]
    assert 'id="camera-markers"' in response.content.decode()


@pytest.mark.django_db
def test_an_area_needs_all_three_of_latitude_longitude_and_radius(client, users, reads):
    client.force_login(users["analyst"])
    form = {"plate": "ABC", "reason": REASON, "case_number": CASE, "near_latitude": "29.9"}
    response = client.post(reverse("plates:search"), form)
    assert response.context["reads"] is None and response.context["form"].errors["radius_m"]
