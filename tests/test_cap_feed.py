"""CAP 1.2 messages for dispatched incidents and each agency's authenticated CAP Atom feed."""

import base64
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from incidents import services
from tests.conftest import PASSWORD
from tests.factories import incident

pytestmark = pytest.mark.django_db

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def basic(username, password=PASSWORD):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


@pytest.fixture
def dispatched(users, agencies, settings):
    settings.RTCC_CAP_SENDER = "rtcc@nola.example.org"
    inc = incident(title="Smoke showing", priority=1, cad_number="E26-0311", description="Caller trapped")
    assert (inc.incident_type.name, inc.incident_type.cap_category) == ("Structure fire", "Fire")
    services.incident_dispatch(incident=inc, agencies=[agencies["nofd"]], user=users["analyst"])
    inc.refresh_from_db()
    return inc


def child(element, name):
    found = element.find(f"{CAP}{name}")
    assert found is not None, f"<{name}> missing"
    return found.text


def test_a_dispatched_incident_is_a_well_formed_cap_1_2_alert_with_the_required_elements(client, users, dispatched):
    client.force_login(users["analyst"])
    response = client.get(reverse("incidents:cap", args=[dispatched.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/cap+xml"
    alert = ET.fromstring(response.content)  # well-formed, or this raises

    assert alert.tag == f"{CAP}alert"
    assert child(alert, "identifier") == f"{dispatched.reference}-r{dispatched.revision}"
    assert child(alert, "sender") == "rtcc@nola.example.org"
    assert CAP_TIME.match(child(alert, "sent")), child(alert, "sent")
    assert child(alert, "status") == "Actual"
    assert child(alert, "msgType") == "Update"  # dispatching changed it after it was opened
    assert child(alert, "scope") == "Restricted"
    assert "NOFD" in child(alert, "restriction")
    sender, first_id, first_sent = child(alert, "references").split(",")
    assert (sender, first_id) == ("rtcc@nola.example.org", f"{dispatched.reference}-r1") and CAP_TIME.match(first_sent)
    for name in ("identifier", "sender"):
        assert not re.search(r"[\s,<&]", child(alert, name))

    info = alert.find(f"{CAP}info")
    assert child(info, "category") == "Fire"
    assert child(info, "event") == "Structure fire"
    assert child(info, "urgency") == "Immediate"
    assert child(info, "severity") == "Extreme"
    assert child(info, "certainty") == "Observed"
    assert child(info, "headline") == "Structure fire: Smoke showing"
    area = info.find(f"{CAP}area")
    assert child(area, "areaDesc") == "1300 Perdido St"
    assert child(area, "circle") == "29.952800,-90.077500 0.2"
    # Element order follows the CAP 1.2 schema's sequence.
    order = [e.tag.removeprefix(CAP) for e in alert]
    assert order[:7] == ["identifier", "sender", "sent", "status", "msgType", "source", "scope"]
    info_order = [e.tag.removeprefix(CAP) for e in info]
    assert info_order.index("category") < info_order.index("event") < info_order.index("urgency")
    assert info_order.index("urgency") < info_order.index("severity") < info_order.index("certainty")
    assert info_order[-1] == "area"


def test_a_new_incident_is_an_alert_and_a_closed_one_an_all_clear(client, users, agencies):
    client.force_login(users["analyst"])
    inc = incident(priority=3)
    alert = ET.fromstring(client.get(reverse("incidents:cap", args=[inc.pk])).content)
    assert child(alert, "msgType") == "Alert" and alert.find(f"{CAP}references") is None
    info = alert.find(f"{CAP}info")
    assert (child(info, "urgency"), child(info, "severity")) == ("Expected", "Moderate")

    services.incident_set_status(incident=inc, status="closed", user=users["analyst"])
    info = ET.fromstring(client.get(reverse("incidents:cap", args=[inc.pk])).content).find(f"{CAP}info")
    assert child(info, "urgency") == "Past" and child(info, "responseType") == "AllClear"


def test_a_gunshot_alert_is_likely_not_observed(client, users):
    client.force_login(users["analyst"])
    inc = incident(source="gunshot", source_id="1:SST-1", priority=1)
    info = ET.fromstring(client.get(reverse("incidents:cap", args=[inc.pk])).content).find(f"{CAP}info")
    assert child(info, "certainty") == "Likely"


def test_an_agencys_atom_feed_lists_its_dispatched_incidents_with_cap_inside(client, users, dispatched, agencies):
    other = incident(title="Not for fire")
    services.incident_dispatch(incident=other, agencies=[agencies["noems"]], user=users["analyst"])
    url = reverse("incidents:agency-feed", args=["nofd"])
    response = client.get(url, **basic(users["responder"].username))
    assert response.status_code == 200 and response["Content-Type"] == "application/atom+xml"
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text.endswith(url)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert "Smoke showing" in entry.find(f"{ATOM}title").text
    link = entry.find(f"{ATOM}link")
    assert link.get("type") == "application/cap+xml"
    assert link.get("href").endswith(f"/incidents/feeds/nofd/{dispatched.pk}/cap.xml")
    embedded = entry.find(f"{ATOM}content/{CAP}alert")
    assert child(embedded, "identifier") == f"{dispatched.reference}-r{dispatched.revision}"

    cap = client.get(
        reverse("incidents:agency-cap", args=["nofd", dispatched.pk]), **basic(users["responder"].username)
    )
    assert cap.status_code == 200 and ET.fromstring(cap.content).tag == f"{CAP}alert"


def test_the_feed_refuses_anonymous_readers_with_401_and_a_basic_challenge(client, dispatched):
    response = client.get(reverse("incidents:agency-feed", args=["nofd"]))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="RTCC CAP feed nofd"')
    wrong = client.get(reverse("incidents:agency-feed", args=["nofd"]), **basic("nobody", "wrong"))
    assert wrong.status_code == 401


def test_another_agencys_member_cannot_read_the_feed_or_its_cap(client, users, dispatched):
    ems = users["other_responder"].username
    assert client.get(reverse("incidents:agency-feed", args=["nofd"]), **basic(ems)).status_code == 403
    assert client.get(reverse("incidents:agency-cap", args=["nofd", dispatched.pk]), **basic(ems)).status_code == 403
    # And its own feed does not list the fire incident, nor serve its CAP.
    own = ET.fromstring(client.get(reverse("incidents:agency-feed", args=["noems"]), **basic(ems)).content)
    assert own.findall(f"{ATOM}entry") == []
    assert client.get(reverse("incidents:agency-cap", args=["noems", dispatched.pk]), **basic(ems)).status_code == 404


def test_the_staff_cap_page_is_for_incident_staff_only(client, users, dispatched):
    client.force_login(users["responder"])
    assert client.get(reverse("incidents:cap", args=[dispatched.pk])).status_code == 403
