"""State mismatch: a hit whose read state confidently differs from the entry's is kept, marked, labelled on every
screen and ranked below the hits whose state agrees or is unknown; it is never dropped."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cameras.models import Camera
from incidents.services import incident_attach_hit
from plates.alerts import alert_queue
from plates.matching import is_state_mismatch, region_code
from plates.models import Hit, Hotlist, HotlistEntry
from plates.services import hit_review, plate_read_record
from rtcc.models import Event
from tests.factories import camera, incident

LABEL = "State mismatch: read LA (0.93), list says TX"


@pytest.fixture
def stolen(db):
    hotlist = Hotlist.objects.create(name="NCIC stolen", priority=1)
    HotlistEntry.objects.create(hotlist=hotlist, plate="KXR4821", region="TX", reason="Stolen in Houston")
    HotlistEntry.objects.create(hotlist=hotlist, plate="JTB5507", region="LA", reason="Stolen in Metairie")
    HotlistEntry.objects.create(hotlist=hotlist, plate="QRS5521", reason="Stolen, state not given")
    return hotlist


def a_camera():
    return Camera.objects.filter(name="Canal & Bourbon").first() or camera("Canal & Bourbon")


def read(plate, region="", region_confidence=0.0, *, at=None, cam=None):
    return plate_read_record(
        camera_id=(cam or a_camera()).pk,
        plate=plate,
        read_at=at or timezone.now(),
        confidence=0.9,
        region=region,
        region_confidence=region_confidence,
    )


def test_a_confidently_different_state_is_a_hit_marked_state_mismatch_and_labelled(stolen):
    plate_read = read("KXR4821", "LA", 0.93)
    hit = Hit.objects.get(plate_read=plate_read)
    assert hit.state_mismatch and hit.matched_region == "TX"
    assert plate_read.region == "LA" and plate_read.region_confidence == pytest.approx(0.93)
    assert hit.state_mismatch_label == LABEL and hit.notes == [LABEL]


def test_a_confident_matching_state_is_not_a_mismatch(stolen):
    hit = Hit.objects.get(plate_read=read("KXR4821", "TX", 0.99))
    assert not hit.state_mismatch and hit.notes == []


def test_an_unknown_or_unsure_state_or_an_entry_without_a_state_is_not_a_mismatch(stolen):
    unknown = Hit.objects.get(plate_read=read("KXR4821"))
    unsure = Hit.objects.get(plate_read=read("JTB5507", "MS", 0.59))
    no_state_on_the_list = Hit.objects.get(plate_read=read("QRS5521", "MS", 0.99))
    assert not unknown.state_mismatch and not unsure.state_mismatch and not no_state_on_the_list.state_mismatch


def test_a_device_region_us_la_is_the_state_la():
    assert region_code("us-la") == "LA" and region_code(" la ") == "LA" and region_code("DE") == "DE"
    assert not is_state_mismatch(read_region="us-la", read_confidence=0.99, entry_region="LA")
    assert is_state_mismatch(read_region="US-MS", read_confidence=0.99, entry_region="la")


def test_the_threshold_is_a_setting(stolen, settings):
    settings.RTCC_STATE_MISMATCH_CONFIDENCE = 0.95
    assert not Hit.objects.get(plate_read=read("KXR4821", "LA", 0.93)).state_mismatch
    settings.RTCC_STATE_MISMATCH_CONFIDENCE = 1.01  # over 1: never marked
    assert not Hit.objects.get(plate_read=read("JTB5507", "TX", 1.0)).state_mismatch


def test_a_state_mismatch_is_ranked_below_older_matching_hits_in_its_lane(stolen, users):
    unknown = read("QRS5521")
    matching = read("JTB5507", "LA", 0.97)
    mismatch = read("KXR4821", "LA", 0.93)  # the newest alert, but the state says it is another car
    lane = alert_queue(users["analyst"])["critical"]["alerts"]
    order = [(a["plate"], a["state_mismatch"]) for a in lane]
    assert order == [("JTB5507", False), ("QRS5521", False), ("KXR4821", True)]
    assert lane[-1]["state_note"] == LABEL and lane[-1]["notes"] == [LABEL]
    assert {matching.pk, mismatch.pk, unknown.pk} == set(Hit.objects.values_list("plate_read_id", flat=True))


def test_the_live_push_carries_the_label_and_sounds_no_critical_alarm(stolen):
    read("KXR4821", "LA", 0.93)
    read("JTB5507", "LA", 0.97)
    pushed = {e.data["plate"]: e for e in Event.objects.filter(kind="hit.created")}
    assert pushed["KXR4821"].data["state_mismatch"] and pushed["KXR4821"].data["state_note"] == LABEL
    assert LABEL in pushed["KXR4821"].summary and pushed["KXR4821"].severity == "warning"
    assert not pushed["JTB5507"].data["state_mismatch"] and pushed["JTB5507"].severity == "critical"


def test_a_mismatch_never_folds_into_an_alert_whose_state_agreed(stolen):
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    start = timezone.now() - timedelta(minutes=2)
    read("KXR4821", "TX", 0.95, at=start, cam=lot)
    read("KXR4821", "TX", 0.95, at=start + timedelta(seconds=10), cam=lot)
    read("KXR4821", "LA", 0.93, at=start + timedelta(seconds=20), cam=lot)
    read("KXR4821", "LA", 0.93, at=start + timedelta(seconds=30), cam=lot)
    assert sorted(Hit.objects.values_list("state_mismatch", "repeat_count")) == [(False, 2), (True, 2)]


def test_the_hits_table_and_the_hit_review_page_show_the_label(client, users, stolen):
    read("KXR4821", "LA", 0.93)
    client.force_login(users["analyst"])
    for url in (reverse("plates:overview"), reverse("dashboard")):
        page = client.get(url).content.decode()
        assert LABEL in page and "state-mismatch" in page, url


def test_a_state_mismatch_is_reviewed_like_any_hit_and_keeps_its_label(users, stolen):
    hit = Hit.objects.get(plate_read=read("KXR4821", "LA", 0.93))
    hit = hit_review(hit=hit, user=users["analyst"], status="dismissed", reason="wrong_state")
    assert hit.status == "dismissed" and hit.state_mismatch_label == LABEL


def test_an_incident_made_from_a_mismatch_keeps_the_caveat(users, stolen):
    hit = Hit.objects.get(plate_read=read("KXR4821", "LA", 0.93))
    entry = incident_attach_hit(incident=incident(created_by=users["analyst"]), hit=hit, user=users["analyst"])
    assert LABEL in entry.text


def test_the_new_incident_form_from_a_confirmed_mismatch_shows_the_label(client, users, stolen):
    hit = Hit.objects.get(plate_read=read("KXR4821", "LA", 0.93))
    hit_review(hit=hit, user=users["analyst"], status="confirmed")
    client.force_login(users["analyst"])
    page = client.get(reverse("incidents:new") + f"?hit={hit.pk}").content.decode()
    assert LABEL in page
