"""The database itself refuses rows no caller should be able to store."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cameras.models import Camera
from incidents.models import Incident
from plates.models import PlateRead
from registry.models import RegisteredCamera, RegisteredSite
from tests.factories import camera, incident, incident_type


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.django_db
def test_coordinates_must_lie_on_earth():
    refused(lambda: Camera.objects.create(name="Nowhere", latitude=200, longitude=0))
    refused(lambda: Camera.objects.create(name="Nowhere", latitude=0, longitude=-181))
    refused(lambda: Incident.objects.create(incident_type=incident_type(), title="x", latitude=-91, longitude=0))


@pytest.mark.django_db
def test_status_kind_and_priority_must_be_known_values():
    refused(lambda: camera(status="melted"))
    refused(lambda: camera(name="Other", kind="drone"))
    refused(lambda: incident(priority=9))
    refused(lambda: incident(status="forgotten"))


@pytest.mark.django_db
def test_a_plate_read_needs_a_normalised_plate_and_a_sane_confidence():
    cam = camera()
    refused(lambda: PlateRead.objects.create(camera=cam, plate="", read_at=timezone.now()))
    refused(lambda: PlateRead.objects.create(camera=cam, plate="ABC123", confidence=1.5, read_at=timezone.now()))


@pytest.mark.django_db
def test_an_external_read_id_is_unique_per_camera_only():
    first, second = camera(), camera(name="Second")
    now = timezone.now()
    PlateRead.objects.create(camera=first, plate="ABC123", read_at=now, external_id="dev-1")
    PlateRead.objects.create(camera=second, plate="ABC123", read_at=now, external_id="dev-1")
    PlateRead.objects.create(camera=first, plate="XYZ789", read_at=now)  # no id: never a duplicate
    PlateRead.objects.create(camera=first, plate="XYZ789", read_at=now)
    refused(lambda: PlateRead.objects.create(camera=first, plate="ABC123", read_at=now, external_id="dev-1"))


@pytest.mark.django_db
def test_a_camera_bearing_and_field_of_view_are_compass_values():
    site = RegisteredSite.objects.create(
        owner_name="Owner", email="o@example.org", address="1 Main St", latitude=29.95, longitude=-90.07
    )
    values = {"site": site, "placement": "Porch", "latitude": 29.95, "longitude": -90.07, "retention_days": 7}
    refused(lambda: RegisteredCamera.objects.create(bearing=360, **values))
    refused(lambda: RegisteredCamera.objects.create(field_of_view=0, **values))
    refused(lambda: camera(bearing=400))
