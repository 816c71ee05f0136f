"""Agencies, incidents, their timelines, dispatches and acknowledgements."""

from django.conf import settings
from django.db import models

from rtcc.geo import coordinate_constraints, latitude_field, longitude_field

from .choices import AgencyKind, CapCategory, IncidentPriority, IncidentSource, IncidentStatus, TimelineKind


class Agency(models.Model):
    """A police, fire, EMS or emergency-management organisation incidents are dispatched to."""

    name = models.CharField(max_length=120, unique=True)
    short_name = models.SlugField(max_length=32, unique=True, help_text="e.g. nofd")
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    contact_email = models.EmailField(blank=True)
    webhook_url = models.URLField(blank=True, help_text="Receives signed dispatch notifications.")
    webhook_secret = models.CharField(max_length=128, blank=True)
    ack_timeout_seconds = models.PositiveIntegerField(
        default=120, help_text="Escalate unacknowledged dispatches after."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [models.CheckConstraint(condition=models.Q(kind__in=AgencyKind.values), name="agency_kind_valid")]

    def __str__(self):
        return self.name


class IncidentType(models.Model):
    """The configurable list of incident types (fire, medical, shooting ...)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=40, unique=True)
    cap_category = models.CharField(max_length=16, choices=CapCategory.choices, default=CapCategory.SAFETY)
    default_priority = models.PositiveSmallIntegerField(choices=IncidentPriority.choices, default=IncidentPriority.P3)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Incident(models.Model):
    """Something happening that the center tracks and dispatches."""

    incident_type = models.ForeignKey(IncidentType, on_delete=models.PROTECT, related_name="incidents")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(choices=IncidentPriority.choices, default=IncidentPriority.P3)
    status = models.CharField(max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.NEW, db_index=True)
    latitude = latitude_field()
    longitude = longitude_field()
    address = models.CharField(max_length=200, blank=True)
    cad_number = models.CharField(max_length=64, blank=True, db_index=True)
    source = models.CharField(max_length=16, choices=IncidentSource.choices, default=IncidentSource.ANALYST)
    source_id = models.CharField(max_length=128, blank=True, help_text="The feeding system's own id.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "-created_at"]
        constraints = [
            *coordinate_constraints("incident"),
            models.CheckConstraint(condition=models.Q(status__in=IncidentStatus.values), name="incident_status_valid"),
            models.CheckConstraint(
                condition=models.Q(priority__in=IncidentPriority.values), name="incident_priority_valid"
            ),
            models.CheckConstraint(condition=models.Q(source__in=IncidentSource.values), name="incident_source_valid"),
            models.CheckConstraint(condition=~models.Q(title=""), name="incident_title_not_empty"),
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~models.Q(source_id=""), name="incident_unique_source_id"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self):
        return f"RTCC-{self.pk:06d}" if self.pk else "RTCC-new"

    @property
    def is_open(self):
        return self.status != IncidentStatus.CLOSED


class TimelineEvent(models.Model):
    """One entry on an incident's timeline: who changed what, when, and what was attached."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=16, choices=TimelineKind.choices)
    text = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    camera = models.ForeignKey("cameras.Camera", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    plate_read = models.ForeignKey(
        "plates.PlateRead", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hit = models.ForeignKey("plates.Hit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    attachment = models.FileField(upload_to="incidents/%Y/%m/%d/", blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=TimelineKind.values), name="timeline_kind_valid")
        ]

    def __str__(self):
        return f"{self.incident.reference} {self.kind} at {self.at:%H:%M:%S}"


class Dispatch(models.Model):
    """An incident sent to one agency."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="dispatches")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="dispatches")
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    dispatched_at = models.DateTimeField(auto_now_add=True, db_index=True)
    message = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-dispatched_at"]
        verbose_name_plural = "dispatches"
        constraints = [models.UniqueConstraint(fields=["incident", "agency"], name="dispatch_unique_agency")]

    def __str__(self):
        return f"{self.incident.reference} → {self.agency.short_name}"


class Acknowledgement(models.Model):
    """One responder's acknowledgement of a dispatch."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acknowledgements")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["dispatch", "user"], name="acknowledgement_unique_user")]

    def __str__(self):
        return f"{self.user} acknowledged {self.dispatch}"
