"""`manage.py seed_demo`: New Orleans agencies, cameras at real places, one working login per role."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from cameras.models import Camera
from incidents.models import Agency, IncidentType
from rtcc.roles import Role, roles_of

# The city's bounding box, river and lake included.
LAT_RANGE = (29.86, 30.20)
LON_RANGE = (-90.14, -89.62)


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def printed_logins(output):
    return dict(re.findall(r"^  (\w+)\s+(\S+)\s+\S", output.split("Logins")[1], flags=re.M)[1:])


@pytest.mark.django_db
def test_it_creates_the_citys_agencies_and_incident_types():
    seed()
    kinds = set(Agency.objects.values_list("kind", flat=True))
    assert kinds == {"police", "fire", "ems", "emergency_management"}
    assert IncidentType.objects.filter(slug__in=["fire", "medical", "shooting", "hazmat"]).count() == 4


@pytest.mark.django_db
def test_the_demo_hotlists_contain_plates_the_sample_traffic_carries():
    from cameras.samples import make_plate_clip
    from plates.matching import current_index

    seed()
    plates = make_plate_clip.__defaults__[0]
    assert {p for p in plates if current_index().match(p)} == {"BXR9302", "7TRK553"}


@pytest.mark.django_db
def test_it_places_a_few_dozen_cameras_inside_new_orleans():
    seed()
    cameras = list(Camera.objects.all())
    assert len(cameras) >= 24
    for cam in cameras:
        assert LAT_RANGE[0] < float(cam.latitude) < LAT_RANGE[1], cam
        assert LON_RANGE[0] < float(cam.longitude) < LON_RANGE[1], cam
    assert any(c.kind == "plate_reader" and c.plate_reading for c in cameras)


@pytest.mark.django_db
def test_every_printed_login_works_and_holds_its_role():
    logins = printed_logins(seed())
    assert set(logins) >= {"admin", "analyst", "technician", "supervisor", "fire", "ems"}
    expected = {
        "analyst": Role.ANALYST,
        "technician": Role.TECHNICIAN,
        "supervisor": Role.SUPERVISOR,
        "fire": Role.RESPONDER,
    }
    for username, password in logins.items():
        user = authenticate(username=username, password=password)
        assert user is not None, username
        if username in expected:
            assert roles_of(user) == {expected[username]}
    assert authenticate(username="admin", password=logins["admin"]).is_superuser
    assert authenticate(username="fire", password=logins["fire"]).agency.short_name == "nofd"


@pytest.mark.django_db
def test_running_it_twice_refreshes_rather_than_duplicates():
    seed()
    count = Camera.objects.count()
    second = printed_logins(seed())
    assert Camera.objects.count() == count
    assert authenticate(username="analyst", password=second["analyst"]) is not None


@pytest.mark.django_db
def test_the_footage_library_holds_one_playable_demo_clip_with_its_custody():
    from footage.demo import DEMO_CLIP_TITLE
    from footage.library import sha256_of
    from footage.models import FootageClip

    seed()
    seed()
    clip = FootageClip.objects.get(title=DEMO_CLIP_TITLE)
    assert clip.duration_seconds and clip.duration_seconds > 3 and clip.camera is not None
    with clip.file.open("rb") as handle:
        assert sha256_of(handle) == clip.sha256
    assert clip.custody.get().actor_label == "demo data (seed_demo)"
