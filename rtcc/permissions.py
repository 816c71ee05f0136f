"""DRF permissions that ask `rtcc.roles` (the one place that knows each role's rights)."""

from rest_framework.permissions import BasePermission

from cameras.models import DeviceToken

from .roles import can


class HasRole(BasePermission):
    """Allows a signed-in user holding the view's `required_capability`. Views without one are closed."""

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        capability = getattr(view, "required_capability", None)
        if capability is None:
            return False
        return can(request.user, capability)


class IsDevice(BasePermission):
    """Allows a request authenticated with a device token (`Authorization: Device <key>`)."""

    message = "A device token is required."

    def has_permission(self, request, view):
        return isinstance(request.auth, DeviceToken)
