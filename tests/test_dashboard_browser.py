"""In a real browser: an analyst signs in and sees a server broadcast appear in the live feed without a reload."""

import pytest

from tests.conftest import sign_in

pytestmark = pytest.mark.browser


def publish_from_server_code(**event):
    """Publish as a service would: from plain sync code, not from inside Playwright's event loop."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from rtcc import realtime

    def run():
        try:
            return realtime.publish(**event)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=10)


def test_an_analyst_sees_a_broadcast_event_appear_without_a_reload(live_asgi, browser, make_user, settings):
    from rtcc.roles import STAFF_ALL
    from tests.factories import camera

    # A tile server that cannot be reached: the camera markers must still be drawn.
    settings.RTCC_MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    make_user("analyst", username="andre")
    camera("Jackson Square", latitude=29.9574, longitude=-90.0629)
    camera("Canal & Carrollton LPR", latitude=29.975, longitude=-90.098, kind="plate_reader")

    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_url(f"{live_asgi.url}/dashboard/")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    page.evaluate("window.__sameDocument = true")
    assert page.locator(".leaflet-interactive").count() == 2
    assert page.locator(".leaflet-tile").count() > 0  # tiles were asked for, and failed

    event = publish_from_server_code(
        group=STAFF_ALL, kind="camera.offline", summary="Jackson Square camera went offline"
    )

    item = page.locator(f"#event-feed li[data-id='{event.pk}']")
    item.wait_for(timeout=5_000)
    assert "Jackson Square camera went offline" in item.inner_text()
    assert page.evaluate("window.__sameDocument") is True
    assert errors == []


def test_the_live_feed_catches_up_on_what_it_missed_while_the_server_was_down(live_asgi, browser, make_user):
    from rtcc.roles import STAFF_ALL

    make_user("analyst", username="andre")
    page = browser.new_page()
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    page.evaluate("window.__sameDocument = true")

    live_asgi.stop()
    page.wait_for_selector("#live-state[data-state=down]", timeout=10_000)
    missed = publish_from_server_code(group=STAFF_ALL, kind="notice", summary="sent while the server was restarting")
    live_asgi.start()

    page.locator(f"#event-feed li[data-id='{missed.pk}']").wait_for(timeout=20_000)
    page.wait_for_selector("#live-state[data-state=live]", timeout=5_000)
    assert page.evaluate("window.__sameDocument") is True


def test_a_hotlist_hit_appears_in_the_hits_panel_without_a_reload(live_asgi, browser, make_user):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    from django.utils import timezone

    from plates.models import Hotlist, HotlistEntry
    from plates.services import plate_read_record
    from tests.factories import camera

    make_user("analyst", username="andre")
    cam = camera("Canal & Carrollton LPR", kind="plate_reader")
    HotlistEntry.objects.create(
        hotlist=Hotlist.objects.create(name="NCIC stolen", priority=1), plate="KXR4821", reason="Stolen"
    )
    page = browser.new_page()
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)

    def read():
        try:
            plate_read_record(camera_id=cam.pk, plate="KXR4821", read_at=timezone.now(), confidence=0.93)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(read).result(timeout=10)
    row = page.locator("#hits-panel tbody tr").first
    row.wait_for(timeout=5_000)
    assert "KXR4821" in row.inner_text() and "NCIC stolen" in row.inner_text()


def test_a_new_incident_appears_in_the_dashboards_incident_panel_without_a_reload(live_asgi, browser, make_user):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from incidents.services import incident_create
    from tests.factories import incident_type

    make_user("analyst", username="andre")
    kind = incident_type()
    page = browser.new_page()
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    assert "No open incidents" in page.inner_text("#board-list")

    def create():
        try:
            incident_create(
                incident_type=kind, title="Smoke showing, 2nd floor", latitude=29.95, longitude=-90.07, priority=1
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(create).result(timeout=10)
    row = page.locator("#board-list .incident-row").first
    row.wait_for(timeout=5_000)
    assert "Smoke showing, 2nd floor" in row.inner_text() and "P1" in row.inner_text()


def test_a_hostile_incident_title_is_shown_as_text_on_the_board_map_never_run(live_asgi, browser, make_user):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from incidents.services import incident_create
    from tests.factories import incident_type

    make_user("analyst", username="andre")
    hostile = '<img src=x onerror="window.__xss=1">Shots fired'

    def create():
        try:
            incident_create(incident_type=incident_type(), title=hostile, latitude=29.95, longitude=-90.07, priority=1)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(create).result(timeout=10)
    page = browser.new_page()
    sign_in(page, live_asgi.url, "andre")
    page.goto(f"{live_asgi.url}/incidents/")
    page.locator("#incident-map path.leaflet-interactive").first.hover()
    tooltip = page.locator(".leaflet-tooltip").first
    tooltip.wait_for(timeout=5_000)
    assert "<img" in tooltip.inner_text()
    assert page.evaluate("window.__xss") is None
