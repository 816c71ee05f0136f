"""Every page needs a signed-in user unless it says otherwise."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's login-required middleware, leaving the API to DRF's own authentication.

    API views answer 401/403 in JSON (devices authenticate with tokens there);
    pages redirect to the login page. Public pages use `login_not_required`.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
