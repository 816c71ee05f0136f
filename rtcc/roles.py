"""The one place that knows what each role may do.

Roles are Django groups (created by a migration from `GROUP_PERMISSIONS`).
Pages, API views and websockets ask `can(user, capability)`; nothing else in
the code base compares group names.
"""

from django.db import models


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    TECHNICIAN = "video_technician", "Video technician"
    RESPONDER = "responder", "Responder"
    SUPERVISOR = "supervisor", "Supervisor"


class Capability(models.TextChoices):
    VIEW_DASHBOARD = "view_dashboard", "Watch the operations dashboard"
    VIEW_CAMERAS = "view_cameras", "See cameras, their health and pictures"
    VIEW_PLATES = "view_plates", "See plate reads, hotlists and hits"
    VIEW_INCIDENTS = "view_incidents", "See and manage all incidents"
    VIEW_REGISTRY = "view_registry", "See registered private cameras"
    VIEW_REGISTRY_OWNERS = "view_registry_owners", "See registry owners' contact data"
    REVIEW_REGISTRATIONS = "review_registrations", "Approve or reject citizen camera registrations"
    REVIEW_FOOTAGE = "review_footage", "Review and export footage"
    RESPOND = "respond", "Receive incidents dispatched to one's agency"
    VIEW_AUDIT = "view_audit", "Review the audit log"
    BROADCAST_NOTICE = "broadcast_notice", "Send a notice to every operator's screen"
    MANAGE_USERS = "manage_users", "Create and disable accounts, assign working roles, send password resets"
    MANAGE_HOTLISTS = "manage_hotlists", "Create, edit and deactivate hotlists and their entries"
    MANAGE_AGENCIES = "manage_agencies", "Edit agencies: acknowledgement timeouts, webhooks, contact e-mail"
    MANAGE_KEYS = "manage_keys", "Issue and revoke intake-source and plate-camera keys"


_ALL_STAFF = {Role.ANALYST, Role.TECHNICIAN, Role.SUPERVISOR}

CAPABILITIES: dict[str, set[str]] = {
    Capability.VIEW_DASHBOARD: _ALL_STAFF,
    Capability.VIEW_CAMERAS: _ALL_STAFF,
    Capability.VIEW_PLATES: {Role.ANALYST, Role.SUPERVISOR},
    Capability.VIEW_INCIDENTS: {Role.ANALYST, Role.SUPERVISOR},
    Capability.VIEW_REGISTRY: {Role.ANALYST, Role.TECHNICIAN, Role.SUPERVISOR},
    Capability.VIEW_REGISTRY_OWNERS: {Role.ANALYST, Role.SUPERVISOR},
    Capability.REVIEW_REGISTRATIONS: {Role.ANALYST, Role.SUPERVISOR},
    Capability.REVIEW_FOOTAGE: {Role.TECHNICIAN, Role.SUPERVISOR},
    Capability.RESPOND: {Role.RESPONDER},
    Capability.VIEW_AUDIT: {Role.SUPERVISOR},
    Capability.BROADCAST_NOTICE: {Role.SUPERVISOR},
    Capability.MANAGE_USERS: {Role.SUPERVISOR},
    Capability.MANAGE_HOTLISTS: {Role.SUPERVISOR},
    Capability.MANAGE_AGENCIES: {Role.SUPERVISOR},
    Capability.MANAGE_KEYS: {Role.SUPERVISOR},
}

# The roles a supervisor hands out in the app (`/manage/`). Making a supervisor, and every
# superuser, staff, group or permission flag, is an admin's: a role never grants one above itself.
WORKING_ROLES = (Role.ANALYST, Role.TECHNICIAN, Role.RESPONDER)


def assignable_roles(user) -> tuple[str, ...]:
    """The roles `user` may give or take away in the app."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return (*WORKING_ROLES, Role.SUPERVISOR)
    if can(user, Capability.MANAGE_USERS):
        return WORKING_ROLES
    return ()


def may_manage_user(actor, target) -> bool:
    """Whether `actor` may change `target`'s account in the app.

    Admins (superusers, and anyone flagged staff) are changed only in Django admin. A supervisor
    manages the working roles only: never another supervisor, and never their own account.
    """
    if not can(actor, Capability.MANAGE_USERS) or target.is_superuser or target.is_staff:
        return False
    if actor.is_superuser:
        return True
    return target.pk != actor.pk and Role.SUPERVISOR not in roles_of_any(target)


def roles_of_any(user) -> set[str]:
    """The role names a user holds, active or not (`roles_of` answers nothing for a disabled account)."""
    names = set(user.groups.values_list("name", flat=True))
    return {role for role in Role.values if role in names}


# Model permissions each role's group holds, for any code that asks `user.has_perm`.
# Django admin is for superusers alone (`rtcc.admin`); supervisors manage users,
# hotlists, agencies and keys in the app, where `may_manage_user` bounds them.
_VIEW = ("view",)
_VIEW_ADD_CHANGE = ("view", "add", "change")
_ALL = ("view", "add", "change", "delete")

GROUP_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.ANALYST: {
        "cameras.camera": _VIEW,
        "cameras.camerastatusevent": _VIEW,
        "plates.plateread": _VIEW,
        "plates.hotlist": _VIEW,
        "plates.hotlistentry": _VIEW,
        "plates.hit": _VIEW_ADD_CHANGE,
        "incidents.agency": _VIEW,
        "incidents.incidenttype": _VIEW,
        "incidents.incident": _VIEW_ADD_CHANGE,
        "incidents.timelineevent": ("view", "add"),
        "incidents.dispatch": ("view", "add"),
        "incidents.acknowledgement": _VIEW,
        "registry.registeredsite": _VIEW,
        "registry.registeredcamera": _VIEW,
        "registry.footagerequest": _VIEW_ADD_CHANGE,
    },
    Role.TECHNICIAN: {
        "cameras.camera": _VIEW,
        "cameras.camerastatusevent": _VIEW,
        "registry.registeredcamera": _VIEW,
        "registry.footagerequest": _VIEW,
        "incidents.incident": _VIEW,
        "footage.footageclip": _VIEW_ADD_CHANGE,
        "footage.custodyentry": ("view", "add"),
        "footage.analysisjob": _VIEW,
        "footage.evidenceexport": _VIEW,
    },
    Role.RESPONDER: {
        "incidents.acknowledgement": ("view", "add"),
    },
    Role.SUPERVISOR: {
        "rtcc.user": _VIEW,
        "auth.group": _VIEW,
        "rtcc.auditrecord": _VIEW,
        "rtcc.event": _VIEW,
        "cameras.camera": _ALL,
        "cameras.camerastatusevent": _VIEW,
        "cameras.devicetoken": _ALL,
        "footage.footageclip": _VIEW_ADD_CHANGE,
        "footage.custodyentry": _VIEW,
        "footage.analysisjob": _VIEW,
        "footage.evidenceexport": _VIEW,
        "plates.plateread": _VIEW,
        "plates.hotlist": _ALL,
        "plates.hotlistentry": _ALL,
        "plates.hit": _VIEW_ADD_CHANGE,
        "incidents.agency": _ALL,
        "incidents.incidenttype": _ALL,
        "incidents.incident": _VIEW_ADD_CHANGE,
        "incidents.timelineevent": ("view", "add"),
        "incidents.dispatch": _VIEW_ADD_CHANGE,
        "incidents.acknowledgement": _VIEW,
        "incidents.intakesource": _ALL,
        "incidents.delivery": ("view", "change"),
        "registry.registeredsite": _VIEW_ADD_CHANGE,
        "registry.registeredcamera": _VIEW_ADD_CHANGE,
        "registry.consent": _VIEW,
        "registry.footagerequest": _VIEW_ADD_CHANGE,
    },
}


def roles_of(user) -> set[str]:
    """The role names a user holds (superusers hold every role's rights via `can`)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_rtcc_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = {role for role in Role.values if role in names}
        user._rtcc_roles = cached
    return cached


def can(user, capability: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        # Admins may do everything, but responder pages are for a person tied to an agency.
        return capability != Capability.RESPOND or user.agency_id is not None
    if capability == Capability.RESPOND and user.agency_id is None:
        return False
    return bool(roles_of(user) & CAPABILITIES[capability])


def holders_of(capability: str) -> models.Q:
    """A filter on users: the active accounts `can` lets do `capability` (responders also need an agency)."""
    q = models.Q(is_superuser=True) | models.Q(groups__name__in=[str(r) for r in CAPABILITIES[capability]])
    if capability == Capability.RESPOND:
        q &= models.Q(agency__isnull=False)
    return models.Q(is_active=True) & q


def capabilities_of(user) -> set[str]:
    return {cap for cap in Capability.values if can(user, cap)}


def realtime_groups(user) -> set[str]:
    """The channel groups a user's dashboard websocket may join.

    `staff.<role>` groups carry what that role's screens show; `agency.<id>`
    carries what is dispatched to one agency; `user.<id>` what is for one
    analyst alone. A supervisor sees what analysts and technicians see.
    """
    groups = set()
    if can(user, Capability.VIEW_PLATES) or can(user, Capability.VIEW_INCIDENTS):
        groups.add(staff_group(Role.ANALYST))
        groups.add(user_group(user.pk))  # alerts meant for this person alone (their own hotlists)
    if can(user, Capability.VIEW_AUDIT):
        groups.add(staff_group(Role.SUPERVISOR))
    if can(user, Capability.REVIEW_FOOTAGE):
        groups.add(staff_group(Role.TECHNICIAN))
        groups.add(user_group(user.pk))  # progress of the footage jobs this person started
    if can(user, Capability.VIEW_DASHBOARD):
        groups.add(STAFF_ALL)
    if can(user, Capability.RESPOND):
        groups.add(agency_group(user.agency_id))
    return groups


STAFF_ALL = "staff.all"


def staff_group(role: str) -> str:
    return f"staff.{role}"


def user_group(user_id: int) -> str:
    return f"user.{int(user_id)}"


def agency_group(agency_id: int) -> str:
    return f"agency.{int(agency_id)}"


def sync_groups(group_model, permission_model, strict=True):
    """Create the role groups and give each exactly its permissions.

    `strict=False` skips permissions not created yet (post_migrate runs app by app).
    """
    existing = {
        (app_label, codename): pk
        for pk, app_label, codename in permission_model.objects.values_list("pk", "content_type__app_label", "codename")
    }
    for role, grants in GROUP_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=str(role))
        wanted = []
        for label, actions in grants.items():
            app_label, model = label.split(".")
            for action in actions:
                pk = existing.get((app_label, f"{action}_{model}"))
                if pk is None:
                    if strict:
                        raise LookupError(f"permission {app_label}.{action}_{model} does not exist")
                    continue
                wanted.append(pk)
        group.permissions.set(wanted)
