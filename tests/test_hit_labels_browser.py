"""State mismatch and alternative-reading labels in a real browser: pushed live into the alert queue (a mismatch
below the others, without the critical banner) and the hits table, and drawn the same by the server on reload."""

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from tests.conftest import sign_in

pytestmark = pytest.mark.browser

MISMATCH = "State mismatch: read LA (0.93), list says TX"
ALTERNATIVE = "Matched alternative reading ABC1234 (22\u00a0%) of read ABC1734"
# Where to leave screenshots for a person to look at (unset: none are written).
SHOTS = os.environ.get("RTCC_TEST_SCREENSHOTS", "")


def from_server(fn, *args, **kwargs):
    """Run server code as a capture worker would: in its own thread and database connection."""

    def run():
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=60)


def reads(camera_id, rows):
    from plates.services import plate_read_record

    start = timezone.now() - timedelta(seconds=len(rows))
    for i, (plate, fields) in enumerate(rows):
        plate_read_record(
            camera_id=camera_id, plate=plate, read_at=start + timedelta(seconds=i), confidence=0.9, **fields
        )


@pytest.fixture
def lists(db):
    from plates.models import Hotlist, HotlistEntry

    amber = Hotlist.objects.create(name="AMBER alert", source="amber", priority=1)
    HotlistEntry.objects.create(hotlist=amber, plate="ABC1234", reason="Child abduction", vehicle_description="Camry")
    stolen = Hotlist.objects.create(name="NCIC stolen", source="ncic", priority=1)
    HotlistEntry.objects.create(hotlist=stolen, plate="KXR4821", region="TX", reason="Stolen in Houston")
    HotlistEntry.objects.create(hotlist=stolen, plate="JTB5507", region="LA", reason="Stolen in Metairie")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", [(1440, 900), (390, 844)], ids=["desktop", "phone"])
def test_labels_are_pushed_live_and_a_state_mismatch_sits_below_without_the_banner(
    live_asgi, browser, make_user, lists, viewport
):
    from tests.factories import camera

    make_user("analyst", username="andre")
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    page = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}).new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)

    from_server(reads, lot.pk, [("KXR4821", {"region": "LA", "region_confidence": 0.93})])
    critical = page.locator("#alert-queue [data-lane=critical] li.alert")
    critical.first.wait_for(timeout=10_000)
    assert MISMATCH in critical.first.inner_text()
    assert "state-mismatch" in critical.first.get_attribute("class")
    assert page.locator("#critical-banner").is_hidden()  # probably another car: no alarm
    assert MISMATCH in page.locator("#hits-panel tbody tr").first.inner_text()

    # Newer alerts whose state agrees (or came from an alternative reading) go above the mismatch.
    from_server(
        reads,
        lot.pk,
        [("JTB5507", {"region": "LA", "region_confidence": 0.97}), ("ABC1734", {"alternatives": [("ABC1234", 0.22)]})],
    )
    page.wait_for_function(
        "() => document.querySelectorAll('#alert-queue [data-lane=critical] li.alert').length === 3", timeout=10_000
    )
    plates = [li.locator(".plate").inner_text() for li in critical.all()]
    assert plates == ["ABC1734", "JTB5507", "KXR4821"]
    assert ALTERNATIVE in critical.first.inner_text()
    assert page.locator("#critical-banner").is_visible()
    shot(page, f"dashboard-live-{viewport[0]}")

    # The server draws the same on reload.
    page.reload()
    page.wait_for_selector("#alert-queue [data-lane=critical] li.alert")
    plates = [li.locator(".plate").inner_text() for li in critical.all()]
    assert plates == ["ABC1734", "JTB5507", "KXR4821"]
    assert MISMATCH in critical.last.inner_text() and ALTERNATIVE in critical.first.inner_text()
    for label in (MISMATCH, ALTERNATIVE):
        note = page.locator("#hits-panel .hit-note", has_text=label)
        assert note.count() == 1 and note.is_visible()
        box = note.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport[0] + 1  # wraps, never runs off the screen
    shot(page, f"dashboard-reloaded-{viewport[0]}")

    page.goto(f"{live_asgi.url}/plates/")
    assert MISMATCH in page.inner_text("#hits-panel") and ALTERNATIVE in page.inner_text("#hits-panel")
    shot(page, f"hits-page-{viewport[0]}")
    assert errors == []
