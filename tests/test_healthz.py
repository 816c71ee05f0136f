"""/healthz: 200 with every dependency up, 503 naming what is down."""

import pytest
from django.urls import reverse


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
