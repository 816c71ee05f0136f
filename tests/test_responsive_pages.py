"""Pages that fit: the dashboard on a 390 px phone has no sideways scroll and a one-line menu that opens and closes.

Real Chromium at a phone's, a tablet's and a 4K wall display's size; screenshots for docs/ are written when
RTCC_SCREENSHOTS names a folder.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
WALL_4K = {"width": 3840, "height": 2160}

# The elements wider than the screen, named, so a failure says what to fix.
OVERFLOWING = """(width) => {
  const scrolls = (el) => ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX);
  const clipped = (el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (scrolls(p)) { return true; } } return false; };
  return Array.from(document.querySelectorAll("body *"))
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !clipped(el))
    .slice(0, 8)
    .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + el.className + " " +
         Math.round(el.getBoundingClientRect().right));
}"""


def screenshot(page, name):
    folder = os.environ.get("RTCC_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=False)


def demo_rows():
    """A shift's worth of what makes rows wide: a hit on a hotlist, long names, an incident, a notice."""
    from django.utils import timezone

    from plates.models import Hotlist, HotlistEntry
    from plates.services import plate_read_record
    from rtcc import realtime
    from rtcc.roles import STAFF_ALL
    from tests.factories import camera, incident

    camera("Jackson Square", latitude=29.9574, longitude=-90.0629, status="online")
    lpr = camera("Canal & Carrollton LPR", latitude=29.975, longitude=-90.098, kind="plate_reader")
    camera("St. Charles & Poydras, facing north-east towards the CBD", latitude=29.9487, longitude=-90.0703)
    incident(title="Smoke showing from a two-storey building on Perdido Street")
    HotlistEntry.objects.create(
        hotlist=Hotlist.objects.create(name="NCIC stolen vehicles (national)", priority=1),
        plate="KXR4821",
        reason="Stolen 2026-11-30, silver Toyota Camry, armed robbery suspect vehicle",
    )
    plate_read_record(camera_id=lpr.pk, plate="KXR4821", read_at=timezone.now(), confidence=0.93)
    realtime.publish(
        group=STAFF_ALL,
        kind="notice",
        summary="Supervisor notice: all units be advised of the road closure on Canal Street between Rampart and "
        "Basin until 18:00 for the parade set-up",
    )


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone-390", "tablet-820"])
def test_the_dashboard_has_no_sideways_scroll(live_asgi, browser, make_user, viewport):
    make_user("analyst", username="andre")
    demo_rows()
    page = browser.new_page(viewport=viewport)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_url(f"{live_asgi.url}/dashboard/")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    width = viewport["width"]
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, page.evaluate(OVERFLOWING, width)
    assert errors == []
    if width == PHONE["width"]:
        screenshot(page, "dashboard-phone.png")


def test_on_a_phone_the_menu_is_one_button_that_opens_and_closes(live_asgi, browser, make_user):
    make_user("supervisor", username="sue")  # the longest menu
    page = browser.new_page(viewport=PHONE)
    sign_in(page, live_asgi.url, "sue")
    page.wait_for_url(f"{live_asgi.url}/dashboard/")
    toggle = page.locator(".nav-toggle")
    nav = page.locator("#main-nav")
    assert toggle.is_visible() and not nav.is_visible()
    header_height = page.evaluate("document.querySelector('.topbar').getBoundingClientRect().height")
    assert header_height < 140, f"the header takes {header_height} px"
    toggle.click()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    page.locator("#main-nav a", has_text="Cameras").first.click()
    page.wait_for_url(f"{live_asgi.url}/cameras/")
    assert not page.locator("#main-nav").is_visible()
    page.locator(".nav-toggle").click()
    page.keyboard.press("Escape")
    assert not page.locator("#main-nav").is_visible()


def test_on_a_desktop_the_menu_is_always_shown(live_asgi, browser, make_user):
    make_user("analyst", username="andre")
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_asgi.url, "andre")
    assert page.locator("#main-nav").is_visible()
    assert not page.locator(".nav-toggle").is_visible()


def test_a_4k_wall_display_gets_larger_text_and_no_sideways_scroll(live_asgi, browser, make_user):
    make_user("analyst", username="andre")
    demo_rows()
    page = browser.new_page(viewport=WALL_4K)
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_url(f"{live_asgi.url}/dashboard/")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    assert page.evaluate("document.scrollingElement.scrollWidth") <= WALL_4K["width"]


@pytest.mark.parametrize("path", ["/cameras/", "/cameras/wall/", "/incidents/"])
def test_other_analyst_pages_fit_a_phone(live_asgi, browser, make_user, path):
    make_user("analyst", username="andre")
    demo_rows()
    page = browser.new_page(viewport=PHONE)
    sign_in(page, live_asgi.url, "andre")
    page.goto(live_asgi.url + path)
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE["width"], page.evaluate(OVERFLOWING, PHONE["width"])


# Where each page's main parts are: on a wall display they share the screen between them, none left small in a corner.
WALL_PAGES = {
    "/dashboard/": ["#map", "#alert-queue"],
    "/cameras/wall/": [".wall"],
    "/incidents/": ["#incident-map", ".board-list-panel"],
}
WALL_SHOTS = {"/dashboard/": "dashboard-4k.png", "/cameras/wall/": "camera-wall-4k.png", "/incidents/": "board-4k.png"}
BOXES = """(selectors) => selectors.map((s) => { const r = document.querySelector(s).getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height}; })"""


@pytest.mark.parametrize("path", list(WALL_PAGES), ids=["dashboard", "camera-wall", "incident-board"])
def test_on_a_4k_wall_display_the_operator_pages_use_the_whole_screen(live_asgi, browser, make_user, path):
    from django.utils import timezone

    from cameras import services
    from cameras.models import Camera

    make_user("analyst", username="andre")
    demo_rows()

    for n, cam in enumerate(Camera.objects.all()):
        Camera.objects.filter(pk=cam.pk).update(stream_url=f"rtsp://10.0.0.{n + 10}/live", status="online")
        services.snapshot_store(cam.pk, wall_picture(cam.name), timezone.now(), ttl=600)
    page = browser.new_page(viewport=WALL_4K)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, "andre")
    page.goto(live_asgi.url + path)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # map labels settle (overlaps faded) a moment after the map is placed
    screenshot(page, WALL_SHOTS[path])
    width, height = WALL_4K["width"], WALL_4K["height"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, page.evaluate(OVERFLOWING, width)
    boxes = page.evaluate(BOXES, WALL_PAGES[path])
    # Together the main parts span the screen's width (a margin aside), and each is large.
    left, right = min(b["left"] for b in boxes), max(b["right"] for b in boxes)
    assert right - left >= 0.9 * width, boxes
    for box in boxes:
        assert box["width"] >= 0.2 * width, boxes
        if path != "/cameras/wall/":  # the wall is as tall as its rows of 16:9 pictures, checked below
            assert box["height"] >= 0.4 * height, boxes
    # Text readable from across the room.
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    if path == "/dashboard/":
        # The map and the alert queue take most of the screen's height, the layer list at a readable size.
        assert boxes[0]["height"] >= 0.6 * height and boxes[1]["height"] >= 0.6 * height, boxes
        assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.map-layers')).fontSize)") >= 20
    if path == "/cameras/wall/":
        pictures = page.evaluate(
            "() => Array.from(document.querySelectorAll('.wall .tile img')).map((i) => i.getBoundingClientRect().width)"
        )
        assert pictures and min(pictures) >= 0.2 * width, pictures
    assert errors == []


def wall_picture(text):
    import cv2
    import numpy as np

    frame = np.full((360, 640, 3), (70, 80, 60), np.uint8)
    cv2.rectangle(frame, (0, 230), (640, 360), (90, 90, 90), -1)
    cv2.putText(frame, text.upper()[:40], (12, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2, cv2.LINE_AA)
    return cv2.imencode(".jpg", frame)[1].tobytes()
