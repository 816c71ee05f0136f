"""Plate reads, hotlists and the hits between them."""

from django.conf import settings
from django.db import models

from .choices import (
    ALTERNATIVE_READING_PRIORITY,
    DismissReason,
    HitOutcome,
    HitStatus,
    HotlistSource,
    HotlistVisibility,
    MatchKind,
    Priority,
    ReadSource,
)
from .labels import alternative_label, state_mismatch_label


class PlateRead(models.Model):
    """One vehicle's plate seen once by one camera (a tracked, voted reading)."""

    # No single-column indexes on camera or plate: the (camera, read_at) and (plate, read_at) indexes
    # serve those lookups, and every index is paid for on each of thousands of inserts a second.
    camera = models.ForeignKey("cameras.Camera", on_delete=models.PROTECT, related_name="plate_reads", db_index=False)
    plate = models.CharField(max_length=16, help_text="Normalised: capitals and digits only.")
    plate_raw = models.CharField(max_length=32, blank=True, help_text="As read, before normalisation.")
    region = models.CharField(max_length=16, blank=True, help_text="State or country code when known.")
    region_confidence = models.FloatField(
        default=0.0, db_default=0.0, help_text="How sure the reader is of the region (0: unknown or not said)."
    )
    confidence = models.FloatField(default=0.0)
    alternatives = models.JSONField(
        default=list,
        db_default=[],
        blank=True,
        help_text="Other readings of the same plate the evidence still supports: [[plate, share], ...], "
        "strongest first (share of the probability among the plate's readings).",
    )
    read_at = models.DateTimeField(db_index=True, help_text="When the frame was taken.")
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=16, choices=ReadSource.choices, default=ReadSource.CAPTURE)
    engine = models.CharField(max_length=32, blank=True)
    box = models.JSONField(default=dict, blank=True, help_text="Plate position in the frame.")
    crop = models.FileField(upload_to="plates/crops/%Y/%m/%d/", blank=True)
    external_id = models.CharField(max_length=128, blank=True, help_text="The device's own id, for idempotent ingest.")
    legal_hold = models.BooleanField(default=False, help_text="Kept past retention while set.")

    class Meta:
        ordering = ["-read_at", "-id"]
        indexes = [models.Index(fields=["camera", "read_at"]), models.Index(fields=["plate", "read_at"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(plate=""), name="plateread_plate_not_empty"),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0, confidence__lte=1), name="plateread_confidence_range"
            ),
            models.CheckConstraint(
                condition=models.Q(region_confidence__gte=0, region_confidence__lte=1),
                name="plateread_region_confidence_range",
            ),
            models.CheckConstraint(condition=models.Q(source__in=ReadSource.values), name="plateread_source_valid"),
            models.UniqueConstraint(
                fields=["camera", "external_id"],
                condition=~models.Q(external_id=""),
                name="plateread_unique_external_id",
            ),
        ]

    def __str__(self):
        return f"{self.plate} at {self.camera} {self.read_at:%Y-%m-%d %H:%M:%S}"


class HotlistQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Lists this person may see: every all-analysts list, plus owner-only lists they own (supervisors: all)."""
        from rtcc.roles import Capability, can

        if user is None or not getattr(user, "is_authenticated", False):
            return self.filter(visibility=HotlistVisibility.ALL_ANALYSTS)
        if can(user, Capability.VIEW_AUDIT):
            return self
        return self.filter(models.Q(visibility=HotlistVisibility.ALL_ANALYSTS) | models.Q(owner_id=user.pk))


class Hotlist(models.Model):
    """A list of plates to watch for, with where it came from and who may see it."""

    name = models.CharField(max_length=120, unique=True)
    source = models.CharField(max_length=16, choices=HotlistSource.choices, default=HotlistSource.CUSTOM)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    visibility = models.CharField(
        max_length=16, choices=HotlistVisibility.choices, default=HotlistVisibility.ALL_ANALYSTS
    )
    active = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    feed_path = models.CharField(
        max_length=500,
        blank=True,
        help_text="A CSV file the daily feed (state/NCIC extract) is delivered to. When it changes it replaces "
        "the list; a missing, unreadable or much shorter file keeps the current list and warns supervisors.",
    )
    feed_checked_at = models.DateTimeField(null=True, blank=True)
    feed_status = models.CharField(max_length=300, blank=True, help_text="What the last feed check did.")

    objects = HotlistQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(source__in=HotlistSource.values), name="hotlist_source_valid"),
            models.CheckConstraint(condition=models.Q(priority__in=Priority.values), name="hotlist_priority_valid"),
        ]

    def __str__(self):
        return self.name

    @property
    def tries_alternatives(self) -> bool:
        """Whether this list also matches the reader's strong alternative readings (critical lists only)."""
        return self.priority <= ALTERNATIVE_READING_PRIORITY


class HotlistEntry(models.Model):
    """One wanted plate. `?` stands for one unknown character and `*` for any run."""

    hotlist = models.ForeignKey(Hotlist, on_delete=models.CASCADE, related_name="entries")
    plate = models.CharField(max_length=16, db_index=True)
    region = models.CharField(max_length=16, blank=True)
    reason = models.CharField(max_length=200)
    vehicle_description = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plate"]
        verbose_name_plural = "hotlist entries"
        constraints = [
            models.CheckConstraint(condition=~models.Q(plate=""), name="hotlistentry_plate_not_empty"),
            models.UniqueConstraint(fields=["hotlist", "plate", "region"], name="hotlistentry_unique_plate"),
        ]

    def __str__(self):
        return f"{self.plate} ({self.hotlist})"

    @property
    def is_wildcard(self):
        return "?" in self.plate or "*" in self.plate


class Hit(models.Model):
    """A plate read that matched a hotlist entry: the durable alert."""

    plate_read = models.ForeignKey(PlateRead, on_delete=models.PROTECT, related_name="hits")
    entry = models.ForeignKey(HotlistEntry, null=True, on_delete=models.SET_NULL, related_name="hits")
    hotlist = models.ForeignKey(Hotlist, on_delete=models.PROTECT, related_name="hits")
    match_kind = models.CharField(max_length=16, choices=MatchKind.choices)
    matched_plate = models.CharField(max_length=16, help_text="The entry's plate as it was at match time.")
    matched_region = models.CharField(max_length=16, blank=True, help_text="The entry's state as it was at match time.")
    # The read's state confidently differs from the entry's (RTCC_STATE_MISMATCH_CONFIDENCE): probably another
    # car with the same plate number. Kept and shown, ranked below hits whose state agrees or is unknown.
    state_mismatch = models.BooleanField(default=False)
    # Critical lists also match the reader's strong alternative readings: the one that matched, and its share.
    matched_alternative = models.CharField(
        max_length=16, blank=True, help_text="The read's alternative reading that matched; blank: the read itself."
    )
    alternative_share = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=HitStatus.choices, default=HitStatus.NEW, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.CharField(max_length=20, choices=DismissReason.choices, blank=True)
    review_note = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=20, choices=HitOutcome.choices, blank=True)
    outcome_note = models.CharField(max_length=500, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the hit was withdrawn (the final reading of the pass differed)."
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The alert queue (plates/alerts.py): repeat reads of the same plate on the same entry fold into this hit.
    repeat_count = models.PositiveIntegerField(default=1, help_text="Sightings folded into this alert.")
    last_read = models.ForeignKey(
        PlateRead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Latest sighting."
    )
    last_seen_at = models.DateTimeField(null=True, blank=True, help_text="When the latest folded sighting was read.")
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(match_kind__in=MatchKind.values), name="hit_match_kind_valid"),
            models.CheckConstraint(condition=models.Q(status__in=HitStatus.values), name="hit_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status=HitStatus.DISMISSED, dismiss_reason=""),
                name="hit_dismissal_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=HitStatus.WITHDRAWN, withdrawn_reason=""),
                name="hit_withdrawal_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(status=HitStatus.CONFIRMED),
                name="hit_outcome_only_when_confirmed",
            ),
            models.CheckConstraint(
                condition=models.Q(matched_alternative="", alternative_share__isnull=True)
                | (~models.Q(matched_alternative="") & models.Q(alternative_share__gte=0, alternative_share__lte=1)),
                name="hit_alternative_has_share",
            ),
            models.UniqueConstraint(fields=["plate_read", "entry"], name="hit_unique_read_entry"),
        ]

    def __str__(self):
        return f"Hit {self.plate_read.plate} on {self.hotlist}"

    @property
    def state_mismatch_label(self) -> str:
        """ "State mismatch: read LA (0.93), list says TX", or "" when the states agree or one is unknown."""
        if not self.state_mismatch:
            return ""
        read = self.plate_read
        return state_mismatch_label(
            read_region=read.region, read_confidence=read.region_confidence, entry_region=self.matched_region
        )

    @property
    def alternative_label(self) -> str:
        """ "Matched alternative reading ABC1234 (22 %) of read ABC1Z34", or "" when the read itself matched."""
        if not self.matched_alternative:
            return ""
        return alternative_label(
            alternative=self.matched_alternative, share=self.alternative_share, plate=self.plate_read.plate
        )

    @property
    def notes(self) -> list[str]:
        """What an analyst must know before acting on this hit (state mismatch, alternative reading)."""
        return [label for label in (self.state_mismatch_label, self.alternative_label) if label]

    @property
    def latest_read(self) -> PlateRead:
        """The alert's latest sighting (the first read until a repeat folds in)."""
        return self.last_read or self.plate_read

    @property
    def latest_seen_at(self):
        return self.last_seen_at or self.plate_read.read_at
