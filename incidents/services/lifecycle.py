"""Opening and changing incidents: details, status, notes, and what is attached to the timeline."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cameras.services import snapshot_latest
from rtcc import audit, realtime

from ..choices import IncidentSource, IncidentStatus, TimelineKind
from ..models import Incident, IncidentType, TimelineEvent
from .events import ANALYSTS, IncidentError, actor_name, announce_change, headline, revise, severity_of, timeline_add


@transaction.atomic
def incident_create(
    *,
    incident_type: IncidentType,
    title: str,
    latitude,
    longitude,
    priority=None,
    address="",
    cad_number="",
    description="",
    user=None,
    source=IncidentSource.ANALYST,
    source_id="",
    intake_source=None,
    occurred_at=None,
    hit=None,
    request=None,
) -> Incident:
    incident = Incident.objects.create(
        incident_type=incident_type,
        title=title.strip()[:200],
        priority=priority or incident_type.default_priority,
        latitude=latitude,
        longitude=longitude,
        address=address.strip(),
        cad_number=cad_number.strip(),
        description=description.strip(),
        created_by=user,
        source=source,
        source_id=source_id,
        intake_source=intake_source,
        occurred_at=occurred_at,
    )
    origin = {
        IncidentSource.ANALYST: f"Opened by {actor_name(user)}",
        IncidentSource.HIT: f"Opened by {actor_name(user)} from a confirmed plate hit",
        IncidentSource.CAMERA: f"Opened by {actor_name(user)} from a camera event",
    }.get(source, f"Opened by {intake_source or incident.get_source_display()}")
    timeline_add(incident, TimelineKind.CREATED, origin, actor=user)
    if hit is not None:
        incident_attach_hit(incident=incident, hit=hit, user=user, request=request, announce=False)
    realtime.publish(
        group=ANALYSTS,
        kind="incident.created",
        summary=f"New incident {incident.reference}: {headline(incident)}",
        data=incident.brief(),
        severity=severity_of(incident.priority),
    )
    return incident


EDITABLE = ("title", "description", "priority", "address", "cad_number", "latitude", "longitude", "incident_type")


@transaction.atomic
def incident_update(*, incident: Incident, user=None, actor_label="", **changes) -> list[str]:
    """Change the incident's details; one timeline entry lists what changed. Returns the changed field names."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    described, fields = [], []
    for field, value in changes.items():
        if field not in EDITABLE:
            raise IncidentError(f"{field} cannot be changed here.")
        old = getattr(incident, field)
        if field in ("latitude", "longitude") and old is not None and value is not None:
            if round(float(old), 6) == round(float(value), 6):
                continue
        elif old == value:
            continue
        setattr(incident, field, value)
        fields.append(field)
        label = incident._meta.get_field(field).verbose_name
        if field == "priority":
            described.append(f"priority P{old} → P{value}")
        elif field in ("latitude", "longitude"):
            if "location" not in described:
                described.append("location")
        elif field == "description":
            described.append("description")
        else:
            described.append(f"{label} “{old}” → “{value}”")
    if not fields:
        return []
    revise(incident, fields)
    who = actor_label or actor_name(user)
    text = f"{who} changed " + ", ".join(described)
    timeline_add(incident, TimelineKind.UPDATE, text, actor=user)
    announce_change(incident, kind="incident.updated", summary=f"{incident.reference} updated: {', '.join(described)}")
    return fields


@transaction.atomic
def incident_set_status(*, incident: Incident, status: str, user=None) -> Incident:
    if status not in IncidentStatus.values:
        raise IncidentError(f"Unknown status {status!r}.")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == status:
        return incident
    old = incident.get_status_display()
    incident.status = status
    incident.closed_at = timezone.now() if status == IncidentStatus.CLOSED else None
    revise(incident, ["status", "closed_at"])
    text = f"{actor_name(user)} changed status {old} → {incident.get_status_display()}"
    timeline_add(incident, TimelineKind.STATUS, text, actor=user, data={"status": status})
    kind = "incident.closed" if status == IncidentStatus.CLOSED else "incident.updated"
    announce_change(
        incident, kind=kind, summary=f"{incident.reference} is now {incident.get_status_display()}: {incident.title}"
    )
    return incident


@transaction.atomic
def incident_add_note(*, incident: Incident, text: str, user, shared: bool = True) -> TimelineEvent:
    text = (text or "").strip()
    if not text:
        raise IncidentError("Write the note first: it is empty.")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    entry = timeline_add(incident, TimelineKind.NOTE, text, actor=user, shared=shared)
    if shared:
        revise(incident, [])
    announce_change(
        incident,
        kind="incident.note",
        summary=f"{incident.reference} note from {actor_name(user)}: {text[:200]}",
        shared=shared,
        extra={"entry_id": entry.pk},
    )
    return entry


@transaction.atomic
def incident_attach_snapshot(*, incident: Incident, camera, user=None, announce=True) -> TimelineEvent:
    """Attach the camera's latest picture to the timeline (refused when the camera has none recently)."""
    latest = snapshot_latest(camera.pk)
    if latest is None:
        raise IncidentError(f"{camera.name} has no recent picture to attach (is it online?).")
    taken_at, jpeg = latest
    shared = camera.kind == "city"
    entry = TimelineEvent(
        incident=incident,
        kind=TimelineKind.ATTACHMENT,
        text=f"Snapshot from {camera.name}",
        actor=user,
        camera=camera,
        shared_with_responders=shared,
        data={"snapshot_taken_at": taken_at},
    )
    entry.attachment.save(f"incident-{incident.pk}-camera-{camera.pk}.jpg", ContentFile(jpeg), save=False)
    entry.save()
    if announce:
        announce_change(
            incident,
            kind="incident.attachment",
            summary=f"{incident.reference}: snapshot from {camera.name} attached",
            shared=shared,
            extra={"entry_id": entry.pk},
            delivery=False,
        )
    return entry


@transaction.atomic
def incident_attach_hit(*, incident: Incident, hit, user, request=None, announce=True) -> TimelineEvent:
    """Attach a plate hit (and its read) for the analysts. Plate data: audited, never shown to responders."""
    read = hit.plate_read
    text = f"Plate hit: {read.plate} on {hit.hotlist.name} at {read.camera.name}, {read.read_at:%Y-%m-%d %H:%M:%S}"
    if hit.entry_id and hit.entry.reason:
        text += f" – {hit.entry.reason}"
    for note in hit.notes:  # a state mismatch, a match on an alternative reading: the incident keeps the caveat
        text += f". {note}"
    entry = timeline_add(
        incident,
        TimelineKind.ATTACHMENT,
        text,
        actor=user,
        shared=False,
        hit=hit,
        plate_read=read,
        camera=read.camera,
    )
    audit.record(
        actor=user,
        action="incidents.attach_hit",
        obj=hit,
        request=request,
        details={"incident": incident.pk, "plate": read.plate},
    )
    if announce:
        announce_change(
            incident,
            kind="incident.attachment",
            summary=f"{incident.reference}: plate hit attached",
            shared=False,
            extra={"entry_id": entry.pk},
        )
    return entry


@transaction.atomic
def incident_attach_read(*, incident: Incident, read, user, request=None) -> TimelineEvent:
    """Attach a plate read for the analysts. Plate data: audited, never shown to responders."""
    entry = timeline_add(
        incident,
        TimelineKind.ATTACHMENT,
        f"Plate read: {read.plate} at {read.camera.name}, {read.read_at:%Y-%m-%d %H:%M:%S}",
        actor=user,
        shared=False,
        plate_read=read,
        camera=read.camera,
    )
    audit.record(
        actor=user,
        action="incidents.attach_read",
        obj=read,
        request=request,
        details={"incident": incident.pk, "plate": read.plate},
    )
    announce_change(
        incident,
        kind="incident.attachment",
        summary=f"{incident.reference}: plate read attached",
        shared=False,
        extra={"entry_id": entry.pk},
    )
    return entry
