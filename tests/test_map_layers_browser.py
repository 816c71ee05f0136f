"""The operator's map in a real browser: its layers listed and toggled, the choice remembered on the server (after a
reload and at another workstation), camera view cones coloured by status and recoloured live, a click on a camera
opening its live picture, and layers a role may not see absent from the list and the map.

Screenshots for docs/ (the dashboard at 1440x900 and on a 4K wall, layers on) when RTCC_SCREENSHOTS names a folder.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from cameras.choices import STATUS_COLOURS
from tests.conftest import sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
WALL_4K = {"width": 3840, "height": 2160}


def shot(page, name):
    folder = os.environ.get("RTCC_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


def in_server_thread(fn):
    """Run `fn` as a service would, from plain sync code outside Playwright's event loop."""

    def run():
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=10)


def picture(text):
    frame = np.full((360, 640, 3), (70, 80, 60), np.uint8)
    cv2.rectangle(frame, (0, 230), (640, 360), (90, 90, 90), -1)
    cv2.putText(frame, text, (12, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2, cv2.LINE_AA)
    return cv2.imencode(".jpg", frame)[1].tobytes()


def a_city():
    """Cameras in every status (each facing somewhere), a plate reader with a hit, an incident, a registered camera."""
    from cameras import services
    from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
    from tests.factories import camera, incident
    from tests.registry_helpers import make_site

    now = timezone.now()
    cams = {
        "online": camera(
            "Jackson Square",
            latitude=29.9574,
            longitude=-90.0629,
            bearing=200,
            field_of_view=90,
            status="online",
            stream_url="rtsp://10.0.0.10/live",
        ),
        "offline": camera("Canal & Bourbon", latitude=29.9546, longitude=-90.0694, bearing=45, field_of_view=80),
        "disabled": camera(
            "Decatur & Esplanade", latitude=29.9617, longitude=-90.0577, bearing=270, field_of_view=70, enabled=False
        ),
        "lpr": camera(
            "Rampart & Canal LPR",
            latitude=29.9562,
            longitude=-90.0737,
            kind="plate_reader",
            bearing=135,
            field_of_view=40,
            status="online",
        ),
    }
    from cameras.models import Camera

    Camera.objects.filter(pk=cams["offline"].pk).update(status="offline")
    services.snapshot_store(cams["online"].pk, picture("CAM 01 JACKSON SQUARE"), now, ttl=600)
    incident(title="Smoke showing from a two-storey building", latitude=29.9528, longitude=-90.0775, priority=1)
    make_site(
        address="702 Royal St",
        latitude=29.9597,
        longitude=-90.0650,
        cameras=[{"placement": "Shop door", "bearing": 180, "field_of_view": 100}],
    )
    hotlist = Hotlist.objects.create(name="NCIC stolen vehicles", priority=1)
    entry = HotlistEntry.objects.create(hotlist=hotlist, plate="KXR4821", reason="Stolen, silver Camry")
    read = PlateRead.objects.create(
        camera=cams["lpr"], plate="KXR4821", confidence=0.93, read_at=now - timedelta(minutes=3)
    )
    Hit.objects.create(plate_read=read, entry=entry, hotlist=hotlist, match_kind="exact", matched_plate="KXR4821")
    return cams


def open_dashboard(browser, live_asgi, username, viewport=DESKTOP, context=None):
    page = context.new_page() if context else browser.new_page(viewport=viewport)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, username)
    page.wait_for_url(f"{live_asgi.url}/dashboard/")
    page.locator("#map .map-layers").wait_for()
    return page, errors


def layer_boxes(page):
    return {
        box.get_attribute("value"): box.is_checked() for box in page.locator("#map .map-layers input[name=layer]").all()
    }


def cone_fill(page, camera_id):
    return page.locator(f"#map path.map-cone[data-camera='{camera_id}']").get_attribute("fill")


def toggle(page, name):
    with page.expect_response(lambda r: "/maps/layers/dashboard/" in r.url and r.request.method == "POST") as answer:
        page.locator(f"#map .map-layers input[value={name}]").click()
    assert answer.value.status == 200


def test_layers_are_listed_toggled_and_the_choice_follows_the_analyst(live_asgi, browser, make_user):
    make_user("analyst", username="ana")
    a_city()
    page, errors = open_dashboard(browser, live_asgi, "ana")
    assert layer_boxes(page) == {
        "registered": False,
        "cameras": True,
        "plate_readers": True,
        "incidents": True,
        "hits": True,
    }
    labels = page.locator("#map .map-layers label").all_inner_texts()
    assert any("Registered cameras" in t for t in labels) and any("Recent hits" in t for t in labels)
    assert page.locator("#map path.map-camera").count() == 3
    assert page.locator("#map .map-lpr").all_inner_texts() == ["LPR"]
    assert page.locator("#map path.map-incident").count() == 1
    assert page.locator("#map path.map-hit").count() == 1
    assert page.locator("#map path.map-registered").count() == 0

    toggle(page, "registered")
    assert page.locator("#map path.map-registered").count() == 1
    toggle(page, "hits")
    assert page.locator("#map path.map-hit").count() == 0
    toggle(page, "cameras")
    assert page.locator("#map path.map-camera").count() == 0
    assert page.locator("#map path.map-cone").count() == 1  # the plate reader's, still shown
    wanted = {"registered": True, "cameras": False, "plate_readers": True, "incidents": True, "hits": False}

    page.reload()
    page.locator("#map .map-layers").wait_for()
    assert layer_boxes(page) == wanted
    assert page.locator("#map path.map-registered").count() == 1 and page.locator("#map path.map-hit").count() == 0

    # Another workstation: a new browser profile, signed in afresh.
    elsewhere = browser.new_context(viewport=DESKTOP)
    other, other_errors = open_dashboard(browser, live_asgi, "ana", context=elsewhere)
    assert layer_boxes(other) == wanted
    assert other.locator("#map path.map-camera").count() == 0
    elsewhere.close()
    assert errors == [] and other_errors == []


def test_cones_are_coloured_by_status_and_recoloured_as_a_camera_changes(live_asgi, browser, make_user):
    from cameras.services import camera_set_status

    make_user("analyst", username="ana")
    cams = a_city()
    page, errors = open_dashboard(browser, live_asgi, "ana")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    assert cone_fill(page, cams["online"].pk) == STATUS_COLOURS["online"]
    assert cone_fill(page, cams["offline"].pk) == STATUS_COLOURS["offline"]
    assert cone_fill(page, cams["disabled"].pk) == STATUS_COLOURS["disabled"]
    assert cone_fill(page, cams["lpr"].pk) == STATUS_COLOURS["online"]
    # The cone points where the camera faces: Jackson Square's (bearing 200) lies south of its dot.
    dot = page.locator(f"#map path.map-camera[data-camera='{cams['online'].pk}']").bounding_box()
    cone = page.locator(f"#map path.map-cone[data-camera='{cams['online'].pk}']").bounding_box()
    assert cone["y"] + cone["height"] / 2 > dot["y"] + dot["height"] / 2

    in_server_thread(lambda: camera_set_status(camera_id=cams["online"].pk, status="offline", reason="no frames"))
    expect(page.locator(f"#map path.map-cone[data-camera='{cams['online'].pk}']")).to_have_attribute(
        "fill", STATUS_COLOURS["offline"], timeout=5_000
    )
    expect(page.locator(f"#map path.map-camera[data-camera='{cams['online'].pk}']")).to_have_attribute(
        "fill", STATUS_COLOURS["offline"]
    )
    in_server_thread(lambda: camera_set_status(camera_id=cams["lpr"].pk, status="degraded", reason="slow"))
    expect(page.locator("#map .map-lpr")).to_have_attribute("data-status", "degraded", timeout=5_000)
    assert cone_fill(page, cams["lpr"].pk) == STATUS_COLOURS["degraded"]
    assert errors == []


def test_clicking_a_camera_opens_its_live_picture(live_asgi, browser, make_user):
    make_user("analyst", username="ana")
    cams = a_city()
    page, errors = open_dashboard(browser, live_asgi, "ana")
    page.locator(f"#map path.map-camera[data-camera='{cams['online'].pk}']").click()
    popup = page.locator(f"#map .map-camera-popup[data-camera='{cams['online'].pk}']")
    expect(popup).to_have_attribute("data-picture", "live", timeout=5_000)
    image = popup.locator("img.map-live")
    assert image.is_visible()
    assert page.evaluate("() => document.querySelector('#map img.map-live').naturalWidth") == 640
    assert "Jackson Square" in popup.inner_text() and "Online" in popup.inner_text()
    assert "picture of" in popup.locator(".map-live-note").inner_text()
    link = popup.locator("a", has_text="Open the camera page")
    assert link.get_attribute("href") == f"/cameras/{cams['online'].pk}/"
    shot(page, "map-camera-live-picture.png")
    # A camera with no recent picture says so rather than showing a broken image.
    page.keyboard.press("Escape")
    page.locator(f"#map path.map-camera[data-camera='{cams['offline'].pk}']").click()
    other = page.locator(f"#map .map-camera-popup[data-camera='{cams['offline'].pk}']")
    expect(other).to_have_attribute("data-picture", "none", timeout=5_000)
    assert "No recent picture" in other.inner_text() and not other.locator("img.map-live").is_visible()
    link.wait_for(state="detached")  # one popup at a time: the first one's picture stopped
    assert errors == []


def test_layers_a_role_may_not_see_are_not_listed(live_asgi, browser, make_user, monkeypatch):
    from rtcc.roles import CAPABILITIES, Capability, Role

    make_user("video_technician", username="tess")
    make_user("analyst", username="ana")
    a_city()
    page, errors = open_dashboard(browser, live_asgi, "tess")
    assert layer_boxes(page) == {"registered": False, "cameras": True, "plate_readers": True}
    assert page.locator("#map path.map-hit").count() == 0 and page.locator("#map path.map-incident").count() == 0
    assert "KXR4821" not in page.content()

    # The roles table decides the registered layer: a role it does not allow gets no such layer.
    monkeypatch.setitem(CAPABILITIES, Capability.VIEW_REGISTRY, {Role.TECHNICIAN, Role.SUPERVISOR})
    page, more_errors = open_dashboard(browser, live_asgi, "ana")
    assert "registered" not in layer_boxes(page)
    assert page.locator("#map path.map-registered").count() == 0
    assert "702 Royal St" not in page.content()
    assert errors == [] and more_errors == []


def test_the_incident_board_uses_the_same_layered_map(live_asgi, browser, make_user):
    make_user("analyst", username="ana")
    cams = a_city()
    page, errors = open_dashboard(browser, live_asgi, "ana")
    page.goto(f"{live_asgi.url}/incidents/")
    page.locator("#incident-map .map-layers").wait_for()
    boxes = {b.get_attribute("value"): b.is_checked() for b in page.locator("#incident-map .map-layers input").all()}
    assert boxes == {"registered": False, "cameras": True, "plate_readers": True, "incidents": True, "hits": False}
    assert page.locator("#incident-map path.map-incident").count() == 1
    # The board starts on its incident; the camera is a few streets away: centre on it, clear of the layer list.
    page.locator("#incident-map .map-layers summary").click()  # the list folded away, as once it is set
    centre = f"[{cams['online'].latitude}, {cams['online'].longitude}]"
    page.evaluate(f"() => document.getElementById('incident-map').rtccLayerMap.map.setView({centre}, 15)")
    page.locator(f"#incident-map path.map-camera[data-camera='{cams['online'].pk}']").click()
    expect(page.locator("#incident-map .map-camera-popup")).to_have_attribute("data-picture", "live", timeout=5_000)
    assert errors == []


DOCS = Path(__file__).resolve().parent.parent / "docs"


def demo_city():
    """The demo's cameras (real places, bearings and fields of view as `seed_demo` gives them) in mixed health,
    its incidents, registered cameras and hotlists, and a few hits in the last minutes."""
    from cameras import services
    from cameras.models import Camera
    from incidents.demo import seed_demo_incidents
    from incidents.models import Agency
    from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
    from registry.demo import seed_demo_registry
    from rtcc import demo_data

    now = timezone.now()
    health = ["online"] * 6 + ["offline", "online", "degraded", "online"]
    for n, (name, lat, lon, address, kind, bearing) in enumerate(demo_data.CAMERAS):
        cam = Camera.objects.create(
            name=name,
            latitude=lat,
            longitude=lon,
            address=address,
            kind=kind,
            bearing=bearing,
            field_of_view=70 if kind == "plate_reader" else 95,
            plate_reading=kind == "plate_reader",
            status=health[n % len(health)],
            enabled=name != "Audubon Park",
            stream_url="" if kind == "plate_reader" else f"rtsp://10.0.1.{n + 10}/live",
        )
        if cam.stream_url:
            services.snapshot_store(cam.pk, picture(name.upper()), now, ttl=600)
    agencies = {
        short: Agency.objects.create(name=name, short_name=short, kind=kind)
        for name, short, kind, _ in demo_data.AGENCIES
    }
    from incidents.models import IncidentType

    for name, slug, category, priority in demo_data.INCIDENT_TYPES:
        IncidentType.objects.create(name=name, slug=slug, cap_category=category, default_priority=priority)
    seed_demo_incidents(demo_data.INCIDENTS, agencies)
    seed_demo_registry()
    readers = list(Camera.objects.filter(kind="plate_reader").order_by("name")[:3])
    for i, (list_name, source, priority, entries) in enumerate(demo_data.HOTLISTS[:3]):
        hotlist = Hotlist.objects.create(name=list_name, source=source, priority=priority)
        plate, reason, vehicle = entries[0]
        entry = HotlistEntry.objects.create(hotlist=hotlist, plate=plate, reason=reason, vehicle_description=vehicle)
        read = PlateRead.objects.create(
            camera=readers[i], plate=plate, confidence=0.94, read_at=now - timedelta(minutes=4 * i + 1)
        )
        Hit.objects.create(plate_read=read, entry=entry, hotlist=hotlist, match_kind="exact", matched_plate=plate)


@pytest.mark.parametrize("viewport", [DESKTOP, WALL_4K], ids=["1440x900", "3840x2160"])
def test_the_first_screen_shows_the_alert_queue_and_the_map_with_its_layers(
    live_asgi, browser, make_user, tmp_path, viewport
):
    make_user("analyst", username="ana")
    demo_city()
    page, errors = open_dashboard(browser, live_asgi, "ana", viewport=viewport)
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    toggle(page, "registered")
    page.locator("#map.outline-drawn").wait_for(timeout=10_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')")
    width, height = viewport["width"], viewport["height"]
    for selector in ("#map", "#alert-queue"):
        box = page.locator(selector).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (selector, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
    assert page.locator("#alert-queue [data-lane=critical] li.alert").count() >= 1
    assert page.locator("#map path.map-cone").count() >= 20
    assert page.locator("#map path.map-registered").count() >= 3
    assert page.locator("#map .map-lpr").count() == 7
    folder = DOCS if os.environ.get("RTCC_WRITE_SCREENSHOTS") == "1" else tmp_path
    page.screenshot(path=str(folder / f"dashboard-{width}x{height}.png"))
    assert errors == []


def test_a_new_hit_and_a_new_incident_appear_on_the_map_without_a_reload(live_asgi, browser, make_user):
    from incidents.services import incident_create
    from plates.models import Hotlist, HotlistEntry
    from plates.services import plate_read_record
    from tests.factories import camera, incident_type

    make_user("analyst", username="ana")
    cams = a_city()
    second = camera("Elysian Fields LPR", latitude=29.9683, longitude=-90.0535, kind="plate_reader")
    kind = incident_type()
    page, errors = open_dashboard(browser, live_asgi, "ana")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    page.evaluate("() => { window.__sameDocument = true; }")
    assert page.locator("#map path.map-hit").count() == 1 and page.locator("#map path.map-incident").count() == 1

    def hit():
        hotlist = Hotlist.objects.create(name="Local BOLO", priority=3)
        HotlistEntry.objects.create(hotlist=hotlist, plate="TRK9001", reason="Expired registration")
        plate_read_record(camera_id=second.pk, plate="TRK9001", read_at=timezone.now(), confidence=0.95)

    in_server_thread(hit)
    expect(page.locator("#map path.map-hit")).to_have_count(2, timeout=5_000)
    in_server_thread(
        lambda: incident_create(
            incident_type=kind, title="Shots fired", latitude=29.9590, longitude=-90.0655, priority=1
        )
    )
    expect(page.locator("#map path.map-incident")).to_have_count(2, timeout=5_000)
    assert page.evaluate("() => window.__sameDocument") is True
    assert cams  # the city the map started from
    assert errors == []
