"""Analysis jobs on footage: plate reading with live progress, hotlist checks, and corrupt uploads that fail cleanly."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async

from cameras.motion import MotionGate
from footage import jobs, services
from footage.choices import AnalysisKind, ClipSource, CustodyAction, JobStatus
from footage.library import store_clip
from footage.models import AnalysisJob, ClipPlate
from footage.synthetic import write_passing_plates

PLATES = ("GKW5830", "KXR4725")


@pytest.fixture(scope="module")
def two_plates_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "two-plates.mp4"
    truth = write_passing_plates(path, PLATES)
    return path, truth


def corrupt_upload(tmp_path):
    path = tmp_path / "owner-upload.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 400)  # an MP4 header, then garbage
    return store_clip(path, name="owner-upload.mp4", clip_source=ClipSource.REGISTRY_UPLOAD, actor_label="owner")


def run_in_worker_thread(job_id):
    from django.db import connection

    try:
        return jobs.job_run(job_id, worker="test-worker")
    finally:
        connection.close()


def stored(path, user=None):
    return store_clip(path, name=path.name, clip_source=ClipSource.MANUAL_UPLOAD, actor=user)


@pytest.mark.django_db
def test_a_plate_reading_job_over_a_video_with_two_passing_plates_lists_both_with_their_times(two_plates_video, users):
    path, truth = two_plates_video
    clip = stored(path, users["video_technician"])
    job = services.job_create(clip=clip, kind=AnalysisKind.PLATES, actor=users["video_technician"])

    job = jobs.job_run(job.pk)

    assert job.status == JobStatus.DONE, job.message
    assert job.progress == 100 and job.frames_analysed > 0
    found = list(ClipPlate.objects.filter(job=job).order_by("best_seconds"))
    assert [p.plate for p in found] == list(PLATES)
    for plate, (text, first, last) in zip(found, truth, strict=True):
        assert first - 0.2 <= plate.first_seconds <= plate.best_seconds <= plate.last_seconds <= last + 0.2, text
        assert plate.crop and plate.crop.size > 0
    assert "2 plates found" in job.message
    assert clip.custody.filter(action=CustodyAction.ANALYSED).count() == 1


@pytest.mark.django_db
def test_a_plate_found_in_footage_is_checked_against_the_hotlists_without_raising_a_live_hit(two_plates_video, users):
    from plates.models import Hit, Hotlist, HotlistEntry, PlateRead

    hotlist = Hotlist.objects.create(name="Stolen vehicles", source="ncic")
    HotlistEntry.objects.create(hotlist=hotlist, plate="KXR4725", reason="Stolen 2026-11-20")
    private = Hotlist.objects.create(name="Detective's list", visibility="owner_only", owner=users["analyst"])
    HotlistEntry.objects.create(hotlist=private, plate="GKW5830", reason="Person of interest")
    path, _ = two_plates_video
    job = services.job_create(clip=stored(path), kind=AnalysisKind.PLATES, actor=users["video_technician"])

    jobs.job_run(job.pk)

    matches = {p.plate: p.hotlist_matches for p in ClipPlate.objects.filter(job=job)}
    assert [m["hotlist"] for m in matches["KXR4725"]] == ["Stolen vehicles"]
    assert matches["KXR4725"][0]["reason"] == "Stolen 2026-11-20"
    assert matches["GKW5830"] == []  # an owner-only hotlist is not shown to someone else
    assert Hit.objects.count() == 0 and PlateRead.objects.count() == 0


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_plate_reading_job_reports_its_progress_to_the_technicians_websocket_as_it_runs(
    memory_layer, ws_connect, users, two_plates_video
):
    path, _ = two_plates_video
    technician = users["video_technician"]
    communicator, connected, _ = await ws_connect(technician)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    clip = await database_sync_to_async(stored)(path, technician)
    job = await database_sync_to_async(services.job_create)(clip=clip, kind=AnalysisKind.PLATES, actor=technician)

    # The job runs in a thread of its own, as in a worker (asgiref's single sync thread serves the websocket).
    task = asyncio.ensure_future(asyncio.to_thread(run_in_worker_thread, job.pk))
    progress = []
    while True:
        message = await communicator.receive_json_from(timeout=120)
        if message["type"] != "event" or message["event"]["data"].get("job_id") != job.pk:
            continue
        event = message["event"]
        if event["kind"] == "footage.job.progress":
            progress.append((event["data"]["status"], event["data"]["progress"], task.done()))
        if event["kind"] == "footage.job.done":
            break
    await task
    await communicator.disconnect()

    running = [p for status, p, finished in progress if status == "running" and not finished]
    assert len(running) >= 3, progress  # several updates arrived while the job was still running
    assert running == sorted(running) and running[-1] < 100
    assert event["data"]["progress"] == 100 and event["data"]["status"] == "done"


@pytest.mark.django_db
def test_a_corrupt_upload_fails_its_job_with_a_clear_message_and_the_next_job_still_runs(
    two_plates_video, users, tmp_path
):
    from footage.tasks import run_footage_job

    bad = services.job_create(clip=corrupt_upload(tmp_path), kind=AnalysisKind.PLATES, actor=users["video_technician"])
    good = services.job_create(clip=stored(two_plates_video[0]), kind=AnalysisKind.PLATES)

    assert run_footage_job(bad.pk) == JobStatus.FAILED
    assert run_footage_job(good.pk) == JobStatus.DONE

    bad.refresh_from_db()
    assert bad.status == JobStatus.FAILED and bad.finished_at is not None
    assert "could not be decoded as video" in bad.message and "corrupt" in bad.message
    assert not bad.plates.exists()
    assert run_footage_job(bad.pk) is None  # a redelivered task does not run a finished job again


@pytest.mark.django_db(transaction=True)
def test_the_in_process_worker_fails_a_corrupt_clip_and_goes_on_with_the_next_job(two_plates_video, users, tmp_path):
    from rtcc import embedded
    from rtcc.celery import app

    if not app.conf.broker_url.startswith("memory://"):
        pytest.skip("REDIS_URL is set: the suite's workers are Celery processes, not in-process threads")
    embedded.start(concurrency=2, beat=False)
    bad = services.job_create(clip=corrupt_upload(tmp_path), kind=AnalysisKind.TRANSCODE)
    good = services.job_create(clip=stored(two_plates_video[0]), kind=AnalysisKind.TRANSCODE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not AnalysisJob.objects.exclude(status__in=[JobStatus.DONE, JobStatus.FAILED]).exists():
            break
        time.sleep(0.2)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == JobStatus.FAILED and "could not be decoded" in bad.message
    assert good.status == JobStatus.DONE, good.message
    assert good.result_clip.video_codec == "h264" and good.result_clip.derived_from_id == good.clip_id


def test_the_motion_gate_reads_a_still_scene_only_every_keyframe_and_a_moving_one_always():
    import numpy as np

    gate = MotionGate(keyframe_seconds=5)
    rng = np.random.default_rng(3)
    still = np.full((360, 640, 3), 90, np.uint8)
    noisy = [np.clip(still.astype(int) + rng.integers(-4, 5, still.shape), 0, 255).astype(np.uint8) for _ in range(11)]
    decisions = [gate.worth_reading(frame, at=second, following=False) for second, frame in enumerate(noisy)]
    # First frame, then every 5th: sensor noise is not motion.
    assert decisions == [True, False, False, False, False, True, False, False, False, False, True]
    car = still.copy()
    car[200:260, 40:140] = 230  # something the size of a distant car appears
    assert gate.worth_reading(car, at=11, following=False)
    assert gate.worth_reading(car, at=12, following=True)  # still, but a plate is being followed


@pytest.mark.django_db
def test_a_clip_with_long_empty_stretches_is_read_in_fewer_frames_and_still_finds_every_plate(
    tmp_path, users, settings
):
    path = tmp_path / "quiet-street.mp4"
    truth = write_passing_plates(path, PLATES, fps=10, gap_seconds=4.0)
    settings.RTCC_FOOTAGE_ANALYSIS_FPS = 10
    runs = {}
    for gated in (False, True):
        settings.RTCC_FOOTAGE_MOTION_GATE = gated
        job = services.job_create(clip=stored(path), kind=AnalysisKind.PLATES, actor=users["video_technician"])
        job = jobs.job_run(job.pk)
        assert job.status == JobStatus.DONE, job.message
        runs[gated] = (
            job.frames_analysed,
            [p.plate for p in ClipPlate.objects.filter(job=job).order_by("best_seconds")],
        )
    assert runs[True][1] == runs[False][1] == [text for text, _, _ in truth]
    assert runs[True][0] < runs[False][0] * 0.75, runs
