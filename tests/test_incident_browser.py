"""In real browsers: an analyst creates and dispatches an incident; a responder's phone page shows it live and
acknowledges it; the analyst's page shows the acknowledgement live. Nobody reloads."""

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import sign_in

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("RTCC_SCREENSHOTS")  # a folder: save what each person saw, for a human to look at


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_dispatch_reaches_the_responders_phone_live_and_the_acknowledgement_reaches_the_analyst(
    live_asgi, browser, make_user, agencies
):
    from tests.factories import camera, incident_type

    kind = incident_type()
    camera("City Hall", latitude=29.9528, longitude=-90.0775, bearing=180, field_of_view=90)
    make_user("analyst", username="andre")
    felix = make_user("responder", agency=agencies["nofd"], username="felix")
    felix.first_name, felix.last_name = "Felix", "Firefighter"
    felix.save()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    responder = phone.new_page()
    desk = browser.new_context(viewport={"width": 1440, "height": 1000})
    analyst = desk.new_page()
    errors = []
    for page in (responder, analyst):
        page.on("pageerror", lambda exc: errors.append(str(exc)))

    sign_in(responder, live_asgi.url, "felix")
    responder.wait_for_url(f"{live_asgi.url}/incidents/respond/")
    responder.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    assert responder.locator("#no-dispatches").is_visible()
    responder.evaluate("window.__sameDocument = true")
    shot(responder, "respond-empty")

    sign_in(analyst, live_asgi.url, "andre")
    analyst.goto(f"{live_asgi.url}/incidents/new/")
    analyst.select_option("#id_incident_type", str(kind.pk))
    analyst.select_option("#id_priority", "1")
    analyst.fill("#id_title", "Smoke from second floor")
    analyst.fill("#id_address", "1300 Perdido St")
    analyst.locator("#pin-map").click()  # the pin: the map's centre
    assert analyst.input_value("#id_latitude") and analyst.input_value("#id_longitude")
    analyst.fill("#id_latitude", "29.952800")
    analyst.fill("#id_longitude", "-90.077500")
    shot(analyst, "new-incident")
    analyst.click("button:has-text('Open incident')")
    analyst.wait_for_selector("h1:has-text('Smoke from second floor')")
    analyst.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    analyst.check(f"input[name=agencies][value='{agencies['nofd'].pk}']")
    analyst.fill("#id_message", "Engine 7 and Truck 2")
    analyst.click("#dispatch-form button[type=submit]")
    analyst.wait_for_selector("text=Waiting for acknowledgement")
    analyst.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    analyst.evaluate("window.__sameDocument = true")

    card = responder.locator("#dispatch-cards .dispatch-card")
    card.wait_for(timeout=10_000)
    assert "Smoke from second floor" in card.inner_text()
    assert "1300 Perdido St" in card.inner_text() and "Engine 7 and Truck 2" in card.inner_text()
    assert responder.locator("#alert-banner").is_visible()
    assert responder.evaluate("window.__sameDocument") is True
    shot(responder, "respond-dispatched")

    responder.click("button.ack-button")
    responder.locator(".acked-line:has-text('You acknowledged')").wait_for(timeout=10_000)
    assert responder.evaluate("window.__sameDocument") is True

    ack = analyst.locator("#dispatches .ack:has-text('Felix Firefighter')")
    ack.wait_for(timeout=10_000)
    assert analyst.locator("#dispatches .chip.ok:has-text('Acknowledged')").count() == 1
    assert analyst.evaluate("window.__sameDocument") is True
    shot(analyst, "incident-acknowledged")

    analyst.goto(f"{live_asgi.url}/incidents/")
    analyst.wait_for_selector(".incident-row:has-text('Smoke from second floor')")
    shot(analyst, "board")
    assert errors == []
    phone.close()
    desk.close()


def test_the_board_shows_a_new_incident_without_a_reload(live_asgi, browser, make_user):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from incidents import services
    from tests.factories import incident_type

    kind = incident_type()
    make_user("analyst", username="andre")
    page = browser.new_page()
    sign_in(page, live_asgi.url, "andre")
    page.goto(f"{live_asgi.url}/incidents/")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    page.evaluate("window.__sameDocument = true")

    def create():
        try:
            return services.incident_create(
                incident_type=kind, title="Shots fired: 5 rounds", latitude=29.9546, longitude=-90.0694, priority=1
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        created = pool.submit(create).result(timeout=10)
    row = page.locator(f".incident-row[data-incident='{created.pk}']")
    row.wait_for(timeout=10_000)
    assert "Shots fired: 5 rounds" in row.inner_text() and "not dispatched" in row.inner_text()
    # The map's incidents layer reloads on the same event (static/maps/layer-map.js).
    expect(page.locator("#incident-map .leaflet-interactive")).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True
