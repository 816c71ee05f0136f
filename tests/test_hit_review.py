"""Hit review: confirm or dismiss with a reason, record the outcome, every step audited and pushed to analysts."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from plates.choices import DismissReason, HitOutcome, HitStatus
from plates.models import Hit, Hotlist, HotlistEntry
from plates.services import plate_read_record
from rtcc.models import AuditRecord, Event
from tests.factories import camera

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def hit(db):
    cam = camera("Canal & Carrollton LPR", kind="plate_reader")
    hotlist = Hotlist.objects.create(name="NCIC stolen", priority=1)
    HotlistEntry.objects.create(
        hotlist=hotlist, plate="KXR4821", reason="Stolen in armed robbery", vehicle_description="Grey Ford F-150"
    )
    read = plate_read_record(
        camera_id=cam.pk, plate="KXR4821", read_at=timezone.now(), confidence=0.93, crop_jpeg=b"\xff\xd8jpeg"
    )
    return Hit.objects.get(plate_read=read)


@pytest.mark.django_db
def test_a_pushed_hit_carries_the_crop_reason_vehicle_priority_and_place(hit):
    event = Event.objects.get(kind="hit.created")
    data = event.data
    assert data["crop_url"] == reverse("plates:crop", args=[hit.plate_read_id])
    assert data["reason"] == "Stolen in armed robbery" and data["vehicle"] == "Grey Ford F-150"
    assert data["priority"] == 1 and data["priority_label"] == "Critical" and event.severity == "critical"
    assert data["lat"] == pytest.approx(float(hit.plate_read.camera.latitude))
    assert data["hit_id"] == hit.pk and data["hotlist"] == "NCIC stolen"


@pytest.mark.django_db
def test_dismissing_a_hit_without_a_reason_is_refused(client, users, hit):
    client.force_login(users["analyst"])
    response = client.post(reverse("plates:review-hit", args=[hit.pk]), {"status": "dismissed"}, **JSON)
    assert response.status_code == 400 and "why" in response.json()["error"]
    hit.refresh_from_db()
    assert hit.status == HitStatus.NEW
    assert not AuditRecord.objects.filter(action__startswith="plates.hit.").exists()


@pytest.mark.django_db
def test_dismissing_for_another_reason_needs_a_note(client, users, hit):
    client.force_login(users["analyst"])
    form = {"status": "dismissed", "reason": DismissReason.OTHER}
    assert client.post(reverse("plates:review-hit", args=[hit.pk]), form, **JSON).status_code == 400
    form["note"] = "Dealer plate, legitimately re-issued"
    assert client.post(reverse("plates:review-hit", args=[hit.pk]), form, **JSON).status_code == 200


@pytest.mark.django_db
def test_a_dismissal_with_a_reason_is_stored_audited_and_pushed(client, users, hit):
    client.force_login(users["analyst"])
    form = {"status": "dismissed", "reason": DismissReason.MISREAD, "note": "Crop shows KXR4827"}
    response = client.post(reverse("plates:review-hit", args=[hit.pk]), form, **JSON)
    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    hit.refresh_from_db()
    assert (hit.status, hit.dismiss_reason, hit.review_note) == ("dismissed", "misread", "Crop shows KXR4827")
    assert hit.reviewed_by == users["analyst"] and hit.reviewed_at is not None
    record = AuditRecord.objects.get(action="plates.hit.dismissed")
    assert record.actor == users["analyst"] and "Misread" in record.reason
    pushed = Event.objects.get(kind="hit.reviewed")
    assert pushed.group == "staff.analyst" and pushed.data["status"] == "dismissed"
    assert "Misread" in pushed.data["dismiss_reason"]


@pytest.mark.django_db
def test_a_confirmed_hit_records_its_outcome_and_offers_an_incident(client, users, hit):
    client.force_login(users["analyst"])
    client.post(reverse("plates:review-hit", args=[hit.pk]), {"status": "confirmed"}, **JSON)
    response = client.post(
        reverse("plates:hit-outcome", args=[hit.pk]),
        {"outcome": HitOutcome.STOPPED, "note": "Unit 2B stopped it on Tulane Ave"},
        **JSON,
    )
    assert response.status_code == 200
    hit.refresh_from_db()
    assert hit.outcome == "stopped" and hit.outcome_by == users["analyst"] and hit.outcome_at
    assert AuditRecord.objects.filter(action="plates.hit.outcome", reason__contains="Tulane").exists()
    html = client.get(reverse("plates:overview")).content.decode()
    assert "Vehicle stopped" in html
    if _resolves("incidents:new"):
        assert f"{reverse('incidents:new')}?hit={hit.pk}" in html


def _resolves(name):
    from django.urls import NoReverseMatch

    try:
        reverse(name)
        return True
    except NoReverseMatch:
        return False


@pytest.mark.django_db
def test_only_a_confirmed_hit_has_an_outcome(client, users, hit):
    client.force_login(users["analyst"])
    response = client.post(reverse("plates:hit-outcome", args=[hit.pk]), {"outcome": "arrest"}, **JSON)
    assert response.status_code == 400 and "confirm it first" in response.json()["error"]
    response = client.post(reverse("plates:hit-outcome", args=[hit.pk]), {"outcome": "teleported"}, **JSON)
    assert response.status_code == 400
    hit.refresh_from_db()
    assert hit.outcome == ""


@pytest.mark.django_db
def test_the_database_refuses_a_dismissal_without_a_reason(hit):
    hit.status = HitStatus.DISMISSED
    with pytest.raises(IntegrityError), transaction.atomic():
        hit.save()


@pytest.mark.django_db
def test_responders_and_technicians_cannot_review_hits(client, users, hit):
    for role in ("responder", "video_technician"):
        client.force_login(users[role])
        response = client.post(reverse("plates:review-hit", args=[hit.pk]), {"status": "confirmed"})
        assert response.status_code == 403
    hit.refresh_from_db()
    assert hit.status == HitStatus.NEW


@pytest.mark.browser
def test_an_analyst_dismisses_a_pushed_hit_with_a_reason_and_a_colleague_sees_it_live(
    live_asgi, browser, make_user, tmp_path
):
    from concurrent.futures import ThreadPoolExecutor

    import cv2
    import numpy as np
    from django.db import connections

    from tests.test_dashboard_browser import sign_in

    make_user("analyst", username="andre")
    make_user("analyst", username="beth")
    cam = camera("Canal & Carrollton LPR", kind="plate_reader")
    HotlistEntry.objects.create(
        hotlist=Hotlist.objects.create(name="NCIC stolen", priority=1),
        plate="KXR4821",
        reason="Stolen in armed robbery",
        vehicle_description="Grey Ford F-150",
    )
    crop = np.full((40, 120, 3), 230, np.uint8)
    cv2.putText(crop, "KXR4821", (4, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 2)
    jpeg = cv2.imencode(".jpg", crop)[1].tobytes()
    pages = {}
    for name in ("andre", "beth"):
        pages[name] = browser.new_context().new_page()
        sign_in(pages[name], live_asgi.url, name)
        pages[name].wait_for_selector("#live-state[data-state=live]", timeout=10_000)

    def read():
        try:
            plate_read_record(
                camera_id=cam.pk, plate="KXR4821", read_at=timezone.now(), confidence=0.93, crop_jpeg=jpeg
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(read).result(timeout=10)
    page = pages["andre"]
    row = page.locator("#hits-panel tbody tr").first
    row.wait_for(timeout=5_000)
    text = row.inner_text()
    assert "Stolen in armed robbery" in text and "Grey Ford F-150" in text and "Critical" in text
    page.wait_for_function(
        "() => { const i = document.querySelector('#hits-panel tbody tr img'); return i && i.naturalWidth === 120; }",
        timeout=5_000,
    )
    page.screenshot(path=str(tmp_path / "hit-panel.png"), full_page=True)
    row.locator("button", has_text="Dismiss").click()
    assert "Choose why" in row.inner_text()  # no reason, nothing sent
    row.locator("select").select_option("misread")
    row.locator("button", has_text="Dismiss").click()
    other = pages["beth"].locator("#hits-panel tbody tr").first
    other.locator(".badge").wait_for(timeout=5_000)
    assert "Dismissed" in other.inner_text() and "Misread" in other.inner_text() and "andre" in other.inner_text()
    hit = Hit.objects.get()
    assert hit.status == "dismissed" and hit.dismiss_reason == "misread" and hit.reviewed_by.username == "andre"


@pytest.mark.django_db
def test_a_form_dismissal_without_a_reason_shows_the_hits_page_with_the_error(client, users, hit):
    client.force_login(users["analyst"])
    response = client.post(reverse("plates:review-hit", args=[hit.pk]), {"status": "dismissed"})
    assert response.status_code == 400
    assert "not saved" in response.content.decode() and "KXR4821" in response.content.decode()


@pytest.mark.django_db
def test_hits_on_an_owner_only_hotlist_are_listed_only_for_its_owner_and_supervisors(client, users, make_user):
    cam = camera("Canal & Carrollton LPR", kind="plate_reader")
    private = Hotlist.objects.create(name="Detective's list", visibility="owner_only", owner=users["analyst"])
    HotlistEntry.objects.create(hotlist=private, plate="QRS5521", reason="Person of interest")
    plate_read_record(camera_id=cam.pk, plate="QRS5521", read_at=timezone.now(), confidence=0.9)
    colleague = make_user("analyst")
    for user, sees in ((users["analyst"], True), (users["supervisor"], True), (colleague, False)):
        client.force_login(user)
        for page in ("plates:overview", "dashboard"):
            assert ("QRS5521" in client.get(reverse(page)).content.decode()) is sees, (user, page)
