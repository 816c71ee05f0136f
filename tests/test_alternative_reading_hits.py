"""Alternative readings: critical hotlists also match a read's strong alternative readings, and such a hit says
it came from one. Other lists never do. Repeat folding, early hits and their withdrawal treat them the same way."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cameras.models import Camera
from footage.analysis import _hotlist_facts
from plates.alerts import alert_queue
from plates.choices import HitStatus, Priority
from plates.models import Hit, Hotlist, HotlistEntry
from plates.services import hotlist_matches, plate_read_record, plate_read_revise
from rtcc.models import AuditRecord, Event
from tests.factories import camera

LABEL = "Matched alternative reading ABC1234 (22\u00a0%) of read ABC1734"


@pytest.fixture
def amber(db):
    hotlist = Hotlist.objects.create(name="AMBER alert", source="amber", priority=Priority.CRITICAL)
    HotlistEntry.objects.create(hotlist=hotlist, plate="ABC1234", reason="Child abduction, silver Camry")
    return hotlist


@pytest.fixture
def stolen(db):
    hotlist = Hotlist.objects.create(name="NCIC stolen", source="ncic", priority=Priority.HIGH)
    HotlistEntry.objects.create(hotlist=hotlist, plate="ABC1234", reason="Stolen")
    return hotlist


def a_camera():
    return Camera.objects.filter(name="Canal & Bourbon").first() or camera("Canal & Bourbon")


def read(plate, alternatives=(), *, at=None, cam=None, **fields):
    return plate_read_record(
        camera_id=(cam or a_camera()).pk,
        plate=plate,
        read_at=at or timezone.now(),
        confidence=0.8,
        alternatives=alternatives,
        **fields,
    )


def test_a_critical_list_matches_a_strong_alternative_reading_and_the_hit_says_so(amber):
    plate_read = read("ABC1734", [("ABC1234", 0.22)])
    hit = Hit.objects.get(plate_read=plate_read)
    assert hit.hotlist == amber and hit.matched_alternative == "ABC1234"
    assert hit.alternative_share == pytest.approx(0.22) and hit.matched_plate == "ABC1234"
    assert plate_read.alternatives == [["ABC1234", 0.22]]
    assert hit.alternative_label == LABEL and hit.notes == [LABEL]


def test_a_non_critical_list_never_matches_an_alternative(stolen):
    read("ABC1734", [("ABC1234", 0.45)])
    assert not Hit.objects.exists()
    read("ABC1234", [("ABC1734", 0.3)])  # the read itself still matches, as ever
    assert Hit.objects.get().matched_alternative == ""


def test_a_weak_alternative_matches_no_list(amber):
    read("ABC1734", [("ABC1234", 0.05)])
    assert not Hit.objects.exists()


def test_the_read_itself_wins_over_an_alternative_for_the_same_entry(amber):
    [match] = hotlist_matches(plate="ABC1234", at=timezone.now(), alternatives=[("ABC1234", 0.3), ("A8C1234", 0.2)])
    assert match.alternative == "" and match.kind == "exact"


def test_the_alternative_hit_is_labelled_on_the_queue_the_push_and_the_hits_table(client, users, amber):
    read("ABC1734", [("ABC1234", 0.22)])
    [alert] = alert_queue(users["analyst"])["critical"]["alerts"]
    assert alert["matched_alternative"] == "ABC1234" and alert["alternative_note"] == LABEL
    created = Event.objects.get(kind="hit.created")
    assert created.data["alternative_note"] == LABEL and LABEL in created.summary
    assert created.severity == "critical"  # an AMBER alert on an alternative reading still sounds the alarm
    client.force_login(users["analyst"])
    assert LABEL in client.get(reverse("plates:overview")).content.decode()


def test_repeats_fold_by_the_text_that_matched_and_a_direct_reading_gets_its_own_alert(amber):
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    start = timezone.now() - timedelta(minutes=2)
    read("ABC1734", [("ABC1234", 0.22)], at=start, cam=lot)
    read("ABC1734", [("ABC1234", 0.3)], at=start + timedelta(seconds=10), cam=lot)
    read("A8C1734", [("ABC1234", 0.2)], at=start + timedelta(seconds=20), cam=lot)  # another misread, same match
    read("ABC1234", at=start + timedelta(seconds=30), cam=lot)  # read right: better evidence, its own alert
    read("ABC1734", [("ABC1234", 0.25)], at=start + timedelta(seconds=40), cam=lot)  # folds into the newest alert
    alerts = sorted(Hit.objects.values_list("matched_alternative", "repeat_count"))
    assert alerts == [("", 2), ("ABC1234", 3)]


def test_a_read_on_the_right_plate_folds_an_alternative_sighting_into_its_alert(amber):
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    start = timezone.now() - timedelta(minutes=2)
    read("ABC1234", at=start, cam=lot)
    read("ABC1734", [("ABC1234", 0.22)], at=start + timedelta(seconds=10), cam=lot)
    assert list(Hit.objects.values_list("matched_alternative", "repeat_count")) == [("", 2)]


def test_an_early_hit_on_an_alternative_is_withdrawn_when_the_final_reading_drops_it(amber):
    early = read("ABC1734", [("ABC1234", 0.22)])
    hit = Hit.objects.get(plate_read=early)
    plate_read_revise(read_id=early.pk, plate="ABC1734", read_at=early.read_at, confidence=0.95, alternatives=[])
    hit.refresh_from_db()
    assert hit.status == HitStatus.WITHDRAWN
    assert "no longer has ABC1234 as a strong alternative reading" in hit.withdrawn_reason
    assert Event.objects.filter(kind="hit.withdrawn", data__hit_id=hit.pk).exists()


def test_an_early_hit_the_final_reading_supports_only_by_an_alternative_stands_relabelled(amber):
    early = read("ABC1234")
    hit = Hit.objects.get(plate_read=early)
    assert hit.notes == []
    plate_read_revise(
        read_id=early.pk, plate="ABC1734", read_at=early.read_at, confidence=0.9, alternatives=[("ABC1234", 0.22)]
    )
    hit.refresh_from_db()
    assert hit.status == HitStatus.NEW and hit.matched_alternative == "ABC1234" and hit.notes == [LABEL]
    revised = Event.objects.get(kind="hit.revised")
    assert revised.data["hit_id"] == hit.pk and revised.data["alternative_note"] == LABEL
    assert Hit.objects.count() == 1
    audit = AuditRecord.objects.get(action="plates.hit.revised", object_id=str(hit.pk))
    assert audit.details["after"]["matched_alternative"] == "ABC1234"


def test_the_final_reading_can_make_an_early_hit_a_state_mismatch(amber):
    HotlistEntry.objects.filter(plate="ABC1234").update(region="TX")
    early = read("ABC1234", region="TX", region_confidence=0.7)
    hit = Hit.objects.get(plate_read=early)
    assert not hit.state_mismatch
    plate_read_revise(
        read_id=early.pk, plate="ABC1234", read_at=early.read_at, confidence=0.9, region="LA", region_confidence=0.93
    )
    hit.refresh_from_db()
    assert hit.state_mismatch and hit.notes == ["State mismatch: read LA (0.93), list says TX"]
    assert Event.objects.get(kind="hit.revised").data["state_mismatch"] is True


def test_footage_matches_alternatives_on_critical_lists_only_and_says_so(amber, stolen, users):
    facts = _hotlist_facts("ABC1734", viewer=users["analyst"], alternatives=[("ABC1234", 0.22)])
    assert [(f["hotlist"], f["notes"]) for f in facts] == [("AMBER alert", [LABEL])]


def test_a_pass_read_wanted_in_two_frames_of_twelve_keeps_its_critical_hit_as_an_alternative_reading(amber):
    """Real rendered frames through the camera pipeline: the final vote reads another plate, but the track still
    supports the wanted one strongly enough for a critical list, so the early hit stands, relabelled."""
    pytest.importorskip("onnxruntime")
    from plates.alpr.synthetic import background, passing_car
    from plates.pipeline import PlateReadingPipeline, video_reader

    wanted, misread, frames_in_view = "ABC1234", "ABC1734", 12
    drawn = {text: list(passing_car(text, frames=frames_in_view)) for text in (wanted, misread)}
    frames = [drawn[wanted if i < 2 else misread][i] for i in range(frames_in_view)]
    frames += [background(480, 854, seed=999)] * 12  # empty road until the tracker gives the track up
    lpr = camera("Canal & Carrollton LPR", kind="plate_reader")
    pipeline = PlateReadingPipeline(lpr, reader=video_reader(region="us"))
    now = timezone.now()
    for i, frame in enumerate(frames):
        pipeline.process(frame, now + timedelta(milliseconds=500 * i))
        if i == 1:
            early = Hit.objects.get()
            assert early.matched_alternative == ""  # raised on the wanted plate itself, the car still in view
    pipeline.flush()

    hit = Hit.objects.get()
    read = hit.plate_read
    assert read.plate == misread and [t for t, _ in read.alternatives] == [wanted]
    assert hit.status == HitStatus.NEW and hit.matched_alternative == wanted
    assert hit.alternative_label == (
        f"Matched alternative reading {wanted} ({round(read.alternatives[0][1] * 100)}\u00a0%) of read {misread}"
    )
    assert Event.objects.filter(kind="hit.revised", data__hit_id=hit.pk).exists()
