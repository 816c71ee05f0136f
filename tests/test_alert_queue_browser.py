"""The dashboard's alert queue in a real browser: repeats fold, nothing buries a critical or camera alert,
alerts are claimed and reviewed in place, without a page load."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from tests.conftest import sign_in

pytestmark = pytest.mark.browser


def from_server(fn, *args, **kwargs):
    """Run server code (a read, a status change) as a worker would: in its own thread and connection."""

    def run():
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=60)


def read_plates(camera_id, plates, *, every_s=1.0):
    from plates.services import plate_read_record

    start = timezone.now() - timedelta(seconds=every_s * len(plates))
    for i, plate in enumerate(plates):
        plate_read_record(
            camera_id=camera_id, plate=plate, read_at=start + timedelta(seconds=every_s * i), confidence=0.9
        )


@pytest.fixture
def lists(db):
    from plates.models import Hotlist, HotlistEntry

    stolen = Hotlist.objects.create(name="NCIC stolen", priority=1)
    HotlistEntry.objects.create(hotlist=stolen, plate="KXR4821", reason="Stolen", vehicle_description="Grey F-150")
    scofflaws = Hotlist.objects.create(name="Parking scofflaws", priority=4)
    HotlistEntry.objects.create(hotlist=scofflaws, plate="ZZ*", reason="Unpaid tickets")
    return {"stolen": stolen, "scofflaws": scofflaws}


def dashboard(browser, live_asgi, username):
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, username)
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    page.evaluate("window.__sameDocument = true")
    return page, errors


def test_a_parked_plate_read_ten_times_in_a_minute_is_one_alert_with_a_count_of_ten(
    live_asgi, browser, make_user, lists
):
    from tests.factories import camera

    make_user("analyst", username="andre")
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    page, errors = dashboard(browser, live_asgi, "andre")

    from_server(read_plates, lot.pk, ["KXR4821"] * 10, every_s=6)

    alert = page.locator("#alert-queue [data-lane=critical] li.alert")
    page.wait_for_function(
        "() => { const a = document.querySelector('#alert-queue li.alert'); return a && a.dataset.count === '10'; }",
        timeout=10_000,
    )
    assert alert.count() == 1
    assert "Seen 10 times" in alert.inner_text() and "KXR4821" in alert.inner_text()
    assert "CST" in alert.locator(".alert-seen").inner_text() or "CDT" in alert.locator(".alert-seen").inner_text()
    # The banner and the sound state say a critical alert came in.
    assert page.locator("#critical-banner").is_visible()
    assert page.locator(".sound-toggle").inner_text().startswith("Sound: on")
    page.reload()
    assert page.locator("#alert-queue li.alert").count() == 1
    assert page.locator("#alert-queue li.alert").get_attribute("data-count") == "10"
    assert errors == []


def test_an_unreviewed_critical_alert_is_still_in_the_queue_after_a_hundred_other_hits(
    live_asgi, browser, make_user, lists
):
    from tests.factories import camera

    make_user("analyst", username="andre")
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    page, errors = dashboard(browser, live_asgi, "andre")

    from_server(read_plates, lot.pk, ["KXR4821"])
    page.locator("#alert-queue [data-lane=critical] li.alert").wait_for(timeout=5_000)
    from_server(read_plates, lot.pk, [f"ZZ{n:03d}" for n in range(100)], every_s=0.5)

    page.wait_for_function(
        "() => document.querySelectorAll('#alert-queue [data-lane=hits] li.alert').length === 100", timeout=20_000
    )
    critical = page.locator("#alert-queue [data-lane=critical] li.alert")
    assert critical.count() == 1 and "KXR4821" in critical.inner_text()
    assert critical.is_visible() and critical.bounding_box()["y"] < 900  # on the first screen, not scrolled away
    assert page.evaluate("window.__sameDocument") is True
    assert errors == []


def test_a_camera_offline_alert_stays_visible_while_hits_arrive(live_asgi, browser, make_user, lists):
    from cameras.services import camera_set_status
    from tests.factories import camera

    make_user("analyst", username="andre")
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    square = camera("Jackson Square")
    page, errors = dashboard(browser, live_asgi, "andre")

    from_server(camera_set_status, camera_id=square.pk, status="offline", reason="No frames for 60 s")
    offline = page.locator(f"#alert-queue [data-lane=health] li[data-camera='{square.pk}']")
    offline.wait_for(timeout=5_000)
    from_server(read_plates, lot.pk, [f"ZZ{n:03d}" for n in range(40)], every_s=0.5)
    page.wait_for_function(
        "() => document.querySelectorAll('#alert-queue [data-lane=hits] li.alert').length === 40", timeout=20_000
    )
    assert offline.is_visible() and offline.bounding_box()["y"] < 900
    assert "Jackson Square" in offline.inner_text() and "offline" in offline.inner_text().lower()
    # The live feed says it in plain words, not "camera.offline".
    assert "camera.offline" not in page.inner_text("#event-feed") and "Camera offline" in page.inner_text("#event-feed")

    from_server(camera_set_status, camera_id=square.pk, status="online")
    offline.wait_for(state="detached", timeout=5_000)
    assert errors == []


def test_an_alert_is_claimed_and_reviewed_in_place_and_the_other_analyst_sees_both(
    live_asgi, browser, make_user, lists
):
    from plates.models import Hit
    from rtcc.models import AuditRecord
    from tests.factories import camera

    make_user("analyst", username="andre")
    make_user("analyst", username="beth")
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    andre, errors = dashboard(browser, live_asgi, "andre")
    beth, _ = dashboard(browser, live_asgi, "beth")

    from_server(read_plates, lot.pk, ["KXR4821"])
    mine = andre.locator("#alert-queue li.alert").first
    mine.wait_for(timeout=5_000)
    theirs = beth.locator("#alert-queue li.alert").first
    theirs.wait_for(timeout=5_000)

    mine.locator("button.claim").click()
    theirs.locator(".alert-claim", has_text="Taken by andre").wait_for(timeout=5_000)
    assert not theirs.locator("button.claim").is_visible()
    assert AuditRecord.objects.filter(action="plates.hit.claimed", actor_username="andre").exists()

    mine.locator("button", has_text="Confirm").click()
    mine.wait_for(state="detached", timeout=5_000)
    theirs.wait_for(state="detached", timeout=5_000)
    assert Hit.objects.get().status == "confirmed"
    assert andre.evaluate("window.__sameDocument") is True
    assert errors == []


def test_a_hit_reviewed_from_the_hits_table_form_does_not_load_a_page(live_asgi, browser, make_user, lists):
    from plates.models import Hit
    from tests.factories import camera

    make_user("analyst", username="andre")
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    read_plates(lot.pk, ["ZZ001"])
    page, errors = dashboard(browser, live_asgi, "andre")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    scrolled = page.evaluate("window.scrollY")
    row = page.locator("#hits-panel tbody tr").first
    row.locator("select[name=reason]").select_option("misread")
    row.locator("button", has_text="Dismiss").click()
    row.locator(".badge", has_text="Dismissed").wait_for(timeout=5_000)
    assert page.evaluate("window.__sameDocument") is True
    assert scrolled > 0 and abs(page.evaluate("window.scrollY") - scrolled) < 50  # the place in the page is kept
    assert Hit.objects.get().status == "dismissed"
    page.locator("#alert-queue li.alert").first.wait_for(state="detached", timeout=5_000)
    assert errors == []


def test_the_first_screen_at_1440_by_900_shows_the_alert_queue_and_the_map(live_asgi, browser, make_user, lists):
    from tests.factories import camera

    make_user("analyst", username="andre")
    camera("Jackson Square")
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    read_plates(lot.pk, ["KXR4821", "ZZ001"])
    page, errors = dashboard(browser, live_asgi, "andre")
    for selector in ("#alert-queue [data-lane=critical] li.alert", "#alert-queue [data-lane=hits] li.alert", "#map"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + min(box["height"], 100) <= 900, selector
    assert page.locator("#hits-panel").bounding_box()["y"] >= 900  # plate hits today sit below the fold
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    assert errors == []


def test_a_critical_notice_raises_the_banner_and_a_lost_connection_says_so(live_asgi, browser, make_user):
    from rtcc import realtime
    from rtcc.roles import STAFF_ALL

    make_user("analyst", username="andre")
    page, errors = dashboard(browser, live_asgi, "andre")
    assert page.locator("#critical-banner").is_hidden()
    from_server(realtime.publish, group=STAFF_ALL, kind="notice", summary="Shots fired, 7th Ward", severity="critical")
    banner = page.locator("#critical-banner")
    banner.wait_for(state="visible", timeout=5_000)
    assert "Shots fired, 7th Ward" in banner.inner_text()
    banner.locator("button", has_text="Seen").click()
    assert banner.is_hidden()

    live_asgi.stop()
    page.locator("#connection-banner").wait_for(state="visible", timeout=15_000)
    live_asgi.start()
    page.locator("#connection-banner").wait_for(state="hidden", timeout=30_000)
    assert errors == []
