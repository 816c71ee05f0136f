"""In a real browser: a supervisor manages users, hotlists, agencies, intake sources and device keys at
/manage/, cannot grant a role above their own or touch an admin, and finds every change in the audit log."""

import os
import re

import pytest
from django.core import mail

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("RTCC_SCREENSHOTS")  # a folder: save what the supervisor saw, for a human to look at


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"manage-{name}.png"), full_page=True)


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard/")


def test_a_supervisor_manages_the_center_in_the_app_and_every_change_is_audited(
    live_asgi, browser, make_user, agencies
):
    from cameras.models import DeviceToken
    from incidents.models import IntakeSource
    from plates.models import Hotlist
    from rtcc.models import AuditRecord, User
    from tests.factories import camera

    camera("Canal & Carrollton LPR", kind="plate_reader")
    make_user("supervisor", username="sam")
    make_user("analyst", username="andre")
    admin = make_user("admin", username="ada")
    base = live_asgi.url

    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A refused form answers 400, which the console reports as a failed load: that is no script error.
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    sign_in(page, base, "sam")

    # The nav leads to the manage pages; Django admin is not offered and refuses a supervisor.
    assert page.locator("nav.nav a[href='/admin/']").count() == 0
    page.click("nav.nav a:has-text('Manage')")
    page.wait_for_selector("h1:has-text('Manage the center')")
    shot(page, "index")

    # Users: a new analyst, with an e-mailed link to set the password; supervisor is not on offer.
    page.click("nav.manage-tabs a:has-text('Users')")
    page.wait_for_selector("table[data-testid=users]")
    shot(page, "users")
    page.click("text=New account")
    assert page.locator("input[name=roles][value=supervisor]").count() == 0
    page.fill("#id_username", "tina")
    page.fill("#id_first_name", "Tina")
    page.fill("#id_last_name", "Technician")
    page.fill("#id_email", "tina@example.org")
    page.check("input[name=roles][value=responder]")
    page.click("button:has-text('Create account')")
    summary = page.locator("#form-errors")
    summary.wait_for()
    assert "A responder must belong to an agency." in summary.inner_text()
    shot(page, "user-errors")
    page.uncheck("input[name=roles][value=responder]")
    page.check("input[name=roles][value=video_technician]")
    page.click("button:has-text('Create account')")
    page.wait_for_selector("h1:has-text('Account tina')")
    assert "e-mailed to tina@example.org" in page.inner_text(".messages")
    assert [m.to for m in mail.outbox] == [["tina@example.org"]]

    # Tina opens the e-mailed link, chooses her password and signs in.
    link = re.search(r"https?://\S+/login/password/\S+/", mail.outbox[0].body).group(0)
    tina_page = browser.new_context(viewport={"width": 1024, "height": 800}).new_page()
    tina_page.goto(link)
    tina_page.wait_for_selector("h1:has-text('Choose your password')")
    tina_page.fill("#id_new_password1", "Levee-Breach-1927")
    tina_page.fill("#id_new_password2", "Levee-Breach-1927")
    shot(tina_page, "password-set")
    tina_page.click("button:has-text('Set password')")
    tina_page.wait_for_selector("h1:has-text('Your password is set')")
    tina_page.click("text=Sign in")
    tina_page.fill("#id_username", "tina")
    tina_page.fill("#id_password", "Levee-Breach-1927")
    tina_page.click("button[type=submit]")
    tina_page.wait_for_url(f"{base}/dashboard/")

    page.click("button:has-text('Disable account')")
    page.wait_for_selector("text=Account tina disabled.")
    shot(page, "user")
    tina = User.objects.get(username="tina")
    assert not tina.is_active and tina.role_names == [] and not tina.is_staff and not tina.is_superuser
    tina_page.goto(f"{base}/cameras/")
    assert "/login/" in tina_page.url  # her open session ended with the account

    # An admin's account is shown, never editable here.
    page.goto(f"{base}/manage/users/{admin.pk}/")
    assert "changed by an admin" in page.inner_text("main")
    assert page.locator("form button:has-text('Save account')").count() == 0

    # Hotlists: a covert list with an entry added and removed.
    page.click("nav.manage-tabs a:has-text('Hotlists')")
    page.click("text=New hotlist")
    shot(page, "hotlist-new")
    page.fill("#id_name", "Burglary crew")
    page.select_option("#id_source", "local_bolo")
    page.select_option("#id_priority", "2")
    page.select_option("#id_visibility", "owner_only")
    page.click("button:has-text('Create hotlist')")
    page.wait_for_selector("h1:has-text('Burglary crew')")
    page.fill("#id_plate", "YKZ4471")
    page.fill("#id_reason", "Seen at three burglaries")
    page.fill("#id_vehicle_description", "Blue pickup")
    page.click("button:has-text('Add entry')")
    page.wait_for_selector("table[data-testid=entries] th:has-text('YKZ4471')")
    shot(page, "hotlist")
    page.click("button[aria-label='Remove YKZ4471']")
    page.wait_for_selector("text=No entries")
    page.click("nav.manage-tabs a:has-text('Hotlists')")
    page.wait_for_selector("table[data-testid=hotlists] >> text=Owner and supervisors")
    shot(page, "hotlists")
    assert Hotlist.objects.get(name="Burglary crew").visibility == "owner_only"

    # Agencies: a shorter acknowledgement timeout and a webhook; its signing secret is shown once.
    page.click("nav.manage-tabs a:has-text('Agencies')")
    shot(page, "agencies")
    page.click("text=New Orleans Fire Department")
    page.fill("#id_webhook_url", "ftp://cad.nofd.example.org/")
    page.click("button:has-text('Save agency')")
    page.wait_for_selector("#form-errors >> text=Webhook address")
    page.fill("#id_ack_timeout_seconds", "45")
    page.fill("#id_webhook_url", "https://cad.nofd.example.org/rtcc")
    shot(page, "agency")
    page.click("button:has-text('Save agency')")
    secret = page.input_value("[data-testid=issued-secret]")
    shot(page, "secret-issued")
    agencies["nofd"].refresh_from_db()
    assert agencies["nofd"].webhook_secret == secret and agencies["nofd"].ack_timeout_seconds == 45

    # Keys: an intake source and a plate camera key, each shown once, then revoked.
    page.click("nav.manage-tabs a:has-text('Keys')")
    page.fill("#id_name", "Orleans 911 CAD")
    page.select_option("#id_kind", "cad")
    page.click("form[action$='/keys/intake/'] button:has-text('Issue key')")
    intake_key = page.input_value("[data-testid=issued-key]")
    shot(page, "key-issued")
    assert IntakeSource.objects.for_key(intake_key).name == "Orleans 911 CAD"
    page.click("text=Back to keys")
    page.select_option("#id_camera", label="Canal & Carrollton LPR")
    page.fill("#id_label", "Unit 7")
    page.click("form[action$='/keys/device/'] button:has-text('Issue key')")
    device_key = page.input_value("[data-testid=issued-key]")
    page.click("text=Back to keys")
    assert intake_key not in page.content() and device_key not in page.content()
    page.click("button[aria-label='Revoke the key of Orleans 911 CAD']")
    page.wait_for_selector("text=is revoked")
    page.click("button[aria-label^='Revoke key']")
    page.wait_for_selector("table[data-testid=device-keys] >> text=Revoked")
    shot(page, "keys")
    assert IntakeSource.objects.for_key(intake_key) is None and DeviceToken.objects.for_key(device_key) is None

    # Django admin refuses a supervisor.
    page.goto(f"{base}/admin/")
    assert "/admin/login/" in page.url and page.locator("#content-main a[href*='rtcc/user']").count() == 0

    # Every change is in the audit log, by the supervisor.
    actions = [
        "user.create",
        "user.password_reset_sent",
        "user.disable",
        "user.password_set",
        "hotlist.create",
        "hotlist.entry_add",
        "hotlist.entry_remove",
        "agency.update",
        "intake_source.issue",
        "intake_source.revoke",
        "device_key.issue",
        "device_key.revoke",
    ]
    recorded = set(AuditRecord.objects.filter(actor_username__in=["sam", "tina"]).values_list("action", flat=True))
    assert set(actions) <= recorded, set(actions) - recorded
    page.goto(f"{base}/audit/")
    log = page.inner_text("main")
    assert all(action in log for action in actions)
    shot(page, "audit")
    assert intake_key not in log and device_key not in log and secret not in log
    assert errors == []
