"""View decorators that ask `rtcc.roles`."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .roles import can


def requires(capability):
    """Signed-in users holding `capability` pass; others are sent to log in (anonymous) or refused (403)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                raise PermissionDenied(f"Your role does not allow this page ({capability}).")
            return view(request, *args, **kwargs)

        wrapper.required_capability = capability
        return wrapper

    return decorator
