"""Agencies, incidents, their timelines, dispatches, acknowledgements, intake sources and the delivery outbox."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from rtcc.geo import coordinate_constraints, latitude_field, longitude_field
from rtcc.keys import KeyHolder, KeyQuerySet
from rtcc.netguard import OutboundAddressRefused, check_outbound_url

from .choices import (
    STATUS_COLOURS,
    AgencyKind,
    CapCategory,
    DeliveryChannel,
    DeliveryStatus,
    IncidentPriority,
    IncidentSource,
    IncidentStatus,
    IntakeKind,
    TimelineKind,
)


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
    responders_skip_2fa = models.BooleanField(
        "responders skip two-factor sign-in",
        default=False,
        help_text="Responders of this agency sign in on their phones with a password alone (RTCC_REQUIRE_2FA).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [models.CheckConstraint(condition=models.Q(kind__in=AgencyKind.values), name="agency_kind_valid")]

    def __str__(self):
        return self.name

    def clean(self):
        """A webhook may not point at the server's own services or internal networks (RTCC_WEBHOOK_ALLOWED_NETWORKS
        lists the exceptions). Checked here for the admin and the manage pages, and again before each send."""
        if self.webhook_url:
            try:
                check_outbound_url(
                    self.webhook_url, allowed_networks=settings.RTCC_WEBHOOK_ALLOWED_NETWORKS, unresolved_ok=True
                )
            except OutboundAddressRefused as exc:
                raise ValidationError({"webhook_url": str(exc)}) from None


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
    intake_source = models.ForeignKey(
        "IntakeSource", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    occurred_at = models.DateTimeField(null=True, blank=True, help_text="When it happened, if the source says.")
    revision = models.PositiveIntegerField(default=1, help_text="Raised on every change pushed to agencies (CAP).")
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

    @property
    def status_colour(self):
        return STATUS_COLOURS[self.status]

    def as_marker(self):
        return {
            "id": self.pk,
            "reference": self.reference,
            "title": self.title,
            "type": str(self.incident_type),
            "priority": self.priority,
            "status": self.status,
            "status_label": self.get_status_display(),
            "lat": float(self.latitude),
            "lon": float(self.longitude),
            "address": self.address,
        }

    def brief(self) -> dict:
        """What every screen and agency may know about the incident (no plate or registry data)."""
        return {
            "incident_id": self.pk,
            "reference": self.reference,
            "title": self.title,
            "type": str(self.incident_type),
            "priority": self.priority,
            "status": self.status,
            "status_label": self.get_status_display(),
            "lat": float(self.latitude),
            "lon": float(self.longitude),
            "address": self.address,
            "cad_number": self.cad_number,
        }


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
    shared_with_responders = models.BooleanField(
        default=True, help_text="Shown to dispatched agencies. Plate reads and hits never are."
    )

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=TimelineKind.values), name="timeline_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(shared_with_responders=False) | models.Q(plate_read__isnull=True, hit__isnull=True),
                name="timeline_plate_data_never_shared",
            ),
        ]

    def __str__(self):
        return f"{self.incident.reference} {self.kind} at {self.at:%H:%M:%S}"

    def save(self, *args, **kwargs):
        # Plate data stays with analysts, whoever builds the row.
        if self.plate_read_id or self.hit_id:
            self.shared_with_responders = False
        super().save(*args, **kwargs)


class Dispatch(models.Model):
    """An incident sent to one agency."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="dispatches")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="dispatches")
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    dispatched_at = models.DateTimeField(auto_now_add=True, db_index=True)
    message = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_count = models.PositiveSmallIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True, help_text="The first acknowledgement.")

    class Meta:
        ordering = ["-dispatched_at"]
        verbose_name_plural = "dispatches"
        constraints = [models.UniqueConstraint(fields=["incident", "agency"], name="dispatch_unique_agency")]
        indexes = [
            models.Index(
                fields=["dispatched_at"], condition=models.Q(acknowledged_at__isnull=True), name="dispatch_unacked"
            )
        ]

    def __str__(self):
        return f"{self.incident.reference} → {self.agency.short_name}"

    @property
    def is_acknowledged(self):
        return self.acknowledged_at is not None

    def escalation_due_at(self):
        """When this dispatch escalates (again) if still unacknowledged: one agency timeout after the last push."""
        since = self.escalated_at or self.dispatched_at
        return since + timedelta(seconds=self.agency.ack_timeout_seconds)

    @property
    def is_escalated(self):
        return self.escalation_count > 0 and self.acknowledged_at is None


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


class IntakeSourceQuerySet(KeyQuerySet):
    def usable(self):
        return self.filter(active=True)


class IntakeSource(KeyHolder, models.Model):
    """Another system that opens incidents through the intake API: a 911 CAD or a gunshot-detection service.

    Only the SHA-256 of its key is stored; the key is shown once, when issued in admin.
    """

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=IntakeKind.choices)
    default_type = models.ForeignKey(
        IncidentType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Incident type when the event's own type is not on the list.",
    )
    camera_radius_m = models.PositiveIntegerField(default=300, help_text="Cameras within this radius are attached.")
    key_prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = IntakeSourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=models.Q(kind__in=IntakeKind.values), name="intake_kind_valid")]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @classmethod
    def issue(cls, *, name, kind, **fields):
        """Create a source and return (source, key)."""
        source = cls(name=name, kind=kind, **fields)
        key = source.new_key()
        source.save()
        return source, key


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now or timezone.now())


class Delivery(models.Model):
    """One notification to one agency's system (signed webhook) or inbox (e-mail): the outbox row.

    Written in the same transaction as the change it reports; a worker claims a
    due row with a conditional UPDATE, sends it, and records the outcome, so a
    crash or a failing receiver never loses it and two workers never send it twice.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="deliveries")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deliveries")
    dispatch = models.ForeignKey(Dispatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=16, choices=DeliveryChannel.choices)
    kind = models.CharField(max_length=40, help_text="dispatch.created, incident.updated, dispatch.escalated …")
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    fallback_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="fallbacks", help_text="E-mail fallback"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                name="delivery_outbox",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=DeliveryChannel.values), name="delivery_channel_valid"
            ),
            models.CheckConstraint(condition=models.Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.kind} to {self.agency.short_name}: {self.get_status_display()}"
