"""A session that has not passed the second factor reaches nothing but the second-factor pages.

`SecondFactorMiddleware` (HTTP, after django-otp's OTPMiddleware and the login-required middleware) sends
pages to the code or enrolment page and answers session-authenticated API calls 403. Public pages
(`login_not_required`, such as the health check and the camera registry), logout and static files pass;
requests authenticated by device or intake keys carry no session user and are not touched here.
`SecondFactorWebsocketMiddleware` (ASGI, inside AuthMiddlewareStack) turns such a session into an
anonymous user, whom the dashboard consumer refuses.
"""

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import two_factor

API_PREFIX = "/api/"
SECOND_FACTOR_VIEWS = {"two-factor-verify", "two-factor-enrol", "logout"}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        is_api = request.path_info.startswith(API_PREFIX)
        if not is_api and not getattr(view_func, "login_required", True):
            return None  # a public page: the same for everyone (DRF marks every API view so; those are checked)
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_VIEWS:
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        step = two_factor.pending_step(user, verified=user.is_verified())
        if step is None:
            return None
        if is_api:
            return JsonResponse({"detail": "This session has not passed the second factor."}, status=403)
        target = reverse("two-factor-verify" if step == two_factor.VERIFY else "two-factor-enrol")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)


class SecondFactorWebsocketMiddleware:
    """Inside AuthMiddlewareStack: a session owing its second factor connects as nobody."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if not await database_sync_to_async(_scope_passes)(scope):
            scope = dict(scope, user=AnonymousUser())
        return await self.inner(scope, receive, send)


def _scope_passes(scope) -> bool:
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return True  # nobody signed in: the consumer refuses on its own
    return two_factor.session_passes(user, scope.get("session"))
