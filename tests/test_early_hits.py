"""Early hits: a passing hotlisted plate alerts while the car is still in view, through the real reader.

Synthetic frames of a plate crossing the view (plates/alpr/synthetic.py) go frame by frame through
the camera pipeline with the production reader. The hit must exist before the track ends; the
track's final vote updates that same PlateRead (one read per pass); a final vote that reads another
plate withdraws the hit, and the withdrawal reaches a connected analyst's websocket and dashboard.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from channels.db import database_sync_to_async
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from cameras.models import Camera
from plates.alpr.synthetic import background, passing_car
from plates.choices import HitStatus
from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
from plates.pipeline import PlateReadingPipeline, PlateSightings, video_reader
from plates.services import HitReviewError, hit_review, plate_read_record, plate_read_revise
from rtcc.models import AuditRecord
from tests.conftest import receive_until
from tests.factories import camera

WANTED, MISREAD = "KXR4821", "KXR4827"
PASS_FRAMES = 12
EMPTY = background(480, 854, seed=999)


def passing(schedule):
    """Frames of one plate crossing the view; `schedule[i]` is the text drawn in frame i (same path for all)."""
    drawn = {text: list(passing_car(text, frames=len(schedule))) for text in set(schedule)}
    return [drawn[text][i] for i, text in enumerate(schedule)]


def wanted_list():
    # High, not critical: a critical list also matches the track's strong alternative readings, so there a pass
    # read wanted in two frames of twelve keeps its hit, labelled (tests/test_alternative_reading_hits.py).
    hotlist = Hotlist.objects.create(name="NCIC stolen", priority=2)
    HotlistEntry.objects.create(hotlist=hotlist, plate=WANTED, reason="Stolen", vehicle_description="Grey Ford F-150")
    return hotlist


def feed(pipeline, frames, start=0):
    now = timezone.now()
    for i, frame in enumerate(frames, start):
        pipeline.process(frame, now + timezone.timedelta(milliseconds=500 * i))


def car_leaves(pipeline):
    """Empty road until the tracker gives the track up (its max_gap), then the end of the stream."""
    feed(pipeline, [EMPTY] * (pipeline.sightings.tracker.max_gap + 2), start=PASS_FRAMES)
    pipeline.flush()


def camera_pipeline(camera_id):
    """The pipeline a capture worker runs for a plate-reading camera (cameras/tasks.py), production reader."""
    return PlateReadingPipeline(Camera.objects.get(pk=camera_id), reader=video_reader(region="us"))


@pytest.fixture
def lpr(db):
    wanted_list()
    return camera_pipeline(camera("Canal & Carrollton LPR", kind="plate_reader", plate_reading=True).pk)


@pytest.mark.django_db
def test_the_hit_exists_while_the_car_is_in_view_and_the_final_read_updates_the_same_read(lpr):
    frames = passing([WANTED] * PASS_FRAMES)
    feed(lpr, frames[:2])
    # Two frames of twelve: the car is still crossing the view, its track is live.
    assert lpr.following
    [read] = PlateRead.objects.all()
    [hit] = Hit.objects.all()
    assert (read.plate, hit.plate_read_id, hit.status) == (WANTED, read.pk, HitStatus.NEW)
    early_confidence, early_crop = read.confidence, read.crop.name
    assert early_crop

    feed(lpr, frames[2:], start=2)
    assert PlateRead.objects.count() == 1  # still in view: nothing new stored
    car_leaves(lpr)

    [final] = PlateRead.objects.all()
    assert final.pk == read.pk and final.plate == WANTED
    assert final.confidence > early_confidence  # twelve agreeing readings, not the first one or two
    assert list(Hit.objects.values_list("pk", "status")) == [(hit.pk, HitStatus.NEW)]
    assert final.crop.name and final.crop.storage.exists(final.crop.name)


@pytest.mark.django_db
def test_with_the_one_reading_rule_off_two_agreeing_readings_raise_the_hit(settings):
    settings.RTCC_EARLY_HIT_SINGLE_CONFIDENCE = 1.5
    wanted_list()
    lpr = camera_pipeline(camera("Canal & Carrollton LPR", kind="plate_reader", plate_reading=True).pk)
    frames = passing([WANTED] * PASS_FRAMES)
    feed(lpr, frames[:1])
    assert not Hit.objects.exists()
    feed(lpr, frames[1:2], start=1)
    assert Hit.objects.count() == 1 and lpr.following
    feed(lpr, frames[2:], start=2)
    car_leaves(lpr)
    assert PlateRead.objects.count() == 1 and Hit.objects.count() == 1


@pytest.mark.django_db
def test_a_plate_on_no_hotlist_is_stored_once_when_its_track_ends(lpr):
    feed(lpr, passing(["QWE4567"] * PASS_FRAMES))
    assert not PlateRead.objects.exists()
    car_leaves(lpr)
    assert list(PlateRead.objects.values_list("plate", flat=True)) == ["QWE4567"]
    assert not Hit.objects.exists()


@pytest.mark.django_db
def test_a_final_vote_that_reads_another_plate_withdraws_the_hit_on_the_same_read(lpr):
    # The first frames read the wanted plate; the rest of the pass shows one character differently.
    schedule = [WANTED] * 2 + [MISREAD] * (PASS_FRAMES - 2)
    feed(lpr, passing(schedule)[:2])
    [hit] = Hit.objects.all()
    feed(lpr, passing(schedule)[2:], start=2)
    car_leaves(lpr)
    [read] = PlateRead.objects.all()
    assert read.pk == hit.plate_read_id and read.plate == MISREAD
    hit.refresh_from_db()
    assert hit.status == HitStatus.WITHDRAWN and hit.withdrawn_at
    assert MISREAD in hit.withdrawn_reason and WANTED in hit.withdrawn_reason
    assert AuditRecord.objects.filter(action="plates.hit.withdrawn", object_id=str(hit.pk)).exists()


@pytest.mark.django_db
def test_a_withdrawn_hit_cannot_be_reviewed_and_needs_a_reason(users):
    wanted_list()
    cam = camera("Canal & Carrollton LPR", kind="plate_reader")
    read = plate_read_record(camera_id=cam.pk, plate=WANTED, read_at=timezone.now(), confidence=0.9)
    plate_read_revise(read_id=read.pk, plate=MISREAD, read_at=read.read_at, confidence=0.95)
    hit = Hit.objects.get()
    with pytest.raises(HitReviewError, match="withdrawn"):
        hit_review(hit=hit, user=users["analyst"], status=HitStatus.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Hit.objects.filter(pk=hit.pk).update(withdrawn_reason="")


@pytest.mark.django_db
def test_a_reviewed_hit_keeps_its_review_when_the_final_vote_differs(users):
    wanted_list()
    cam = camera("Canal & Carrollton LPR", kind="plate_reader")
    read = plate_read_record(camera_id=cam.pk, plate=WANTED, read_at=timezone.now(), confidence=0.9)
    hit_review(hit=Hit.objects.get(), user=users["analyst"], status=HitStatus.CONFIRMED)
    plate_read_revise(read_id=read.pk, plate=MISREAD, read_at=read.read_at, confidence=0.95)
    assert Hit.objects.get().status == HitStatus.CONFIRMED


@pytest.mark.django_db
def test_a_final_vote_that_reads_a_wanted_plate_raises_its_own_hit(users):
    wanted_list()
    other = Hotlist.objects.create(name="Local BOLO", priority=2)
    HotlistEntry.objects.create(hotlist=other, plate=MISREAD, reason="Wanted for questioning")
    cam = camera("Canal & Carrollton LPR", kind="plate_reader")
    read = plate_read_record(camera_id=cam.pk, plate=WANTED, read_at=timezone.now(), confidence=0.9)
    plate_read_revise(read_id=read.pk, plate=MISREAD, read_at=read.read_at, confidence=0.95)
    assert sorted(Hit.objects.values_list("matched_plate", "status")) == [
        (WANTED, HitStatus.WITHDRAWN),
        (MISREAD, HitStatus.NEW),
    ]
    assert PlateRead.objects.count() == 1


@pytest.mark.django_db
def test_footage_uses_the_same_sightings_and_keeps_each_tracks_final_one():
    wanted_list()
    seen = []
    sightings = PlateSightings(
        reader=video_reader(region="us"), watch=lambda text, alternatives=(): {"exact"} if text == WANTED else set()
    )
    for i, frame in enumerate(passing([WANTED] * PASS_FRAMES) + [EMPTY] * 12):
        seen += sightings.process(frame, i / 10)
    seen += sightings.flush()
    assert [(s.result.text, s.final) for s in seen] == [(WANTED, False), (WANTED, True)]
    assert seen[0].track_id == seen[1].track_id and seen[1].result.hits == PASS_FRAMES


def _pass_with_a_misread(camera_id):
    try:
        pipeline = camera_pipeline(camera_id)
        schedule = [WANTED] * 2 + [MISREAD] * (PASS_FRAMES - 2)
        frames = passing(schedule)
        feed(pipeline, frames[:2])
        early = Hit.objects.get().pk
        feed(pipeline, frames[2:], start=2)
        car_leaves(pipeline)
        return early
    finally:
        connections.close_all()


async def _withdrawal_reaches_the_analyst(ws_connect, users):
    cam = await database_sync_to_async(lambda: (wanted_list(), camera("LPR", kind="plate_reader"))[1])()
    communicator, connected, _ = await ws_connect(users["analyst"])
    assert connected
    await communicator.receive_json_from(timeout=3)  # hello
    hit_id = await asyncio.to_thread(_pass_with_a_misread, cam.pk)
    created = (await receive_until(communicator, "event", timeout=10))["event"]
    assert created["kind"] == "hit.created" and created["data"]["hit_id"] == hit_id
    withdrawn = (await receive_until(communicator, "event", timeout=10))["event"]
    assert withdrawn["kind"] == "hit.withdrawn" and withdrawn["data"]["hit_id"] == hit_id
    assert MISREAD in withdrawn["data"]["reason"] and withdrawn["data"]["status"] == HitStatus.WITHDRAWN
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_withdrawal_reaches_an_analyst_websocket_memory_layer(memory_layer, ws_connect, users):
    await _withdrawal_reaches_the_analyst(ws_connect, users)


@pytest.mark.redis
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_withdrawal_reaches_an_analyst_websocket_redis_layer(redis_layer, ws_connect, users):
    await _withdrawal_reaches_the_analyst(ws_connect, users)


@pytest.mark.django_db
@pytest.mark.browser
def test_a_withdrawn_hit_is_marked_on_the_dashboard_without_reload(live_asgi, browser, make_user):
    from tests.test_dashboard_browser import sign_in

    make_user("analyst", username="andre")
    cam = camera("Canal & Carrollton LPR", kind="plate_reader")
    wanted_list()
    page = browser.new_context().new_page()
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)

    def in_thread(work):
        def run():
            try:
                return work()
            finally:
                connections.close_all()

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(run).result(timeout=30)

    read = in_thread(lambda: plate_read_record(camera_id=cam.pk, plate=WANTED, read_at=timezone.now(), confidence=0.95))
    row = page.locator("#hits-panel tbody tr").first
    row.wait_for(timeout=5_000)
    assert WANTED in row.inner_text() and "Confirm" in row.inner_text()
    in_thread(lambda: plate_read_revise(read_id=read.pk, plate=MISREAD, read_at=read.read_at, confidence=0.97))
    page.wait_for_selector("#hits-panel tbody tr.hit-withdrawn", timeout=5_000)
    text = row.inner_text()
    assert "Withdrawn" in text and MISREAD in text and "Confirm" not in text
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1  # no reload
    page.reload()
    page.wait_for_selector("#hits-panel tbody tr.hit-withdrawn", timeout=5_000)
    assert "Withdrawn" in page.locator("#hits-panel tbody tr").first.inner_text()


def test_frames_of_a_pass_follow_one_path_whatever_the_text():
    a, b = passing([WANTED, MISREAD])
    assert a.shape == b.shape and not np.array_equal(a, b)


@pytest.mark.django_db(transaction=True)
def test_an_rtsp_camera_raises_the_hit_while_the_car_is_in_view(rtsp_server, tmp_path):
    """The capture worker's path: a real RTSP camera, CaptureRun and its analysis thread."""
    from django.db import connection

    if connection.vendor != "postgresql":
        # The capture loop and its analysis thread write at the same moment here (the early read while the
        # camera's heartbeat is saved); SQLite's shared in-memory test database refuses that ("table is
        # locked") where a real database waits.
        pytest.skip("two threads writing at once need a real database: run with DATABASE_URL (PostgreSQL), as CI does")
    from tests.test_camera_capture import Reader, wait_for, write_passing_plate_frames

    wanted_list()
    # 10 s of empty road after each pass: the track ends (max_gap sampled frames) before the loop's next pass.
    frames = write_passing_plate_frames(tmp_path, WANTED, empty_frames=100)
    server = rtsp_server({"lpr": f"frames:{frames}:10"})
    cam = camera(stream_url=server.url("lpr"), kind="plate_reader", plate_reading=True, sample_fps=5)
    pipelines, tracks = [], set()

    def factory(c):
        pipelines.append(PlateReadingPipeline(c, region="us", on_event=lambda event: tracks.add(event.track_id)))
        return pipelines[-1]

    reader = Reader(cam.pk, analyser_factory=factory)
    try:
        # Watched in memory: the test sees the moment the read is stored, not the next database poll.
        early = wait_for(lambda: pipelines and dict(pipelines[0]._early_reads), 40, interval=0.05)
        assert early, "no early read stored"
        # The car is still crossing the view: its track is live when its read and hit are stored.
        assert pipelines[0].following
        [read_id] = early.values()
        assert wait_for(lambda: not pipelines[0]._early_reads, 30, interval=0.1), "the track never ended"
    finally:
        reader.finish()
    [hit] = Hit.objects.filter(plate_read_id=read_id)
    assert hit.status == HitStatus.NEW and PlateRead.objects.get(pk=read_id).plate == WANTED
    # One pass (one track), at most one read: each final vote updated its early read.
    assert not pipelines[0]._early_reads
    assert 1 <= PlateRead.objects.filter(camera=cam).count() <= len(tracks)
    assert Hit.objects.filter(plate_read__camera=cam).count() == PlateRead.objects.filter(camera=cam).count()
