"""Incident workflows: create, change, annotate, dispatch, acknowledge, escalate.

Every change is a database row first (the incident, a timeline entry, a
dispatch, an acknowledgement, an outbox delivery) and an event published in
the same transaction; pushes to screens and agencies follow the commit. What
reaches an agency's group, webhook, e-mail or CAP feed never carries plate
data, hotlists or registry owners' personal data.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from rtcc import audit, realtime
from rtcc.roles import Role, agency_group, staff_group
from rtcc.transactions import atomic_retrying_once

from . import outbox
from .choices import IncidentPriority, IncidentSource, IncidentStatus, IntakeKind, TimelineKind
from .models import Acknowledgement, Agency, Dispatch, Incident, IncidentType, TimelineEvent

log = logging.getLogger(__name__)

ANALYSTS = staff_group(Role.ANALYST)


class IncidentError(ValueError):
    """A request that cannot be carried out, with a message meant for the person who asked."""


def _severity(priority) -> str:
    return "critical" if priority <= IncidentPriority.P1 else "warning" if priority == IncidentPriority.P2 else "info"


def _name(user) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()


def incident_brief(incident: Incident) -> dict:
    """What every screen and agency may know about an incident (no plate or registry data)."""
    return {
        "incident_id": incident.pk,
        "reference": incident.reference,
        "title": incident.title,
        "type": str(incident.incident_type),
        "priority": incident.priority,
        "status": incident.status,
        "status_label": incident.get_status_display(),
        "lat": float(incident.latitude),
        "lon": float(incident.longitude),
        "address": incident.address,
        "cad_number": incident.cad_number,
    }


def _headline(incident: Incident) -> str:
    where = f" at {incident.address}" if incident.address else ""
    return f"P{incident.priority} {incident.incident_type}: {incident.title}{where}"


def _timeline(incident, kind, text, *, actor=None, shared=True, **fields) -> TimelineEvent:
    return TimelineEvent.objects.create(
        incident=incident, kind=kind, text=text, actor=actor, shared_with_responders=shared, **fields
    )


def _announce(incident, *, kind, summary, shared=True, extra=None, delivery=True, severity=None):
    """Tell the analysts and (when `shared`) every agency the incident is dispatched to."""
    data = {**incident_brief(incident), **(extra or {})}
    severity = severity or _severity(incident.priority)
    realtime.publish(group=ANALYSTS, kind=kind, summary=summary, data=data, severity=severity)
    if not shared:
        return
    for dispatch in incident.dispatches.select_related("agency"):
        realtime.publish(
            group=agency_group(dispatch.agency_id),
            kind=kind,
            summary=summary,
            data={**data, "dispatch_id": dispatch.pk},
            severity=severity,
        )
        if delivery:
            outbox.enqueue(dispatch=dispatch, kind=kind, summary=summary)


def _changed(incident, fields):
    incident.revision += 1
    incident.save(update_fields=[*fields, "revision", "updated_at"])


# --- Creating and changing incidents ------------------------------------------


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
        IncidentSource.ANALYST: f"Opened by {_name(user)}",
        IncidentSource.HIT: f"Opened by {_name(user)} from a confirmed plate hit",
        IncidentSource.CAMERA: f"Opened by {_name(user)} from a camera event",
    }.get(source, f"Opened by {intake_source or incident.get_source_display()}")
    _timeline(incident, TimelineKind.CREATED, origin, actor=user)
    if hit is not None:
        incident_attach_hit(incident=incident, hit=hit, user=user, request=request, announce=False)
    realtime.publish(
        group=ANALYSTS,
        kind="incident.created",
        summary=f"New incident {incident.reference}: {_headline(incident)}",
        data=incident_brief(incident),
        severity=_severity(incident.priority),
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
    _changed(incident, fields)
    who = actor_label or _name(user)
    text = f"{who} changed " + ", ".join(described)
    _timeline(incident, TimelineKind.UPDATE, text, actor=user)
    _announce(incident, kind="incident.updated", summary=f"{incident.reference} updated: {', '.join(described)}")
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
    _changed(incident, ["status", "closed_at"])
    text = f"{_name(user)} changed status {old} → {incident.get_status_display()}"
    _timeline(incident, TimelineKind.STATUS, text, actor=user, data={"status": status})
    kind = "incident.closed" if status == IncidentStatus.CLOSED else "incident.updated"
    _announce(
        incident, kind=kind, summary=f"{incident.reference} is now {incident.get_status_display()}: {incident.title}"
    )
    return incident


@transaction.atomic
def incident_add_note(*, incident: Incident, text: str, user, shared: bool = True) -> TimelineEvent:
    text = (text or "").strip()
    if not text:
        raise IncidentError("Write the note first: it is empty.")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    entry = _timeline(incident, TimelineKind.NOTE, text, actor=user, shared=shared)
    if shared:
        _changed(incident, [])
    _announce(
        incident,
        kind="incident.note",
        summary=f"{incident.reference} note from {_name(user)}: {text[:200]}",
        shared=shared,
        extra={"entry_id": entry.pk},
    )
    return entry


# --- Attachments ---------------------------------------------------------------


@transaction.atomic
def incident_attach_snapshot(*, incident: Incident, camera, user=None, announce=True) -> TimelineEvent:
    """Attach the camera's latest picture to the timeline (refused when the camera has none recently)."""
    from cameras.services import snapshot_latest

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
        _announce(
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
    entry = _timeline(
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
        _announce(
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
    entry = _timeline(
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
    _announce(
        incident,
        kind="incident.attachment",
        summary=f"{incident.reference}: plate read attached",
        shared=False,
        extra={"entry_id": entry.pk},
    )
    return entry


# --- Nearby cameras -------------------------------------------------------------


def incident_cameras(incident: Incident, *, radius_m=None, for_responders=False):
    """City cameras near the incident, best first (facing it, then nearer). Responders get city cameras only."""
    from cameras.selectors import cameras_near

    radius_m = radius_m or settings.RTCC_NEARBY_CAMERA_RADIUS_M
    cameras = cameras_near(incident.latitude, incident.longitude, radius_m)
    if for_responders:
        cameras = [c for c in cameras if c.kind == "city"]
    return cameras


def incident_registered_cameras(incident: Incident, *, radius_m=None):
    """Registered private cameras near the incident (for analysts), with whether footage may still exist."""
    from registry.selectors import registered_cameras_near

    radius_m = radius_m or settings.RTCC_NEARBY_CAMERA_RADIUS_M
    return registered_cameras_near(incident.latitude, incident.longitude, radius_m, at=incident.occurred_at)


def _attach_nearest_cameras(incident: Incident, radius_m: int, count: int) -> list[dict]:
    """Put the nearest city cameras on the timeline (with their latest picture when there is one)."""
    from cameras.services import snapshot_latest

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


# --- Intake from other systems (CAD, gunshot detection) ---------------------------


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
                data={**incident_brief(incident), "cameras": cameras},
                severity=_severity(incident.priority),
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


# --- Dispatch, acknowledgement, escalation ------------------------------------------


@transaction.atomic
def incident_dispatch(*, incident: Incident, agencies, user=None, message="") -> list[Dispatch]:
    """Send the incident to each agency not yet dispatched; returns the new dispatches."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not incident.is_open:
        raise IncidentError(f"{incident.reference} is closed: reopen it before dispatching.")
    already = set(incident.dispatches.values_list("agency_id", flat=True))
    created = []
    for agency in agencies:
        if agency.pk in already or not agency.active:
            continue
        created.append(Dispatch.objects.create(incident=incident, agency=agency, dispatched_by=user, message=message))
    if not created:
        return []
    if incident.status == IncidentStatus.NEW:
        incident.status = IncidentStatus.DISPATCHED
        _changed(incident, ["status"])
    names = ", ".join(d.agency.short_name.upper() for d in created)
    text = f"{_name(user)} dispatched to {names}" + (f": {message}" if message else "")
    _timeline(incident, TimelineKind.DISPATCH, text, actor=user, data={"agencies": [d.agency_id for d in created]})
    summary = f"DISPATCH {_headline(incident)}"
    for dispatch in created:
        realtime.publish(
            group=agency_group(dispatch.agency_id),
            kind="dispatch.created",
            summary=summary + (f" – {message}" if message else ""),
            data={**incident_brief(incident), "dispatch_id": dispatch.pk, "message": message},
            severity=_severity(incident.priority),
        )
        outbox.enqueue(dispatch=dispatch, kind="dispatch.created", summary=summary)
    realtime.publish(
        group=ANALYSTS,
        kind="incident.dispatched",
        summary=f"{incident.reference} dispatched to {names}",
        data={**incident_brief(incident), "dispatch_ids": [d.pk for d in created]},
        severity=_severity(incident.priority),
    )
    transaction.on_commit(outbox.kick)
    return created


@transaction.atomic
def dispatch_acknowledge(*, dispatch: Dispatch, user) -> tuple[Acknowledgement, bool]:
    """A responder of the dispatched agency acknowledges; a repeat changes nothing."""
    if user.agency_id != dispatch.agency_id:
        raise IncidentError("Only the dispatched agency's responders can acknowledge this.")
    dispatch = Dispatch.objects.select_for_update().select_related("incident", "agency").get(pk=dispatch.pk)
    ack, created = Acknowledgement.objects.get_or_create(dispatch=dispatch, user=user)
    if not created:
        return ack, False
    if dispatch.acknowledged_at is None:
        dispatch.acknowledged_at = ack.at
        dispatch.save(update_fields=["acknowledged_at"])
    incident = dispatch.incident
    who = f"{_name(user)} ({dispatch.agency.short_name.upper()})"
    _timeline(incident, TimelineKind.ACKNOWLEDGED, f"{who} acknowledged", actor=user, data={"dispatch": dispatch.pk})
    data = {
        **incident_brief(incident),
        "dispatch_id": dispatch.pk,
        "agency": dispatch.agency.short_name,
        "user": _name(user),
        "at": ack.at.isoformat(),
    }
    summary = f"{incident.reference} acknowledged by {who}"
    realtime.publish(group=ANALYSTS, kind="dispatch.acknowledged", summary=summary, data=data)
    realtime.publish(group=agency_group(dispatch.agency_id), kind="dispatch.acknowledged", summary=summary, data=data)
    return ack, True


def dispatches_escalate(now: datetime | None = None) -> list[int]:
    """Re-notify every open, unacknowledged dispatch whose agency timeout has run out; flag it for analysts.

    Each dispatch is claimed with a conditional UPDATE, so two beats or workers never escalate it twice.
    """
    now = now or timezone.now()
    candidates = (
        Dispatch.objects.filter(acknowledged_at__isnull=True, escalation_count__lt=settings.RTCC_ESCALATION_MAX)
        .exclude(incident__status=IncidentStatus.CLOSED)
        .select_related("agency", "incident__incident_type")
    )
    escalated = []
    for dispatch in candidates:
        if dispatch.escalation_due_at() > now:
            continue
        with transaction.atomic():
            claimed = Dispatch.objects.filter(
                pk=dispatch.pk, escalation_count=dispatch.escalation_count, acknowledged_at__isnull=True
            ).update(escalated_at=now, escalation_count=dispatch.escalation_count + 1)
            if not claimed:
                continue
            _escalated(dispatch, dispatch.escalation_count + 1)
        escalated.append(dispatch.pk)
    if escalated:
        transaction.on_commit(outbox.kick)
    return escalated


def _escalated(dispatch: Dispatch, count: int):
    incident, agency = dispatch.incident, dispatch.agency
    waited = agency.ack_timeout_seconds * count
    text = f"No acknowledgement from {agency.short_name.upper()} after {waited // 60} min {waited % 60} s: re-notified"
    _timeline(incident, TimelineKind.ESCALATED, text, data={"dispatch": dispatch.pk, "count": count})
    data = {**incident_brief(incident), "dispatch_id": dispatch.pk, "agency": agency.short_name, "count": count}
    summary = f"UNACKNOWLEDGED {_headline(incident)} – please acknowledge"
    realtime.publish(
        group=agency_group(agency.pk), kind="dispatch.escalated", summary=summary, data=data, severity="critical"
    )
    realtime.publish(
        group=ANALYSTS,
        kind="dispatch.escalated",
        summary=f"{incident.reference}: {agency.short_name.upper()} has not acknowledged ({count}×)",
        data=data,
        severity="critical",
    )
    outbox.enqueue(dispatch=dispatch, kind="dispatch.escalated", summary=summary)


def agencies_for_choice():
    return Agency.objects.filter(active=True).order_by("kind", "name")


# --- Keeping the city cameras' recordings around an incident before they roll off ---------


def incident_preserve_recordings(
    *, incident: Incident, user=None, minutes_before: int = 10, minutes_after: int = 5, radius_m=None
) -> list[str]:
    """Queue pulls of every nearby city camera's rolling buffer for the incident's window into the library.

    The window runs from `minutes_before` the incident happened to `minutes_after` (or now, if sooner).
    Only cameras whose buffer still holds part of the window are pulled. Returns the cameras' names;
    the pulls run on the workers and each clip arrives linked to the incident.
    """
    from datetime import timedelta

    from cameras import recording
    from cameras.tasks import pull_recording

    at = incident.occurred_at or incident.created_at
    start = at - timedelta(minutes=minutes_before)
    end = min(at + timedelta(minutes=minutes_after), timezone.now())
    queued = []
    for camera in incident_cameras(incident, radius_m=radius_m):
        if camera.kind != "city":
            continue
        span = recording.buffer_span(camera.pk)
        if span is None or span[1] < start or span[0] > end:
            continue
        window_start, window_end = max(start, span[0]), min(end, span[1])
        if (window_end - window_start).total_seconds() < 1:
            continue
        transaction.on_commit(
            lambda c=camera.pk, s=window_start, e=window_end: pull_recording.delay(
                c, s.isoformat(), e.isoformat(), getattr(user, "pk", None), incident.pk
            )
        )
        queued.append(camera.name)
    text = (
        f"Preserving recordings from {len(queued)} nearby camera(s): {', '.join(queued)}"
        if queued
        else "No nearby city camera still holds recordings of this time."
    )
    _timeline(incident, TimelineKind.NOTE, text, actor=user, shared=False)
    return queued
