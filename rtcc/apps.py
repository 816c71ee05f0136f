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
        from django.contrib.auth import signals

        from . import audit

        post_migrate.connect(_sync_role_groups, dispatch_uid="rtcc-sync-role-groups")
        # Sign-ins, sign-outs and failed attempts are security events: they go in the audit log.
        signals.user_logged_in.connect(audit.record_login, dispatch_uid="rtcc-audit-login")
        signals.user_logged_out.connect(audit.record_logout, dispatch_uid="rtcc-audit-logout")
        signals.user_login_failed.connect(audit.record_login_failure, dispatch_uid="rtcc-audit-login-failed")
