from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_role_groups(sender, using="default", **kwargs):
    """Keep each role group's permissions equal to `rtcc.roles` after every migrate (and test flush)."""
    from django.contrib.auth.models import Group, Permission

    from .roles import sync_groups

    if Permission.objects.using(using).exists():
        sync_groups(Group, Permission, strict=False)


class RtccConfig(AppConfig):
    name = "rtcc"
    verbose_name = "RTCC: users, audit log, realtime"

    def ready(self):
        post_migrate.connect(_sync_role_groups, dispatch_uid="rtcc-sync-role-groups")
