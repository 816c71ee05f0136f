"""Cross-cutting models: users, the append-only audit log, durable realtime events."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import roles_of


class User(AbstractUser):
    """A person who signs in. Responders belong to exactly one agency."""

    agency = models.ForeignKey(
        "incidents.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="Required for responders: they receive what is dispatched to this agency.",
    )
    phone = models.CharField(max_length=32, blank=True)

    @property
    def role_names(self):
        return sorted(roles_of(self))


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit records are append-only: they cannot be updated.")

    def delete(self):
        raise PermissionError("Audit records are append-only: they cannot be deleted.")


class AuditRecord(models.Model):
    """Who did what, to which object, when, from where, and why.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a
    trigger refuses them in the database too. Write through `rtcc.audit.record`.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "rtcc.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_records", db_constraint=False
    )
    actor_username = models.CharField(max_length=150, blank=True, help_text="Kept even if the user is later removed.")
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor", "at"])]
        constraints = [models.CheckConstraint(condition=~models.Q(action=""), name="audit_action_not_empty")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username or 'system'} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit records are append-only: they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit records are append-only: they cannot be deleted.")


class Event(models.Model):
    """Something a person must see, committed before it is pushed.

    The websocket push is only a notification of this row: a dashboard that
    reconnects asks for every event after the last id it saw.
    """

    group = models.CharField(max_length=64, db_index=True, help_text="The channel group the event is for.")
    kind = models.CharField(max_length=64)
    summary = models.CharField(max_length=300)
    severity = models.CharField(
        max_length=16,
        choices=[("info", "Info"), ("warning", "Warning"), ("critical", "Critical")],
        default="info",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["group", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__in=["info", "warning", "critical"]), name="event_severity_valid"
            ),
            models.CheckConstraint(condition=~models.Q(kind=""), name="event_kind_not_empty"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.kind} → {self.group}"

    def as_message(self):
        return {
            "id": self.pk,
            "group": self.group,
            "kind": self.kind,
            "summary": self.summary,
            "severity": self.severity,
            "data": self.data,
            "created_at": self.created_at.isoformat(),
        }


class Generation(models.Model):
    """A named marker that changes whenever something many processes cache has changed.

    Written in the transaction of the change, so every process (web, workers, a `manage.py` command in
    another shell) sees a new token once the change is visible to it, with or without Redis.
    """

    name = models.CharField(max_length=64, primary_key=True)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} @ {self.changed_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def bump(cls, name: str) -> str:
        token = uuid.uuid4().hex
        cls.objects.update_or_create(name=name, defaults={"token": token})
        return token

    @classmethod
    def current(cls, name: str) -> str | None:
        return cls.objects.filter(name=name).values_list("token", flat=True).first()
