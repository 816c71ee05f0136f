"""Two-factor sign-in: enrolment, codes, recovery codes, the throttle, the enrolment gate, exempt responders,
the websocket and session APIs refusing a session that has not passed the second factor, and resets."""

import re
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rtcc import two_factor
from rtcc.models import AuditRecord
from tests.conftest import PASSWORD


@pytest.fixture
def required(settings):
    settings.RTCC_REQUIRE_2FA = True
    settings.RTCC_LOGIN_MAX_FAILURES = 3
    return settings


def code_for(device, offset=0):
    """The code an authenticator app shows now (offset in time steps), as the app computes it."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def wrong_code(device):
    """A 6-digit code the app does not show now (nor one step either side, which are accepted too)."""
    return next(c for c in ("123456", "654321", "111111") if c not in {code_for(device, d) for d in (-1, 0, 1)})


def enrolled(user):
    """A confirmed app device and recovery codes for `user`, as after enrolment."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    codes = two_factor._new_recovery_codes(user)
    return device, codes


def password_sign_in(client, user, addr="198.51.100.7"):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=addr)
    assert response.status_code == 302
    return response


def actions(user):
    return list(AuditRecord.objects.filter(object_id=str(user.pk)).order_by("id").values_list("action", flat=True))


@pytest.mark.django_db
def test_with_the_setting_on_an_unenrolled_staff_user_is_sent_to_enrol_before_any_page(client, users, required):
    for role in ("analyst", "video_technician", "supervisor", "admin"):
        client.force_login(users[role])
        response = client.get(reverse("dashboard"))
        assert response.status_code == 302, role
        assert response["Location"].startswith(reverse("two-factor-enrol")), role
        assert client.get(reverse("audit")).status_code == 302
        response = client.post(reverse("post-notice"), {"text": "not yet", "severity": "info"})
        assert response.status_code == 302 and response["Location"] == reverse("two-factor-enrol")
        assert not AuditRecord.objects.filter(action="notice.broadcast").exists()  # the POST never ran
        assert client.get(reverse("two-factor-enrol")).status_code == 200
        assert client.get(reverse("healthz")).status_code in (200, 503)  # public pages stay open
        client.post(reverse("logout"))


@pytest.mark.django_db
def test_with_the_setting_off_a_user_without_an_app_signs_in_with_a_password(client, users, settings):
    settings.RTCC_REQUIRE_2FA = False
    password_sign_in(client, users["analyst"])
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_enrolment_shows_the_secret_confirms_with_a_code_and_shows_ten_recovery_codes_once(client, users, required):
    analyst = users["analyst"]
    password_sign_in(client, analyst)
    page = client.get(reverse("two-factor-enrol")).content.decode()
    assert "<svg" in page and "style=" not in page and "<script" not in page
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    device = TOTPDevice.objects.get(user=analyst, confirmed=False)
    assert secret == two_factor.secret_text(device).replace(" ", "")
    assert secret in client.get(reverse("two-factor-enrol")).content.decode()  # the same secret until confirmed

    wrong = client.post(reverse("two-factor-enrol"), {"code": wrong_code(device)})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    assert 'aria-invalid="true"' in wrong.content.decode()
    time.sleep(1.1)  # django-otp makes the device wait a second after a wrong code

    done = client.post(reverse("two-factor-enrol"), {"code": code_for(device), "next": "/dashboard/"})
    body = done.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", body)
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("dashboard")).status_code == 200  # this session passed the second factor
    assert client.get(reverse("two-factor-enrol")).status_code == 302  # no second look at the codes
    assert "auth.second_factor_enrolled" in actions(analyst)
    assert "auth.second_factor_enrol_failed" in actions(analyst)


@pytest.mark.django_db
def test_a_user_with_an_app_is_asked_for_its_code_and_a_right_code_signs_in(client, users, required):
    supervisor = users["supervisor"]
    device, _ = enrolled(supervisor)
    password_sign_in(client, supervisor)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two-factor-verify"))
    page = client.get(response["Location"]).content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page and "style=" not in page
    old_key = client.session.session_key
    response = client.post(reverse("two-factor-verify"), {"code": code_for(device), "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.session.session_key != old_key
    assert client.get(reverse("dashboard")).status_code == 200
    assert actions(supervisor)[-1] == "auth.second_factor"


@pytest.mark.django_db
def test_an_app_user_is_asked_for_the_code_even_with_the_setting_off(client, users, settings):
    settings.RTCC_REQUIRE_2FA = False
    enrolled(users["analyst"])
    password_sign_in(client, users["analyst"])
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("two-factor-verify"))


@pytest.mark.django_db
def test_a_wrong_code_is_refused_audited_and_throttled_like_a_wrong_password(client, users, required):
    analyst = users["analyst"]
    device, _ = enrolled(analyst)
    password_sign_in(client, analyst)
    right, wrong = code_for(device), wrong_code(device)
    response = client.post(reverse("two-factor-verify"), {"code": wrong}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302
    assert actions(analyst)[-1] == "auth.second_factor_failed"
    for _ in range(2):
        device.refresh_from_db()
        device.throttling_failure_timestamp = None  # past django-otp's own growing delay: the shared throttle stops it
        device.save()
        client.post(reverse("two-factor-verify"), {"code": wrong}, REMOTE_ADDR="198.51.100.7")
    response = client.post(reverse("two-factor-verify"), {"code": right}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429 and "Too many failed sign-ins" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302
    assert actions(analyst)[-1] == "auth.second_factor_throttled"


@pytest.mark.django_db
def test_a_code_is_not_accepted_twice(client, users, required):
    analyst = users["analyst"]
    device, _ = enrolled(analyst)
    code = code_for(device)
    password_sign_in(client, analyst)
    assert client.post(reverse("two-factor-verify"), {"code": code}).status_code == 302
    other = Client()
    password_sign_in(other, analyst)
    assert other.post(reverse("two-factor-verify"), {"code": code}).status_code == 200  # replayed: refused


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(client, users, required):
    analyst = users["analyst"]
    _, codes = enrolled(analyst)
    password_sign_in(client, analyst)
    response = client.post(reverse("two-factor-verify"), {"recovery_code": codes[0].upper(), "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get(reverse("dashboard")).status_code == 200
    assert StaticToken.objects.filter(device__user=analyst).count() == 9
    record = AuditRecord.objects.filter(action="auth.recovery_code_used", object_id=str(analyst.pk)).get()
    assert record.details == {"codes_left": 9}

    again = Client()
    password_sign_in(again, analyst)
    response = again.post(reverse("two-factor-verify"), {"recovery_code": codes[0]})
    assert response.status_code == 200 and "not valid or was already used" in response.content.decode()
    assert again.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_responders_of_an_exempt_agency_skip_the_second_factor_and_others_do_not(client, users, agencies, required):
    agencies["nofd"].responders_skip_2fa = True
    agencies["nofd"].save()
    password_sign_in(client, users["responder"])  # nofd: exempt
    assert client.get(reverse("incidents:respond")).status_code == 200
    other = Client()
    password_sign_in(other, users["other_responder"])  # noems: not exempt
    assert other.get(reverse("incidents:respond"))["Location"].startswith(reverse("two-factor-enrol"))
    # An exempt agency does not exempt its staff: the flag is for responders' phones only.
    users["analyst"].agency = agencies["nofd"]
    users["analyst"].save()
    assert two_factor.required_for(users["analyst"])


@pytest.mark.django_db
def test_session_apis_refuse_a_session_without_the_second_factor_and_device_keys_are_unaffected(
    client, users, required
):
    from tests.factories import camera

    client.force_login(users["analyst"])
    response = client.get("/api/v1/cameras/")
    assert response.status_code == 403 and "second factor" in response.json()["detail"]
    device, _ = enrolled(users["analyst"])
    client.post(reverse("two-factor-verify"), {"code": code_for(device)})
    assert client.get("/api/v1/cameras/").status_code == 200

    from cameras.models import DeviceToken

    _, key = DeviceToken.issue(camera=camera(), label="LPR unit 7")
    assert Client().get(reverse("device-identity"), HTTP_AUTHORIZATION=f"Device {key}").status_code == 200


def verified_cookie(user):
    """A session cookie for `user` that passed the second factor with a new app device."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    browser = Client()
    browser.force_login(user)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return session.session_key


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_websocket_refuses_a_session_without_the_second_factor(memory_layer, ws_connect, users, settings):
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from rtcc.asgi import application

    settings.RTCC_REQUIRE_2FA = True
    communicator, connected, _ = await ws_connect(users["analyst"])  # password only
    assert not connected
    await communicator.disconnect()

    cookie = await database_sync_to_async(verified_cookie)(users["analyst"])
    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    await communicator.disconnect()

    settings.RTCC_REQUIRE_2FA = False  # (the analyst set up an app above, so is asked whatever the setting)
    communicator, connected, _ = await ws_connect(users["supervisor"])
    assert connected  # the setting off and no app set up: as before
    await communicator.disconnect()


@pytest.mark.django_db
def test_a_supervisor_resets_an_analysts_second_factor_and_they_must_enrol_again(client, users, required):
    analyst, supervisor = users["analyst"], users["supervisor"]
    enrolled(analyst)
    analyst_client = Client()
    password_sign_in(analyst_client, analyst)

    sup_device, _ = enrolled(supervisor)
    password_sign_in(client, supervisor)
    client.post(reverse("two-factor-verify"), {"code": code_for(sup_device)})
    response = client.post(reverse("two-factor-reset", args=[analyst.pk]), {"reason": "lost phone", "next": "/audit/"})
    assert response.status_code == 302 and response["Location"] == "/audit/"
    assert not TOTPDevice.objects.filter(user=analyst).exists() and not StaticToken.objects.filter(device__user=analyst)
    record = AuditRecord.objects.get(action="auth.second_factor_reset")
    assert record.actor == supervisor and record.object_id == str(analyst.pk) and record.reason == "lost phone"
    assert analyst_client.get(reverse("dashboard"))["Location"].startswith(reverse("two-factor-enrol"))


@pytest.mark.django_db
def test_only_supervisors_and_admins_reset_and_never_a_peer_or_an_admin(client, users, required, make_user):
    analyst, supervisor, admin = users["analyst"], users["supervisor"], users["admin"]
    assert not two_factor.may_reset(analyst, users["video_technician"])
    assert not two_factor.may_reset(supervisor, make_user("supervisor"))
    assert not two_factor.may_reset(supervisor, admin)
    assert two_factor.may_reset(supervisor, users["responder"])
    assert two_factor.may_reset(admin, make_user("supervisor"))
    with pytest.raises(PermissionError):
        two_factor.two_factor_reset(user=admin, by=supervisor)

    device, _ = enrolled(analyst)
    password_sign_in(client, analyst)
    client.post(reverse("two-factor-verify"), {"code": code_for(device)})
    target = users["video_technician"]
    assert client.post(reverse("two-factor-reset", args=[target.pk])).status_code == 403
    assert not AuditRecord.objects.filter(action="auth.second_factor_reset").exists()


@pytest.mark.django_db
def test_a_half_signed_in_session_cannot_enrol_a_new_app_over_an_existing_one(client, users, required):
    analyst = users["analyst"]
    enrolled(analyst)
    password_sign_in(client, analyst)
    response = client.get(reverse("two-factor-enrol"))
    assert response.status_code == 302 and response["Location"] == reverse("two-factor-verify")
    assert client.post(reverse("two-factor-enrol"), {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=analyst).count() == 1


def test_the_setting_is_on_in_production_and_off_in_the_demo():
    from tests.test_settings_from_environment import PRODUCTION, run_manage

    script = "from django.conf import settings; print('2FA', settings.RTCC_REQUIRE_2FA)"
    assert "2FA True" in run_manage("shell", "-c", script, **PRODUCTION).stdout
    assert "2FA False" in run_manage("shell", "-c", script, DJANGO_DEBUG="true").stdout
    assert "2FA False" in run_manage("shell", "-c", script, **dict(PRODUCTION, RTCC_REQUIRE_2FA="false")).stdout
