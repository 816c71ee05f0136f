"""The responder's phone: one card per incident with its latest state, escalations summarised in one line
(never another agency's), and every event in plain words.

The browser test's screenshot goes to docs/responder-phone.png with RTCC_WRITE_SCREENSHOTS=1 (to refresh it),
else to a temporary folder.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from incidents import services
from tests.conftest import sign_in
from tests.factories import incident as make_incident


def escalate_times(times, start=None):
    """Run the escalation beat `times` timeouts in a row (each one past the agencies' acknowledgement timeout)."""
    start = start or timezone.now()
    for n in range(1, times + 1):
        services.dispatches_escalate(now=start + timedelta(minutes=3 * n))


@pytest.fixture
def escalated(db, users, agencies):
    incident = make_incident(title="Smoke showing, second floor")
    fire, ems = services.incident_dispatch(
        incident=incident, agencies=[agencies["nofd"], agencies["noems"]], user=users["analyst"]
    )
    escalate_times(3)
    return incident, fire, ems


def test_the_card_summarises_its_own_escalations_in_one_line_and_not_another_agencys(client, users, escalated):
    incident, fire, ems = escalated
    client.force_login(users["responder"])
    card = client.get(reverse("incidents:respond-card", args=[fire.pk])).content.decode()
    assert card.count('class="card-escalations') == 1
    assert "re-sent 3 times" in card
    assert "NO ACKNOWLEDGEMENT FROM NOEMS" not in card.upper()  # the other agency's escalations are not shown
    assert "re-notified" not in card  # no line per escalation


@pytest.mark.browser
def test_the_responders_phone_shows_one_line_per_incident_state(live_asgi, browser, users, agencies, tmp_path):
    incident = make_incident(title="Smoke showing, second floor")
    fire, ems = services.incident_dispatch(
        incident=incident, agencies=[agencies["nofd"], agencies["noems"]], user=users["analyst"]
    )
    escalate_times(2)
    page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_asgi.url, users["responder"].username)
    page.wait_for_url(f"{live_asgi.url}{reverse('incidents:respond')}")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    page.evaluate("window.__sameDocument = true")

    card = page.locator(f"#dispatch-{fire.pk}")
    assert page.locator(".dispatch-card").count() == 1
    assert card.locator(".card-escalations").count() == 1
    assert "re-sent 2 times" in card.inner_text()

    def later():
        try:
            escalate_times(1, start=timezone.now() + timedelta(minutes=6))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(later).result(timeout=10)
    page.locator(f"#dispatch-{fire.pk} .card-escalations", has_text="re-sent 3 times").wait_for(timeout=5_000)
    card = page.locator(f"#dispatch-{fire.pk}")
    assert card.locator(".card-escalations").count() == 1
    text = card.inner_text()
    assert "NO ACKNOWLEDGEMENT FROM NOEMS" not in text.upper() and "re-notified" not in text
    feed = page.locator("#event-feed").text_content()  # with the kinds a phone hides
    assert "dispatch." not in feed and "Not acknowledged" in feed  # plain words for every event
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("window.__sameDocument") is True
    docs = Path(__file__).resolve().parent.parent / "docs"
    page.screenshot(
        path=str((docs if os.environ.get("RTCC_WRITE_SCREENSHOTS") == "1" else tmp_path) / "responder-phone.png")
    )
    assert errors == []
