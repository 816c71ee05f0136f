"""The operator's map layers endpoint: each role gets only the layers it may see, and a person's choice of layers
is kept on the server (CSRF-checked), per person and per map."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
from rtcc.roles import CAPABILITIES, Capability, Role
from tests.factories import camera, incident
from tests.registry_helpers import make_site

pytestmark = pytest.mark.django_db

DASHBOARD = "/maps/layers/dashboard/"


def a_hit(cam, plate="KXR4821", *, hotlist=None, minutes_ago=1, **review):
    hotlist = hotlist or Hotlist.objects.get_or_create(name="Stolen vehicles", defaults={"priority": 1})[0]
    entry = HotlistEntry.objects.create(hotlist=hotlist, plate=plate, reason="Stolen")
    read_at = timezone.now() - timedelta(minutes=minutes_ago)
    read = PlateRead.objects.create(camera=cam, plate=plate, confidence=0.93, read_at=read_at)
    hit = Hit.objects.create(
        plate_read=read, entry=entry, hotlist=hotlist, match_kind="exact", matched_plate=plate, **review
    )
    Hit.objects.filter(pk=hit.pk).update(created_at=read_at)
    return hit


@pytest.fixture
def city():
    """A camera facing east, a plate reader, a disabled camera, an open incident, a registered camera, a hit."""
    cams = {
        "jackson": camera("Jackson Square", latitude=29.9574, longitude=-90.0629, bearing=90, field_of_view=95),
        "lpr": camera("Canal LPR", latitude=29.975, longitude=-90.098, kind="plate_reader", bearing=200),
        "off": camera("Esplanade", latitude=29.963, longitude=-90.058, enabled=False, status="online"),
    }
    incident(title="Smoke showing")
    make_site(address="702 Royal St", cameras=[{"placement": "Shop door"}])
    a_hit(cams["lpr"])
    return cams


def layers_for(client, user, url=DASHBOARD):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.json()


def test_an_analyst_gets_every_layer_with_its_contents(client, users, city):
    answer = layers_for(client, users["analyst"])
    names = [layer["name"] for layer in answer["layers"]]
    assert names == ["cameras", "plate_readers", "incidents", "hits", "registered"]
    on = {layer["name"]: layer["on"] for layer in answer["layers"]}
    assert on == {"cameras": True, "plate_readers": True, "incidents": True, "hits": True, "registered": False}
    data = answer["data"]
    assert {c["name"] for c in data["cameras"]} == {"Jackson Square", "Esplanade"}
    assert [c["name"] for c in data["plate_readers"]] == ["Canal LPR"]
    jackson = next(c for c in data["cameras"] if c["name"] == "Jackson Square")
    assert (jackson["bearing"], jackson["fov"], jackson["status"]) == (90, 95, "unknown")
    # A camera switched off shows as disabled, whatever it last reported.
    assert next(c for c in data["cameras"] if c["name"] == "Esplanade")["status"] == "disabled"
    assert [i["title"] for i in data["incidents"]] == ["Smoke showing"]
    assert [h["plate"] for h in data["hits"]] == ["KXR4821"]
    assert [r["placement"] for r in data["registered"]] == ["Shop door"]
    # No owner's contact data on the map.
    assert "owner" not in str(data["registered"]).lower() and "504-555" not in str(data)


def test_a_video_technician_gets_cameras_and_registered_cameras_but_no_incidents_or_hits(client, users, city):
    answer = layers_for(client, users["video_technician"])
    assert [layer["name"] for layer in answer["layers"]] == ["cameras", "plate_readers", "registered"]
    assert set(answer["data"]) == {"cameras", "plate_readers", "registered"}
    # Asking for a layer by name does not get round the role.
    only = client.get(DASHBOARD + "?only=hits,incidents,cameras").json()["data"]
    assert set(only) == {"cameras"}
    assert "KXR4821" not in client.get(DASHBOARD).content.decode()


def test_a_role_not_allowed_registered_cameras_gets_no_registered_layer(client, users, city, monkeypatch):
    # The roles table (rtcc/roles.py) decides: take the registry away from analysts and the layer goes with it.
    monkeypatch.setitem(CAPABILITIES, Capability.VIEW_REGISTRY, {Role.TECHNICIAN, Role.SUPERVISOR})
    answer = layers_for(client, users["analyst"])
    assert "registered" not in [layer["name"] for layer in answer["layers"]]
    assert "registered" not in answer["data"]
    assert "registered" not in client.get(DASHBOARD + "?only=registered").json()["data"]
    response = client.post(DASHBOARD, {"layer": "registered", "on": "true"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["anonymous", "norole", "responder"])
def test_people_without_the_dashboard_get_no_layers(client, users, city, role):
    if role != "anonymous":
        client.force_login(users[role])
    get, post = client.get(DASHBOARD), client.post(DASHBOARD, {"layer": "cameras", "on": "false"})
    if role == "anonymous":
        assert get.status_code == post.status_code == 302
    else:
        assert get.status_code == post.status_code == 403
    assert "Jackson" not in get.content.decode()


def test_hits_are_only_those_the_person_may_see_and_recent(client, users, city, make_user, settings):
    settings.RTCC_MAP_HITS_MINUTES = 60
    lpr = city["lpr"]
    covert = Hotlist.objects.create(name="Covert list", priority=1, owner=make_user("analyst"), visibility="owner_only")
    a_hit(lpr, "COVERT1", hotlist=covert)
    a_hit(lpr, "OLD1234", minutes_ago=90)
    a_hit(lpr, "MISREAD", status="dismissed", dismiss_reason="misread", reviewed_at=timezone.now())
    # A read that matched nothing is plate data the map never shows (the read search needs a stated reason).
    PlateRead.objects.create(camera=lpr, plate="PLAIN12", confidence=0.9, read_at=timezone.now())
    plates = [h["plate"] for h in layers_for(client, users["analyst"])["data"]["hits"]]
    assert plates == ["KXR4821"]
    client.force_login(covert.owner)
    assert {h["plate"] for h in client.get(DASHBOARD + "?only=hits").json()["data"]["hits"]} == {"KXR4821", "COVERT1"}


def test_a_layer_choice_is_kept_for_that_person_on_that_map_and_follows_them(users, city):
    analyst = users["analyst"]
    first = Client(enforce_csrf_checks=True)
    first.force_login(analyst)
    first.get("/dashboard/")
    token = first.cookies["csrftoken"].value
    answer = first.post(DASHBOARD, {"layer": "registered", "on": "true"}, HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 200
    assert {"name": "registered", "label": "Registered cameras", "on": True} in answer.json()["layers"]
    first.post(DASHBOARD, {"layer": "hits", "on": "false"}, HTTP_X_CSRFTOKEN=token)

    # Another workstation: a new session of the same person.
    second = Client()
    second.force_login(analyst)
    on = {layer["name"]: layer["on"] for layer in second.get(DASHBOARD).json()["layers"]}
    assert on["registered"] is True and on["hits"] is False and on["cameras"] is True
    # The incident board's map keeps its own choice; another analyst keeps the defaults.
    board = {layer["name"]: layer["on"] for layer in second.get("/maps/layers/board/").json()["layers"]}
    assert board["registered"] is False and board["incidents"] is True
    other = Client()
    other.force_login(users["supervisor"])
    assert {layer["name"]: layer["on"] for layer in other.get(DASHBOARD).json()["layers"]}["registered"] is False


def test_a_layer_choice_without_the_csrf_token_is_refused(users, city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["analyst"])
    assert client.post(DASHBOARD, {"layer": "registered", "on": "true"}).status_code == 403
    assert not users["analyst"].map_layer_preferences.exists()


@pytest.mark.parametrize(
    "form, status",
    [
        ({"layer": "satellites", "on": "true"}, 403),
        ({"layer": "cameras", "on": "maybe"}, 400),
        ({"layer": "cameras"}, 400),
    ],
)
def test_a_layer_choice_must_name_a_layer_and_a_state(client, users, city, form, status):
    client.force_login(users["analyst"])
    assert client.post(DASHBOARD, form).status_code == status


def test_a_technician_cannot_switch_on_hits(client, users, city):
    client.force_login(users["video_technician"])
    assert client.post(DASHBOARD, {"layer": "hits", "on": "true"}).status_code == 403
    assert not users["video_technician"].map_layer_preferences.exists()


def test_an_unknown_map_is_not_found(client, users):
    client.force_login(users["analyst"])
    assert client.get("/maps/layers/elsewhere/").status_code == 404


def test_the_dashboard_and_the_board_carry_the_same_layered_map(client, users, city):
    client.force_login(users["analyst"])
    for path, name in (("/dashboard/", "dashboard"), ("/incidents/", "board")):
        html = client.get(path).content.decode()
        assert f'data-layers-url="/maps/layers/{name}/"' in html
        assert 'id="map-layers"' in html and "maps/layer-map.js" in html


def test_a_cameras_bearing_and_field_of_view_are_edited_in_admin(client, users, city):
    client.force_login(users["admin"])
    html = client.get(f"/admin/cameras/camera/{city['jackson'].pk}/change/").content.decode()
    assert 'name="bearing"' in html and 'name="field_of_view"' in html
