"""Shared helpers for the registry's tests (no tests here): form data, links from e-mails, a committing client.

Registry services send e-mail and push events only after their transaction
commits. Tests run inside one transaction, so the client here runs the
commit hooks of each request as it ends, as a real server would.
"""

import re
import time
from contextlib import contextmanager

from django.test import Client, TestCase


def later_by(monkeypatch, seconds):
    """Move the clock the signatures are checked against forward (a signed link carries the time it was made)."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)


@contextmanager
def committed():
    """Run the on-commit hooks registered inside the block (e-mails, pushes) when it ends."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


class CommitClient(Client):
    def request(self, **request):
        with committed():
            return super().request(**request)


def form_data(**overrides):
    data = {
        "owner_name": "Marie Laveau",
        "business_name": "",
        "email": "Marie@Example.org",
        "phone": "+1 (504) 555-0142",
        "address": "1020 St Ann St",
        "latitude": "29.9603123",
        "longitude": "-90.0652",
        "consent": "on",
        "website": "",
        "cameras-TOTAL_FORMS": "1",
        "cameras-INITIAL_FORMS": "0",
        "cameras-MIN_NUM_FORMS": "1",
        "cameras-MAX_NUM_FORMS": "12",
        "cameras-0-placement": "Front porch, above the door",
        "cameras-0-bearing": "180",
        "cameras-0-field_of_view": "90",
        "cameras-0-covers": ["street", "sidewalk"],
        "cameras-0-retention_days": "14",
        "cameras-0-stream_url": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def links_in(message, base="http://localhost:8000"):
    """The links in an e-mail, as paths on this site."""
    return [url.replace(base, "") for url in re.findall(r"https?://\S+", message.body)]


def make_site(status="approved", *, email="owner@example.org", cameras=(), **kwargs):
    """A site (approved by default) with cameras given as dicts of RegisteredCamera fields."""
    from django.utils import timezone

    from registry.models import RegisteredCamera, RegisteredSite

    values = {
        "owner_name": "Antoine Peychaud",
        "email": email,
        "phone": "504-555-0199",
        "address": "437 Royal St",
        "latitude": 29.9565,
        "longitude": -90.0660,
        "status": status,
    }
    values.update(kwargs)
    if status != "unconfirmed":
        values.setdefault("confirmed_at", timezone.now())
        values.setdefault("last_verified_at", timezone.now())
    site = RegisteredSite.objects.create(**values)
    for cam in cameras or [{}]:
        cam_values = {
            "placement": "Front door",
            "latitude": site.latitude,
            "longitude": site.longitude,
            "bearing": 90,
            "field_of_view": 90,
            "retention_days": 30,
            "covers": ["street"],
        }
        cam_values.update(cam)
        RegisteredCamera.objects.create(site=site, **cam_values)
    return site
