"""The one helper that writes the audit log."""

import ipaddress

from django.conf import settings

from .models import AuditRecord


def client_address(request):
    """The caller's address, never a value it merely claims.

    Behind RTCC_TRUSTED_PROXY_COUNT reverse proxies, each appended the address it saw to
    X-Forwarded-For: the one the outermost proxy saw is the client. Anything earlier in the header
    was written by the caller and is not believed; a value that is not an address is never stored.
    """
    if request is None:
        return None
    meta = getattr(request, "META", None)
    if meta is None:  # a websocket scope
        client = request.get("client") if isinstance(request, dict) else None
        return client[0] if client and _is_ip(client[0]) else None
    remote = meta.get("REMOTE_ADDR") or ""
    proxies = settings.RTCC_TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies and _is_ip(hops[-proxies]):
            return hops[-proxies]
    return remote if _is_ip(remote) else None


def _is_ip(value) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def record(*, actor, action, obj=None, reason="", request=None, details=None, object_type="", object_id=""):
    """Append one audit record. `actor` may be None for system actions."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = str(obj)[:200]
    else:
        object_repr = ""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditRecord.objects.create(
        actor=user,
        actor_username=user.get_username() if user else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr,
        reason=reason or "",
        client_address=client_address(request),
        details=details or {},
    )


def record_login(sender, request, user, **kwargs):
    record(actor=user, action="auth.login", obj=user, request=request)


def record_logout(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action="auth.logout", obj=user, request=request)


def record_login_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(actor=None, action="auth.login_failed", request=request, details={"username": username})
