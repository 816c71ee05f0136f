"""The REST API's home: OpenAPI schema, offline docs, session auth for pages and device tokens."""

import re

import pytest
import yaml
from django.urls import reverse

from cameras.models import DeviceToken
from tests.factories import camera


@pytest.mark.django_db
def test_the_openapi_schema_describes_the_api_and_the_device_scheme(client, users):
    client.force_login(users["analyst"])
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/cameras/" in schema["paths"] and "/api/v1/events/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["deviceToken"]["in"] == "header"


@pytest.mark.django_db
def test_the_docs_page_loads_only_local_assets(client, users):
    client.force_login(users["analyst"])
    html = client.get(reverse("api-docs")).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the docs page references no assets"
    assert all(not a.startswith(("http://", "https://", "//")) for a in assets), assets
    for asset in assets:
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset


@pytest.mark.django_db
def test_a_device_token_identifies_its_camera(client):
    cam = camera()
    _, key = DeviceToken.issue(camera=cam, label="unit 7")
    response = client.get(reverse("device-identity"), HTTP_AUTHORIZATION=f"Device {key}")
    assert response.status_code == 200
    assert response.json() == {"camera_id": cam.pk, "camera_name": cam.name, "token_label": "unit 7"}


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Device nonsense", "Device", "Device a b", "Bearer abc"])
def test_a_bad_or_missing_device_token_is_refused(client, header):
    response = client.get(reverse("device-identity"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Device"
    assert "detail" in response.json()


@pytest.mark.django_db
def test_a_revoked_device_token_is_refused(client):
    from django.utils import timezone

    token, key = DeviceToken.issue(camera=camera())
    token.revoked_at = timezone.now()
    token.save()
    assert client.get(reverse("device-identity"), HTTP_AUTHORIZATION=f"Device {key}").status_code == 401


@pytest.mark.django_db
def test_a_device_token_opens_no_staff_resource(client):
    _, key = DeviceToken.issue(camera=camera())
    assert client.get(reverse("camera-list"), HTTP_AUTHORIZATION=f"Device {key}").status_code == 403


@pytest.mark.django_db
def test_stream_credentials_never_leave_the_server(client, users):
    cam = camera(stream_url="rtsp://admin:hunter2@10.1.2.3:554/stream1")
    client.force_login(users["analyst"])
    api = client.get(reverse("camera-detail", args=[cam.pk])).json()
    assert api["stream_url"] == "rtsp://***@10.1.2.3:554/stream1"
    page = client.get(reverse("cameras:detail", args=[cam.pk])).content.decode()
    assert "hunter2" not in page and "admin:" not in page


@pytest.mark.django_db
def test_events_after_needs_an_integer(client, users):
    client.force_login(users["analyst"])
    response = client.get(reverse("events-after"), {"after": "yesterday"})
    assert response.status_code == 400
    assert "after" in response.json()


@pytest.mark.django_db
def test_events_after_returns_only_the_callers_groups(client, users):
    from rtcc import realtime

    mine = realtime.publish(group="staff.analyst", kind="notice", summary="for analysts")
    realtime.publish(group=f"agency.{users['responder'].agency_id}", kind="notice", summary="for fire")
    client.force_login(users["analyst"])
    ids = [e["id"] for e in client.get(reverse("events-after"), {"after": 0}).json()]
    assert ids == [mine.pk]
