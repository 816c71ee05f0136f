"""API authentication for intake sources (911 CAD, gunshot detection) by per-source key."""

from rest_framework.permissions import BasePermission

from rtcc.keys import KeyAuthentication

from .models import IntakeSource


class IntakeKeyAuthentication(KeyAuthentication):
    """`Authorization: Intake <key>`. The request's `auth` is the IntakeSource; there is no user."""

    keyword = "Intake"
    model = IntakeSource
    refused = "Unknown or disabled intake key."


class IsIntakeSource(BasePermission):
    """Allows a request authenticated with an intake key of the kind the view accepts."""

    message = "An intake key is required (Authorization: Intake <key>)."

    def has_permission(self, request, view):
        source = request.auth
        if not isinstance(source, IntakeSource):
            return False
        if source.kind != view.intake_kind:
            self.message = f"This key belongs to a {source.get_kind_display()} source; post to its own endpoint."
            return False
        return True
