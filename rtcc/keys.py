"""Secret keys that other systems call the API with: plate cameras (`Device <key>`), intake sources (`Intake <key>`).

A key is shown once when issued; only its SHA-256 and its first characters (to
tell keys apart in admin) are stored. `KeyHolder` gives a model holding a key
(fields `key_prefix`, `key_hash`, `last_used_at`) its issuing; `KeyQuerySet`
finds the usable holder of a key; `KeyAuthentication` reads the header.
"""

import hashlib
import secrets

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils import timezone
from rest_framework import authentication, exceptions

PREFIX_LENGTH = 8

# A busy device posts many times a second: its use is noted once a minute, not on every request.
TOUCH_EVERY_SECONDS = 60


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyHolder:
    """Mixed into a model with `key_prefix` and `key_hash` fields."""

    def new_key(self) -> str:
        """Set a fresh key (replacing any old one) and return it; only its hash is kept."""
        key = secrets.token_urlsafe(32)
        self.key_prefix, self.key_hash = key[:PREFIX_LENGTH], hash_key(key)
        return key

    @property
    def is_authenticated(self):
        return True


class KeyQuerySet(models.QuerySet):
    def usable(self):
        """Holders whose key may be used now (subclasses leave out revoked or disabled ones)."""
        return self

    def for_key(self, key: str):
        return self.usable().filter(key_hash=hash_key(key)).first()


class KeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: <keyword> <key>`. The request's `auth` is the key's holder (a `model` row); there is no user."""

    keyword = ""
    model = None
    refused = "Unknown or revoked key."

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(f"Authorization header must be '{self.keyword} <key>'.")
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(f"{self.keyword} key must be ASCII.") from None
        holder = self.model.objects.for_key(key)
        if holder is None:
            raise exceptions.AuthenticationFailed(self.refused)
        now = timezone.now()
        if holder.last_used_at is None or (now - holder.last_used_at).total_seconds() >= TOUCH_EVERY_SECONDS:
            self.model.objects.filter(pk=holder.pk).update(last_used_at=now)
        return AnonymousUser(), holder

    def authenticate_header(self, request):
        return self.keyword
