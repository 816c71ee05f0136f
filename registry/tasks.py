"""Celery tasks for the registry (run by the one beat): thin doors onto registry.services."""

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task
def send_verification_reminders():
    """E-mail owners whose details were last confirmed about a year ago."""
    sent = services.send_verification_reminders()
    if sent:
        log.info("sent %d yearly registry reminder(s)", sent)
    return sent


@shared_task
def expire_footage_requests():
    """Footage requests past their deadline with no answer become expired."""
    return services.expire_footage_requests()
