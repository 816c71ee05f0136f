"""Every page and API resource answers each role as intended: 200, a redirect to log in, or 403."""

import pytest
from django.urls import reverse

from tests.factories import one_of_everything

OK, LOGIN, DENIED = 200, 302, 403

ROLES = ["anonymous", "norole", "analyst", "video_technician", "responder", "supervisor", "admin"]

# url name -> expected answer for each role, in ROLES order
MATRIX = {
    "dashboard": [LOGIN, DENIED, OK, OK, DENIED, OK, OK],
    "cameras:list": [LOGIN, DENIED, OK, OK, DENIED, OK, OK],
    "cameras:detail": [LOGIN, DENIED, OK, OK, DENIED, OK, OK],
    "plates:overview": [LOGIN, DENIED, OK, DENIED, DENIED, OK, OK],
    "incidents:board": [LOGIN, DENIED, OK, DENIED, DENIED, OK, OK],
    "incidents:respond": [LOGIN, DENIED, DENIED, DENIED, OK, DENIED, DENIED],
    "registry:sites": [LOGIN, DENIED, OK, OK, DENIED, OK, OK],
    "registry:footage": [LOGIN, DENIED, DENIED, OK, DENIED, OK, OK],
    "audit": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    "plates:search": [LOGIN, DENIED, OK, DENIED, DENIED, OK, OK],
    "plates:transparency": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    "cameras:wall": [LOGIN, DENIED, OK, OK, DENIED, OK, OK],
    "admin:index": [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, OK],
    "manage:index": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    "manage:users": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    "manage:user-new": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    "manage:hotlists": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    "manage:hotlist-new": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    "manage:hotlist": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    "manage:agencies": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    "manage:agency-new": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    "manage:agency": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
    "manage:keys": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK],
}

API_MATRIX = {
    "camera-list": [403, 403, OK, OK, 403, OK, OK],
    "agency-list": [403, 403, OK, 403, 403, OK, OK],
    "incident-list": [403, 403, OK, 403, 403, OK, OK],
    "events-after": [403, 403, OK, OK, OK, OK, OK],
    "api-schema": [403, OK, OK, OK, OK, OK, OK],
    "api-docs": [403, OK, OK, OK, OK, OK, OK],
}


@pytest.fixture
def signed_in(client, users):
    one_of_everything(users["admin"])

    def as_role(role):
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        return client

    return as_role


def url_for(name, rows=None):
    from cameras.models import Camera
    from incidents.models import Agency
    from plates.models import Hotlist

    if name == "cameras:detail":
        return reverse(name, args=[Camera.objects.first().pk])
    if name == "manage:hotlist":
        return reverse(name, args=[Hotlist.objects.first().pk])
    if name == "manage:agency":
        return reverse(name, args=[Agency.objects.first().pk])
    if name == "events-after":
        return reverse(name) + "?after=0"
    return reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize("name", MATRIX)
def test_each_page_answers_each_role_as_intended(signed_in, name):
    answers = {}
    for role in ROLES:
        response = signed_in(role).get(url_for(name))
        answers[role] = response.status_code
    assert answers == dict(zip(ROLES, MATRIX[name], strict=True))


@pytest.mark.django_db
@pytest.mark.parametrize("name", API_MATRIX)
def test_each_api_resource_answers_each_role_as_intended(signed_in, name):
    answers = {}
    for role in ROLES:
        response = signed_in(role).get(url_for(name))
        answers[role] = response.status_code
    assert answers == dict(zip(ROLES, API_MATRIX[name], strict=True))


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login_page_with_next(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('dashboard')}"


@pytest.mark.django_db
def test_anonymous_visitors_reach_the_login_page_and_health_check(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).status_code in (200, 503)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, start", [("analyst", "dashboard"), ("video_technician", "dashboard"), ("responder", "incidents:respond")]
)
def test_home_sends_each_role_to_its_start_page(signed_in, role, start):
    response = signed_in(role).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse(start)


@pytest.mark.django_db
def test_navigation_shows_only_what_the_role_may_open(signed_in):
    html = signed_in("video_technician").get(reverse("dashboard")).content.decode()
    assert reverse("cameras:list") in html and reverse("registry:footage") in html
    assert reverse("plates:overview") not in html and reverse("audit") not in html
    assert reverse("manage:index") not in html


@pytest.mark.django_db
def test_a_supervisor_finds_the_manage_pages_in_the_navigation_and_no_admin_link(signed_in):
    html = signed_in("supervisor").get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("manage:index")}"' in html
    assert reverse("admin:index") not in html


@pytest.mark.django_db
def test_a_responder_page_shows_only_their_agencys_dispatches(signed_in, users, agencies):
    from incidents.models import Dispatch
    from tests.factories import incident

    ours = incident(title="Kitchen fire on Royal St")
    theirs = incident(title="Cardiac arrest on Magazine St")
    Dispatch.objects.create(incident=ours, agency=agencies["nofd"])
    Dispatch.objects.create(incident=theirs, agency=agencies["noems"])
    html = signed_in("responder").get(reverse("incidents:respond")).content.decode()
    assert "Kitchen fire on Royal St" in html
    assert "Cardiac arrest" not in html
    assert "ABC1234" not in html  # plate data never reaches a responder


@pytest.mark.django_db
def test_only_a_supervisor_may_broadcast_a_notice(signed_in):
    from rtcc.models import AuditRecord, Event

    denied = signed_in("analyst").post(reverse("post-notice"), {"text": "Shift change", "severity": "info"})
    assert denied.status_code == 403
    allowed = signed_in("supervisor").post(
        reverse("post-notice"), {"text": "Shift change at 0600", "severity": "warning"}, HTTP_ACCEPT="application/json"
    )
    assert allowed.status_code == 201
    event = Event.objects.get(pk=allowed.json()["id"])
    assert event.summary == "Shift change at 0600" and event.group == "staff.all"
    assert AuditRecord.objects.filter(action="notice.broadcast", object_id=str(event.pk)).exists()


@pytest.mark.django_db
def test_a_notice_without_text_is_refused_with_a_clear_error(signed_in):
    response = signed_in("supervisor").post(reverse("post-notice"), {"text": "", "severity": "loud"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"text", "severity"}
