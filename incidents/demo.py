"""Demo incidents for `manage.py seed_demo`: a couple of open incidents, one dispatched, so every page has content."""

from django.db import transaction

from . import services
from .choices import IncidentSource
from .models import Incident, IncidentType


@transaction.atomic
def seed_demo_incidents(demo_incidents, agencies) -> int:
    """Create each (type slug, priority, title, address, lat, lon, agencies) once; returns how many were new."""
    created = 0
    for n, (slug, priority, title, address, lat, lon, dispatch_to) in enumerate(demo_incidents, start=1):
        source_id = f"demo-{n}"
        if Incident.objects.filter(source=IncidentSource.CAD, source_id=source_id).exists():
            continue
        incident = services.incident_create(
            incident_type=IncidentType.objects.get(slug=slug),
            priority=priority,
            title=title,
            address=address,
            latitude=lat,
            longitude=lon,
            cad_number=f"D26-{n:04d}",
            source=IncidentSource.CAD,
            source_id=source_id,
        )
        if dispatch_to:
            services.incident_dispatch(incident=incident, agencies=[agencies[s] for s in dispatch_to])
        created += 1
    return created
