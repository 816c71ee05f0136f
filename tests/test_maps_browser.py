"""In a real browser: streets drawn from a small basemap file the test builds; without one, the city's outline and
labels; an address typed in the incident form moves the pin there.

Screenshots go to docs/maps-*.png with RTCC_WRITE_SCREENSHOTS=1 (to refresh them), else to a temporary folder.
"""

import io
import os
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import expect

from maps.models import AddressPoint
from tests.conftest import sign_in
from tests.factories import camera
from tests.maps_helpers import LAND, build_mbtiles
from tests.registry_helpers import make_site

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture
def shots(tmp_path):
    return DOCS if os.environ.get("RTCC_WRITE_SCREENSHOTS") == "1" else tmp_path


def place_things():
    camera("Jackson Square", latitude=29.9574, longitude=-90.0629)
    camera("Canal & Bourbon", latitude=29.9546, longitude=-90.0694)
    camera("Canal & Carrollton LPR", latitude=29.975, longitude=-90.098, kind="plate_reader")
    make_site(address="702 Royal St", latitude=29.9597, longitude=-90.0650, cameras=[{"placement": "Shop door"}])
    make_site(address="8 Orleans Ave", latitude=29.9600, longitude=-90.0660, cameras=[{"placement": "Gate"}])
    AddressPoint.objects.create(
        number="1200", street="Canal St", city="New Orleans", latitude=29.9553, longitude=-90.0715
    )
    AddressPoint.objects.create(
        number="1300", street="Canal St", city="New Orleans", latitude=29.9564, longitude=-90.0731
    )


def picture(page, selector):
    """The element's pixels as an RGB array."""
    return np.asarray(Image.open(io.BytesIO(page.locator(selector).screenshot())).convert("RGB")).astype(int)


def share_of(pixels, bgr, tolerance=6):
    rgb = np.array(bgr[::-1])
    return float((np.abs(pixels - rgb).max(axis=2) <= tolerance).mean())


def settled(page):
    """Wait until no map is zooming and nothing is loading, so a screenshot shows what a person would see."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')")


def open_page(browser, live_asgi, errors):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, "ana")
    return page


def find_address_in_the_incident_form(page, live_asgi, shots, name):
    page.goto(f"{live_asgi.url}/incidents/new/")
    page.locator("#pin-map.leaflet-container").wait_for()
    page.locator("#id_address").press_sequentially("1200 canal", delay=20)
    page.locator("#id_address-results li[data-kind=address]").first.wait_for(timeout=5_000)
    page.locator("#id_address").press("Enter")
    expect(page.locator("#id_latitude")).to_have_value("29.955300")
    assert page.input_value("#id_longitude") == "-90.071500"
    assert page.input_value("#id_address") == "1200 Canal St, New Orleans"
    # The pin stands where the address is, in the middle of the map.
    pin = page.locator("#pin-map .leaflet-marker-icon:not(.map-place)").bounding_box()
    box = page.locator("#pin-map").bounding_box()
    assert abs(pin["x"] + pin["width"] / 2 - (box["x"] + box["width"] / 2)) < 3
    centre = page.evaluate("() => { const m = document.getElementById('pin-map'); return m.dataset.center; }")
    assert centre  # the map element is the one the form's script set up
    settled(page)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    # The map's own search box finds a camera and the pin follows.
    box_input = page.locator("#pin-map .map-search input")
    box_input.press_sequentially("jackson", delay=20)
    page.locator("#pin-map .place-results li[data-kind=camera]").first.wait_for(timeout=5_000)
    box_input.press("Enter")
    expect(page.locator("#id_latitude")).to_have_value("29.957400")
    expect(page.locator("#id_longitude")).to_have_value("-90.062900")


def test_streets_are_drawn_from_the_basemap_file_the_test_built(live_asgi, browser, make_user, tmp_path, shots):
    make_user("analyst", username="ana")
    place_things()
    tiles = tmp_path / "city.mbtiles"
    build_mbtiles(tiles)
    call_command("install_basemap", str(tiles), stdout=io.StringIO())
    errors = []
    page = open_page(browser, live_asgi, errors)
    answers = []
    page.on("response", lambda r: answers.append((r.url, r.status)) if "/maps/tiles/" in r.url else None)
    page.goto(f"{live_asgi.url}/dashboard/")
    page.locator("#map img.leaflet-tile-loaded").first.wait_for(timeout=10_000)
    page.wait_for_load_state("networkidle")

    sources = page.eval_on_selector_all("#map img.leaflet-tile", "imgs => imgs.map(i => i.src)")
    assert sources and all(s.startswith(f"{live_asgi.url}/maps/tiles/") for s in sources)
    assert answers and all(status == 200 for _, status in answers), answers
    assert page.locator("#map img.leaflet-tile-loaded").count() == len(sources)
    pixels = picture(page, "#map")
    assert pixels.std() > 20  # not a blank field
    assert share_of(pixels, LAND) > 0.3  # the tiles' land colour covers the map
    assert page.locator("#map .leaflet-interactive").count() == 3  # the cameras, above the streets
    assert not page.locator("#map .map-place").count()  # no outline where there are streets
    settled(page)
    page.screenshot(path=str(shots / "maps-dashboard-basemap.png"))

    page.goto(f"{live_asgi.url}/registry/map/")
    page.locator("#registry-map img.leaflet-tile-loaded").first.wait_for(timeout=10_000)
    assert page.locator("#registry-map path.leaflet-interactive").count() == 2
    settled(page)
    page.screenshot(path=str(shots / "maps-registry-basemap.png"))

    find_address_in_the_incident_form(page, live_asgi, shots, "maps-incident-found-basemap")
    assert errors == []


def test_without_a_basemap_the_map_shows_the_city_outline_and_names(live_asgi, browser, make_user, shots):
    from tests.factories import incident

    make_user("analyst", username="ana")
    place_things()
    incident(title="Smoke showing", latitude=29.9528, longitude=-90.0775)
    errors = []
    page = open_page(browser, live_asgi, errors)
    page.goto(f"{live_asgi.url}/dashboard/")
    page.locator("#map.outline-drawn").wait_for(timeout=10_000)
    assert page.locator("#map img.leaflet-tile").count() == 0
    places = page.locator("#map .map-place").all_inner_texts()
    assert {"French Quarter", "Mississippi River", "City Park"} <= set(places) | set(
        page.locator("#map .map-line-label").all_inner_texts()
    )
    # Every camera carries its name (no hovering on a map with no streets).
    labels = page.locator("#map .map-marker-label")
    labels.first.wait_for()
    assert any("Jackson Square" in t for t in labels.all_inner_texts())
    assert "Approximate city outline" in page.locator("#map .leaflet-control-attribution").inner_text()
    # The cameras and the open incident; the outline takes no clicks.
    assert page.locator("#map .leaflet-interactive").count() == 4
    assert any("Smoke showing" in t for t in labels.all_inner_texts())
    assert picture(page, "#map").std() > 8  # lines and names, not a plain gradient
    settled(page)
    page.screenshot(path=str(shots / "maps-dashboard-outline.png"))

    # The incident board's map shows the cameras too.
    page.goto(f"{live_asgi.url}/incidents/")
    page.locator("#incident-map.outline-drawn").wait_for(timeout=10_000)
    assert page.locator("#incident-map .leaflet-interactive").count() == 4
    settled(page)
    page.screenshot(path=str(shots / "maps-board-outline.png"))

    page.goto(f"{live_asgi.url}/registry/map/")
    page.locator("#registry-map.outline-drawn").wait_for(timeout=10_000)
    settled(page)
    page.screenshot(path=str(shots / "maps-registry-outline.png"))

    find_address_in_the_incident_form(page, live_asgi, shots, "maps-incident-found-outline")
    assert errors == []
