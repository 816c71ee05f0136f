"""Incident workflows, split by concern: lifecycle (create, change, annotate, attach), intake from other
systems, dispatch and escalation, and preserving recordings. Callers use `incidents.services.<function>`.

Every change is a database row first (the incident, a timeline entry, a
dispatch, an acknowledgement, an outbox delivery) and an event published in
the same transaction; pushes to screens and agencies follow the commit. What
reaches an agency's group, webhook, e-mail or CAP feed never carries plate
data, hotlists or registry owners' personal data.
"""

from .dispatch import dispatch_acknowledge, dispatches_escalate, incident_dispatch
from .events import IncidentError
from .intake import intake_record
from .lifecycle import (
    incident_add_note,
    incident_attach_hit,
    incident_attach_read,
    incident_attach_snapshot,
    incident_create,
    incident_set_status,
    incident_update,
)
from .recordings import incident_preserve_recordings

__all__ = [
    "IncidentError",
    "dispatch_acknowledge",
    "dispatches_escalate",
    "incident_add_note",
    "incident_attach_hit",
    "incident_attach_read",
    "incident_attach_snapshot",
    "incident_create",
    "incident_dispatch",
    "incident_preserve_recordings",
    "incident_set_status",
    "incident_update",
    "intake_record",
]
