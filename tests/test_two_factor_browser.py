"""In a real browser: with two-factor sign-in on, a new analyst is sent from the password to setting up an app,
reads the key off the page, confirms a code, sees the recovery codes and lands on the dashboard; next time
the code page asks for the app's code. Pages are saved as screenshots when RTCC_SCREENSHOTS names a folder."""

import base64
import os
import re
import time

import pytest
from django_otp.oath import totp

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("RTCC_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def app_code(secret, after=None):
    """What an authenticator app shows for this base32 key; a code for a later time step than `after` if given."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    while True:
        step = int(time.time()) // 30
        if after is None or step > after:
            return step, f"{totp(key, step=30):06d}"
        time.sleep(1)


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_a_staff_user_enrols_an_app_then_signs_in_with_its_code(live_asgi, browser, make_user, settings):
    settings.RTCC_REQUIRE_2FA = True
    make_user("analyst", username="andre")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_asgi.url}/dashboard/")
    page.wait_for_url(re.compile(r"/login/"))
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_url(re.compile(r"/two-factor/enrol/"))
    assert page.locator("h1").inner_text() == "Set up two-factor sign-in"
    assert page.locator("figure.qr-code svg").is_visible()
    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    shot(page, "two-factor-enrol")

    page.fill("#id_code", "000000" if app_code(secret)[1] != "000000" else "111111")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#form-errors")
    assert "That code is not right" in page.locator("#form-errors").inner_text()
    assert page.locator("#id_code").get_attribute("aria-invalid") == "true"
    shot(page, "two-factor-enrol-wrong-code")

    time.sleep(1.1)  # django-otp's wait after a wrong code
    step, code = app_code(secret)
    page.fill("#id_code", code)
    page.click("button[type=submit].primary")
    page.wait_for_selector("ol.recovery-codes")
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    shot(page, "two-factor-recovery-codes")
    page.click("#continue")
    page.wait_for_url(f"{live_asgi.url}/dashboard/")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)  # the websocket accepts this session

    page.click("text=Sign out")
    page.wait_for_url(re.compile(r"/login/"))
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_url(re.compile(r"/two-factor/"))
    assert page.locator("h1").inner_text() == "Enter your code"
    assert page.locator("#id_code").get_attribute("autocomplete") == "one-time-code"
    assert page.locator("#id_code").get_attribute("inputmode") == "numeric"
    shot(page, "two-factor-code")
    _, code = app_code(secret, after=step)  # a code is accepted once: wait for the app's next one
    page.fill("#id_code", code)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_asgi.url}/dashboard/")
    assert not errors


def test_a_recovery_code_signs_in_from_the_code_page(live_asgi, browser, make_user, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rtcc import two_factor

    settings.RTCC_REQUIRE_2FA = True
    supervisor = make_user("supervisor", username="sofia")
    TOTPDevice.objects.create(user=supervisor, name="Authenticator app", confirmed=True)
    codes = two_factor._new_recovery_codes(supervisor)
    page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    sign_in(page, live_asgi.url, "sofia")
    page.wait_for_url(re.compile(r"/two-factor/"))
    page.click("summary")
    page.fill("#id_recovery_code", codes[3])
    page.click("text=Use recovery code")
    page.wait_for_url(f"{live_asgi.url}/dashboard/")
    assert "9 left" in page.locator(".messages").inner_text()
