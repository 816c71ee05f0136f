"""Common Alerting Protocol 1.2 messages and per-agency CAP Atom feeds for dispatched incidents.

Each revision of an incident is one CAP message: the first an Alert, later
ones Updates referencing it; a closed incident is an Update with urgency Past
and responseType AllClear. Messages are `Restricted` to the agencies the
incident is dispatched to and carry no plate or registry data.
"""

import xml.etree.ElementTree as ET
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .choices import CAP_SEVERITY, CAP_URGENCY, IncidentSource, IncidentStatus
from .models import Incident

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_CONTENT_TYPE = "application/cap+xml"
ATOM_CONTENT_TYPE = "application/atom+xml"

ET.register_namespace("", CAP_NS)
ET.register_namespace("atom", ATOM_NS)


def cap_time(value) -> str:
    """CAP date-time: local time with its offset, whole seconds (no 'Z')."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def identifier(incident, revision=None) -> str:
    return f"{incident.reference}-r{revision or incident.revision}"


def _sub(parent, tag, text=None, ns=CAP_NS):
    element = ET.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        element.text = str(text)
    return element


def alert_element(incident):
    """The CAP <alert> element for the incident's current revision."""
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(alert, "identifier", identifier(incident))
    _sub(alert, "sender", settings.RTCC_CAP_SENDER)
    _sub(alert, "sent", cap_time(incident.updated_at))
    _sub(alert, "status", "Actual")
    _sub(alert, "msgType", "Alert" if incident.revision <= 1 else "Update")
    _sub(alert, "source", f"{settings.RTCC_CITY_NAME} Real Time Crime Center")
    _sub(alert, "scope", "Restricted")
    names = ", ".join(sorted({d.agency.short_name.upper() for d in incident.dispatches.all()}))
    _sub(alert, "restriction", f"Public safety agencies dispatched to this incident: {names or 'none yet'}")
    if incident.revision > 1:
        _sub(
            alert, "references", f"{settings.RTCC_CAP_SENDER},{identifier(incident, 1)},{cap_time(incident.created_at)}"
        )
    info = _sub(alert, "info")
    _sub(info, "language", "en-US")
    _sub(info, "category", incident.incident_type.cap_category)
    _sub(info, "event", incident.incident_type.name)
    closed = incident.status == IncidentStatus.CLOSED
    _sub(info, "responseType", "AllClear" if closed else "Monitor")
    _sub(info, "urgency", "Past" if closed else CAP_URGENCY[incident.priority])
    _sub(info, "severity", CAP_SEVERITY[incident.priority])
    certainty = "Likely" if incident.source == IncidentSource.GUNSHOT else "Observed"
    _sub(info, "certainty", certainty)
    event_code = _sub(info, "eventCode")
    _sub(event_code, "valueName", "RTCC-TYPE")
    _sub(event_code, "value", incident.incident_type.slug)
    if incident.occurred_at:
        _sub(info, "onset", cap_time(incident.occurred_at))
    _sub(info, "senderName", f"{settings.RTCC_CITY_NAME} RTCC")
    _sub(info, "headline", f"{incident.incident_type.name}: {incident.title}"[:160])
    description = incident.description or incident.title
    _sub(info, "description", f"{description}\nStatus: {incident.get_status_display()}.")
    _sub(info, "web", f"{settings.RTCC_PUBLIC_BASE_URL}/incidents/respond/")
    if incident.cad_number:
        parameter = _sub(info, "parameter")
        _sub(parameter, "valueName", "CAD")
        _sub(parameter, "value", incident.cad_number)
    area = _sub(info, "area")
    _sub(area, "areaDesc", incident.address or f"{float(incident.latitude):.5f}, {float(incident.longitude):.5f}")
    _sub(area, "circle", f"{float(incident.latitude):.6f},{float(incident.longitude):.6f} 0.2")
    return alert


def alert_xml(incident) -> bytes:
    return ET.tostring(alert_element(incident), encoding="utf-8", xml_declaration=True)


def feed_incidents(agency, now=None):
    """Incidents dispatched to the agency that are open, or closed in the last day (so the all-clear is seen)."""
    now = now or timezone.now()
    return (
        Incident.objects.filter(dispatches__agency=agency)
        .exclude(status=IncidentStatus.CLOSED, closed_at__lt=now - timedelta(days=1))
        .select_related("incident_type")
        .prefetch_related("dispatches__agency")
        .order_by("-updated_at")
        .distinct()[:200]
    )


def agency_feed_xml(agency, *, feed_url: str) -> bytes:
    incidents = list(feed_incidents(agency))
    feed = ET.Element(f"{{{ATOM_NS}}}feed")

    def atom(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = str(text)
        return element

    atom(feed, "id", feed_url)
    atom(feed, "title", f"{settings.RTCC_CITY_NAME} RTCC incidents for {agency.name}")
    updated = max((i.updated_at for i in incidents), default=timezone.now())
    atom(feed, "updated", cap_time(updated))
    author = atom(feed, "author")
    atom(author, "name", f"{settings.RTCC_CITY_NAME} Real Time Crime Center")
    atom(feed, "link", rel="self", href=feed_url, type=ATOM_CONTENT_TYPE)
    base = feed_url.rsplit("/", 1)[0]
    for incident in incidents:
        cap_url = f"{base}/{incident.pk}/cap.xml"
        entry = atom(feed, "entry")
        atom(entry, "id", f"{cap_url}#r{incident.revision}")
        atom(entry, "title", f"{incident.reference} P{incident.priority} {incident.incident_type}: {incident.title}")
        atom(entry, "updated", cap_time(incident.updated_at))
        atom(entry, "link", rel="alternate", href=cap_url, type=CAP_CONTENT_TYPE)
        atom(entry, "summary", f"{incident.get_status_display()} – {incident.address or 'see map'}")
        content = atom(entry, "content", type=CAP_CONTENT_TYPE)
        content.append(alert_element(incident))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
