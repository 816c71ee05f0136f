"""Second-factor pages: the code asked after the password, enrolment of an app, and a supervisor's reset.

The work is in rtcc/two_factor.py; these views only read forms and choose the page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import throttle, two_factor
from .models import User
from .two_factor_forms import AppCodeForm, RecoveryCodeForm

WRONG = {
    "code": "That code is not right. Check the app shows RTCC and try the code it shows now.",
    "recovery_code": "That recovery code is not valid or was already used.",
}


def _next_url(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and allowed else default


@never_cache
def verify(request):
    """Ask a person who has an app for its code (or a recovery code) before anything else."""
    user = request.user
    step = two_factor.pending_step(user, verified=user.is_verified())
    if step is None:
        return redirect(_next_url(request))
    if step == two_factor.ENROL:
        return redirect("two-factor-enrol")
    app_form, recovery_form, throttled = AppCodeForm(), RecoveryCodeForm(), False
    if request.method == "POST":
        using_recovery = "recovery_code" in request.POST
        field = "recovery_code" if using_recovery else "code"
        form = RecoveryCodeForm(request.POST) if using_recovery else AppCodeForm(request.POST)
        if using_recovery:
            recovery_form = form
        else:
            app_form = form
        if form.is_valid():
            outcome = two_factor.two_factor_verify(request=request, user=user, code=form.cleaned_data[field])
            if outcome == "ok":
                if using_recovery:
                    left = two_factor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        f"Recovery code used: {left} left. When few are left, ask a supervisor to reset your "
                        "two-factor sign-in and set it up again.",
                    )
                return redirect(_next_url(request))
            throttled = outcome == "throttled"
            form.add_error(field, throttle.locked_message() if throttled else WRONG[field])
    context = {
        "app_form": app_form,
        "recovery_form": recovery_form,
        "recovery_open": recovery_form.is_bound,
        "next": _next_url(request, default=""),
    }
    return render(request, "two_factor/verify.html", context, status=429 if throttled else 200)


@never_cache
def enrol(request):
    """Set up an authenticator app: scan (or type) the secret, confirm a code, then see the recovery codes once."""
    user = request.user
    if two_factor.has_confirmed_device(user):
        return redirect("two-factor-verify" if not user.is_verified() else _next_url(request))
    device = two_factor.enrolment_device(user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.two_factor_enrol(user=user, device=device, code=form.cleaned_data["code"], request=request)
        if codes is not None:
            return render(
                request, "two_factor/recovery_codes.html", {"codes": codes, "next": _next_url(request, default="/")}
            )
        form.add_error("code", WRONG["code"])
    return render(
        request,
        "two_factor/enrol.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_svg(device),
            "secret": two_factor.secret_text(device),
            "required": two_factor.required_for(user),
            "next": _next_url(request, default=""),
        },
    )


@require_POST
def reset(request, user_id):
    """A supervisor or admin removes someone's second factor; they enrol again at their next page."""
    person = get_object_or_404(User, pk=user_id)
    try:
        removed = two_factor.two_factor_reset(
            user=person, by=request.user, request=request, reason=request.POST.get("reason", "")[:500]
        )
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    if removed:
        messages.success(request, f"{person.get_username()} must set up two-factor sign-in again at their next page.")
    else:
        messages.info(request, f"{person.get_username()} had no second factor set up.")
    return redirect(_next_url(request))
