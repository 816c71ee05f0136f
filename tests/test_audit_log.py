"""The audit log: one helper writes it, and nothing can change or delete a record."""

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from rtcc import audit
from rtcc.models import AuditRecord
from tests.conftest import PASSWORD
from tests.factories import camera


@pytest.fixture
def record(users):
    request = RequestFactory().get("/", REMOTE_ADDR="10.20.30.40")
    return audit.record(
        actor=users["analyst"],
        action="plates.search",
        obj=camera(),
        reason="Case 26-0412: stolen truck",
        request=request,
    )


@pytest.mark.django_db
def test_the_helper_records_who_what_which_object_why_and_from_where(record, users):
    stored = AuditRecord.objects.get(pk=record.pk)
    assert stored.actor == users["analyst"] and stored.actor_username == users["analyst"].username
    assert stored.action == "plates.search"
    assert stored.object_type == "cameras.camera" and stored.object_repr == "Canal & Bourbon"
    assert stored.reason == "Case 26-0412: stolen truck"
    assert stored.client_address == "10.20.30.40"
    assert stored.at is not None


@pytest.mark.django_db
def test_the_client_address_is_the_hop_the_outermost_trusted_proxy_saw(users, settings):
    # The caller wrote 203.0.113.9 itself; our one proxy appended 10.0.0.1, the address it really saw.
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1")
    settings.RTCC_TRUSTED_PROXY_COUNT = 1
    assert audit.record(actor=users["analyst"], action="x.y", request=request).client_address == "10.0.0.1"
    settings.RTCC_TRUSTED_PROXY_COUNT = 2
    assert audit.record(actor=users["analyst"], action="x.y", request=request).client_address == "203.0.113.9"
    settings.RTCC_TRUSTED_PROXY_COUNT = 0  # no proxy: the header is the caller's claim, not believed
    assert audit.record(actor=users["analyst"], action="x.y", request=request).client_address == "127.0.0.1"


@pytest.mark.django_db
def test_a_forwarded_value_that_is_not_an_address_is_never_stored(users, settings):
    settings.RTCC_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert audit.record(actor=users["analyst"], action="x.y", request=request).client_address == "127.0.0.1"


@pytest.mark.django_db
def test_a_record_cannot_be_changed_or_deleted_through_the_model(record):
    record.reason = "edited"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=record.pk).update(reason="edited")
    with pytest.raises(PermissionError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get(pk=record.pk).reason == "Case 26-0412: stolen truck"


@pytest.mark.django_db
def test_a_record_cannot_be_changed_or_deleted_through_admin(record, client, users):
    client.force_login(users["admin"])
    change_url = reverse("admin:rtcc_auditrecord_change", args=[record.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and b'type="submit" value="Save"' not in page.content
    assert client.post(change_url, {"reason": "edited", "action": "edited"}).status_code == 403
    assert client.post(reverse("admin:rtcc_auditrecord_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:rtcc_auditrecord_add")).status_code == 403
    bulk = client.post(
        reverse("admin:rtcc_auditrecord_changelist"),
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert AuditRecord.objects.filter(pk=record.pk, reason="Case 26-0412: stolen truck").exists()


@pytest.mark.django_db
def test_a_supervisor_reads_the_audit_log_page(record, client, users):
    client.force_login(users["supervisor"])
    html = client.get(reverse("audit")).content.decode()
    assert "Case 26-0412: stolen truck" in html and "plates.search" in html


@pytest.mark.django_db
def test_the_database_itself_refuses_updates_and_deletes_on_postgresql(record):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL (DATABASE_URL); SQLite relies on the model")
    for sql in ("UPDATE rtcc_auditrecord SET reason = 'edited'", "DELETE FROM rtcc_auditrecord"):
        with pytest.raises(Exception, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditRecord.objects.get(pk=record.pk).reason == "Case 26-0412: stolen truck"


@pytest.mark.django_db
def test_sign_ins_sign_outs_and_failed_attempts_are_recorded(client, users):
    analyst = users["analyst"]
    client.post(reverse("login"), {"username": analyst.username, "password": "wrong"}, REMOTE_ADDR="198.51.100.7")
    client.post(reverse("login"), {"username": analyst.username, "password": PASSWORD})
    client.post(reverse("logout"))
    actions = list(AuditRecord.objects.order_by("id").values_list("action", "actor_username"))
    assert actions == [
        ("auth.login_failed", ""),
        ("auth.login", analyst.username),
        ("auth.logout", analyst.username),
    ]
    failed = AuditRecord.objects.get(action="auth.login_failed")
    assert failed.details == {"username": analyst.username} and failed.client_address == "198.51.100.7"
