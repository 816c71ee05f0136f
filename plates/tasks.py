"""Periodic plate jobs (run by the one beat)."""

from celery import shared_task

from .retention import purge_plate_reads as purge


@shared_task(ignore_result=True)
def purge_plate_reads():
    return purge()


@shared_task(ignore_result=True)
def refresh_hotlist_feeds():
    from .feeds import refresh_all

    return refresh_all()
