"""Celery tasks for the footage library: thin doors onto footage.jobs."""

from celery import shared_task
from django.conf import settings

from cameras.capture import worker_identity

from .jobs import job_run


@shared_task(
    ignore_result=True,
    soft_time_limit=settings.RTCC_FOOTAGE_JOB_SECONDS,
    time_limit=settings.RTCC_FOOTAGE_JOB_SECONDS + 60,
)
def run_footage_job(job_id):
    """Run one analysis job (plates, transcode, redaction); a failure is recorded on the job, never raised."""
    job = job_run(job_id, worker=worker_identity())
    return job.status if job else None
