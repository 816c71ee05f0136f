"""Role groups hold exactly the model permissions `rtcc.roles` names, and every name is real."""

import pytest
from django.contrib.auth.models import Group, Permission

from rtcc.roles import GROUP_PERMISSIONS


@pytest.mark.django_db
def test_every_permission_a_role_is_granted_exists():
    existing = {
        f"{app}.{codename}" for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    wanted = {
        f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
        for grants in GROUP_PERMISSIONS.values()
        for label, actions in grants.items()
        for action in actions
    }
    assert wanted - existing == set()


@pytest.mark.django_db
def test_each_role_group_holds_exactly_its_permissions_after_migrate():
    for role, grants in GROUP_PERMISSIONS.items():
        held = {
            f"{app}.{codename}"
            for app, codename in Group.objects.get(name=role).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        wanted = {
            f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
            for label, actions in grants.items()
            for action in actions
        }
        assert held == wanted, role
