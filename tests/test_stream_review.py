"""Owners' stream addresses are read only once staff approved them, whatever the order of the owner's edits,
and never when they point inside the center's own network (loopback, link-local, private ranges, this server)
unless a supervisor allowed that network in RTCC_STREAM_ALLOWED_NETWORKS.
"""

import pytest
from django.core import mail
from django.urls import reverse

from cameras.models import Camera
from registry import services
from registry.choices import SiteStatus
from registry.models import RegisteredSite
from tests.registry_helpers import CommitClient, committed, form_data, links_in, make_site

pytestmark = pytest.mark.django_db

APPROVED = "rtsp://cam:pw@192.0.2.10:554/live"
ELSEWHERE = "rtsp://192.0.2.99/other"
INTERNAL = [
    "rtsp://127.0.0.1:6379/",
    "http://localhost:8000/admin/",
    "rtsp://[::1]/live",
    "http://169.254.169.254/latest/meta-data/",
    "rtsp://10.20.30.40/live",
    "rtsp://192.168.1.20/live",
    "rtsp://[::ffff:127.0.0.1]:5432/",
    "rtsp://0.0.0.0:6379/",
]


@pytest.fixture
def client():
    return CommitClient()


def manage_post(site, *, share: bool, stream: str):
    """The manage form as the owner posts it back, with sharing ticked or not and the given stream address."""
    data = form_data(**{"cameras-INITIAL_FORMS": "0"})
    data.pop("consent")
    data.pop("website")
    cam = site.cameras.get()
    data.update(
        {
            "owner_name": site.owner_name,
            "email": site.email,
            "address": site.address,
            "latitude": str(site.latitude),
            "longitude": str(site.longitude),
            "cameras-0-camera_id": str(cam.pk),
            "cameras-0-stream_url": stream,
        }
    )
    if share:
        data["cameras-0-shares_live_feed"] = "on"
    return data


def approved_sharing_site(client, make_user):
    stream = {"cameras-0-shares_live_feed": "on", "cameras-0-stream_url": APPROVED}
    assert client.post(reverse("registry-public:register"), form_data(**stream)).status_code == 302
    confirm, manage = links_in(mail.outbox[-1])
    client.post(confirm)
    site = RegisteredSite.objects.latest("pk")
    with committed():
        services.registration_approve(site=site, reviewer=make_user("analyst"))
    site.refresh_from_db()
    assert site.cameras.get().camera.stream_url == APPROVED
    return site, manage


def read_addresses():
    """The stream addresses the capture workers read."""
    return set(Camera.objects.filter(enabled=True).exclude(stream_url="").values_list("stream_url", flat=True))


def test_unticking_changing_then_ticking_again_sends_the_stream_back_to_review(client, make_user):
    site, manage = approved_sharing_site(client, make_user)
    # First post: stop sharing and change the address at once.
    assert client.post(manage, manage_post(site, share=False, stream=ELSEWHERE)).status_code == 302
    site.refresh_from_db()
    assert read_addresses() == set()
    # Second post: share again; the form shows the stored (new) address back.
    assert client.post(manage, manage_post(site, share=True, stream=ELSEWHERE)).status_code == 302
    site.refresh_from_db()
    reg = site.cameras.get()
    assert reg.stream_url == ELSEWHERE and reg.awaits_stream_review
    assert site.status == SiteStatus.PENDING_REVIEW
    assert ELSEWHERE not in read_addresses() and read_addresses() == set()
    # Staff approve: now it is read.
    with committed():
        services.registration_approve(site=site, reviewer=make_user("analyst"))
    assert read_addresses() == {ELSEWHERE}


def test_an_unreviewed_address_is_not_read_even_on_an_approved_site(client, make_user):
    """Whatever path leaves a site approved with a new address, live_feeds_sync reads only the reviewed one."""
    site, _ = approved_sharing_site(client, make_user)
    site.cameras.update(stream_url=ELSEWHERE)
    services.live_feeds_sync(site=RegisteredSite.objects.get(pk=site.pk))
    assert read_addresses() == set()
    camera = site.cameras.get().camera
    assert not camera.enabled and camera.stream_url == ""


def test_sharing_a_new_camera_on_an_approved_site_waits_for_review(client, make_user):
    site, manage = approved_sharing_site(client, make_user)
    data = manage_post(site, share=True, stream=APPROVED)
    data.update(
        {
            "cameras-TOTAL_FORMS": "2",
            "cameras-1-placement": "Garage",
            "cameras-1-bearing": "90",
            "cameras-1-field_of_view": "90",
            "cameras-1-covers": ["street"],
            "cameras-1-retention_days": "7",
            "cameras-1-shares_live_feed": "on",
            "cameras-1-stream_url": ELSEWHERE,
        }
    )
    assert client.post(manage, data).status_code == 302
    site.refresh_from_db()
    assert site.status == SiteStatus.PENDING_REVIEW and ELSEWHERE not in read_addresses()


@pytest.mark.parametrize("url", INTERNAL)
def test_an_address_inside_the_centers_network_is_refused_on_the_public_form(client, url):
    stream = {"cameras-0-shares_live_feed": "on", "cameras-0-stream_url": url}
    response = client.post(reverse("registry-public:register"), form_data(**stream))
    assert response.status_code == 400
    assert "points inside the center&#x27;s own network" in response.content.decode()
    assert not RegisteredSite.objects.exists()


def test_an_address_inside_the_centers_network_is_refused_on_the_manage_form(client, make_user):
    site, manage = approved_sharing_site(client, make_user)
    response = client.post(manage, manage_post(site, share=True, stream="rtsp://127.0.0.1:5432/"))
    assert response.status_code == 400
    assert "points inside the center&#x27;s own network" in response.content.decode()
    site.refresh_from_db()
    assert site.cameras.get().stream_url == APPROVED and site.status == SiteStatus.APPROVED


def test_a_network_a_supervisor_allowed_is_accepted_and_loopback_still_is_not(client, settings):
    settings.RTCC_STREAM_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    ok = {"cameras-0-shares_live_feed": "on", "cameras-0-stream_url": "rtsp://10.20.30.40/live"}
    assert client.post(reverse("registry-public:register"), form_data(**ok)).status_code == 302
    loopback = {"cameras-0-shares_live_feed": "on", "cameras-0-stream_url": "rtsp://127.0.0.1/live"}
    assert client.post(reverse("registry-public:register"), form_data(**loopback)).status_code == 400


def test_staff_cannot_approve_a_stored_address_inside_the_centers_network(client, users):
    """An address stored before the check (or allowed then, not now) is refused at approval, with the reason."""
    site = make_site("pending_review", cameras=[{"shares_live_feed": True, "stream_url": "rtsp://127.0.0.1:6379/"}])
    client.force_login(users["analyst"])
    response = client.post(reverse("registry:decide", args=[site.pk]), {"decision": "approve"}, follow=True)
    assert "points inside the center&#x27;s own network" in response.content.decode()
    site.refresh_from_db()
    assert site.status == SiteStatus.PENDING_REVIEW and read_addresses() == set()


def test_an_approved_address_that_now_resolves_inside_is_not_read(client, make_user, settings):
    """live_feeds_sync checks again: an allowed network taken off the list stops the camera at the next sync."""
    settings.RTCC_STREAM_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    site = make_site("pending_review", cameras=[{"shares_live_feed": True, "stream_url": "rtsp://10.20.30.40/x"}])
    with committed():
        services.registration_approve(site=site, reviewer=make_user("analyst"))
    assert read_addresses() == {"rtsp://10.20.30.40/x"}
    settings.RTCC_STREAM_ALLOWED_NETWORKS = []
    services.live_feeds_sync(site=RegisteredSite.objects.get(pk=site.pk))
    assert read_addresses() == set()


@pytest.mark.django_db(transaction=True)
def test_the_capture_worker_checks_an_owners_address_again_before_connecting(settings):
    """A registered camera whose address now points inside (a name re-pointed, a network taken off the list)
    is not connected to; the same camera in an allowed network is read."""
    from cameras.choices import CameraKind, CameraStatus
    from tests.factories import camera
    from tests.stream_servers import CameraServer
    from tests.test_camera_capture import Reader, status_of, wait_for

    server = CameraServer("mjpeg")  # on loopback, as one of the server's own services would be
    cam = camera(stream_url=server.url, kind=CameraKind.REGISTERED_PRIVATE)
    try:
        settings.RTCC_STREAM_ALLOWED_NETWORKS = []
        reader = Reader(cam.pk)
        assert wait_for(lambda: "own network" in (reader.run.last_error or ""), 10), reader.run.last_error
        assert status_of(cam.pk)[0] != CameraStatus.ONLINE
        reader.finish()
        settings.RTCC_STREAM_ALLOWED_NETWORKS = ["127.0.0.0/8"]
        reader = Reader(cam.pk)
        assert wait_for(lambda: status_of(cam.pk)[0] == CameraStatus.ONLINE, 15)
        reader.finish()
    finally:
        server.stop()
