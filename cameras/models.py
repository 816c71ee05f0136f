"""Cameras: where they are, how to read them, and how healthy they are."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from rtcc.geo import bearing_constraints, coordinate_constraints, latitude_field, longitude_field
from rtcc.keys import KeyHolder, KeyQuerySet

from .choices import STATUS_COLOURS, CameraKind, CameraStatus
from .streams import redact_url, validate_stream_url


class Camera(models.Model):
    """A camera the center can read: a city camera, a shared private one, or a plate reader."""

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=32, choices=CameraKind.choices, default=CameraKind.CITY, db_index=True)
    latitude = latitude_field()
    longitude = longitude_field()
    address = models.CharField(max_length=200, blank=True)
    bearing = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Compass bearing it faces, 0-359.")
    field_of_view = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Degrees, 1-360.")
    stream_url = models.CharField(
        max_length=500, blank=True, help_text="rtsp://, http(s):// MJPEG or a local file. Never shown with credentials."
    )
    enabled = models.BooleanField(default=True)
    plate_reading = models.BooleanField(default=False, help_text="Send frames to the plate reader.")
    sample_fps = models.FloatField(
        default=2.0, validators=[MinValueValidator(0.1), MaxValueValidator(60)], help_text="Frames analysed per second."
    )
    offline_after_seconds = models.PositiveIntegerField(default=30, help_text="Silence before the camera is offline.")
    status = models.CharField(max_length=16, choices=CameraStatus.choices, default=CameraStatus.UNKNOWN, db_index=True)
    status_reason = models.CharField(max_length=300, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_frame_at = models.DateTimeField(null=True, blank=True)
    measured_fps = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            *coordinate_constraints("camera"),
            *bearing_constraints("camera"),
            models.CheckConstraint(condition=models.Q(kind__in=CameraKind.values), name="camera_kind_valid"),
            models.CheckConstraint(condition=models.Q(status__in=CameraStatus.values), name="camera_status_valid"),
            models.CheckConstraint(condition=models.Q(sample_fps__gt=0), name="camera_sample_fps_positive"),
            models.CheckConstraint(condition=~models.Q(name=""), name="camera_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.stream_url:
            try:
                self.stream_url = validate_stream_url(self.stream_url)
            except ValueError as exc:
                raise ValidationError({"stream_url": str(exc)}) from None

    @property
    def safe_stream_url(self):
        return redact_url(self.stream_url)

    @property
    def status_colour(self):
        return STATUS_COLOURS[self.status]

    @property
    def shown_status(self):
        """The status a screen shows: a camera switched off is "disabled", whatever it last reported."""
        return CameraStatus.DISABLED if not self.enabled else self.status

    def as_marker(self):
        status = self.shown_status
        return {
            "id": self.pk,
            "name": self.name,
            "kind": self.kind,
            "lat": float(self.latitude),
            "lon": float(self.longitude),
            "status": status,
            "colour": STATUS_COLOURS[status],
            "bearing": self.bearing,
            "fov": self.field_of_view,
            "reads_plates": self.kind == CameraKind.PLATE_READER or self.plate_reading,
        }


class CameraStatusEvent(models.Model):
    """One change of a camera's status: the health history."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="status_events")
    status = models.CharField(max_length=16, choices=CameraStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["camera", "at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=CameraStatus.values), name="camera_event_status_valid")
        ]

    def __str__(self):
        return f"{self.camera} {self.status} at {self.at:%Y-%m-%d %H:%M:%S}"


class DeviceTokenQuerySet(KeyQuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True).select_related("camera")


class DeviceToken(KeyHolder, models.Model):
    """A secret an external device (a plate camera) uses to call the API for its own camera.

    Only the SHA-256 of the key is stored; the key is shown once when issued.
    """

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="device_tokens")
    label = models.CharField(max_length=100, blank=True)
    key_prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = DeviceTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.key_prefix}… for {self.camera}"

    @classmethod
    def issue(cls, *, camera, label=""):
        """Create a token and return (token, key); the key is not stored."""
        token = cls(camera=camera, label=label)
        key = token.new_key()
        token.save()
        return token, key


class CaptureLease(models.Model):
    """Which worker reads a camera, until when. Claimed and renewed with conditional updates.

    A worker reads a camera only while it holds an unexpired lease; a dead
    worker's lease runs out and another worker claims it. Times are the
    database's own clock, so workers on different hosts agree.
    """

    camera = models.OneToOneField(Camera, on_delete=models.CASCADE, primary_key=True, related_name="lease")
    holder = models.CharField(max_length=200, blank=True, help_text="Worker and thread reading the camera.")
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    acquired_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="When a capture task was last queued.")

    def __str__(self):
        return f"{self.camera} held by {self.holder or 'nobody'}"


class CaptureSession(models.Model):
    """One worker's uninterrupted hold on one camera: the record of who read it, when, and how much."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="capture_sessions")
    holder = models.CharField(max_length=200)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_frame_at = models.DateTimeField(null=True, blank=True, help_text="The last frame this session processed.")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    frames_read = models.PositiveIntegerField(default=0)
    frames_analysed = models.PositiveIntegerField(default=0)
    plate_reads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["camera", "started_at"])]

    def __str__(self):
        return f"{self.camera} by {self.holder} from {self.started_at:%H:%M:%S}"

    @property
    def state(self):
        """'ended', 'reading', or 'worker gone' (no heartbeat for longer than a lease: the worker died)."""
        if self.ended_at:
            return "ended"
        last = self.heartbeat_at or self.started_at
        if (timezone.now() - last).total_seconds() > settings.RTCC_CAPTURE_LEASE_SECONDS * 2:
            return "worker gone"
        return "reading"


class CaptureWorker(models.Model):
    """A live capture worker process, so cameras can be shared out fairly among the workers."""

    name = models.CharField(max_length=200, primary_key=True, help_text="host:pid")
    heartbeat_at = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class RecordingLease(models.Model):
    """Which worker runs a camera's recorder (an ffmpeg segmenter), until when.

    Claimed and renewed with conditional updates by the database's clock, like
    `CaptureLease`, so exactly one recorder writes a camera's buffer at a time.
    """

    camera = models.OneToOneField(Camera, on_delete=models.CASCADE, primary_key=True, related_name="recording_lease")
    holder = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    acquired_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    last_segment_at = models.DateTimeField(null=True, blank=True, help_text="When the newest segment was seen.")
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self):
        return f"recorder of {self.camera} held by {self.holder or 'nobody'}"
