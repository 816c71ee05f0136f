"""The demo's open incidents: created once, one of them dispatched, so the board and responder pages have content."""

import pytest

from incidents.demo import seed_demo_incidents
from incidents.models import Agency, Dispatch, Incident, IncidentType
from rtcc import demo_data


@pytest.mark.django_db
def test_the_demo_incidents_are_created_once_and_dispatched():
    agencies = {
        short: Agency.objects.create(name=name, short_name=short, kind=kind)
        for name, short, kind, _ in demo_data.AGENCIES
    }
    for name, slug, category, priority in demo_data.INCIDENT_TYPES:
        IncidentType.objects.create(name=name, slug=slug, cap_category=category, default_priority=priority)
    assert {"fire", "medical", "shooting", "traffic", "hazmat", "missing-person"} <= set(
        IncidentType.objects.values_list("slug", flat=True)
    )

    assert seed_demo_incidents(demo_data.INCIDENTS, agencies) == len(demo_data.INCIDENTS)
    assert seed_demo_incidents(demo_data.INCIDENTS, agencies) == 0
    assert Incident.objects.count() == len(demo_data.INCIDENTS)
    fire = Incident.objects.get(incident_type__slug="fire")
    assert fire.status == "dispatched"
    assert set(Dispatch.objects.filter(incident=fire).values_list("agency__short_name", flat=True)) == {"nofd", "noems"}
