"""Footage workflows other parts start: queueing an analysis job on a clip."""

from django.db import transaction

from .choices import AnalysisKind
from .jobs import publish
from .models import AnalysisJob
from .tasks import run_footage_job


def job_create(*, clip, kind: str, actor=None, options: dict | None = None) -> AnalysisJob:
    """Queue a job on a clip; its task is sent once the row is committed."""
    if kind not in AnalysisKind.values:
        raise ValueError(f"Unknown job kind {kind!r}.")
    with transaction.atomic():
        job = AnalysisJob.objects.create(
            clip=clip,
            kind=kind,
            options=options or {},
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            message="Waiting for a worker",
        )
        publish(job, "footage.job.progress", f"{job.get_kind_display()} queued for clip {clip.pk}")
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id):
    run_footage_job.delay(job_id)
