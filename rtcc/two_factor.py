"""Two-factor sign-in: who needs a second factor, enrolment, verification, recovery codes and resets.

The factors are django-otp devices: one TOTP device (an authenticator app) and one static device holding
the person's recovery codes, each code usable once. A session has passed the second factor when
django-otp's session key names a confirmed device of that user (`django_otp.login`). Pages, session APIs
(rtcc/two_factor_middleware.py) and the websocket (its ASGI middleware) all ask `pending_step`.
"""

import re
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit, throttle
from .roles import Role, roles_of

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

VERIFY = "verify"
ENROL = "enrol"


def required_for(user) -> bool:
    """Whether this person must have a second factor (RTCC_REQUIRE_2FA on, and not an exempt responder)."""
    if not settings.RTCC_REQUIRE_2FA or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or roles_of(user) != {Role.RESPONDER}:
        return True  # every staff role, admins, and accounts with no role yet
    agency = user.agency
    return not (agency is not None and agency.responders_skip_2fa)


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def pending_step(user, *, verified: bool):
    """What a signed-in session still owes: VERIFY (enter a code), ENROL (set up an app), or None."""
    if not getattr(user, "is_authenticated", False) or verified:
        return None
    # Someone who set up an app is asked for its code even where the setting would not require one.
    if has_confirmed_device(user):
        return VERIFY
    return ENROL if required_for(user) else None


def session_device(user, session):
    """The confirmed device of `user` this session passed the second factor with, or None."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


def session_passes(user, session) -> bool:
    """For callers without OTPMiddleware (the websocket): may this session act as `user`?"""
    return pending_step(user, verified=session_device(user, session) is not None) is None


# --- Enrolment -----------------------------------------------------------------------------------------------


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed app device this person is enrolling (the same secret until they confirm it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code, drawn here (no script, no style attribute)."""
    code = segno.make(device.config_url, error="m")
    return code.svg_inline(scale=5, border=4, dark="#000", light="#fff", svgclass="qr", title="QR code")


def two_factor_enrol(*, user, device: TOTPDevice, code: str, request=None):
    """Confirm the app `device` with a code it shows. Returns the new recovery codes, or None if the code is wrong.

    Confirming replaces any earlier devices of this person and signs this session in with the new one.
    """
    if device.user_id != user.pk or device.confirmed:
        return None
    token = _digits(code)
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if token is None or not locked.verify_token(token):
            audit.record(actor=user, action="auth.second_factor_enrol_failed", obj=user, request=request)
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
        StaticDevice.objects.filter(user=user).delete()
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record(actor=user, action="auth.second_factor_enrolled", obj=user, request=request)
    if request is not None:
        _sign_in_second_factor(request, locked)
    return codes


def _new_recovery_codes(user) -> list[str]:
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return sorted(codes)


# --- Verification --------------------------------------------------------------------------------------------


def two_factor_verify(*, request, user, code: str) -> str:
    """Check a code from the app or a recovery code. Returns "ok", "wrong" or "throttled".

    Failures count towards the same sign-in throttle as wrong passwords (rtcc/throttle.py), on top of
    django-otp's own growing delay per device.
    """
    if throttle.locked_out(request, user.get_username()):
        audit.record(actor=user, action="auth.second_factor_throttled", obj=user, request=request)
        return "throttled"
    device, used_recovery = _matching_device(user, code)
    if device is None:
        throttle.note_failure(request, user.get_username())
        audit.record(actor=user, action="auth.second_factor_failed", obj=user, request=request)
        return "wrong"
    throttle.note_success(request, user.get_username())
    if used_recovery:
        left = StaticToken.objects.filter(device__user=user).count()
        audit.record(
            actor=user, action="auth.recovery_code_used", obj=user, request=request, details={"codes_left": left}
        )
    else:
        audit.record(actor=user, action="auth.second_factor", obj=user, request=request)
    _sign_in_second_factor(request, device)
    return "ok"


def _matching_device(user, code):
    """(device that accepted the code, whether it was a recovery code), or (None, False)."""
    token = _digits(code)
    with transaction.atomic():
        if token is not None:
            for device in TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update():
                if device.verify_token(token):
                    return device, False
            return None, False
        recovery = _recovery_form(code)
        if recovery is None:
            return None, False
        for device in StaticDevice.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(recovery):  # deletes the code it matched
                return device, True
    return None, False


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _sign_in_second_factor(request, device):
    # A new session key once the second factor is passed, so a key learned before it is worth nothing.
    request.session.cycle_key()
    otp_login(request, device)


def _digits(code) -> str | None:
    value = re.sub(r"\s", "", str(code or ""))
    return value if re.fullmatch(r"\d{6}", value) else None


def _recovery_form(code) -> str | None:
    value = re.sub(r"[\s-]", "", str(code or "")).lower()
    return value if re.fullmatch(r"[a-z2-7]{8}", value) else None


# --- Reset ---------------------------------------------------------------------------------------------------


def may_reset(actor, user) -> bool:
    """Supervisors reset analysts', technicians' and responders' second factor; admins anyone's."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if Role.SUPERVISOR not in roles_of(actor) or user.pk == actor.pk:
        return False
    return not user.is_superuser and Role.SUPERVISOR not in roles_of(user)


def two_factor_reset(*, user, by, request=None, reason: str = "") -> int:
    """Remove every second-factor device of `user` (they enrol again at their next page). Returns how many.

    Raises PermissionError unless `by` may reset this person (`may_reset`).
    """
    if not may_reset(by, user):
        raise PermissionError("You may not reset this person's second factor.")
    with transaction.atomic():
        removed = 0
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
            removed += 1
        audit.record(
            actor=by,
            action="auth.second_factor_reset",
            obj=user,
            request=request,
            reason=reason,
            details={"devices_removed": removed},
        )
    return removed
