"""What a supervisor changes in the app: each function re-checks `rtcc.roles` and writes one audit record.

The views only collect the input; a caller that skipped a form still cannot grant a role above its own,
touch an admin or another supervisor, or see a covert hotlist it may not see.
"""

import secrets
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import models, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cameras.models import DeviceToken
from incidents.models import IntakeSource
from plates.models import Hotlist

from .. import audit
from ..models import User
from ..roles import Capability, assignable_roles, can, may_manage_user, roles_of_any


def _shown(value):
    """A field's value as the audit log keeps it."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _apply(instance, fields: dict) -> dict:
    """Set `fields` on `instance`; return {name: [old, new]} for those that changed."""
    changes = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = [_shown(old), _shown(value)]
            setattr(instance, name, value)
    return changes


def _require(actor, capability):
    if not can(actor, capability):
        raise PermissionDenied(f"Your role does not allow this ({capability}).")


# Accounts

# The only account fields the app writes: never a password, superuser, staff, group or permission flag.
ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "phone", "agency")


def account_save(*, actor, user: User, fields: dict, roles, request=None) -> User:
    """Create (`user.pk` None) or change an account and its working roles, within what `actor` may grant."""
    _require(actor, Capability.MANAGE_USERS)
    creating = user.pk is None
    if not creating:
        user = User.objects.get(pk=user.pk)  # the stored row, whatever the caller's copy says
        if not may_manage_user(actor, user):
            raise PermissionDenied("Admins, supervisors and your own account are changed by an admin.")
    allowed = set(assignable_roles(actor))
    wanted = set(roles)
    if wanted - allowed:
        raise PermissionDenied(f"You may not grant: {', '.join(sorted(wanted - allowed))}.")
    editable = ACCOUNT_FIELDS if creating else ACCOUNT_FIELDS[1:]  # a user name, once given, stays
    fields = {k: v for k, v in fields.items() if k in editable}
    with transaction.atomic():
        changes = _apply(user, fields)
        if creating:
            user.is_superuser = user.is_staff = False
            user.set_unusable_password()
        user.save()
        held = roles_of_any(user) & allowed
        added, removed = sorted(wanted - held), sorted(held - wanted)
        user.groups.remove(*Group.objects.filter(name__in=removed))
        user.groups.add(*Group.objects.filter(name__in=added))
        user.__dict__.pop("_rtcc_roles", None)
        details = {"changed": changes, "roles": {"added": added, "removed": removed}}
        audit.record(
            actor=actor, action="user.create" if creating else "user.update", obj=user, request=request, details=details
        )
    return user


def account_set_active(*, actor, user: User, active: bool, request=None) -> User:
    """Disable (sign-in refused, open sessions end) or enable an account."""
    _require(actor, Capability.MANAGE_USERS)
    if not may_manage_user(actor, user):
        raise PermissionDenied("Admins, supervisors and your own account are changed by an admin.")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(actor=actor, action="user.enable" if active else "user.disable", obj=user, request=request)
    return user


def password_reset_send(*, actor, user: User, request) -> None:
    """E-mail the person a one-time link to choose a password (Django's reset tokens; valid for
    PASSWORD_RESET_TIMEOUT seconds, spent once the password changes)."""
    _require(actor, Capability.MANAGE_USERS)
    if not may_manage_user(actor, user):
        raise PermissionDenied("Admins, supervisors and your own account are changed by an admin.")
    if not user.email:
        raise ValueError("This account has no e-mail address: add one first.")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = request.build_absolute_uri(
        reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    )
    context = {
        "user": user,
        "link": link,
        "city_name": settings.RTCC_CITY_NAME,
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    body = render_to_string("manage/email/password_reset.txt", context)
    send_mail(f"{settings.RTCC_CITY_NAME} RTCC: set your password", body, None, [user.email])
    audit.record(actor=actor, action="user.password_reset_sent", obj=user, request=request, details={"to": user.email})


def password_set_by_link(*, user: User, request=None) -> None:
    audit.record(actor=user, action="user.password_set", obj=user, request=request, details={"by": "e-mailed link"})


# Hotlists


def visible_hotlist(actor, pk) -> Hotlist:
    """A hotlist the actor may manage; an owner-only list of someone else's is as good as missing."""
    _require(actor, Capability.MANAGE_HOTLISTS)
    hotlist = Hotlist.objects.visible_to(actor).filter(pk=pk).first()
    if hotlist is None:
        raise Http404("No such hotlist.")
    return hotlist


def hotlist_save(*, actor, hotlist: Hotlist, fields: dict, request=None) -> Hotlist:
    _require(actor, Capability.MANAGE_HOTLISTS)
    creating = hotlist.pk is None
    if not creating:
        hotlist = visible_hotlist(actor, hotlist.pk)
    with transaction.atomic():
        changes = _apply(hotlist, fields)
        hotlist.save()  # also rebuilds every process's match index (plates.apps)
        action = "hotlist.create" if creating else "hotlist.update"
        if changes.get("active") == [True, False]:
            action = "hotlist.deactivate"
        audit.record(actor=actor, action=action, obj=hotlist, request=request, details={"changed": changes})
    return hotlist


def hotlist_entry_add(*, actor, hotlist: Hotlist, fields: dict, request=None):
    hotlist = visible_hotlist(actor, hotlist.pk)
    with transaction.atomic():
        entry = hotlist.entries.create(**fields)
        audit.record(
            actor=actor,
            action="hotlist.entry_add",
            obj=hotlist,
            request=request,
            details={"entry": entry.pk, **{k: _shown(v) for k, v in fields.items()}},
        )
    return entry


def hotlist_entry_remove(*, actor, hotlist: Hotlist, entry_id: int, request=None) -> None:
    hotlist = visible_hotlist(actor, hotlist.pk)
    entry = hotlist.entries.filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No such entry on this list.")
    with transaction.atomic():
        details = {"entry": entry.pk, "plate": entry.plate, "region": entry.region, "reason": entry.reason}
        entry.delete()
        audit.record(actor=actor, action="hotlist.entry_remove", obj=hotlist, request=request, details=details)


# Agencies


def agency_save(*, actor, agency, fields: dict, new_secret: bool = False, request=None):
    """Create or change an agency; returns (agency, signing secret or None). The secret is shown once."""
    _require(actor, Capability.MANAGE_AGENCIES)
    creating = agency.pk is None
    secret = None
    with transaction.atomic():
        changes = _apply(agency, fields)
        if new_secret or (agency.webhook_url and not agency.webhook_secret):
            secret = agency.webhook_secret = secrets.token_urlsafe(32)
            changes["webhook_secret"] = "new secret issued"  # never the secret itself
        agency.save()
        audit.record(
            actor=actor,
            action="agency.create" if creating else "agency.update",
            obj=agency,
            request=request,
            details={"changed": changes},
        )
    return agency, secret


# Keys for other systems: shown once, stored as a hash (rtcc.keys)


def intake_source_issue(*, actor, fields: dict, request=None):
    """A new intake source and its key; returns (source, key)."""
    _require(actor, Capability.MANAGE_KEYS)
    with transaction.atomic():
        source, key = IntakeSource.issue(**fields)
        details = {"kind": source.kind, "key_prefix": source.key_prefix}
        audit.record(actor=actor, action="intake_source.issue", obj=source, request=request, details=details)
    return source, key


def intake_source_revoke(*, actor, source: IntakeSource, request=None) -> None:
    _require(actor, Capability.MANAGE_KEYS)
    if source.active:
        source.active = False
        source.save(update_fields=["active"])
        details = {"key_prefix": source.key_prefix}
        audit.record(actor=actor, action="intake_source.revoke", obj=source, request=request, details=details)


def device_key_issue(*, actor, camera, label: str = "", request=None):
    """A new key for a plate camera; returns (token, key)."""
    _require(actor, Capability.MANAGE_KEYS)
    with transaction.atomic():
        token, key = DeviceToken.issue(camera=camera, label=label)
        details = {"camera": str(camera), "label": label, "key_prefix": token.key_prefix}
        audit.record(actor=actor, action="device_key.issue", obj=token, request=request, details=details)
    return token, key


def device_key_revoke(*, actor, token: DeviceToken, request=None) -> None:
    _require(actor, Capability.MANAGE_KEYS)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        details = {"camera": str(token.camera), "key_prefix": token.key_prefix}
        audit.record(actor=actor, action="device_key.revoke", obj=token, request=request, details=details)
