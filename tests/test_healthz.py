"""/healthz: 200 with every dependency up, 503 naming what is down."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cameras import leases
from cameras.models import Camera, CaptureSession, CaptureWorker
from rtcc.celery import heartbeat
from tests.factories import camera


def point_at_redis(settings, url):
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = url
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.mark.django_db
def test_it_answers_200_with_each_check_when_all_is_up(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {"database", "cache", "channel_layer", "broker"} <= set(body["checks"])
    assert body["checks"]["database"]["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.redis
@pytest.mark.django_db
def test_it_answers_503_naming_redis_parts_when_redis_is_stopped(client, settings, private_redis):
    point_at_redis(settings, private_redis["url"])
    up = client.get(reverse("healthz"))
    assert up.status_code == 200, up.json()
    assert up.json()["checks"]["broker"]["status"] == "ok"

    private_redis["process"].terminate()
    private_redis["process"].wait(5)

    down = client.get(reverse("healthz"))
    assert down.status_code == 503
    checks = down.json()["checks"]
    assert checks["database"]["status"] == "ok"
    for part in ("cache", "channel_layer", "broker"):
        assert checks[part]["status"] == "down", part
        assert checks[part]["error"]


@pytest.mark.django_db
def test_it_needs_no_login_and_reveals_no_secrets(client, settings):
    response = client.get(reverse("healthz"))
    assert settings.SECRET_KEY not in response.content.decode()


@pytest.mark.django_db
def test_it_reports_the_age_of_the_worker_and_beat_heartbeats_and_503_once_one_stops(client, settings):
    settings.RTCC_HEARTBEAT_SECONDS = 10
    first = client.get(reverse("healthz")).json()["checks"]
    assert first["worker"]["status"] == first["beat"]["status"] == "unknown"  # nothing ran yet: not a failure

    heartbeat.delay()  # sending it stamps the beat (only the beat sends it) ...
    heartbeat.apply()  # ... and running it stamps the worker
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    checks = response.json()["checks"]
    for part in ("worker", "beat"):
        assert checks[part]["status"] == "ok" and checks[part]["age_s"] < 5, checks[part]

    stamp = cache.get("heartbeat:worker")
    cache.set("heartbeat:worker", {**stamp, "at": time.time() - 45}, timeout=None)  # the worker died 45 s ago
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["status"] == "down" and worker["age_s"] >= 45 and "no heartbeat" in worker["error"]


@pytest.mark.django_db
def test_it_names_cameras_unread_for_longer_than_the_lease_and_reports_each_capture_worker(client, settings):
    settings.RTCC_CAPTURE_LEASE_SECONDS = 6
    leases.worker_heartbeat("capture-host:101", forget_after=120)
    leases.worker_heartbeat("capture-host:102", forget_after=120)
    CaptureWorker.objects.filter(name="capture-host:102").update(heartbeat_at=timezone.now() - timedelta(seconds=30))
    read = camera("Canal & Bourbon", stream_url="rtsp://cam/1")
    leases.claim(read.pk, "capture-host:101:1", 6)
    CaptureSession.objects.create(camera=read, holder="capture-host:101:1", heartbeat_at=timezone.now())
    just_added = camera("Just added", stream_url="rtsp://cam/2")  # the beat has not dispatched it yet
    orphan = camera("Poydras & Loyola", stream_url="rtsp://cam/3")
    Camera.objects.filter(pk=orphan.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    camera("Disabled", stream_url="rtsp://cam/4", enabled=False)

    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    capture = response.json()["checks"]["capture"]
    assert capture["status"] == "down"
    assert [c["name"] for c in capture["cameras_unread"]] == ["Poydras & Loyola"]
    assert capture["cameras_unread"][0]["unread_s"] >= 300 and "Poydras & Loyola" in capture["error"]
    workers = {w["name"]: w for w in capture["workers"]}
    assert workers["capture-host:101"]["status"] == "ok"
    assert workers["capture-host:102"]["status"] == "down" and workers["capture-host:102"]["age_s"] >= 30
    assert just_added.pk not in [c["id"] for c in capture["cameras_unread"]]

    leases.claim(orphan.pk, "capture-host:101:2", 6)  # a worker reads it now
    assert client.get(reverse("healthz")).status_code == 200
