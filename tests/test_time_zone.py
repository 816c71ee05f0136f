"""One time zone everywhere: the center's (settings.TIME_ZONE), labelled, whatever zone the browser is in."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from rtcc.templatetags.rtcc_ui import stamp
from tests.conftest import sign_in

STAMP = re.compile(r"^\d\d-\d\d \d\d:\d\d:\d\d (CST|CDT)$")


def test_the_csv_export_gives_times_with_the_centers_offset(client, users, settings):
    from plates.models import PlateRead
    from tests.factories import camera

    settings.TIME_ZONE = "America/Chicago"
    cam = camera("Canal & Carrollton LPR", kind="plate_reader")
    read = PlateRead.objects.create(camera=cam, plate="KXR4821", read_at=timezone.now(), confidence=0.9)
    client.force_login(users["analyst"])
    form = {"plate": "KXR4821", "match": "exact", "case_number": "24-001", "reason": "Stolen vehicle follow-up"}
    lines = client.post(reverse("plates:export"), form).content.decode().splitlines()
    when = lines[1].split(",")[0]
    assert when == timezone.localtime(read.read_at).isoformat()
    assert when.endswith(("-06:00", "-05:00"))


@pytest.mark.browser
def test_live_and_server_rows_show_the_same_zone_and_dates(live_asgi, browser, make_user, settings):
    from rtcc import realtime
    from rtcc.roles import STAFF_ALL

    settings.TIME_ZONE = "America/Chicago"
    make_user("analyst", username="andre")
    before = realtime.publish(group=STAFF_ALL, kind="camera.offline", summary="Jackson Square is offline")
    # A browser far from the center: its own zone must not leak into the rows.
    page = browser.new_context(timezone_id="Asia/Tokyo").new_page()
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)

    def publish():
        try:
            return realtime.publish(group=STAFF_ALL, kind="notice", summary="Shift change in ten minutes")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        after = pool.submit(publish).result(timeout=10)
    live = page.locator(f"#event-feed li[data-id='{after.pk}'] time")
    live.wait_for(timeout=5_000)
    server = page.locator(f"#event-feed li[data-id='{before.pk}'] time")
    live_text, server_text = live.inner_text(), server.inner_text()
    assert STAMP.match(live_text) and STAMP.match(server_text), (live_text, server_text)
    assert server_text == stamp(before.created_at)
    assert live_text == stamp(after.created_at)
    assert live_text[:5] == timezone.localtime(after.created_at).strftime("%m-%d")  # the center's date, not Tokyo's
    # The feed's kinds are words an operator reads, from the server and live alike.
    kinds = page.locator("#event-feed .kind").all_inner_texts()
    assert "Camera offline" in kinds and "Notice" in kinds and not any("." in k for k in kinds)


def test_a_dispatch_e_mail_gives_its_times_with_the_date_and_the_centers_zone(agencies, users, settings):
    from django.core import mail

    from incidents import outbox, services
    from tests.factories import incident

    settings.TIME_ZONE = "America/Chicago"
    ems = agencies["noems"]
    ems.contact_email = "ems@example.org"
    ems.save()
    inc = incident(title="Cardiac arrest")
    services.incident_dispatch(incident=inc, agencies=[ems], user=users["analyst"])
    assert outbox.deliveries_send_due() == 1
    [message] = mail.outbox
    opened = timezone.localtime(inc.created_at).strftime("%Y-%m-%d %H:%M:%S")
    assert re.search(r"^Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d (CST|CDT)$", message.body, re.M), message.body
    assert re.search(rf"^Opened: {opened} (CST|CDT)$", message.body, re.M), message.body
