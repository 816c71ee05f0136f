"""The OpenAPI schema is the contract: Schemathesis fuzzes every operation of /api/schema/ against a real server.

Signed in as each staff role (a session cookie), as a plate camera (device key) and as
each intake source (intake key), a bounded, deterministic number of generated requests
per operation must give no server error, no undocumented status code and no response
that disagrees with the schema.
"""

import hypothesis
import pytest
import requests
import schemathesis
from django.conf import settings
from hypothesis import HealthCheck, given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from cameras.models import DeviceToken
from incidents.choices import IntakeKind
from incidents.models import IntakeSource
from tests import factories
from tests.conftest import session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

EXAMPLES_PER_OPERATION = 25
# Invalid requests too (wrong types, missing fields, out-of-range numbers): each must be a documented 4xx.
NEGATIVE_EXAMPLES_PER_OPERATION = 10
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
STAFF_ROLES = ["analyst", "video_technician", "supervisor", "responder"]
# Which caller fuzzes which operations: keys only open their own endpoints, so other callers would only see 401s.
DEVICE_PATHS = ("/api/v1/cameras/{camera_id}/reads/", "/api/v1/device/identity/")
INTAKE_PATHS = {"/api/v1/intake/cad/": IntakeKind.CAD, "/api/v1/intake/gunshot/": IntakeKind.GUNSHOT}


def _callers(users, camera):
    """(name, headers, cookies, which operations) for each kind of caller."""
    callers = []
    for role in STAFF_ROLES:
        cookie = session_cookie_for(users[role])
        callers.append((role, {}, {settings.SESSION_COOKIE_NAME: cookie}, lambda path: path not in DEVICE_PATHS))
    _, device_key = DeviceToken.issue(camera=camera, label="contract")
    callers.append(("device", {"Authorization": f"Device {device_key}"}, {}, lambda path: path in DEVICE_PATHS))
    for path, kind in INTAKE_PATHS.items():
        _, intake_key = IntakeSource.issue(name=f"contract {kind}", kind=kind)
        headers = {"Authorization": f"Intake {intake_key}"}
        callers.append((f"intake {kind}", headers, {}, lambda p, path=path: p == path))
    return callers


def _fuzz(operation, base_url, session, headers, cookies, mode, examples):
    """Run one operation's generated cases; return the first failure's description, or None."""

    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(base_url=base_url, session=session, headers=headers, cookies=cookies)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except FailureGroup as failed:  # every check's failure, with the request that caused it
        return f"{operation.label} ({mode.value}): {failed}"
    return None


def test_every_operation_keeps_to_the_schema_for_every_caller(live_asgi, users):
    factories.one_of_everything(users["supervisor"])
    camera = factories.camera(name="Contract cam")
    schema_response = requests.get(
        live_asgi.url + "/api/schema/?format=json",
        cookies={settings.SESSION_COOKIE_NAME: session_cookie_for(users["analyst"])},
        timeout=30,
    )
    assert schema_response.status_code == 200
    schema = schemathesis.openapi.from_dict(schema_response.json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures = []
    for name, headers, cookies, wanted in _callers(users, camera):
        with requests.Session() as session:
            for operation in operations:
                if not wanted(operation.path):
                    continue
                for mode, examples in [
                    (GenerationMode.POSITIVE, EXAMPLES_PER_OPERATION),
                    (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES_PER_OPERATION),
                ]:
                    failure = _fuzz(operation, live_asgi.url, session, headers, cookies, mode, examples)
                    if failure:
                        failures.append(f"[{name}] {failure}")
    assert not failures, "\n\n".join(failures)


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_bodies_are_documented_as_the_json_the_api_accepts():
    paths = _schema()["paths"]
    for path in ["/api/v1/cameras/{camera_id}/reads/", "/api/v1/intake/cad/", "/api/v1/intake/gunshot/"]:
        assert list(paths[path]["post"]["requestBody"]["content"]) == ["application/json"], path


def test_every_operation_documents_its_error_answers():
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"401", "403"} <= documented, (method, path)
            if "{" in path:
                assert "404" in documented, (method, path)
            if method == "post" or any(p["in"] == "query" for p in operation.get("parameters", [])):
                assert "400" in documented, (method, path)


def test_registered_camera_fields_are_nullable_and_always_present(client, users):
    from registry.models import RegisteredCamera
    from tests.registry_helpers import make_site

    component = _schema()["components"]["schemas"]["RegisteredCamera"]
    for name in ["live_camera", "distance_m", "faces_target", "footage_may_exist"]:
        assert component["properties"][name].get("nullable") is True, name
    make_site(status="approved")
    assert RegisteredCamera.objects.filter(camera__isnull=True).exists()
    client.force_login(users["analyst"])
    [row] = client.get("/api/v1/registered-cameras/").json()["results"]
    assert row["live_camera"] is None and row["distance_m"] is None
