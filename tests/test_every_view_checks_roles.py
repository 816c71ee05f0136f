"""Every route checks who is asking: walked from the URL map itself, so a new page cannot forget.

Anonymous callers reach only the public pages (sign-in, health, the residents' registry form and
its signed links); everything else sends them to sign in (pages) or answers 401/403 (API).
A responder, signed in with the narrowest staff rights, reaches only the responder pages.
"""

import re

import pytest
from django.urls import URLResolver, get_resolver

from tests.factories import one_of_everything

PUBLIC = re.compile(r"^/(login/|logout/|healthz|register/|api/schema/|api/docs/)")
RESPONDER_PAGES = re.compile(r"^/(incidents/respond/|api/v1/events/|api/v1/$|api/v1/\.|$)")
# CAP feeds are for other agencies' systems: HTTP Basic with an agency account, 401 without.
FEEDS = re.compile(r"^/incidents/feeds/")
# Each signed-in person's own second-factor pages (a code, or setting up an app); resets are POST-only, by role.
OWN_SECOND_FACTOR = re.compile(r"^/two-factor/(enrol/)?$")


def routes():
    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    for route in walk(get_resolver().url_patterns, ""):
        if route.startswith("admin/") or "(?P<format>" in route or "<drf_format_suffix" in route:
            continue
        path = route.replace("^", "").replace("$", "")
        path = re.sub(r"\(\?P<pk>[^)]*\)", "1", path)
        path = re.sub(r"<int:[a-z_]+>", "1", path)
        path = re.sub(r"<slug:[a-z_]+>", "noems", path)  # not the responder's own agency
        path = re.sub(r"<str:[a-z_]+>", "x", path)
        yield "/" + path


ALL = sorted(set(routes()))


def test_the_route_walk_sees_every_app():
    for prefix in ("/cameras/", "/plates/", "/incidents/", "/registry/", "/footage/", "/api/v1/", "/manage/"):
        assert any(path.startswith(prefix) for path in ALL), prefix


@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in ALL if not PUBLIC.match(p)])
def test_an_anonymous_caller_is_sent_to_sign_in_or_refused(client, users, path):
    one_of_everything(users["supervisor"])
    for method in (client.get, client.post):
        response = method(path)
        if path.startswith("/api/") or FEEDS.match(path):
            assert response.status_code in (401, 403), (method.__name__, response.status_code)
        else:
            assert response.status_code == 302 and response["Location"].startswith("/login/"), (
                method.__name__,
                response.status_code,
            )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", [p for p in ALL if not (PUBLIC.match(p) or RESPONDER_PAGES.match(p) or OWN_SECOND_FACTOR.match(p))]
)
def test_a_responder_reaches_no_staff_route(client, users, path):
    one_of_everything(users["supervisor"])
    client.force_login(users["responder"])
    statuses = [client.get(path).status_code, client.post(path).status_code]
    assert not any(200 <= s < 300 for s in statuses), statuses
    assert any(s in (401, 403, 404) for s in statuses), statuses


MANAGE = [p for p in ALL if p.startswith("/manage/")]


def test_the_route_walk_sees_every_manage_page():
    for section in ("users/", "hotlists/", "agencies/", "keys/intake/", "keys/device/"):
        assert any(path.startswith("/manage/" + section) for path in MANAGE), section


@pytest.mark.django_db
@pytest.mark.parametrize("path", MANAGE)
def test_only_supervisors_and_admins_reach_the_manage_pages(client, users, path):
    """Analysts, technicians, responders and accounts without a role are refused every manage route,
    whether they read or post, and nothing they post changes a row or writes an audit record."""
    from rtcc.models import AuditRecord

    one_of_everything(users["supervisor"])
    changes = AuditRecord.objects.exclude(action__startswith="auth.")  # signing in is recorded too
    before = changes.count()
    for role in ("analyst", "video_technician", "responder", "norole"):
        client.force_login(users[role])
        statuses = [client.get(path).status_code, client.post(path, {"active": "0", "name": "x"}).status_code]
        assert statuses == [403, 403], (role, statuses)
    assert changes.count() == before
    client.force_login(users["supervisor"])
    answer = client.get(path).status_code
    assert answer in (200, 403, 404, 405), answer  # 403: the supervisor's own or an admin's account
