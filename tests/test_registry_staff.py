"""Staff side of the registry: visibility, review, owners' data and its audit, the map, the nearby search, reminders."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registry import services
from registry.choices import SiteStatus
from registry.models import RegisteredSite
from rtcc.models import AuditRecord
from tests.factories import incident
from tests.registry_helpers import CommitClient, committed, form_data, make_site

pytestmark = pytest.mark.django_db

OWNER_SECRETS = ("Antoine Peychaud", "owner@example.org", "504-555-0199")


@pytest.fixture
def client():
    return CommitClient()


def as_user(client, user):
    client.force_login(user)
    return client


def staff_urls(site, inc):
    return [
        reverse("registry:sites"),
        reverse("registry:site", args=[site.pk]),
        reverse("registry:review"),
        reverse("registry:map"),
        reverse("registry:nearby") + f"?latitude={site.latitude}&longitude={site.longitude}",
        reverse("registry:nearby") + f"?incident={inc.pk}",
        reverse("registry:footage"),
        reverse("registry:footage_request_create", args=[inc.pk]),
    ]


def test_an_unconfirmed_registration_is_invisible_to_staff(client, users):
    client.post(reverse("registry-public:register"), form_data(address="77 Hidden Alley"))
    hidden = RegisteredSite.objects.get()
    assert hidden.status == SiteStatus.UNCONFIRMED
    inc = incident(latitude=hidden.latitude, longitude=hidden.longitude)
    for role in ("analyst", "supervisor", "video_technician", "admin"):
        as_user(client, users[role])
        for url in staff_urls(hidden, inc):
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (role, url)
            assert "77 Hidden Alley" not in response.content.decode(), (role, url)
            assert "Marie Laveau" not in response.content.decode(), (role, url)
        assert client.get(reverse("registry:site", args=[hidden.pk])).status_code == 404
        assert client.post(reverse("registry:decide", args=[hidden.pk]), {"decision": "approve"}).status_code in (
            403,
            404,
        )
    hidden.refresh_from_db()
    assert hidden.status == SiteStatus.UNCONFIRMED


def test_a_responder_cannot_see_registry_owners_contact_data_anywhere(client, users):
    site = make_site()
    inc = incident(latitude=site.latitude, longitude=site.longitude)
    as_user(client, users["responder"])
    for url in staff_urls(site, inc):
        response = client.get(url)
        assert response.status_code == 403, url
        for secret in OWNER_SECRETS:
            assert secret not in response.content.decode()
    for page in ("dashboard", "incidents:respond", "home"):
        response = client.get(reverse(page), follow=True)
        for secret in OWNER_SECRETS:
            assert secret not in response.content.decode(), page
    for api in ("/api/v1/cameras/", "/api/v1/incidents/", "/api/v1/events/?after=0"):
        response = client.get(api)
        for secret in OWNER_SECRETS:
            assert secret not in response.content.decode(), api
    assert not AuditRecord.objects.filter(action="registry.owner_viewed").exists()


def test_an_analyst_sees_the_owner_and_each_view_is_audited(client, users):
    site = make_site()
    as_user(client, users["analyst"])
    html = client.get(reverse("registry:site", args=[site.pk])).content.decode()
    assert all(secret in html for secret in OWNER_SECRETS)
    client.get(reverse("registry:site", args=[site.pk]))
    records = AuditRecord.objects.filter(action="registry.owner_viewed", object_id=str(site.pk))
    assert records.count() == 2 and {r.actor_id for r in records} == {users["analyst"].pk}


def test_a_technician_sees_the_site_and_its_cameras_but_not_its_owner(client, users):
    site = make_site(cameras=[{"placement": "Garage door"}])
    as_user(client, users["video_technician"])
    response = client.get(reverse("registry:site", args=[site.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "Garage door" in html and site.address in html
    assert not any(secret in html for secret in OWNER_SECRETS)
    assert client.get(reverse("registry:review")).status_code == 403
    assert not AuditRecord.objects.filter(action="registry.owner_viewed").exists()


def test_the_review_queue_lists_confirmed_registrations_and_audits_the_owners_shown(client, users):
    waiting = make_site(status="pending_review", address="12 Waiting St")
    make_site(status="approved", address="1 Done St")
    as_user(client, users["supervisor"])
    html = client.get(reverse("registry:review")).content.decode()
    assert "12 Waiting St" in html and "1 Done St" not in html and "Antoine Peychaud" in html
    assert AuditRecord.objects.filter(action="registry.owner_viewed", object_id=str(waiting.pk)).count() == 1


def test_approving_makes_the_cameras_searchable_and_tells_the_owner(client, users):
    site = make_site(status="pending_review")
    assert registered_near(site) == []
    as_user(client, users["analyst"])
    response = client.post(reverse("registry:decide", args=[site.pk]), {"decision": "approve"})
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.status == SiteStatus.APPROVED and site.reviewed_by == users["analyst"]
    assert len(registered_near(site)) == 1
    assert mail.outbox[-1].subject == "Your camera registration is approved"
    assert AuditRecord.objects.filter(action="registry.approved", object_id=str(site.pk)).exists()


def test_rejecting_needs_a_reason_which_the_owner_receives(client, users):
    site = make_site(status="pending_review")
    as_user(client, users["analyst"])
    client.post(reverse("registry:decide", args=[site.pk]), {"decision": "reject", "reason": ""})
    site.refresh_from_db()
    assert site.status == SiteStatus.PENDING_REVIEW and mail.outbox == []
    client.post(reverse("registry:decide", args=[site.pk]), {"decision": "reject", "reason": "The pin is in the river"})
    site.refresh_from_db()
    assert site.status == SiteStatus.REJECTED and site.rejection_reason == "The pin is in the river"
    assert "The pin is in the river" in mail.outbox[-1].body
    assert AuditRecord.objects.get(action="registry.rejected").reason == "The pin is in the river"


def test_a_technician_cannot_approve(client, users):
    site = make_site(status="pending_review")
    as_user(client, users["video_technician"])
    assert client.post(reverse("registry:decide", args=[site.pk]), {"decision": "approve"}).status_code == 403
    site.refresh_from_db()
    assert site.status == SiteStatus.PENDING_REVIEW


def registered_near(site, **kwargs):
    from registry.selectors import registered_cameras_near

    return registered_cameras_near(float(site.latitude), float(site.longitude), 200, **kwargs)


def test_the_nearby_search_ranks_facing_above_facing_away_and_expired_retention_below_both(client, users):
    # The incident is 50 m due north of each camera's spot.
    spot = (29.9600, -90.0650)
    north_of = 50 / 111_320
    inc = incident(latitude=spot[0], longitude=spot[1])
    happened = timezone.now() - timedelta(days=10)
    cam_lat = spot[0] - north_of
    away = make_site(
        address="Faces away", latitude=cam_lat, longitude=spot[1], cameras=[{"placement": "Away", "bearing": 180}]
    )
    facing = make_site(
        address="Faces it", latitude=cam_lat, longitude=spot[1], cameras=[{"placement": "Facing", "bearing": 0}]
    )
    expired = make_site(
        address="Short memory",
        latitude=cam_lat + 20 / 111_320,  # nearer, and facing, but keeps only 3 days
        longitude=spot[1],
        cameras=[{"placement": "Expired", "bearing": 0, "retention_days": 3}],
    )
    assert facing and away and expired
    as_user(client, users["analyst"])
    url = reverse("registry:nearby") + f"?latitude={spot[0]}&longitude={spot[1]}&radius_m=200"
    url += "&at=" + timezone.localtime(happened).strftime("%Y-%m-%dT%H:%M")
    response = client.get(url)
    assert response.status_code == 200
    order = [row.placement for row in response.context["results"]]
    assert order == ["Facing", "Away", "Expired"]
    html = response.content.decode()
    assert html.index(">Facing<") < html.index(">Away<") < html.index(">Expired<")
    assert "Likely deleted" in html and "Faces away" in html

    from_incident = client.get(reverse("registry:nearby") + f"?incident={inc.pk}&radius_m=200")
    assert [row.placement for row in from_incident.context["results"]][0] in ("Facing", "Expired")


def test_the_nearby_search_explains_a_bad_point(client, users):
    as_user(client, users["analyst"])
    response = client.get(reverse("registry:nearby") + "?latitude=200&longitude=-90")
    assert response.status_code == 200 and "Latitude must be a number between -90 and 90." in response.content.decode()
    assert response.context["results"] is None


def test_the_map_shows_approved_cameras_without_owner_data(client, users):
    make_site(cameras=[{"placement": "Porch"}])
    make_site(status="pending_review", address="Not yet", cameras=[{"placement": "Waiting cam"}])
    as_user(client, users["video_technician"])
    response = client.get(reverse("registry:map"))
    html = response.content.decode()
    assert response.status_code == 200 and "Porch" in html and "Waiting cam" not in html
    assert not any(secret in html for secret in OWNER_SECRETS)


def test_a_registration_unconfirmed_for_over_thirteen_months_is_flagged_stale(client, users, settings):
    old = timezone.now() - timedelta(days=settings.RTCC_REGISTRY_STALE_DAYS + 1)
    stale = make_site(address="9 Old St", last_verified_at=old, confirmed_at=old)
    fresh = make_site(address="10 New St")
    assert stale.is_stale and not fresh.is_stale
    as_user(client, users["analyst"])
    html = client.get(reverse("registry:sites")).content.decode()
    row = html[html.index("9 Old St") :]
    assert "Possibly out of date" in row[: row.index("</tr>")]
    only_stale = client.get(reverse("registry:sites") + "?status=stale").content.decode()
    assert "9 Old St" in only_stale and "10 New St" not in only_stale


def test_the_yearly_reminder_is_sent_once_to_owners_due_for_it(settings):
    due = make_site(email="due@example.org", last_verified_at=timezone.now() - timedelta(days=340))
    make_site(email="recent@example.org", last_verified_at=timezone.now() - timedelta(days=30))
    make_site(status="unconfirmed", email="never@example.org")
    with committed():
        assert services.send_verification_reminders() == 1
    with committed():
        assert services.send_verification_reminders() == 0
    assert [m.to for m in mail.outbox] == [["due@example.org"]]
    assert "/register/manage/" in mail.outbox[0].body
    due.refresh_from_db()
    assert due.reminder_sent_at is not None


def test_confirming_the_details_clears_the_stale_flag_and_the_reminder(client, settings):
    old = timezone.now() - timedelta(days=settings.RTCC_REGISTRY_STALE_DAYS + 5)
    site = make_site(last_verified_at=old, reminder_sent_at=old)
    from registry import links

    token = links.manage_token(site)
    client.post(reverse("registry-public:verify", args=[token]))
    site.refresh_from_db()
    assert not site.is_stale and site.reminder_sent_at is None


def test_the_api_lists_registered_cameras_without_owner_data_and_refuses_responders(client, users):
    site = make_site(
        cameras=[{"placement": "Porch", "stream_url": "rtsp://u:pw@192.0.2.8/x", "shares_live_feed": True}]
    )
    make_site(status="pending_review", address="Waiting St")
    url = reverse("registeredcamera-list")
    for role in ("responder", "norole"):
        as_user(client, users[role])
        response = client.get(url)
        assert response.status_code == 403
        assert not any(secret in response.content.decode() for secret in OWNER_SECRETS)
    client.logout()
    assert client.get(url).status_code == 403
    as_user(client, users["analyst"])
    listing = client.get(url)
    body = listing.content.decode()
    assert listing.status_code == 200 and listing.json()["count"] == 1
    assert "Porch" in body and "Waiting St" not in body
    assert not any(secret in body for secret in OWNER_SECRETS) and "pw@" not in body
    near = client.get(url, {"near": f"{site.latitude},{site.longitude}", "radius_m": "100"}).json()
    assert near["results"][0]["distance_m"] == 0.0
    assert client.get(url, {"near": "200,0"}).status_code == 400


def test_the_demo_registrations_load_once():
    from registry.demo import SITES, seed_demo_registry

    assert seed_demo_registry() == len(SITES)
    assert seed_demo_registry() == 0
    assert RegisteredSite.objects.filter(status=SiteStatus.APPROVED).count() == 3


def test_opening_a_site_in_the_admin_is_audited_and_the_list_hides_owners(client, users):
    site = make_site()
    as_user(client, users["admin"])
    listing = client.get(reverse("admin:registry_registeredsite_changelist")).content.decode()
    assert site.address in listing and "Antoine Peychaud" not in listing and "owner@example.org" not in listing
    page = client.get(reverse("admin:registry_registeredsite_change", args=[site.pk]))
    assert page.status_code == 200 and "owner@example.org" in page.content.decode()
    record = AuditRecord.objects.get(action="registry.owner_viewed")
    assert record.actor == users["admin"] and record.object_id == str(site.pk) and record.details == {"page": "admin"}


def test_the_registry_api_reads_a_time_without_an_offset_as_local_time_and_refuses_an_impossible_date(client, users):
    site = make_site(latitude=29.9565, longitude=-90.0660, cameras=[{"retention_days": 30}])
    client.force_login(users["analyst"])
    url = "/api/v1/registered-cameras/?near=29.9565,-90.0660&at="
    local = timezone.localtime() - timedelta(days=2)
    answer = client.get(url + local.strftime("%Y-%m-%dT%H:%M:%S"))
    assert answer.status_code == 200
    [camera] = answer.json()["results"]
    assert camera["id"] == site.cameras.get().pk and camera["footage_may_exist"] is True
    impossible = client.get(url + "2026-13-45T10:00:00")
    assert impossible.status_code == 400 and "at" in impossible.json()
