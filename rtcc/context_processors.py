"""Template context every page needs: the navigation the caller's role allows."""

from django.conf import settings
from django.urls import reverse

from .roles import Capability, can, roles_of

NAVIGATION = [
    ("Dashboard", "dashboard", Capability.VIEW_DASHBOARD),
    ("Cameras", "cameras:list", Capability.VIEW_CAMERAS),
    ("Wall", "cameras:wall", Capability.VIEW_CAMERAS),
    ("Plates", "plates:overview", Capability.VIEW_PLATES),
    ("Search", "plates:search", Capability.VIEW_PLATES),
    ("Incidents", "incidents:board", Capability.VIEW_INCIDENTS),
    ("Registry", "registry:sites", Capability.VIEW_REGISTRY),
    ("Registry review", "registry:review", Capability.REVIEW_REGISTRATIONS),
    ("Footage requests", "registry:footage", Capability.REVIEW_FOOTAGE),
    ("Footage library", "footage:library", Capability.REVIEW_FOOTAGE),
    ("My agency", "incidents:respond", Capability.RESPOND),
    ("Audit", "audit", Capability.VIEW_AUDIT),
    ("Transparency", "plates:transparency", Capability.VIEW_AUDIT),
    ("Manage", "manage:index", Capability.MANAGE_USERS),
]


def rtcc(request):
    user = getattr(request, "user", None)
    nav = []
    if user is not None and user.is_authenticated:
        current = request.resolver_match.view_name if request.resolver_match else ""
        nav = [
            {"label": label, "url": reverse(name), "active": current == name}
            for label, name, capability in NAVIGATION
            if can(user, capability)
        ]
    return {
        "nav_items": nav,
        "city_name": settings.RTCC_CITY_NAME,
        "user_roles": sorted(roles_of(user)) if user is not None else [],
    }
