"""In a real browser: a technician opens a clip, runs plate reading, sees progress, clicks a plate, the player jumps."""

import threading

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def jobs_in_worker_threads(monkeypatch):
    """Queued jobs run in a thread each, as a Celery worker's thread would run them (the broker is not under test)."""
    from footage import jobs, services

    threads = []

    def run(job_id):
        from django.db import connections

        try:
            jobs.job_run(job_id, worker="browser-test-worker")
        finally:
            connections.close_all()

    def enqueue(job_id):
        thread = threading.Thread(target=run, args=(job_id,), daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(services, "_enqueue", enqueue)
    yield threads
    for thread in threads:
        thread.join(60)


def clip_with_two_plates(tmp_path, user):
    from footage import services
    from footage.choices import AnalysisKind, ClipSource
    from footage.library import store_clip
    from footage.synthetic import write_passing_plates

    path = tmp_path / "two-plates.mp4"
    write_passing_plates(path, ("GKW5830", "KXR4725"), gap_seconds=2.0)
    clip = store_clip(path, name="Canal St, two cars.mp4", clip_source=ClipSource.MANUAL_UPLOAD, actor=user)
    services.job_create(clip=clip, kind=AnalysisKind.TRANSCODE)  # the browser plays the H.264 copy
    return clip


def test_a_technician_runs_plate_reading_sees_progress_and_a_found_plate_moves_the_player(
    live_asgi, browser, make_user, tmp_path, jobs_in_worker_threads
):
    from footage.models import ClipPlate

    technician = make_user("video_technician", username="tess")
    clip = clip_with_two_plates(tmp_path, technician)
    for thread in jobs_in_worker_threads:
        thread.join(60)

    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_asgi.url}/login/")
    page.fill("#id_username", "tess")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_asgi.url}/dashboard/")
    page.goto(f"{live_asgi.url}/footage/{clip.pk}/")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    page.wait_for_function("document.getElementById('player').readyState >= 1", timeout=15_000)

    page.click("#read-plates")
    page.wait_for_selector("#job-progress:not([hidden])", timeout=5_000)
    page.wait_for_selector("#job-progress[data-status=done]", timeout=120_000)
    items = page.locator("#plate-list .plate-item")
    items.nth(1).wait_for(timeout=10_000)

    seen_running = int(page.get_attribute("#job-progress", "data-max-running") or 0)
    assert 0 < seen_running < 100  # the bar moved while the job ran, pushed over the websocket
    assert page.inner_text("#job-percent") == "100 %"
    assert [t.strip() for t in page.locator("#plate-list .plate").all_inner_texts()] == ["GKW5830", "KXR4725"]
    page.screenshot(path=str(tmp_path / "clip-page.png"), full_page=True)

    second = ClipPlate.objects.get(clip=clip, plate="KXR4725")
    items.nth(1).click()
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {second.best_seconds}) < 0.05", timeout=5_000
    )
    assert page.evaluate("document.getElementById('player').paused")  # held on that frame for a close look
    assert page.inner_text("#timecode").startswith("0:0")
    assert errors == []
