"""Plate-read search: a stated reason or no search, every search and export audited, partial and wildcard plates."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from plates.models import PlateRead
from plates.selectors import plate_reads_search
from rtcc.models import AuditRecord
from tests.factories import camera

REASON = "Case 26-0412: stolen pickup, armed robbery"


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
    response = client.post(reverse("plates:search"), {"plate": "ABC", "reason": REASON}, REMOTE_ADDR="10.9.8.7")
    html = response.content.decode()
    assert "ABC1234" in html and "XABC999" in html and "ZZZ0000" not in html
    record = AuditRecord.objects.get(action="plates.search")
    assert record.actor == users["analyst"] and record.reason == REASON
    assert record.details["plate"] == "ABC" and record.details["results"] == 2
    assert record.client_address == "10.9.8.7"


@pytest.mark.django_db
def test_an_export_is_a_csv_and_is_audited(client, users, reads):
    client.force_login(users["supervisor"])
    response = client.post(reverse("plates:export"), {"plate": "JT?55*", "reason": REASON})
    assert response["Content-Type"] == "text/csv"
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("read_at,plate,camera") and len(lines) == 3
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
    response = client.post(reverse("plates:search"), {"plate": plate, "reason": REASON})
    assert response.context["reads"] is None
    assert response.context["form"].errors["plate"]


@pytest.mark.django_db
def test_responders_and_technicians_cannot_search_or_see_crops(client, users, reads):
    read = PlateRead.objects.first()
    for role in ("responder", "video_technician"):
        client.force_login(users[role])
        assert client.post(reverse("plates:search"), {"plate": "ABC", "reason": REASON}).status_code == 403
        assert client.get(reverse("plates:crop", args=[read.pk])).status_code == 403
