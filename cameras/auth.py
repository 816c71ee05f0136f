"""API authentication for external devices (plate cameras) by per-device token."""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import DeviceToken

TOUCH_EVERY_SECONDS = 60


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Device <key>`. The request's `auth` is the DeviceToken; there is no user."""

    keyword = "Device"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Device <key>'.")
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Device key must be ASCII.") from None
        token = DeviceToken.objects.for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked device key.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= TOUCH_EVERY_SECONDS:
            # A busy device posts many times a second: note its use once a minute, not on every request.
            DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return AnonymousUser(), token

    def authenticate_header(self, request):
        return self.keyword
