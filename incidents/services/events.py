"""What every change to an incident does: a timeline entry, and an announcement to the screens and agencies.

Shared by the incident services (lifecycle, intake, dispatch, recordings). What is
announced to an agency's group, webhook, e-mail or CAP feed is the incident's brief,
which never carries plate data, hotlists or registry owners' personal data.
"""

from rtcc import realtime
from rtcc.roles import Role, agency_group, staff_group

from .. import outbox
from ..choices import IncidentPriority
from ..models import Incident, TimelineEvent

ANALYSTS = staff_group(Role.ANALYST)


class IncidentError(ValueError):
    """A request that cannot be carried out, with a message meant for the person who asked."""


def severity_of(priority) -> str:
    return "critical" if priority <= IncidentPriority.P1 else "warning" if priority == IncidentPriority.P2 else "info"


def actor_name(user) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()


def headline(incident: Incident) -> str:
    where = f" at {incident.address}" if incident.address else ""
    return f"P{incident.priority} {incident.incident_type}: {incident.title}{where}"


def timeline_add(incident, kind, text, *, actor=None, shared=True, **fields) -> TimelineEvent:
    return TimelineEvent.objects.create(
        incident=incident, kind=kind, text=text, actor=actor, shared_with_responders=shared, **fields
    )


def announce_change(incident, *, kind, summary, shared=True, extra=None, delivery=True, severity=None):
    """Tell the analysts and (when `shared`) every agency the incident is dispatched to."""
    data = {**incident.brief(), **(extra or {})}
    severity = severity or severity_of(incident.priority)
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


def revise(incident, fields):
    incident.revision += 1
    incident.save(update_fields=[*fields, "revision", "updated_at"])
