"""In a real browser: the registry's staff pages and the owner's pages draw without script errors.

Takes screenshots of each (docs/registry-*.png with RTCC_WRITE_SCREENSHOTS=1), to look at after a change.
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from registry import links, services
from tests.conftest import sign_in
from tests.factories import incident
from tests.registry_helpers import committed, make_site

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: docs/ when RTCC_WRITE_SCREENSHOTS=1 (to refresh them), else a temporary folder."""
    return DOCS if os.environ.get("RTCC_WRITE_SCREENSHOTS") == "1" else tmp_path


def test_staff_and_owner_pages_draw_without_script_errors(live_asgi, browser, make_user, settings, shots):
    settings.RTCC_PUBLIC_BASE_URL = live_asgi.url
    analyst = make_user("analyst", username="ana")
    spot = (29.9600, -90.0650)
    inc = incident(title="Car break-in", latitude=spot[0], longitude=spot[1], address="700 Royal St")
    step = 1 / 111_320
    shop = make_site(
        address="702 Royal St",
        business_name="Royal Pralines",
        latitude=spot[0] - 30 * step,
        longitude=spot[1],
        cameras=[{"placement": "Shop door", "bearing": 0, "retention_days": 30}],
    )
    make_site(
        address="650 Royal St",
        latitude=spot[0] + 45 * step,
        longitude=spot[1] + 10 * step,
        cameras=[{"placement": "Balcony", "bearing": 0, "retention_days": 30, "covers": ["street", "sidewalk"]}],
    )
    make_site(
        address="8 Orleans Ave",
        latitude=spot[0],
        longitude=spot[1] - 60 * step,
        cameras=[{"placement": "Gate", "bearing": 90, "retention_days": 1}],
    )
    waiting = make_site(
        status="pending_review",
        address="1215 Dauphine St",
        cameras=[{"placement": "Garage", "shares_live_feed": True, "stream_url": "rtsp://192.0.2.4/live"}],
    )
    make_site(
        address="9 Esplanade Ave",
        last_verified_at=timezone.now() - timedelta(days=420),
        confirmed_at=timezone.now() - timedelta(days=800),
    )
    errors = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, "ana")

    pages = {
        "sites": "/registry/",
        "review": "/registry/review/",
        "map": "/registry/map/",
        "nearby": f"/registry/nearby/?incident={inc.pk}&radius_m=300&at="
        + timezone.localtime(timezone.now() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "footage-request": f"/registry/incidents/{inc.pk}/footage-requests/",
    }
    for name, path in pages.items():
        response = page.goto(live_asgi.url + path)
        assert response.status == 200, path
        page.screenshot(path=str(shots / f"registry-staff-{name}.png"), full_page=True)
    assert page.locator(".leaflet-interactive").count() == 0  # the footage page has no map

    page.goto(live_asgi.url + pages["map"])
    assert page.locator("path.leaflet-interactive").count() == 4  # one dot per approved camera

    page.goto(live_asgi.url + pages["nearby"])
    rows = page.locator(".nearby-table tbody tr")
    assert rows.count() == 3
    assert "Shop door" in rows.nth(0).inner_text() and "Gate" in rows.nth(2).inner_text()

    # The owner's pages, through their signed links.
    owner = browser.new_page(viewport={"width": 390, "height": 844})
    owner.on("pageerror", lambda exc: errors.append(str(exc)))
    owner.goto(links.manage_url(waiting))
    owner.screenshot(path=str(shots / "registry-owner-manage.png"), full_page=True)
    with committed():
        [request] = services.footage_request_create(
            incident=inc,
            registered_cameras=[shop.cameras.get()],
            window_start=timezone.now() - timedelta(hours=2),
            window_end=timezone.now() - timedelta(hours=1, minutes=30),
            deadline=timezone.now() + timedelta(days=2),
            message="A car was broken into on Royal St between 2 and 2:30 pm.",
            requested_by=analyst,
        )
    owner.goto(links.upload_url(request))
    owner.screenshot(path=str(shots / "registry-owner-upload.png"), full_page=True)
    assert errors == []
