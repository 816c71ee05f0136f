"""The citizen camera registry: sites, their cameras, consent and footage requests."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from cameras.streams import redact_url
from rtcc.geo import bearing_constraints, coordinate_constraints, latitude_field, longitude_field

from .choices import Coverage, FootageRequestStatus, SiteStatus


def new_link_nonce():
    return secrets.token_urlsafe(16)


class RegisteredSite(models.Model):
    """A home or business whose owner registered cameras. Owner contact data is personal data."""

    owner_name = models.CharField(max_length=120)
    business_name = models.CharField(max_length=120, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=200)
    latitude = latitude_field()
    longitude = longitude_field()
    status = models.CharField(max_length=16, choices=SiteStatus.choices, default=SiteStatus.UNCONFIRMED, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=300, blank=True)
    last_verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner last confirmed the details."
    )
    reminder_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the yearly 'are these details still true?' e-mail went out."
    )
    link_nonce = models.CharField(
        max_length=32,
        default=new_link_nonce,
        editable=False,
        help_text="Part of every signed link to this site; changing it revokes all links sent so far.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            *coordinate_constraints("site"),
            models.CheckConstraint(condition=models.Q(status__in=SiteStatus.values), name="site_status_valid"),
            models.CheckConstraint(condition=~models.Q(owner_name=""), name="site_owner_not_empty"),
        ]

    def __str__(self):
        return self.business_name or self.address

    @property
    def display_name(self):
        """What staff call the site without its owner's name: the business, else the address."""
        return self.business_name or self.address

    @property
    def visible_to_staff(self):
        return self.status != SiteStatus.UNCONFIRMED

    @property
    def is_stale(self):
        """Details the owner has not confirmed for longer than RTCC_REGISTRY_STALE_DAYS may no longer be true."""
        checked = self.last_verified_at or self.confirmed_at
        if checked is None:
            return False
        return checked < timezone.now() - timedelta(days=settings.RTCC_REGISTRY_STALE_DAYS)

    def rotate_link_nonce(self):
        self.link_nonce = new_link_nonce()


class RegisteredCamera(models.Model):
    """One camera at a registered site: where it points and how long it keeps footage."""

    site = models.ForeignKey(RegisteredSite, on_delete=models.CASCADE, related_name="cameras")
    placement = models.CharField(max_length=120, help_text="e.g. 'Front porch, above the door'.")
    latitude = latitude_field()
    longitude = longitude_field()
    bearing = models.PositiveSmallIntegerField(null=True, blank=True)
    field_of_view = models.PositiveSmallIntegerField(null=True, blank=True)
    covers = models.JSONField(default=list, blank=True, help_text=f"Any of: {', '.join(Coverage.values)}.")
    retention_days = models.PositiveSmallIntegerField(validators=[MaxValueValidator(3650)])
    shares_live_feed = models.BooleanField(default=False)
    stream_url = models.CharField(max_length=500, blank=True)
    reviewed_stream_url = models.CharField(
        max_length=500,
        blank=True,
        editable=False,
        help_text="The shared stream address staff last approved. The capture workers read a shared stream only "
        "while it is this one; any other address, however it came about, waits for staff review.",
    )
    camera = models.OneToOneField(
        "cameras.Camera",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registration",
        help_text="The live camera created when the owner shares a feed.",
    )

    class Meta:
        ordering = ["site", "placement"]
        constraints = [
            *coordinate_constraints("registered_camera"),
            *bearing_constraints("registered_camera"),
            models.CheckConstraint(
                condition=models.Q(retention_days__lte=3650), name="registered_camera_retention_range"
            ),
        ]

    def __str__(self):
        return f"{self.placement} at {self.site}"

    @property
    def awaits_stream_review(self) -> bool:
        """Shared, with an address staff have not approved: not read until they do."""
        return bool(self.shares_live_feed and self.stream_url and self.stream_url != self.reviewed_stream_url)

    @property
    def safe_stream_url(self):
        """The stream address with any password hidden, for pages."""
        return redact_url(self.stream_url)

    @property
    def covers_labels(self):
        labels = dict(Coverage.choices)
        return [labels.get(value, value) for value in self.covers or []]


class Consent(models.Model):
    """The terms an owner accepted, when, and whether they withdrew."""

    site = models.ForeignKey(RegisteredSite, on_delete=models.CASCADE, related_name="consents")
    terms_version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField(auto_now_add=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    shares_live_feed = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at"]

    def __str__(self):
        return f"Terms {self.terms_version} for {self.site}"


class FootageRequest(models.Model):
    """A request to an owner for footage from one camera over a time window."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="footage_requests")
    registered_camera = models.ForeignKey(RegisteredCamera, on_delete=models.CASCADE, related_name="footage_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=FootageRequestStatus.choices, default=FootageRequestStatus.DRAFT, db_index=True
    )
    message = models.TextField(blank=True)
    deadline = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    clips = models.ManyToManyField(
        "footage.FootageClip", blank=True, related_name="footage_requests", help_text="What the owner uploaded."
    )
    link_nonce = models.CharField(
        max_length=32,
        blank=True,
        default=new_link_nonce,
        editable=False,
        help_text="Part of the signed upload link: without it, a link cannot be made from the request's number. "
        "Empty only for requests made before links carried one (their old links work until their deadline).",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gt=models.F("window_start")), name="footage_window_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=FootageRequestStatus.values), name="footage_status_valid"
            ),
        ]

    def __str__(self):
        return f"Footage from {self.registered_camera} for {self.incident.reference}"

    @property
    def is_open(self):
        """The owner may still upload or decline."""
        return self.status in (
            FootageRequestStatus.SENT,
            FootageRequestStatus.OPENED,
            FootageRequestStatus.UPLOADED,
        ) and (self.deadline > timezone.now())

    @property
    def window_minutes(self):
        return round((self.window_end - self.window_start).total_seconds() / 60)
