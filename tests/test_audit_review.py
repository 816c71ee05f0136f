"""Supervisors' audit review: filter by person, date and reason, and count plate searches per person."""

from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from rtcc import audit
from rtcc.models import AuditRecord


def record_at(when, **kwargs):
    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit.record(**kwargs)


@pytest.fixture
def history(users):
    day = timezone.make_aware(datetime(2026, 11, 20, 10, 0))
    analyst, supervisor = users["analyst"], users["supervisor"]
    record_at(day, actor=analyst, action="plates.search", reason="[26-0412] stolen truck")
    record_at(day + timedelta(hours=1), actor=analyst, action="plates.search", reason="[26-0413] hit and run")
    record_at(day + timedelta(days=2), actor=analyst, action="plates.export", reason="[26-0412] stolen truck")
    record_at(day + timedelta(days=3), actor=supervisor, action="plates.search", reason="[26-0500] AMBER alert")
    record_at(day + timedelta(days=3), actor=supervisor, action="registry.owner_viewed", reason="canvass")
    return users


def rows(response):
    return [(r.actor_username, r.action, r.reason) for r in response.context["page"].object_list]


@pytest.mark.django_db
def test_a_supervisor_filters_the_audit_log_by_person(client, history):
    client.force_login(history["supervisor"])
    response = client.get(reverse("audit"), {"user": history["analyst"].username})
    assert {who for who, _, _ in rows(response)} == {history["analyst"].username}
    assert len(rows(response)) == 3


@pytest.mark.django_db
def test_a_supervisor_filters_the_audit_log_by_date_inclusive(client, history):
    client.force_login(history["supervisor"])
    response = client.get(reverse("audit"), {"since": "2026-11-20", "until": "2026-11-22"})
    assert sorted(action for _, action, _ in rows(response)) == ["plates.export", "plates.search", "plates.search"]
    response = client.get(reverse("audit"), {"since": "2026-11-23", "until": "2026-11-22"})
    assert response.context["form"].errors["until"]


@pytest.mark.django_db
def test_a_supervisor_filters_the_audit_log_by_stated_reason(client, history):
    client.force_login(history["supervisor"])
    response = client.get(reverse("audit"), {"reason": "26-0412"})
    assert len(rows(response)) == 2 and all("26-0412" in reason for _, _, reason in rows(response))


@pytest.mark.django_db
def test_the_review_counts_searches_and_exports_per_person_within_the_filters(client, history):
    client.force_login(history["supervisor"])
    per_user = client.get(reverse("audit")).context["per_user"]
    counts = {row["actor_username"]: (row["searches"], row["exports"]) for row in per_user}
    assert counts == {history["analyst"].username: (2, 1), history["supervisor"].username: (1, 0)}
    per_user = client.get(reverse("audit"), {"since": "2026-11-22"}).context["per_user"]
    counts = {row["actor_username"]: (row["searches"], row["exports"]) for row in per_user}
    assert counts == {history["analyst"].username: (0, 1), history["supervisor"].username: (1, 0)}


@pytest.mark.django_db
def test_only_supervisors_open_the_audit_review(client, history):
    for role in ("analyst", "video_technician", "responder"):
        client.force_login(history[role])
        assert client.get(reverse("audit")).status_code == 403
    assert AuditRecord.objects.count() >= 5
