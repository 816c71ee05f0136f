"""The footage library's fixed vocabularies: where a clip came from, custody steps, job kinds and states."""

from django.db import models


class ClipSource(models.TextChoices):
    RECORDING = "recording", "Recorded from a city camera"
    REGISTRY_UPLOAD = "registry_upload", "Uploaded by a registered camera's owner"
    MANUAL_UPLOAD = "manual_upload", "Uploaded by staff"
    DERIVED = "derived", "Derived copy (transcode, redaction)"


class CustodyAction(models.TextChoices):
    CREATED = "created", "Created"
    RECEIVED = "received", "Received from its owner"
    VIEWED = "viewed", "Viewed"
    DOWNLOADED = "downloaded", "Downloaded"
    ANALYSED = "analysed", "Analysed"
    DERIVED = "derived", "Derived copy made"
    EXPORTED = "exported", "Exported as evidence"
    VERIFIED = "verified", "Hash verified"
    NOTE = "note", "Note"


class AnalysisKind(models.TextChoices):
    PLATES = "plates", "Read plates"
    TRANSCODE = "transcode", "Make a browser-playable copy"
    REDACT = "redact", "Redact faces and regions"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Derivation(models.TextChoices):
    NONE = "", "Original"
    TRANSCODE = "transcode", "Browser-playable copy"
    REDACTION = "redaction", "Redacted copy"
