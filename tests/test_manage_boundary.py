"""Finding 1 of the trust review: nobody but a superuser becomes a superuser, staff or admin-level user.

Before the fix a supervisor holding `change_user` and a staff flag posted `is_superuser=on` to the Django
admin's user page and got it. Now Django admin answers superusers alone, its user page never offers the
privilege fields to anyone else, and the app's manage pages have no such field and re-check every grant.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from rtcc.admin import PRIVILEGE_FIELDS, UserAdmin
from rtcc.models import AuditRecord, User
from rtcc.roles import Role, assignable_roles, may_manage_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_supervisor(make_user):
    """A supervisor who was also given the staff flag (admin access), as in the review."""
    user = make_user("supervisor", username="sam")
    user.is_staff = True
    user.save()
    return user


def admin_change_post(user, **extra):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [str(g.pk) for g in Group.objects.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "agency": "",
        "phone": "",
    }
    data.update(extra)
    return data


def test_a_staff_supervisor_cannot_make_themselves_superuser_in_django_admin(client, staff_supervisor):
    client.force_login(staff_supervisor)
    url = reverse("admin:rtcc_user_change", args=[staff_supervisor.pk])
    response = client.post(url, admin_change_post(staff_supervisor))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    staff_supervisor.refresh_from_db()
    assert not staff_supervisor.is_superuser
    assert set(staff_supervisor.groups.values_list("name", flat=True)) == {"supervisor"}


def test_a_staff_supervisor_cannot_open_the_admin_password_form(client, staff_supervisor, users):
    client.force_login(staff_supervisor)
    for target in (staff_supervisor, users["analyst"], users["admin"]):
        url = reverse("admin:auth_user_password_change", args=[target.pk])
        assert client.get(url).status_code == 302
        response = client.post(url, {"password1": "x-new-Password-77", "password2": "x-new-Password-77"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    users["analyst"].refresh_from_db()
    assert users["analyst"].check_password("correct-horse-battery-9")


@pytest.mark.parametrize("role", ["supervisor", "analyst", "video_technician", None])
def test_no_one_but_a_superuser_gets_django_admin_even_with_the_staff_flag(client, make_user, role):
    user = make_user(role)
    user.is_staff = True
    user.save()
    client.force_login(user)
    for name in ("admin:index", "admin:rtcc_user_changelist", "admin:plates_hotlist_changelist"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login")), name


def test_a_superuser_still_has_django_admin(client, users):
    client.force_login(users["admin"])
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:rtcc_user_change", args=[users["analyst"].pk])).status_code == 200


def test_the_user_admin_keeps_privilege_fields_read_only_for_anyone_but_a_superuser(rf, users, staff_supervisor):
    from django.contrib import admin

    model_admin = UserAdmin(User, admin.site)
    request = rf.get("/")
    request.user = staff_supervisor
    assert set(PRIVILEGE_FIELDS) <= set(model_admin.get_readonly_fields(request, users["analyst"]))
    assert not model_admin.has_change_permission(request, users["analyst"])
    request.user = users["admin"]
    assert not set(PRIVILEGE_FIELDS) & set(model_admin.get_readonly_fields(request, users["analyst"]))


def test_supervisors_no_longer_hold_the_change_user_permission():
    held = set(Group.objects.get(name="supervisor").permissions.values_list("codename", flat=True))
    assert "change_user" not in held and "add_user" not in held
    assert Permission.objects.filter(codename="change_user").exists()


def account_post(user, **extra):
    data = {
        "first_name": user.first_name or "Pat",
        "last_name": user.last_name,
        "email": user.email or "pat@example.org",
        "phone": "",
        "agency": "",
        "roles": ["analyst"],
    }
    data.update(extra)
    return data


def test_the_manage_page_ignores_superuser_staff_and_group_fields(client, users):
    client.force_login(users["supervisor"])
    analyst = users["analyst"]
    admins = Group.objects.create(name="admins-by-hand")
    response = client.post(
        reverse("manage:user", args=[analyst.pk]),
        account_post(analyst, is_superuser="on", is_staff="on", groups=[admins.pk], user_permissions=[1]),
    )
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert not analyst.is_superuser and not analyst.is_staff
    assert set(analyst.groups.values_list("name", flat=True)) == {"analyst"}
    assert not analyst.user_permissions.exists()


def test_a_supervisor_cannot_grant_supervisor_in_the_app(client, users):
    client.force_login(users["supervisor"])
    analyst = users["analyst"]
    response = client.post(reverse("manage:user", args=[analyst.pk]), account_post(analyst, roles=["supervisor"]))
    assert response.status_code == 400 and "roles" in response.context["form"].errors
    created = client.post(
        reverse("manage:user-new"),
        {**account_post(analyst, roles=["supervisor"]), "username": "newboss", "is_superuser": "on"},
    )
    assert created.status_code == 400 and not User.objects.filter(username="newboss").exists()
    assert set(analyst.groups.values_list("name", flat=True)) == {"analyst"}


def test_a_supervisor_cannot_touch_an_admin_another_supervisor_or_their_own_account(client, users, make_user):
    me = users["supervisor"]
    other = make_user("supervisor", username="other-supervisor")
    client.force_login(me)
    for target in (users["admin"], other, me):
        edit = client.post(reverse("manage:user", args=[target.pk]), account_post(target, roles=["analyst"]))
        disable = client.post(reverse("manage:user-active", args=[target.pk]), {"active": "0"})
        reset = client.post(reverse("manage:user-reset", args=[target.pk]))
        assert (edit.status_code, disable.status_code, reset.status_code) == (403, 403, 403), target.username
        target.refresh_from_db()
        assert target.is_active
    assert set(other.groups.values_list("name", flat=True)) == {"supervisor"}
    assert users["admin"].is_superuser
    assert not AuditRecord.objects.filter(action__startswith="user.").exists()


def test_the_rules_in_roles(users, make_user):
    supervisor, admin = users["supervisor"], users["admin"]
    assert Role.SUPERVISOR not in assignable_roles(supervisor)
    assert Role.SUPERVISOR in assignable_roles(admin)
    assert assignable_roles(users["analyst"]) == ()
    assert may_manage_user(supervisor, users["analyst"]) and may_manage_user(supervisor, users["responder"])
    assert not may_manage_user(supervisor, supervisor)
    assert not may_manage_user(supervisor, admin)
    assert not may_manage_user(users["analyst"], users["video_technician"])
    disabled_supervisor = make_user("supervisor")
    disabled_supervisor.is_active = False
    disabled_supervisor.save()
    assert not may_manage_user(supervisor, disabled_supervisor)
    staff = make_user("analyst")
    staff.is_staff = True
    staff.save()
    assert not may_manage_user(supervisor, staff)
    assert may_manage_user(admin, disabled_supervisor)


def test_the_services_refuse_what_the_forms_would_not_offer(users):
    from django.core.exceptions import PermissionDenied

    from rtcc.manage import services

    with pytest.raises(PermissionDenied):
        services.account_save(actor=users["supervisor"], user=User(username="x"), fields={}, roles=["supervisor"])
    with pytest.raises(PermissionDenied):
        services.account_save(actor=users["analyst"], user=User(username="y"), fields={}, roles=[])
    with pytest.raises(PermissionDenied):
        services.account_set_active(actor=users["supervisor"], user=users["admin"], active=False)
    assert not User.objects.filter(username__in=["x", "y"]).exists()
