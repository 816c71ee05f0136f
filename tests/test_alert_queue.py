"""The alert queue on the server: repeat reads fold into one alert, claiming is one conditional UPDATE, audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from plates.alerts import ClaimError, alert_queue, hit_claim
from plates.models import Hit, Hotlist, HotlistEntry
from plates.services import plate_read_record
from rtcc.models import AuditRecord, Event
from tests.factories import camera

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def stolen(db):
    hotlist = Hotlist.objects.create(name="NCIC stolen", priority=1)
    HotlistEntry.objects.create(hotlist=hotlist, plate="KXR4821", reason="Stolen", vehicle_description="Grey F-150")
    return hotlist


def test_a_parked_plate_read_ten_times_in_a_minute_is_one_alert_with_a_count_of_ten(stolen):
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    start = timezone.now() - timedelta(minutes=1)
    reads = [
        plate_read_record(camera_id=lot.pk, plate="KXR4821", read_at=start + timedelta(seconds=6 * i), confidence=0.9)
        for i in range(10)
    ]
    hit = Hit.objects.get()
    assert hit.repeat_count == 10
    assert hit.plate_read_id == reads[0].pk and hit.latest_read.pk == reads[-1].pk
    assert hit.latest_seen_at == reads[-1].read_at
    assert Event.objects.filter(kind="hit.created").count() == 1
    repeats = Event.objects.filter(kind="hit.repeated").order_by("id")
    assert repeats.count() == 9 and repeats.last().data["count"] == 10


def test_a_read_after_the_window_is_a_new_alert(stolen, settings):
    settings.RTCC_HIT_REPEAT_WINDOW_SECONDS = 600
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    start = timezone.now() - timedelta(hours=1)
    for minutes in (0, 5, 14, 30):  # 5 folds into 0; 14 is 9 min after 5 (folds); 30 is 16 min after 14
        plate_read_record(camera_id=lot.pk, plate="KXR4821", read_at=start + timedelta(minutes=minutes), confidence=0.9)
    assert sorted(Hit.objects.values_list("repeat_count", flat=True)) == [1, 3]


def test_the_same_plate_on_another_list_is_its_own_alert(stolen):
    amber = Hotlist.objects.create(name="AMBER", priority=1)
    HotlistEntry.objects.create(hotlist=amber, plate="KXR4821", reason="Child abduction")
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    for _ in range(3):
        plate_read_record(camera_id=lot.pk, plate="KXR4821", read_at=timezone.now(), confidence=0.9)
    assert sorted(Hit.objects.values_list("hotlist__name", "repeat_count")) == [("AMBER", 3), ("NCIC stolen", 3)]


def test_a_window_of_zero_keeps_every_read_its_own_hit(stolen, settings):
    settings.RTCC_HIT_REPEAT_WINDOW_SECONDS = 0
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    for _ in range(3):
        plate_read_record(camera_id=lot.pk, plate="KXR4821", read_at=timezone.now(), confidence=0.9)
    assert Hit.objects.count() == 3


def test_one_analyst_claims_an_alert_and_the_next_is_told_who_has_it(client, users, stolen):
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    plate_read_record(camera_id=lot.pk, plate="KXR4821", read_at=timezone.now(), confidence=0.9)
    hit = Hit.objects.get()
    client.force_login(users["analyst"])
    answer = client.post(reverse("plates:claim-hit", args=[hit.pk]), **JSON)
    assert answer.status_code == 200 and answer.json()["claimed_by"] == users["analyst"].username
    assert client.post(reverse("plates:claim-hit", args=[hit.pk]), **JSON).status_code == 200  # again: still hers
    with pytest.raises(ClaimError, match=users["analyst"].username):
        hit_claim(hit=hit, user=users["supervisor"])
    hit.refresh_from_db()
    assert hit.claimed_by == users["analyst"]
    assert AuditRecord.objects.filter(action="plates.hit.claimed", object_id=str(hit.pk)).count() == 2
    claimed = Event.objects.filter(kind="hit.claimed").last()
    assert claimed.data["claimed_by"] == users["analyst"].username and claimed.data["hit_id"] == hit.pk

    client.force_login(users["supervisor"])
    refused = client.post(reverse("plates:claim-hit", args=[hit.pk]), **JSON)
    assert refused.status_code == 409 and "already on it" in refused.json()["error"]


def test_a_reviewed_alert_cannot_be_claimed_and_leaves_the_queue(client, users, stolen):
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    plate_read_record(camera_id=lot.pk, plate="KXR4821", read_at=timezone.now(), confidence=0.9)
    hit = Hit.objects.get()
    assert [a["hit_id"] for a in alert_queue(users["analyst"])["critical"]["alerts"]] == [hit.pk]
    client.force_login(users["analyst"])
    answer = client.post(reverse("plates:review-hit", args=[hit.pk]), {"status": "confirmed"}, **JSON)
    assert answer.json()["status_label"] == "Confirmed"
    assert alert_queue(users["analyst"])["critical"]["alerts"] == []
    assert client.post(reverse("plates:claim-hit", args=[hit.pk]), **JSON).status_code == 409


def test_low_priority_hits_queue_apart_from_critical_ones(users, stolen):
    petty = Hotlist.objects.create(name="Parking scofflaws", priority=4)
    HotlistEntry.objects.create(hotlist=petty, plate="ABC123", reason="Unpaid tickets")
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    plate_read_record(camera_id=lot.pk, plate="KXR4821", read_at=timezone.now(), confidence=0.9)
    plate_read_record(camera_id=lot.pk, plate="ABC123", read_at=timezone.now(), confidence=0.9)
    lanes = alert_queue(users["analyst"])
    assert [a["plate"] for a in lanes["critical"]["alerts"]] == ["KXR4821"]
    assert [a["plate"] for a in lanes["hits"]["alerts"]] == ["ABC123"]


@pytest.mark.django_db(transaction=True)
def test_reads_of_one_car_arriving_together_fold_into_one_alert(stolen):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (DATABASE_URL); the test SQLite database locks whole tables")
    lot = camera("Canal & Carrollton LPR", kind="plate_reader")
    start = threading.Barrier(4)
    failures = []

    def read():
        try:
            start.wait(5)
            plate_read_record(camera_id=lot.pk, plate="KXR4821", read_at=timezone.now(), confidence=0.9)
        except Exception as exc:  # a lost race would show here as an error or as a second hit below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert list(Hit.objects.values_list("repeat_count", flat=True)) == [4]
