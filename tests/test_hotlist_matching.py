"""Hotlist matching: exact, look-alike and wildcard hits, expiry, and hits pushed only to who may see them."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from plates.choices import MatchKind
from plates.matching import EntryRef, HotlistIndex, canonical
from plates.models import Hit, Hotlist, HotlistEntry
from plates.services import plate_read_record
from rtcc.roles import agency_group
from tests.conftest import received_before_marker
from tests.factories import camera


def ref(n, plate, expires_at=None):
    return EntryRef(entry_id=n, hotlist_id=1, plate=plate, expires_at=expires_at)


def kinds(index, plate, at=None):
    return {m.entry.plate: m.kind for m in index.match(plate, at=at)}


def test_the_index_matches_exactly_by_look_alike_characters_and_by_wildcards():
    index = HotlistIndex([ref(1, "ABC1234"), ref(2, "B8O5Z2"), ref(3, "XY?12*"), ref(4, "*777")])
    assert kinds(index, "ABC1234") == {"ABC1234": MatchKind.EXACT}
    assert kinds(index, "8BO5Z2") == {"B8O5Z2": MatchKind.LOOKALIKE}
    assert kinds(index, "B80S2Z") == {"B8O5Z2": MatchKind.LOOKALIKE}
    assert kinds(index, "XYZ12") == {"XY?12*": MatchKind.WILDCARD}
    assert kinds(index, "XYZ1299") == {"XY?12*": MatchKind.WILDCARD}
    assert kinds(index, "XY12") == {}  # `?` needs exactly one character
    assert kinds(index, "ABC777") == {"*777": MatchKind.WILDCARD}
    assert kinds(index, "ABC1235") == {}


def test_an_exact_match_is_reported_as_exact_not_as_a_look_alike():
    index = HotlistIndex([ref(1, "ABC1234")])
    assert [m.kind for m in index.match("ABC1234")] == [MatchKind.EXACT]


def test_wildcard_patterns_treat_other_characters_literally():
    index = HotlistIndex([ref(1, "A.C*")])
    assert kinds(index, "ABC1") == {}
    assert kinds(index, "A.C1") == {"A.C*": MatchKind.WILDCARD}


def test_an_expired_entry_never_matches():
    now = timezone.now()
    index = HotlistIndex([ref(1, "ABC1234", expires_at=now - timedelta(minutes=1))])
    assert index.match("ABC1234", at=now) == []


def test_canonical_folds_each_look_alike_group():
    assert canonical("0DQO") == canonical("OOOO")
    assert canonical("1IL") == canonical("III")
    assert canonical("8B5SZ2G6") == canonical("BB55ZZ66")


@pytest.fixture
def stolen(users):
    hotlist = Hotlist.objects.create(name="NCIC stolen vehicles", source="ncic", priority=1)
    HotlistEntry.objects.create(hotlist=hotlist, plate="KXR4821", reason="Stolen 11/20")
    HotlistEntry.objects.create(hotlist=hotlist, plate="JT?55*", reason="Witness: hit and run, partial plate")
    return hotlist


def read(plate, cam=None, **kwargs):
    return plate_read_record(
        camera_id=(cam or camera()).pk, plate=plate, read_at=timezone.now(), confidence=0.9, **kwargs
    )


@pytest.mark.django_db
def test_a_read_on_a_hotlist_raises_a_hit_in_the_same_transaction(stolen):
    plate_read = read("KXR4821")
    hit = Hit.objects.get(plate_read=plate_read)
    assert hit.hotlist == stolen and hit.match_kind == "exact" and hit.matched_plate == "KXR4821"


@pytest.mark.django_db
def test_look_alike_and_wildcard_reads_raise_hits_that_say_how_they_matched(stolen):
    cam = camera()
    assert Hit.objects.get(plate_read=read("KXR482I", cam)).match_kind == "lookalike"
    assert Hit.objects.get(plate_read=read("JTB5507", cam)).match_kind == "wildcard"
    assert not Hit.objects.filter(plate_read=read("ZZZ9999", cam)).exists()


@pytest.mark.django_db
def test_a_read_matching_an_expired_entry_does_not_alert(stolen):
    HotlistEntry.objects.filter(plate="KXR4821").update(expires_at=timezone.now() - timedelta(hours=1))
    from plates.matching import invalidate

    invalidate()  # .update() bypasses model signals, as a bulk expiry job would
    assert not Hit.objects.filter(plate_read=read("KXR4821")).exists()


@pytest.mark.django_db
def test_a_new_entry_is_matched_at_once(stolen):
    cam = camera()
    assert not Hit.objects.filter(plate_read=read("NEW0001", cam)).exists()
    HotlistEntry.objects.create(hotlist=stolen, plate="NEW0001", reason="BOLO added a moment ago")
    assert Hit.objects.filter(plate_read=read("NEW0001", cam)).exists()


@pytest.mark.django_db
def test_an_inactive_hotlist_does_not_alert(stolen):
    stolen.active = False
    stolen.save()
    assert not Hit.objects.filter(plate_read=read("KXR4821")).exists()


@pytest.mark.redis
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_hit_is_pushed_to_an_analyst_and_not_to_a_responder(redis_layer, ws_connect, users):
    await database_sync_to_async(
        lambda: HotlistEntry.objects.create(
            hotlist=Hotlist.objects.create(name="AMBER", source="amber", priority=1), plate="AMB3R01", reason="AMBER"
        )
    )()
    analyst, ok_a, _ = await ws_connect(users["analyst"])
    responder, ok_r, _ = await ws_connect(users["responder"])
    assert ok_a and ok_r
    await analyst.receive_json_from(timeout=3)
    await responder.receive_json_from(timeout=3)
    await database_sync_to_async(read)("AMB3R01")
    message = await analyst.receive_json_from(timeout=5)
    assert message["event"]["kind"] == "hit.created" and message["event"]["severity"] == "critical"
    assert message["event"]["data"]["plate"] == "AMB3R01"
    assert await received_before_marker(responder, agency_group(users["responder"].agency_id)) == []
    await analyst.disconnect()
    await responder.disconnect()


@pytest.mark.django_db
def test_an_owner_only_hotlist_alerts_its_owner_and_supervisors_not_every_analyst(users):
    from rtcc.models import Event

    owner = users["analyst"]
    private = Hotlist.objects.create(name="Detective's case list", visibility="owner_only", owner=owner)
    HotlistEntry.objects.create(hotlist=private, plate="CASE123", reason="Case 26-7781")
    read("CASE123")
    assert set(Event.objects.filter(kind="hit.created").values_list("group", flat=True)) == {
        f"user.{owner.pk}",
        "staff.supervisor",
    }


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_reconnecting_dashboard_receives_the_hits_it_missed(memory_layer, ws_connect, users):
    from rtcc.models import Event

    def hit_while_away():
        hotlist = Hotlist.objects.create(name="Stolen", source="ncic", priority=1)
        HotlistEntry.objects.create(hotlist=hotlist, plate="KXR4821", reason="Stolen")
        last_seen = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
        read("KXR4821")
        return last_seen

    last_seen = await database_sync_to_async(hit_while_away)()
    communicator, connected, _ = await ws_connect(users["analyst"], f"last_id={last_seen}")
    assert connected
    kinds = []
    while True:
        message = await communicator.receive_json_from(timeout=3)
        if message["type"] == "event":
            kinds.append((message["event"]["kind"], message["event"]["data"].get("plate")))
        if message["type"] == "caught_up":
            break
    assert kinds == [("hit.created", "KXR4821")]
    await communicator.disconnect()
