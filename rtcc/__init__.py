"""rtcc: the project package and the cross-cutting app (roles, audit log, realtime, dashboard)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
