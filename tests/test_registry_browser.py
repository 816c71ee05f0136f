"""In a real browser (Chromium): a resident registers cameras, confirms by e-mail, edits and deletes the registration.

Also takes the form's screenshots on a phone-sized and a desktop viewport (docs/registry-form-*.png with
RTCC_WRITE_SCREENSHOTS=1).
"""

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from registry.choices import SiteStatus
from registry.models import RegisteredCamera, RegisteredSite

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: docs/ when RTCC_WRITE_SCREENSHOTS=1 (to refresh them), else a temporary folder."""
    return DOCS if os.environ.get("RTCC_WRITE_SCREENSHOTS") == "1" else tmp_path


def link_in_last_mail(kind):
    body = mail.outbox[-1].body
    return re.search(rf"(https?://\S+/register/{kind}/\S+)", body).group(1)


def fill_resident_form(page):
    page.get_by_label("Your name").fill("Marie Laveau")
    page.get_by_label("Business name").fill("Laveau Pralines")
    page.get_by_label("E-mail address").fill("marie@example.org")
    page.get_by_label("Phone").fill("+1 504 555 0142")
    page.get_by_label("Street address of the cameras").fill("1020 St Ann St")
    page.get_by_label("Latitude").fill("29.960312")
    page.get_by_label("Longitude").fill("-90.065200")
    first = page.locator("fieldset[data-camera-form]").nth(0)
    first.get_by_label("Where is the camera?").fill("Front porch, above the door")
    first.get_by_label("Which way does it point?").select_option(label="South (180°)")
    first.get_by_label("How wide does it see?").select_option(label="Normal (about 90°)")
    first.get_by_label("Street").check()
    first.get_by_label("Sidewalk").check()
    first.get_by_label("How many days does it keep footage?").fill("14")


def test_a_resident_registers_confirms_edits_and_deletes_in_a_browser(live_asgi, browser, settings, shots):
    settings.RTCC_PUBLIC_BASE_URL = live_asgi.url
    errors = []

    # The form on a phone and on a desktop, as residents see it first.
    for name, size in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 900})):
        shot = browser.new_page(viewport=size)
        shot.goto(f"{live_asgi.url}/register/")
        shot.screenshot(path=str(shots / f"registry-form-{name}.png"), full_page=True)
        shot.close()

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_asgi.url}/register/")

    # Keyboard only: Tab moves through the fields in reading order and never lands on the hidden honeypot.
    page.get_by_label("Your name").focus()
    visited = []
    for _ in range(12):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.id"))
    assert visited[:3] == ["id_business_name", "id_email", "id_phone"]
    assert "id_website" not in visited

    # A mistake first: the message appears next to the field and nothing is stored.
    fill_resident_form(page)
    page.get_by_label("Latitude").fill("200")
    page.get_by_label("I have read the terms above and agree to them.").check()
    page.get_by_role("button", name="Register my cameras").click()
    error = page.locator("#id_latitude_error")
    error.wait_for()
    assert "Latitude must be a number between -90 and 90." in error.inner_text()
    page.screenshot(path=str(shots / "registry-form-errors.png"), full_page=False)
    assert RegisteredSite.objects.count() == 0

    # Corrected, with a second camera added by the page's own button.
    page.get_by_label("Latitude").fill("29.960312")
    page.get_by_role("button", name="+ Add another camera").click()
    second = page.locator("fieldset[data-camera-form]").nth(1)
    second.get_by_label("Where is the camera?").fill("Side alley gate")
    second.get_by_label("Alley").check()
    second.get_by_label("How many days does it keep footage?").fill("7")
    if not page.get_by_label("I have read the terms above and agree to them.").is_checked():
        page.get_by_label("I have read the terms above and agree to them.").check()
    page.get_by_role("button", name="Register my cameras").click()
    page.get_by_text("Almost done: check your e-mail").wait_for()

    site = RegisteredSite.objects.get()
    assert site.status == SiteStatus.UNCONFIRMED and site.business_name == "Laveau Pralines"
    assert sorted(site.cameras.values_list("placement", flat=True)) == [
        "Front porch, above the door",
        "Side alley gate",
    ]

    # The confirmation link from the captured e-mail.
    page.goto(link_in_last_mail("confirm"))
    page.get_by_role("button", name="Confirm my registration").click()
    page.get_by_text("Thank you, your registration is confirmed").wait_for()
    site.refresh_from_db()
    assert site.status == SiteStatus.PENDING_REVIEW

    # Edit through the signed link.
    page.goto(link_in_last_mail("manage"))
    page.get_by_label("Your name").fill("Marie C. Laveau")
    page.locator("fieldset[data-camera-form]").nth(1).get_by_label("How many days does it keep footage?").fill("30")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Your changes are saved.").wait_for()
    site.refresh_from_db()
    assert site.owner_name == "Marie C. Laveau"
    assert RegisteredCamera.objects.get(placement="Side alley gate").retention_days == 30

    # Delete, confirmed, and really gone.
    page.get_by_role("link", name="Delete my registration").click()
    page.get_by_label("Yes, delete my registration for good.").check()
    page.get_by_role("button", name="Delete my registration").click()
    page.get_by_text("Your registration is deleted").wait_for()
    assert not RegisteredSite.objects.exists() and not RegisteredCamera.objects.exists()
    page.goto(link_in_last_mail("manage"))
    assert "no longer valid" in page.content()
    assert errors == []


def test_the_map_pin_fills_in_the_coordinates(live_asgi, browser, settings):
    # A tile server that cannot be reached: the map still takes clicks.
    settings.RTCC_MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_asgi.url}/register/")
    page.locator("#site-map").click(position={"x": 120, "y": 80})
    lat = float(page.get_by_label("Latitude").input_value())
    lon = float(page.get_by_label("Longitude").input_value())
    assert abs(lat - settings.RTCC_MAP_CENTER_LAT) < 0.05 and abs(lon - settings.RTCC_MAP_CENTER_LON) < 0.05
    assert (lat, lon) != (settings.RTCC_MAP_CENTER_LAT, settings.RTCC_MAP_CENTER_LON)
    assert page.locator(".leaflet-marker-icon").count() == 1
