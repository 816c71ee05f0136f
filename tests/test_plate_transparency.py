"""The transparency page and hit review: monthly reads, hits, confirmed hits and searches, drawn and counted."""

import pytest
from django.urls import reverse
from django.utils import timezone

from plates.models import Hit, Hotlist, HotlistEntry
from plates.services import plate_read_record
from plates.transparency import monthly_summary
from rtcc import audit
from rtcc.models import AuditRecord
from tests.factories import camera


@pytest.fixture
def month_of_activity(users):
    cam = camera()
    hotlist = Hotlist.objects.create(name="Stolen", priority=1)
    HotlistEntry.objects.create(hotlist=hotlist, plate="KXR4821", reason="Stolen")
    for plate in ("KXR4821", "KXR4821", "ABC1234"):
        plate_read_record(camera_id=cam.pk, plate=plate, read_at=timezone.now(), confidence=0.9)
    audit.record(actor=users["analyst"], action="plates.search", reason="Case 1")
    audit.record(actor=users["analyst"], action="plates.export", reason="Case 1")
    audit.record(actor=users["supervisor"], action="plates.search", reason="Audit")


@pytest.mark.django_db
def test_an_analyst_confirms_a_hit_and_it_is_audited(client, users, month_of_activity):
    hit = Hit.objects.first()
    client.force_login(users["analyst"])
    client.post(reverse("plates:review-hit", args=[hit.pk]), {"status": "confirmed"})
    hit.refresh_from_db()
    assert hit.status == "confirmed" and hit.reviewed_by == users["analyst"]
    assert AuditRecord.objects.filter(action="plates.hit.confirmed", object_id=str(hit.pk)).exists()
    bad = client.post(reverse("plates:review-hit", args=[hit.pk]), {"status": "deleted"})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_the_monthly_summary_counts_this_months_activity(users, month_of_activity):
    Hit.objects.filter(pk=Hit.objects.first().pk).update(status="confirmed")
    this_month = monthly_summary()[-1]
    assert (this_month["reads"], this_month["hits"], this_month["confirmed"], this_month["searches"]) == (3, 2, 1, 3)
    assert this_month["reads_pct"] == 100.0 and len(monthly_summary()) == 12


@pytest.mark.django_db
def test_the_transparency_page_draws_the_months_and_counts_searches_per_person(client, users, month_of_activity):
    client.force_login(users["supervisor"])
    html = client.get(reverse("plates:transparency")).content.decode()
    assert html.count('class="bar"') == 36
    assert users["analyst"].username in html
    per_user = client.get(reverse("plates:transparency")).context["per_user"]
    assert per_user[0] == {"actor_username": users["analyst"].username, "searches": 2}
