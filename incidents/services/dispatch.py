"""Dispatching incidents to agencies, their responders' acknowledgements, and escalating the unacknowledged."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rtcc import realtime
from rtcc.roles import agency_group

from .. import outbox
from ..choices import IncidentStatus, TimelineKind
from ..models import Acknowledgement, Dispatch, Incident
from .events import ANALYSTS, IncidentError, actor_name, headline, revise, severity_of, timeline_add


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
        revise(incident, ["status"])
    names = ", ".join(d.agency.short_name.upper() for d in created)
    text = f"{actor_name(user)} dispatched to {names}" + (f": {message}" if message else "")
    timeline_add(incident, TimelineKind.DISPATCH, text, actor=user, data={"agencies": [d.agency_id for d in created]})
    summary = f"DISPATCH {headline(incident)}"
    for dispatch in created:
        realtime.publish(
            group=agency_group(dispatch.agency_id),
            kind="dispatch.created",
            summary=summary + (f" – {message}" if message else ""),
            data={**incident.brief(), "dispatch_id": dispatch.pk, "message": message},
            severity=severity_of(incident.priority),
        )
        outbox.enqueue(dispatch=dispatch, kind="dispatch.created", summary=summary)
    realtime.publish(
        group=ANALYSTS,
        kind="incident.dispatched",
        summary=f"{incident.reference} dispatched to {names}",
        data={**incident.brief(), "dispatch_ids": [d.pk for d in created]},
        severity=severity_of(incident.priority),
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
    who = f"{actor_name(user)} ({dispatch.agency.short_name.upper()})"
    timeline_add(incident, TimelineKind.ACKNOWLEDGED, f"{who} acknowledged", actor=user, data={"dispatch": dispatch.pk})
    data = {
        **incident.brief(),
        "dispatch_id": dispatch.pk,
        "agency": dispatch.agency.short_name,
        "user": actor_name(user),
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
    timeline_add(incident, TimelineKind.ESCALATED, text, data={"dispatch": dispatch.pk, "count": count})
    data = {**incident.brief(), "dispatch_id": dispatch.pk, "agency": agency.short_name, "count": count}
    summary = f"UNACKNOWLEDGED {headline(incident)} – please acknowledge"
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
