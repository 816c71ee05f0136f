"""API authentication for intake sources (911 CAD, gunshot detection) by per-source key."""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.permissions import BasePermission

from .models import IntakeSource


class IntakeKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Intake <key>`. The request's `auth` is the IntakeSource; there is no user."""

    keyword = "Intake"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Intake <key>'.")
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Intake key must be ASCII.") from None
        source = IntakeSource.objects.for_key(key)
        if source is None:
            raise exceptions.AuthenticationFailed("Unknown or disabled intake key.")
        IntakeSource.objects.filter(pk=source.pk).update(last_used_at=timezone.now())
        return AnonymousUser(), source

    def authenticate_header(self, request):
        return self.keyword


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
