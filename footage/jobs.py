"""Running analysis jobs on footage: claim, run, report progress, finish (done or failed).

A job is a row (`AnalysisJob`); the Celery task `footage.tasks.run_footage_job`
claims it with a conditional UPDATE (queued -> running), so a job runs once even
if its task is delivered twice, then calls `job_run`. Progress goes to the row
and, throttled, to the websocket of the person who started it; the end (done or
failed, with a message a technician can act on) goes to every technician. A job
that fails never stops the worker: the next job runs. Jobs are queued by
`footage.services.job_create`.
"""

import logging
import time

from django.utils import timezone

from rtcc import realtime
from rtcc.roles import Role, staff_group, user_group

from .analysis import read_plates, transcode
from .choices import AnalysisKind, JobStatus
from .derived import UNREADABLE, JobFailed
from .library import VideoUnreadable
from .models import AnalysisJob
from .redaction import redact_job

log = logging.getLogger(__name__)

PROGRESS_STEP = 5  # percent
PROGRESS_SECONDS = 1.0


def job_run(job_id: int, *, worker: str = "") -> AnalysisJob | None:
    """Run a queued job to its end; None if another worker has it (or it already ran)."""
    claimed = AnalysisJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker=worker[:200], message="Starting"
    )
    if not claimed:
        return None
    job = AnalysisJob.objects.select_related("clip", "created_by").get(pk=job_id)
    progress = Progress(job)
    try:
        RUNNERS[job.kind](job, progress)
    except JobFailed as exc:
        return _finish(job, JobStatus.FAILED, str(exc))
    except VideoUnreadable:
        return _finish(job, JobStatus.FAILED, UNREADABLE)
    except Exception as exc:  # the worker must go on with the next job, and the technician must know
        log.exception("footage job %s failed", job.pk)
        return _finish(
            job, JobStatus.FAILED, f"The job stopped on an unexpected error ({exc.__class__.__name__}: {exc})."
        )
    return _finish(job, JobStatus.DONE, job.message)


def _finish(job, status, message):
    job.status = status
    job.message = (message or "")[:500]
    job.finished_at = timezone.now()
    if status == JobStatus.DONE:
        job.progress = 100
    job.save(
        update_fields=[
            "status",
            "message",
            "finished_at",
            "progress",
            "frames_analysed",
            "seconds_of_video",
            "result_clip",
        ]
    )
    verb = "finished" if status == JobStatus.DONE else "FAILED"
    publish(
        job,
        "footage.job.done" if status == JobStatus.DONE else "footage.job.failed",
        f"{job.get_kind_display()} on clip {job.clip_id} {verb}: {job.message}",
        group=staff_group(Role.TECHNICIAN),
        severity="info" if status == JobStatus.DONE else "warning",
    )
    return job


def publish(job, kind, summary, *, group=None, severity="info"):
    group = group or (user_group(job.created_by_id) if job.created_by_id else staff_group(Role.TECHNICIAN))
    realtime.publish(group=group, kind=kind, summary=summary, data=job.as_progress(), severity=severity)


class Progress:
    """Report a job's progress: to its row and its starter's screen, at most every 5 % or once a second."""

    def __init__(self, job):
        self.job = job
        self.sent_percent = -PROGRESS_STEP
        self.sent_at = 0.0

    def __call__(self, fraction: float, message: str = "", force: bool = False):
        percent = max(0, min(99, int(fraction * 100)))
        now = time.monotonic()
        if not force and percent < self.sent_percent + PROGRESS_STEP and now - self.sent_at < PROGRESS_SECONDS:
            return
        if not force and percent == self.sent_percent:
            return
        self.sent_percent, self.sent_at = percent, now
        self.job.progress = percent
        if message:
            self.job.message = message[:500]
        AnalysisJob.objects.filter(pk=self.job.pk).update(
            progress=percent, message=self.job.message, frames_analysed=self.job.frames_analysed
        )
        publish(
            self.job, "footage.job.progress", f"{self.job.get_kind_display()} on clip {self.job.clip_id}: {percent} %"
        )


RUNNERS = {AnalysisKind.PLATES: read_plates, AnalysisKind.TRANSCODE: transcode, AnalysisKind.REDACT: redact_job}
