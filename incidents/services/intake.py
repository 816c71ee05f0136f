"""Intake from other systems (a 911 CAD, gunshot detection): open or update the incident for each event."""

from django.conf import settings
from django.core.files.base import ContentFile

from cameras.services import snapshot_latest
from rtcc import realtime
from rtcc.transactions import atomic_retrying_once

from ..choices import IncidentPriority, IncidentStatus, IntakeKind, TimelineKind
from ..models import Incident, IncidentType, TimelineEvent
from ..selectors import incident_cameras
from .events import ANALYSTS, severity_of
from .lifecycle import incident_create, incident_set_status, incident_update


def _intake_type(source, kind: str, wanted: str) -> IncidentType:
    wanted = (wanted or "").strip()
    if wanted:
        found = (
            IncidentType.objects.filter(active=True, slug__iexact=wanted).first()
            or IncidentType.objects.filter(active=True, name__iexact=wanted).first()
        )
        if found:
            return found
    if kind == IntakeKind.GUNSHOT:
        for slug in ("shots-fired", "shooting"):
            found = IncidentType.objects.filter(active=True, slug=slug).first()
            if found:
                return found
    if source.default_type_id:
        return source.default_type
    if kind == IntakeKind.GUNSHOT:
        defaults = {"name": "Shots fired (sensor)", "cap_category": "Security", "default_priority": 1}
        return IncidentType.objects.get_or_create(slug="shots-fired", defaults=defaults)[0]
    # A 911 event is never refused for an unknown type: it lands as "Other" for an analyst to correct.
    return IncidentType.objects.get_or_create(slug="other", defaults={"name": "Other", "cap_category": "Other"})[0]


def intake_record(*, source, event: dict) -> tuple[Incident, bool]:
    """Open or update the incident for one event from an intake source; (incident, created).

    Idempotent by the source's own id: a repeat updates what changed and never
    opens a second incident, also when two deliveries of the same event race.
    """
    return atomic_retrying_once(_intake, source, event)


def _intake(source, event):
    source_id = f"{source.pk}:{event['id']}"
    kind = source.kind
    incident = Incident.objects.select_for_update().filter(source=kind, source_id=source_id).first()
    if kind == IntakeKind.GUNSHOT:
        rounds = event.get("rounds")
        title = f"Shots fired: {rounds} round{'s' if rounds != 1 else ''}" if rounds else "Shots fired"
        description = f"Gunshot detection alert {event['id']} ({event.get('type') or 'gunshot'})."
        if rounds:
            description += f" {rounds} rounds detected."
        wanted_type, priority = "", IncidentPriority.P1
    else:
        title = event.get("title") or event.get("type") or "911 call"
        description = event.get("description", "")
        wanted_type, priority = event.get("type", ""), event.get("priority")
    fields = {
        "title": title[:200],
        "description": description,
        "latitude": event["lat"],
        "longitude": event["lon"],
        "address": event.get("address", "") or "",
        "cad_number": event.get("cad_number") or (event["id"] if kind == IntakeKind.CAD else ""),
    }
    if incident is None:
        incident = incident_create(
            incident_type=_intake_type(source, kind, wanted_type),
            priority=priority,
            source=kind,
            source_id=source_id,
            intake_source=source,
            occurred_at=event.get("time"),
            **fields,
        )
        cameras = _attach_nearest_cameras(incident, source.camera_radius_m, settings.RTCC_INTAKE_ATTACH_CAMERAS)
        if cameras:
            names = ", ".join(c["name"] for c in cameras)
            realtime.publish(
                group=ANALYSTS,
                kind="incident.cameras",
                summary=f"{incident.reference}: nearest cameras {names}",
                data={**incident.brief(), "cameras": cameras},
                severity=severity_of(incident.priority),
            )
        return incident, True
    if priority and kind == IntakeKind.CAD:
        fields["priority"] = priority
    incident_update(incident=incident, actor_label=str(source), **fields)
    closed = str(event.get("status", "")).lower() in ("closed", "cleared", "cancelled", "canceled")
    if closed and incident.status != IncidentStatus.CLOSED:
        incident_set_status(incident=incident, status=IncidentStatus.CLOSED)
    incident.refresh_from_db()
    return incident, False


def _attach_nearest_cameras(incident: Incident, radius_m: int, count: int) -> list[dict]:
    """Put the nearest city cameras on the timeline (with their latest picture when there is one)."""
    attached = []
    for camera in [c for c in incident_cameras(incident, radius_m=radius_m) if c.kind == "city"][:count]:
        facing = {True: "facing it", False: "facing away", None: "direction unknown"}[camera.faces_target]
        text = f"Nearby camera {camera.name}: {camera.distance_m:.0f} m, {facing}"
        data = {"distance_m": camera.distance_m, "faces_target": camera.faces_target}
        latest = snapshot_latest(camera.pk)
        entry = TimelineEvent(incident=incident, kind=TimelineKind.ATTACHMENT, text=text, camera=camera, data=data)
        if latest is not None:
            data["snapshot_taken_at"] = latest[0]
            entry.attachment.save(f"incident-{incident.pk}-camera-{camera.pk}.jpg", ContentFile(latest[1]), save=False)
        entry.save()
        attached.append(
            {
                "camera_id": camera.pk,
                "name": camera.name,
                "distance_m": camera.distance_m,
                "faces_target": camera.faces_target,
                "entry_id": entry.pk,
            }
        )
    return attached
