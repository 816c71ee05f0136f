"""The camera wall in a real browser: layouts with pages (remembered per person), a camera large on click and
back, a tour, tiles labelled beneath the picture with times to the second, status as it changes, and the
incident page's live wall of its nearby cameras. Screenshots for docs/ when RTCC_SCREENSHOTS names a folder."""

import os
import re
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import pytest
from django.utils import timezone

from tests.conftest import sign_in

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("RTCC_SCREENSHOTS")
STREETS = [
    ("Canal & Bourbon", 29.9546, -90.0694),
    ("Jackson Square", 29.9574, -90.0629),
    ("Poydras & St. Charles", 29.9487, -90.0703),
    ("Decatur & Esplanade", 29.9617, -90.0577),
    ("Tchoupitoulas & Julia", 29.9442, -90.0677),
    ("Rampart & Canal", 29.9562, -90.0737),
]


def shot(page, name, *, full_page=False):
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / name), full_page=full_page)


def street_picture(n, name, taken_at):
    """A camera-like frame: a road scene with the camera's own burned-in name and time in the top-left corner."""
    from plates.alpr.synthetic import background

    frame = background(360, 640, seed=n)
    frame[:, :, n % 3] = (frame[:, :, n % 3] * 1.25).clip(0, 255)  # each camera a different cast
    stamp = f"CAM {n + 1:02d} {name.upper()}  {timezone.localtime(taken_at):%Y-%m-%d %H:%M:%S}"
    cv2.putText(frame, stamp, (8, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 1, cv2.LINE_AA)
    return cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()


def cameras_with_pictures(count, taken_at=None):
    from cameras import services
    from tests.factories import camera

    taken_at = taken_at or timezone.now()
    made = []
    for n, (name, lat, lon) in enumerate(STREETS[:count]):
        cam = camera(
            name,
            latitude=lat,
            longitude=lon,
            stream_url=f"rtsp://10.0.0.{n + 10}/live",
            status="online",
            last_frame_at=taken_at,
        )
        services.snapshot_store(cam.pk, street_picture(n, name, taken_at), taken_at, ttl=600)
        made.append(cam)
    return made


def visible_tiles(page):
    return page.locator(".wall [data-camera]:visible")


def open_wall(browser, live_asgi, viewport=None):
    page = browser.new_page(viewport=viewport or {"width": 1440, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, "andre")
    page.goto(f"{live_asgi.url}/cameras/wall/")
    page.wait_for_function("() => Array.from(document.querySelectorAll('.wall img')).every(i => i.naturalWidth > 0)")
    return page, errors


def test_layouts_show_that_many_cameras_a_page_and_are_remembered(live_asgi, browser, make_user):
    make_user("analyst", username="andre")
    cameras_with_pictures(6)
    page, errors = open_wall(browser, live_asgi)
    assert visible_tiles(page).count() == 6  # auto: every camera

    page.click("button[data-layout='2']")
    assert visible_tiles(page).count() == 4
    assert page.locator("[data-role=page-label]").inner_text() == "Page 1 of 2"
    lefts = {round(box["x"]) for box in (t.bounding_box() for t in visible_tiles(page).all())}
    assert len(lefts) == 2  # two columns
    shot(page, "camera-wall-2x2.png")
    page.click("[data-action=next]")
    assert visible_tiles(page).count() == 2

    page.click("button[data-layout='3']")
    assert visible_tiles(page).count() == 6
    lefts = {round(box["x"]) for box in (t.bounding_box() for t in visible_tiles(page).all())}
    assert len(lefts) == 3
    assert page.locator("[data-role=pages]").is_hidden()  # six fit on one page of nine
    page.wait_for_function("() => Array.from(document.querySelectorAll('.wall img')).every(i => i.naturalWidth > 0)")
    shot(page, "camera-wall-3x3.png")

    page.reload()
    assert page.locator("button[data-layout='3']").get_attribute("aria-pressed") == "true"
    assert visible_tiles(page).count() == 6
    page.click("button[data-layout='4']")
    assert visible_tiles(page).count() == 6
    assert errors == []


def test_labels_sit_beneath_the_picture_and_times_are_to_the_second_in_the_centers_zone(
    live_asgi, browser, make_user, settings
):
    make_user("analyst", username="andre")
    taken_at = timezone.now().replace(microsecond=0) - timedelta(seconds=3)
    cameras_with_pictures(3, taken_at=taken_at)
    page, errors = open_wall(browser, live_asgi)
    expected = f"updated {taken_at.astimezone(ZoneInfo(settings.TIME_ZONE)):%H:%M:%S}"
    for tile in visible_tiles(page).all():
        picture = tile.locator(".tile-picture").bounding_box()
        bar = tile.locator(".tile-bar").bounding_box()
        # The name and time never overlap the picture, so the camera's burned-in text stays readable.
        assert bar["y"] >= picture["y"] + picture["height"] - 0.5
        seen = tile.locator("[data-role=seen]").inner_text()
        assert re.fullmatch(r"updated \d\d:\d\d:\d\d", seen) and seen == expected
    assert "minutes ago" not in page.content()
    assert errors == []


def test_a_camera_opens_large_on_click_and_goes_back(live_asgi, browser, make_user):
    make_user("analyst", username="andre")
    cameras_with_pictures(4)
    page, errors = open_wall(browser, live_asgi)
    small = visible_tiles(page).nth(1).bounding_box()["width"]
    second = visible_tiles(page).nth(1).get_attribute("data-camera")
    page.locator(".wall [data-camera] .tile-picture").nth(1).click()
    assert visible_tiles(page).count() == 1
    large = page.locator(f".wall [data-camera='{second}']")
    assert large.bounding_box()["width"] > 2 * small
    assert page.locator("[data-action=back]").is_visible()
    large.locator(".tile-picture").click()  # again: back to the wall
    assert visible_tiles(page).count() == 4
    page.locator(".wall [data-camera] .tile-picture").first.click()
    page.keyboard.press("Escape")
    assert visible_tiles(page).count() == 4
    page.locator(".wall [data-camera] .tile-picture").first.click()
    page.click("[data-action=back]")
    assert visible_tiles(page).count() == 4 and page.locator("[data-action=back]").is_hidden()
    assert errors == []


def test_the_tour_shows_each_camera_large_in_turn(live_asgi, browser, make_user):
    make_user("analyst", username="andre")
    cameras_with_pictures(3)
    page, errors = open_wall(browser, live_asgi)
    page.evaluate("document.querySelector('[data-wall]').setAttribute('data-tour-ms', '300')")
    page.click("[data-action=tour]")
    assert page.locator("[data-action=tour]").get_attribute("aria-pressed") == "true"
    shown = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and len(set(shown)) < 3:
        assert visible_tiles(page).count() == 1
        shown.append(visible_tiles(page).first.get_attribute("data-camera"))
        time.sleep(0.1)
    assert len(set(shown)) == 3, shown
    page.click("[data-action=tour]")
    assert visible_tiles(page).count() == 3
    assert page.locator("[data-action=tour]").get_attribute("aria-pressed") == "false"
    assert errors == []


def test_a_tile_shows_a_status_change_as_it_happens(live_asgi, browser, make_user):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from cameras import services

    make_user("analyst", username="andre")
    cam = cameras_with_pictures(2)[0]
    page, errors = open_wall(browser, live_asgi)
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)

    def offline():
        try:
            services.camera_set_status(camera_id=cam.pk, status="offline", reason="No frames for 31 s")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(offline).result(timeout=10)
    tile = page.locator(f".wall [data-camera='{cam.pk}']")
    page.wait_for_function(
        f"() => document.querySelector(\".wall [data-camera='{cam.pk}']\").getAttribute('data-status') === 'offline'"
    )
    assert tile.locator("[data-role=reason]").inner_text() == "Offline: No frames for 31 s"
    assert "status-dot-offline" in tile.locator("[data-role=dot]").get_attribute("class")
    assert errors == []


def test_the_incident_page_has_a_live_wall_of_its_nearby_cameras(live_asgi, browser, make_user, settings):
    from tests.factories import camera, incident

    settings.RTCC_NEARBY_CAMERA_RADIUS_M = 2000  # the four test cameras are spread over the French Quarter
    make_user("analyst", username="andre")
    near = cameras_with_pictures(4)
    camera("Far away", latitude=30.5, longitude=-91.0, stream_url="rtsp://10.0.0.99/live")
    inc = incident(title="Smoke showing", latitude=29.9550, longitude=-90.0680, address="Canal St at Bourbon St")
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, "andre")
    page.goto(f"{live_asgi.url}/incidents/{inc.pk}/")
    wall = page.locator("#nearby-cameras .wall")
    wall.locator("[data-camera]").first.wait_for()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#nearby-cameras .wall img')).every(i => i.naturalWidth > 0)"
    )
    shown = {t.get_attribute("data-camera") for t in wall.locator("[data-camera]").all()}
    assert shown == {str(c.pk) for c in near}
    assert wall.locator("button", has_text="Attach snapshot").count() == 4
    assert re.fullmatch(r"updated \d\d:\d\d:\d\d", wall.locator("[data-role=seen]").first.inner_text())
    # Its own layout, and a camera large on click, as on the wall page.
    assert page.locator("#nearby-cameras button[data-layout='2']").get_attribute("aria-pressed") == "true"
    # Its map is the operator's layered map, centred on the incident: the cameras around it are drawn, named.
    page.locator("#incident-map .map-layers").wait_for()
    assert page.locator("#incident-map path.map-camera").count() == 5
    assert "Canal & Bourbon" in page.locator("#incident-map").inner_text()
    page.locator("#nearby-cameras").scroll_into_view_if_needed()
    shot(page, "incident-camera-wall.png", full_page=True)
    wall.locator(".tile-picture").first.click()
    assert wall.locator("[data-camera]:visible").count() == 1
    assert errors == []
