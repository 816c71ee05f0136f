"""The street map with no outside service: a raster MBTiles file, installed by a command, served as tiles.

Each test builds its own small real tile file (tests/maps_helpers.py).
"""

import io
import sqlite3

import pytest
from django.core.management import CommandError, call_command

from maps.models import Basemap
from tests.factories import camera
from tests.maps_helpers import AREA, ZOOMS, build_mbtiles, tile_range

pytestmark = pytest.mark.django_db


def install(path, **kwargs):
    out = io.StringIO()
    call_command("install_basemap", str(path), stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def basemap_file(tmp_path):
    path = tmp_path / "city.mbtiles"
    count = build_mbtiles(path)
    return path, count


def test_installing_copies_the_file_and_reports_its_area_and_zoom_levels(basemap_file, settings):
    path, count = basemap_file
    said = install(path)
    basemap = Basemap.objects.get()
    assert basemap.path.is_file() and basemap.path.parent == settings.MEDIA_ROOT / "basemaps"
    assert basemap.path.read_bytes() == path.read_bytes()
    assert (basemap.min_zoom, basemap.max_zoom, basemap.tile_count, basemap.tile_format) == (12, 14, count, "png")
    assert basemap.bounds == pytest.approx(AREA)
    assert f"{count} png tiles" in said
    assert "Area: west -90.10000, south 29.93000, east -90.03000, north 29.98000" in said
    assert "Zoom levels: 12 to 14" in said
    assert "Copied" in said and "(100%)" in said  # progress


def test_a_file_without_declared_bounds_reports_the_area_its_tiles_cover(tmp_path):
    path = tmp_path / "nobounds.mbtiles"
    build_mbtiles(path, declare_bounds=False)
    install(path)
    west, south, east, north = Basemap.objects.get().bounds
    # Whole tiles at zoom 14 reach a little past the area they were drawn for.
    assert west <= AREA[0] < AREA[2] <= east and south <= AREA[1] < AREA[3] <= north
    assert east - west < 0.1 and north - south < 0.1


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda p: p.write_text("not a database"), "not an MBTiles file"),
        (lambda p: sqlite3.connect(p).execute("CREATE TABLE other (a)").connection.commit(), "lacks the MBTiles"),
        (lambda p: build_mbtiles(p, fmt="pbf"), "holds vector tiles"),
    ],
)
def test_a_file_that_is_not_a_raster_basemap_is_refused_in_plain_words(tmp_path, make, says):
    path = tmp_path / "bad.mbtiles"
    make(path)
    with pytest.raises(CommandError, match=says):
        install(path)
    assert not Basemap.objects.exists()


def test_tiles_are_served_from_the_installed_file_with_cache_headers(client, users, basemap_file):
    path, _ = basemap_file
    install(path)
    client.force_login(users["analyst"])
    xs, ys = tile_range(13)
    response = client.get(f"/maps/tiles/13/{xs[0]}/{ys[0]}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "max-age=" in response["Cache-Control"] and "private" in response["Cache-Control"]
    body = response.content
    assert body.startswith(b"\x89PNG")
    # The same bytes the file holds for that tile (rows flipped: MBTiles counts rows from the south).
    db = sqlite3.connect(path)
    row = 2**13 - 1 - ys[0]
    stored = db.execute(
        "SELECT tile_data FROM tiles WHERE zoom_level=13 AND tile_column=? AND tile_row=?", (xs[0], row)
    ).fetchone()[0]
    assert body == stored


def test_outside_the_files_area_or_zooms_is_not_found(client, users, basemap_file):
    install(basemap_file[0])
    client.force_login(users["analyst"])
    xs, ys = tile_range(13)
    assert client.get(f"/maps/tiles/13/{xs[-1] + 5}/{ys[0]}.png").status_code == 404
    assert client.get(f"/maps/tiles/{max(ZOOMS) + 1}/0/0.png").status_code == 404
    assert client.get(f"/maps/tiles/13/{xs[0]}/{ys[0]}.jpg").status_code == 404
    assert client.get("/maps/tiles/3/99/1.png").status_code == 404  # not a tile at all


def test_without_a_basemap_there_are_no_tiles(client, users):
    client.force_login(users["analyst"])
    assert client.get("/maps/tiles/13/2046/3381.png").status_code == 404


def test_tiles_are_for_staff_only(client, users, basemap_file):
    install(basemap_file[0])
    xs, ys = tile_range(13)
    url = f"/maps/tiles/13/{xs[0]}/{ys[0]}.png"
    assert client.get(url).status_code == 302
    client.force_login(users["responder"])
    assert client.get(url).status_code == 403
    client.force_login(users["video_technician"])
    assert client.get(url).status_code == 200


def test_the_newest_installed_basemap_is_the_one_maps_use(client, users, basemap_file, tmp_path):
    install(basemap_file[0])
    second = tmp_path / "second.mbtiles"
    build_mbtiles(second, zooms=(13,))
    install(second, name="Second")
    camera()
    client.force_login(users["analyst"])
    html = client.get("/dashboard/").content.decode()
    latest = Basemap.objects.latest()
    assert latest.name == "Second"
    assert f'data-tile-url="/maps/tiles/{{z}}/{{x}}/{{y}}.png?v={latest.pk}"' in html
    assert 'data-max-native-zoom="13"' in html and 'data-search-url="/maps/search/"' in html
