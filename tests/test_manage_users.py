"""The users page: a supervisor lists, creates, disables and enables accounts, gives working roles and
sends an e-mailed link (Django's reset tokens) with which the person chooses their own password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from rtcc.models import AuditRecord, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client, users):
    client.force_login(users["supervisor"])
    return client


def new_account(**extra):
    data = {
        "username": "tina",
        "first_name": "Tina",
        "last_name": "Technician",
        "email": "tina@example.org",
        "phone": "",
        "agency": "",
        "roles": ["video_technician"],
        "send_reset": "on",
    }
    data.update(extra)
    return data


def test_the_list_shows_every_account_with_its_roles_and_who_may_change_it(supervisor_client, users):
    response = supervisor_client.get(reverse("manage:users"))
    assert response.status_code == 200
    rows = {row["user"].username: row for row in response.context["rows"]}
    assert set(rows) == {u.username for u in users.values()}
    assert rows[users["analyst"].username]["manageable"]
    assert not rows[users["admin"].username]["manageable"]
    assert not rows[users["supervisor"].username]["manageable"]
    assert rows[users["responder"].username]["roles"] == ["Responder"]
    html = response.content.decode()
    assert '<th scope="col">Roles</th>' in html and "(changed by an admin)" in html


def test_the_list_filters_by_name_and_role(supervisor_client, users):
    found = supervisor_client.get(reverse("manage:users"), {"q": users["analyst"].username, "role": "analyst"})
    assert [r["user"] for r in found.context["rows"]] == [users["analyst"]]
    responders = supervisor_client.get(reverse("manage:users"), {"role": "responder"}).context["rows"]
    assert {r["user"].username for r in responders} == {users["responder"].username, users["other_responder"].username}


def test_creating_an_account_gives_the_role_and_mails_a_link_that_sets_the_password(supervisor_client, client):
    response = supervisor_client.post(reverse("manage:user-new"), new_account())
    tina = User.objects.get(username="tina")
    assert response.status_code == 302 and response["Location"] == reverse("manage:user", args=[tina.pk])
    assert tina.role_names == ["video_technician"] and not tina.has_usable_password()
    assert not tina.is_staff and not tina.is_superuser
    created = AuditRecord.objects.get(action="user.create", object_id=str(tina.pk))
    assert created.details["roles"] == {"added": ["video_technician"], "removed": []}
    assert created.details["changed"]["email"] == ["", "tina@example.org"]
    assert AuditRecord.objects.filter(action="user.password_reset_sent", object_id=str(tina.pk)).exists()

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tina@example.org"]
    link = re.search(r"http://testserver(/login/password/\S+/)", mail.outbox[0].body).group(1)
    supervisor_client.logout()
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Levee-Breach-1927", "new_password2": "Levee-Breach-1927"})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert client.get(done["Location"]).status_code == 200
    tina.refresh_from_db()
    assert tina.check_password("Levee-Breach-1927")
    assert AuditRecord.objects.filter(action="user.password_set", actor=tina).exists()
    # The link is spent once the password has changed.
    again = client.get(link, follow=True)
    assert not again.context["validlink"]


def test_a_responder_needs_an_agency(supervisor_client, agencies):
    refused = supervisor_client.post(reverse("manage:user-new"), new_account(roles=["responder"]))
    assert refused.status_code == 400 and "agency" in refused.context["form"].errors
    html = refused.content.decode()
    assert 'id="form-errors"' in html and 'href="#id_agency"' in html
    assert not User.objects.filter(username="tina").exists()
    ok = supervisor_client.post(
        reverse("manage:user-new"), new_account(roles=["responder"], agency=agencies["nofd"].pk, send_reset="")
    )
    assert ok.status_code == 302
    assert User.objects.get(username="tina").agency == agencies["nofd"]
    assert mail.outbox == []


def test_changing_roles_is_audited_with_what_changed(supervisor_client, users):
    analyst = users["analyst"]
    response = supervisor_client.post(
        reverse("manage:user", args=[analyst.pk]),
        {"first_name": "Andre", "last_name": "", "email": "andre@example.org", "phone": "", "agency": "",
         "roles": ["analyst", "video_technician"], "username": "renamed"},
    )  # fmt: skip
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert analyst.username != "renamed"  # a user name, once given, stays
    assert analyst.role_names == ["analyst", "video_technician"]
    record = AuditRecord.objects.get(action="user.update", object_id=str(analyst.pk))
    assert record.actor == users["supervisor"]
    assert record.details["roles"] == {"added": ["video_technician"], "removed": []}
    assert record.details["changed"]["first_name"] == ["", "Andre"]


def test_the_edit_page_offers_only_the_working_roles(supervisor_client, users):
    html = supervisor_client.get(reverse("manage:user", args=[users["analyst"].pk])).content.decode()
    assert 'value="analyst"' in html and 'value="responder"' in html
    assert 'value="supervisor"' not in html and "is_superuser" not in html and "is_staff" not in html


def test_an_admin_sees_the_page_of_a_supervisor_but_a_supervisor_gets_it_read_only(client, users, make_user):
    other = make_user("supervisor")
    client.force_login(users["supervisor"])
    page = client.get(reverse("manage:user", args=[other.pk]))
    assert page.status_code == 200 and page.context["form"] is None
    assert "changed by an admin" in page.content.decode()
    client.force_login(users["admin"])
    assert 'value="supervisor"' in client.get(reverse("manage:user", args=[other.pk])).content.decode()


def test_disabling_ends_sign_in_and_enabling_restores_it(supervisor_client, users, client):
    analyst = users["analyst"]
    response = supervisor_client.post(reverse("manage:user-active", args=[analyst.pk]), {"active": "0"})
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert not analyst.is_active
    assert AuditRecord.objects.filter(action="user.disable", object_id=str(analyst.pk)).count() == 1
    from django.test import Client

    other = Client()
    refused = other.post(reverse("login"), {"username": analyst.username, "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in other.session
    supervisor_client.post(reverse("manage:user-active", args=[analyst.pk]), {"active": "1"})
    analyst.refresh_from_db()
    assert analyst.is_active
    assert AuditRecord.objects.filter(action="user.enable", object_id=str(analyst.pk)).count() == 1


def test_a_password_link_needs_an_e_mail_address(supervisor_client, users):
    analyst = users["analyst"]
    response = supervisor_client.post(reverse("manage:user-reset", args=[analyst.pk]), follow=True)
    assert "no e-mail address" in response.content.decode()
    assert mail.outbox == []
    analyst.email = "andre@example.org"
    analyst.save()
    supervisor_client.post(reverse("manage:user-reset", args=[analyst.pk]))
    assert [m.to for m in mail.outbox] == [["andre@example.org"]]
    sent = AuditRecord.objects.get(action="user.password_reset_sent")
    assert sent.details == {"to": "andre@example.org"}


def test_a_mail_server_that_is_down_is_reported_not_a_500(supervisor_client, users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    analyst = users["analyst"]
    analyst.email = "andre@example.org"
    analyst.save()
    response = supervisor_client.post(reverse("manage:user-reset", args=[analyst.pk]), follow=True)
    assert response.status_code == 200 and "could not be sent" in response.content.decode()
    assert not AuditRecord.objects.filter(action="user.password_reset_sent").exists()


@pytest.mark.parametrize("role", ["analyst", "video_technician", "responder", "norole"])
def test_other_roles_cannot_manage_users(client, users, role):
    client.force_login(users[role])
    target = users["analyst"]
    assert client.get(reverse("manage:users")).status_code == 403
    assert client.post(reverse("manage:user-new"), new_account()).status_code == 403
    assert client.post(reverse("manage:user-active", args=[target.pk]), {"active": "0"}).status_code == 403
    assert not User.objects.filter(username="tina").exists()


def test_a_forged_or_stale_password_link_sets_nothing(client, users):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(users["analyst"].pk))
    page = client.get(f"/login/password/{uid}/cz3k1x-0123456789abcdef0123456789abcdef/")
    assert page.status_code == 200 and not page.context["validlink"]
    assert "This link has expired" in page.content.decode()
    client.post(
        f"/login/password/{uid}/set-password/",
        {"new_password1": "Levee-Breach-1927", "new_password2": "Levee-Breach-1927"},
    )
    users["analyst"].refresh_from_db()
    assert users["analyst"].check_password(PASSWORD)
