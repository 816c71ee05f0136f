"""The footage library: clips, their chain of custody, analysis jobs, plates read in clips, bookmarks, exports.

These models lived in `cameras` until the footage workspace became its own app; their
migrations moved them without touching a row (see footage/migrations/0001_initial.py).
"""

from django.conf import settings
from django.db import models

from cameras.models import Camera

from .choices import AnalysisKind, ClipSource, CustodyAction, Derivation, JobStatus


class FootageClip(models.Model):
    """A video file in the footage library: recorded, uploaded by an owner or staff, or derived.

    The stored file is never changed after it is written; `sha256` is its hash at
    intake. Write through `footage.library.store_clip`, which hashes while it stores
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
    region = models.CharField(max_length=16, blank=True, help_text="The state with the best support, when read.")
    region_confidence = models.FloatField(default=0.0)
    strong_alternatives = models.JSONField(
        default=list, blank=True, help_text="Other readings the track still supports: [[plate, share], ...]."
    )

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
