"""The one helper that writes the audit log."""

from .models import AuditRecord


def client_address(request):
    """The caller's address: the proxy's X-Forwarded-For first hop when behind one."""
    if request is None:
        return None
    meta = getattr(request, "META", None)
    if meta is None:  # a websocket scope
        client = request.get("client") if isinstance(request, dict) else None
        return client[0] if client else None
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return meta.get("REMOTE_ADDR") or None


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
