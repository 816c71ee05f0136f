"""Celery tasks for incidents: thin doors onto the escalation check and the delivery outbox."""

from celery import shared_task

from . import outbox, services


@shared_task(ignore_result=True)
def escalate_dispatches():
    """Re-notify dispatches nobody acknowledged in their agency's time (runs on the one beat)."""
    return len(services.dispatches_escalate())


@shared_task(ignore_result=True)
def send_deliveries():
    """Send due agency webhooks and e-mails (beat, and right after each dispatch)."""
    return outbox.deliveries_send_due()
