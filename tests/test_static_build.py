"""The production static build: every file collects through the manifest storage, and pages render under it."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.conftest import REPO

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """scripts/collectstatic.sh, as the Dockerfile and CI run it, into a folder of the test's own."""
    root = tmp_path_factory.mktemp("static")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "DATABASE_URL", "REDIS_URL")}
    env.update(STATIC_ROOT=str(root), PYTHON=sys.executable)
    done = subprocess.run(["sh", "scripts/collectstatic.sh"], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert (root / "staticfiles.json").exists()
    return root


def test_every_static_file_collects_with_the_manifest_storage(collected):
    assert list(collected.glob("vendor/leaflet/leaflet.*.js")), "leaflet.js was not hashed into the manifest"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", ["login", "dashboard", "cameras:list", "plates:search", "incidents:board", "registry:map"]
)
def test_pages_render_under_the_manifest_storage(page, collected, client, users, settings):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    if page != "login":
        client.force_login(users["admin"])
    response = client.get(reverse(page))
    assert response.status_code == 200, response.content[:2000]
    html = response.content.decode()
    assert "/static/" in html
    # Names come from the manifest (content-hashed), so a stale cached copy can never be served.
    assert "/static/vendor/leaflet/leaflet.js" not in html
