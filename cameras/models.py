"""Cameras: where they are, how to read them, and how healthy they are."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from rtcc.geo import bearing_constraints, coordinate_constraints, latitude_field, longitude_field
from rtcc.keys import KeyHolder, KeyQuerySet

from .choices import (
    STATUS_COLOURS,
    AnalysisKind,
    CameraKind,
    CameraStatus,
    ClipSource,
    CustodyAction,
    Derivation,
    JobStatus,
)
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

    def as_marker(self):
        return {
            "id": self.pk,
            "name": self.name,
            "kind": self.kind,
            "lat": float(self.latitude),
            "lon": float(self.longitude),
            "status": self.status,
            "colour": self.status_colour,
            "bearing": self.bearing,
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


class FootageClip(models.Model):
    """A video file in the footage library: recorded, uploaded by an owner or staff, or derived.

    The stored file is never changed after it is written; `sha256` is its hash at
    intake. Write through `cameras.footage.store_clip`, which hashes while it stores
    and opens the chain of custody.
    """

    title = models.CharField(max_length=200)
    source = models.CharField(max_length=20, choices=ClipSource.choices, db_index=True)
    camera = models.ForeignKey(Camera, null=True, blank=True, on_delete=models.SET_NULL, related_name="clips")
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="clips"
    )
    derived_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derivatives"
    )
    file = models.FileField(upload_to="footage/%Y/%m/%d/", max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text="Wall-clock time of the first frame.")
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    fps = models.FloatField(null=True, blank=True)
    video_codec = models.CharField(max_length=32, blank=True, help_text="As ffprobe names it (h264, mpeg4, ...).")
    derivation = models.CharField(
        max_length=16, choices=Derivation.choices, blank=True, default="", help_text="For a derived copy: what it is."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(source__in=ClipSource.values), name="clip_source_valid"),
            models.CheckConstraint(condition=models.Q(size_bytes__gte=0), name="clip_size_not_negative"),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(started_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="clip_span_ordered",
            ),
        ]

    def __str__(self):
        return self.title


class CustodyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Chain of custody is append-only: entries cannot be updated.")

    def delete(self):
        raise PermissionError("Chain of custody is append-only: entries cannot be deleted.")


class CustodyEntry(models.Model):
    """One step in a clip's chain of custody: who touched it, how, when. Append-only."""

    clip = models.ForeignKey(FootageClip, on_delete=models.PROTECT, related_name="custody")
    action = models.CharField(max_length=16, choices=CustodyAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="Who, in words (kept if the user is removed).")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    detail = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64, blank=True, help_text="The file's hash at this step, when checked.")
    client_address = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = CustodyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "custody entries"
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=CustodyAction.values), name="custody_action_valid")
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.clip_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Chain of custody is append-only: entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Chain of custody is append-only: entries cannot be deleted.")


# --- The technicians' workspace: recording, analysis, bookmarks, evidence (issue #8) ---


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


class AnalysisJob(models.Model):
    """A piece of work on one clip run by a worker (read plates, transcode, redact), with its progress.

    The row is the queue: a worker claims it with a conditional UPDATE from
    queued to running, so a job runs once even if its task is delivered twice.
    """

    clip = models.ForeignKey(FootageClip, on_delete=models.PROTECT, related_name="jobs")
    kind = models.CharField(max_length=16, choices=AnalysisKind.choices)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True, help_text="What it is doing, or why it failed.")
    options = models.JSONField(default=dict, blank=True)
    result_clip = models.ForeignKey(
        FootageClip, null=True, blank=True, on_delete=models.SET_NULL, related_name="made_by_jobs"
    )
    frames_analysed = models.PositiveIntegerField(default=0)
    seconds_of_video = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=AnalysisKind.values), name="job_kind_valid"),
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="job_status_valid"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on clip {self.clip_id} ({self.status})"

    @property
    def finished(self):
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def as_progress(self):
        return {
            "job_id": self.pk,
            "clip_id": self.clip_id,
            "kind": self.kind,
            "status": self.status,
            "progress": self.progress,
            "message": self.message,
            "result_clip_id": self.result_clip_id,
        }


class ClipPlate(models.Model):
    """A plate read in a clip by a plate-reading job: one per passing vehicle, its readings voted by the tracker.

    Hotlist matches are kept here (not as PlateRead/Hit rows): footage is evidence
    about the past, and must not raise live hits at a camera as if it were now.
    """

    job = models.ForeignKey(AnalysisJob, on_delete=models.CASCADE, related_name="plates")
    clip = models.ForeignKey(FootageClip, on_delete=models.PROTECT, related_name="plates")
    plate = models.CharField(max_length=16, db_index=True)
    plate_raw = models.CharField(max_length=32, blank=True)
    confidence = models.FloatField()
    first_seconds = models.FloatField(help_text="Offset into the clip of the first reading.")
    last_seconds = models.FloatField()
    best_seconds = models.FloatField(help_text="Offset of the clearest reading: where the player jumps.")
    readings = models.PositiveIntegerField(default=0)
    box = models.JSONField(default=dict, blank=True)
    crop = models.FileField(upload_to="footage/plates/%Y/%m/%d/", max_length=300, blank=True)
    hotlist_matches = models.JSONField(default=list, blank=True)
    alternatives = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["best_seconds", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_seconds__gte=models.F("first_seconds")), name="clip_plate_span"
            ),
        ]

    def __str__(self):
        return f"{self.plate} at {self.best_seconds:.1f}s in clip {self.clip_id}"


class ClipBookmark(models.Model):
    """A moment in a clip a technician marked, with a note: 'suspect enters', 'plate visible'."""

    clip = models.ForeignKey(FootageClip, on_delete=models.CASCADE, related_name="bookmarks")
    at_seconds = models.FloatField()
    note = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at_seconds", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(at_seconds__gte=0), name="bookmark_time_not_negative"),
            models.CheckConstraint(condition=~models.Q(note=""), name="bookmark_note_not_empty"),
        ]

    def __str__(self):
        return f"{self.at_seconds:.2f}s {self.note[:40]}"


class EvidenceExport(models.Model):
    """An evidence package handed over: which clip, why, by whom, and the zip's own hash."""

    clip = models.ForeignKey(FootageClip, on_delete=models.PROTECT, related_name="exports")
    reason = models.CharField(max_length=300)
    file = models.FileField(upload_to="footage/exports/%Y/%m/%d/", max_length=300)
    size_bytes = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    manifest = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="export_reason_required")]

    def __str__(self):
        return f"Export of clip {self.clip_id} {self.created_at:%Y-%m-%d %H:%M}"
