"""Settings come from environment variables; bad values stop start-up naming the variable."""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": "x7Kq-production-secret-for-tests-only-3f9a1c2e8d7b6a5f4e3d2c1b0a9z8y7w",
    "ALLOWED_HOSTS": "rtcc.example.org",
}


def run_manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DATABASE_URL", "mysql://root@localhost/rtcc"),
        ("REDIS_URL", "localhost:6379"),
        ("DJANGO_DEBUG", "maybe"),
        ("RTCC_MAP_ZOOM", "forty"),
        ("RTCC_MAP_CENTER_LAT", "123"),
        ("LOG_LEVEL", "LOUD"),
        ("SECRET_KEY", "short"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_the_variable(variable, value):
    result = run_manage("check", **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="false", ALLOWED_HOSTS="rtcc.example.org")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_production_mode_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DJANGO_DEBUG="false", SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_defaults_run_as_they_are():
    result = run_manage("check")
    assert result.returncode == 0, result.stderr


def test_database_url_switches_the_database_engine():
    script = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.EMBEDDED)"
    result = run_manage(
        "shell", "-c", script, DATABASE_URL="postgres://rtcc@db.example.org:5432/rtcc", REDIS_URL="redis://cache:6379/0"
    )
    assert result.stdout.split()[-2:] == ["django.db.backends.postgresql", "False"], result.stderr
