"""Control rooms run on closed networks: every script and stylesheet is served from static/."""

import re

from tests.conftest import REPO

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?["']?(?:https?:)?//|url\(["']?(?:https?:)?//""", re.I)


def test_no_template_loads_a_script_or_stylesheet_from_another_host():
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "templates").rglob("*.html")
        if EXTERNAL.search(path.read_text())
    ]
    assert offenders == []


def test_no_stylesheet_imports_from_another_host():
    offenders = [
        str(path.relative_to(REPO)) for path in (REPO / "static").rglob("*.css") if CSS_IMPORT.search(path.read_text())
    ]
    assert offenders == []


def test_leaflet_is_vendored_with_its_licence_and_images():
    leaflet = REPO / "static" / "vendor" / "leaflet"
    assert (leaflet / "leaflet.js").stat().st_size > 100_000
    assert (leaflet / "leaflet.css").exists() and (leaflet / "LICENSE").exists()
    assert (leaflet / "images" / "marker-icon.png").exists()
