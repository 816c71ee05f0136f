"""Owners' signed links: confirm, manage (view, edit, delete), replace; tampered and expired links are refused."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse

from cameras.choices import CameraKind, CameraStatus
from cameras.models import Camera
from registry import links, services
from registry.choices import SiteStatus
from registry.models import RegisteredCamera, RegisteredSite
from rtcc.models import AuditRecord
from tests.registry_helpers import CommitClient, committed, form_data, later_by, links_in, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return CommitClient()


def registered(client, **overrides):
    assert client.post(reverse("registry-public:register"), form_data(**overrides)).status_code == 302
    confirm, manage = links_in(mail.outbox[-1])
    return RegisteredSite.objects.latest("pk"), confirm, manage


def manage_data(site, **overrides):
    """What the manage page posts back unchanged (the stream shown redacted)."""
    data = form_data(**{"cameras-INITIAL_FORMS": "0"})
    data.pop("consent")
    data.pop("website")
    data.update(
        {
            "owner_name": site.owner_name,
            "email": site.email,
            "address": site.address,
            "latitude": str(site.latitude),
            "longitude": str(site.longitude),
        }
    )
    cams = list(site.cameras.order_by("pk"))
    data["cameras-TOTAL_FORMS"] = str(len(cams))
    for i, cam in enumerate(cams):
        data.update(
            {
                f"cameras-{i}-camera_id": str(cam.pk),
                f"cameras-{i}-placement": cam.placement,
                f"cameras-{i}-bearing": "" if cam.bearing is None else str(cam.bearing),
                f"cameras-{i}-field_of_view": "" if cam.field_of_view is None else str(cam.field_of_view),
                f"cameras-{i}-covers": cam.covers,
                f"cameras-{i}-retention_days": str(cam.retention_days),
                f"cameras-{i}-stream_url": Camera(stream_url=cam.stream_url).safe_stream_url,
            }
        )
        if cam.shares_live_feed:
            data[f"cameras-{i}-shares_live_feed"] = "on"
    data.update(overrides)
    return data


def tamper(path):
    """Change one character of the token's signature."""
    head, token, tail = path.rsplit("/", 2)[0], path.rsplit("/", 2)[1], ""
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return f"{head}/{flipped}/{tail}"


def test_a_tampered_confirmation_link_is_refused_and_confirms_nothing(client):
    site, confirm, _ = registered(client)
    response = client.post(tamper(confirm))
    assert response.status_code == 400 and "This link is not valid" in response.content.decode()
    assert RegisteredSite.objects.get().status == SiteStatus.UNCONFIRMED


def test_an_expired_confirmation_link_is_refused_as_gone(client, settings, monkeypatch):
    site, confirm, _ = registered(client)
    settings.RTCC_REGISTRY_CONFIRM_HOURS = 1
    later_by(monkeypatch, 2 * 3600)
    response = client.post(confirm)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert RegisteredSite.objects.get().status == SiteStatus.UNCONFIRMED


def test_a_confirmation_link_cannot_be_used_as_a_manage_link(client):
    site, confirm, _ = registered(client)
    token = confirm.rstrip("/").rsplit("/", 1)[1]
    response = client.get(reverse("registry-public:manage", args=[token]))
    assert response.status_code == 400


def test_a_made_up_token_for_another_site_id_is_refused(client):
    site, _, _ = registered(client)
    forged = signing.dumps({"site": site.pk, "nonce": "guess"}, salt=links.MANAGE)
    assert client.get(reverse("registry-public:manage", args=[forged])).status_code == 410
    unsigned = signing.dumps({"site": site.pk, "nonce": site.link_nonce}, salt="something-else")
    assert client.get(reverse("registry-public:manage", args=[unsigned])).status_code == 400
    assert client.get(reverse("registry-public:manage", args=["garbage"])).status_code == 400


def test_the_manage_link_shows_the_registration_and_saves_edits(client):
    site, _, manage = registered(client)
    page = client.get(manage)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Marie Laveau" in html and "Front porch, above the door" in html
    data = manage_data(site, owner_name="Marie C. Laveau", **{"cameras-0-retention_days": "30"})
    saved = client.post(manage, data)
    assert saved.status_code == 302
    site.refresh_from_db()
    assert site.owner_name == "Marie C. Laveau" and site.cameras.get().retention_days == 30
    assert "Your changes are saved" in client.get(manage).content.decode()


def test_a_bad_edit_shows_the_message_next_to_the_field_and_changes_nothing(client):
    site, _, manage = registered(client)
    response = client.post(manage, manage_data(site, latitude="200", address="<script>x</script>"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_latitude_error"' in html and 'id="id_address_error"' in html
    site.refresh_from_db()
    assert site.address == "1020 St Ann St"


def test_an_edit_cannot_reach_a_camera_of_another_site(client):
    other = make_site(cameras=[{"placement": "Neighbour's camera"}])
    theirs = other.cameras.get()
    site, _, manage = registered(client)
    data = manage_data(site, **{"cameras-0-camera_id": str(theirs.pk), "cameras-0-placement": "Hijacked"})
    assert client.post(manage, data).status_code == 302
    theirs.refresh_from_db()
    assert theirs.placement == "Neighbour's camera" and theirs.site_id == other.pk
    assert list(site.cameras.values_list("placement", flat=True)) == ["Hijacked"]


def test_deleting_asks_for_confirmation_then_really_deletes(client):
    site, confirm, manage = registered(client)
    token = manage.rstrip("/").rsplit("/", 1)[1]
    delete = reverse("registry-public:delete", args=[token])
    assert "cannot be undone" in client.get(delete).content.decode()
    unconfirmed = client.post(delete, {})
    assert unconfirmed.status_code == 302 and RegisteredSite.objects.exists()
    done = client.post(delete, {"confirm": "yes"})
    assert done.status_code == 200 and "registration is deleted" in done.content.decode()
    assert not RegisteredSite.objects.exists() and not RegisteredCamera.objects.exists()
    assert client.get(manage).status_code == 410
    assert client.post(confirm).status_code == 410
    record = AuditRecord.objects.get(action="registry.deleted_by_owner")
    assert record.object_id == str(site.pk) and "Marie" not in record.object_repr


def test_replacing_the_link_revokes_every_earlier_one(client):
    site, confirm, manage = registered(client)
    token = manage.rstrip("/").rsplit("/", 1)[1]
    response = client.post(reverse("registry-public:new_link", args=[token]))
    assert response.status_code == 200
    assert client.get(manage).status_code == 410
    new_manage = links_in(mail.outbox[-1])[0]
    assert new_manage != manage and client.get(new_manage).status_code == 200


def test_the_yearly_check_marks_the_details_as_still_correct(client):
    site, _, manage = registered(client)
    RegisteredSite.objects.filter(pk=site.pk).update(last_verified_at=None)
    token = manage.rstrip("/").rsplit("/", 1)[1]
    assert client.post(reverse("registry-public:verify", args=[token])).status_code == 302
    site.refresh_from_db()
    assert site.last_verified_at is not None


def sharing_site(client):
    stream = {"cameras-0-shares_live_feed": "on", "cameras-0-stream_url": "rtsp://cam:pw@192.0.2.10:554/live"}
    site, confirm, manage = registered(client, **stream)
    client.post(confirm)
    return site, manage


def test_an_approved_registration_that_shares_a_stream_becomes_a_registered_private_camera(client, make_user):
    site, manage = sharing_site(client)
    assert not Camera.objects.exists()  # not before staff approve it
    with committed():
        services.registration_approve(site=site, reviewer=make_user("analyst"))
    camera = site.cameras.get().camera
    assert camera.kind == CameraKind.REGISTERED_PRIVATE and camera.enabled
    assert camera.stream_url == "rtsp://cam:pw@192.0.2.10:554/live"
    assert (float(camera.latitude), float(camera.longitude)) == (29.960312, -90.0652)


def test_the_owner_switches_the_live_feed_off_and_the_camera_stops_at_once(client, make_user):
    site, manage = sharing_site(client)
    with committed():
        services.registration_approve(site=site, reviewer=make_user("analyst"))
    reg = site.cameras.get()
    token = manage.rstrip("/").rsplit("/", 1)[1]
    assert "Stop sharing this camera" in client.get(manage).content.decode()
    response = client.post(reverse("registry-public:stop_sharing", args=[token, reg.pk]))
    assert response.status_code == 302
    camera = Camera.objects.get(pk=reg.camera_id)
    assert not camera.enabled and camera.stream_url == "" and camera.status == CameraStatus.DISABLED
    reg.refresh_from_db()
    assert not reg.shares_live_feed
    assert site.consents.first().shares_live_feed is False


def test_stopping_a_camera_of_another_site_is_refused(client):
    other = make_site(cameras=[{"shares_live_feed": True, "stream_url": "rtsp://192.0.2.1/x"}])
    site, manage = sharing_site(client)
    token = manage.rstrip("/").rsplit("/", 1)[1]
    response = client.post(reverse("registry-public:stop_sharing", args=[token, other.cameras.get().pk]))
    assert response.status_code == 404
    assert other.cameras.get().shares_live_feed


def test_changing_the_stream_of_an_approved_site_sends_it_back_to_review(client, make_user):
    site, manage = sharing_site(client)
    with committed():
        services.registration_approve(site=site, reviewer=make_user("analyst"))
    site.refresh_from_db()
    unchanged = client.post(manage, manage_data(site, phone="504 555 0100"))
    assert unchanged.status_code == 302
    site.refresh_from_db()
    assert site.status == SiteStatus.APPROVED and site.cameras.get().camera.enabled
    changed = client.post(manage, manage_data(site, **{"cameras-0-stream_url": "rtsp://192.0.2.99/other"}))
    assert changed.status_code == 302
    site.refresh_from_db()
    reg = site.cameras.get()
    assert site.status == SiteStatus.PENDING_REVIEW and reg.stream_url == "rtsp://192.0.2.99/other"
    assert not reg.camera.enabled


def test_deleting_a_sharing_site_removes_its_live_camera(client, make_user):
    site, manage = sharing_site(client)
    with committed():
        services.registration_approve(site=site, reviewer=make_user("analyst"))
    assert Camera.objects.filter(kind=CameraKind.REGISTERED_PRIVATE).count() == 1
    token = manage.rstrip("/").rsplit("/", 1)[1]
    client.post(reverse("registry-public:delete", args=[token]), {"confirm": "yes"})
    assert not Camera.objects.filter(kind=CameraKind.REGISTERED_PRIVATE).exists()


def test_the_manage_link_lives_long_but_not_forever(client, settings, monkeypatch):
    site, _, manage = registered(client)
    settings.RTCC_REGISTRY_MANAGE_DAYS = 400
    later_by(monkeypatch, timedelta(days=399).total_seconds())
    assert client.get(manage).status_code == 200
    monkeypatch.undo()
    later_by(monkeypatch, timedelta(days=401).total_seconds())
    assert client.get(manage).status_code == 410


def test_a_rejected_owner_who_corrects_the_details_goes_back_to_review(client, make_user):
    site, confirm, manage = registered(client)
    client.post(confirm)
    with committed():
        services.registration_reject(site=site, reviewer=make_user("analyst"), reason="The pin is in the river")
    page = client.get(manage).content.decode()
    assert "The pin is in the river" in page
    site.refresh_from_db()
    response = client.post(manage, manage_data(site, latitude="29.9605"), follow=True)
    assert "Staff will review the registration again." in response.content.decode()
    site.refresh_from_db()
    assert site.status == SiteStatus.PENDING_REVIEW
