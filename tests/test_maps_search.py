"""Address search: the city's address points (CSV import), intersections, cameras, and the city's own geocoder
(Nominatim- or Photon-style, served here by a local HTTP server), behind every staff map's search box."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command

from maps.models import AddressPoint
from tests.factories import camera

pytestmark = pytest.mark.django_db

OPENADDRESSES = """LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE,ID,HASH
-90.071500,29.955300,1200,Canal St,,New Orleans,,LA,70112,,a1
-90.073100,29.956400,1300,Canal St,,New Orleans,,LA,70112,,a2
-90.098000,29.975100,4000,Canal St,,New Orleans,,LA,70119,,a3
-90.098300,29.974500,100,N Carrollton Ave,,New Orleans,,LA,70119,,a4
-90.099900,29.972000,300,N Carrollton Ave,,New Orleans,,LA,70119,,a5
-90.062900,29.957400,700,Chartres St,2B,New Orleans,,LA,70116,,a6
,,,Missing Coordinates St,,New Orleans,,LA,70116,,a7
-90.06,29.95,12,,,,,,,,a8
"""


def import_csv(tmp_path, text=OPENADDRESSES, *args):
    path = tmp_path / "addresses.csv"
    path.write_text(text)
    out = io.StringIO()
    call_command("import_addresses", str(path), *args, stdout=out)
    return out.getvalue()


def search(client, q):
    response = client.get("/maps/search/", {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_openaddresses_csv_is_imported_and_bad_rows_are_counted(tmp_path):
    said = import_csv(tmp_path)
    assert AddressPoint.objects.count() == 6
    assert "Imported 6 addresses (2 rows skipped)." in said
    unit = AddressPoint.objects.get(street="Chartres St")
    assert (unit.number, unit.unit, unit.postcode, float(unit.latitude)) == ("700", "2B", "70116", 29.9574)
    assert unit.label == "700 Chartres St #2B, New Orleans, 70116"
    # Imported again with --replace: the same six, not twelve.
    import_csv(tmp_path, OPENADDRESSES, "--replace")
    assert AddressPoint.objects.count() == 6


def test_common_open_data_headers_and_progress(tmp_path, monkeypatch):
    from maps import services

    monkeypatch.setattr(services, "BATCH", 2)
    rows = "\n".join(f"{n},Esplanade Ave,{29.96 + n / 1e5:.6f},{-90.06:.6f}" for n in range(1, 6))
    said = import_csv(tmp_path, "house_number,street_name,latitude,longitude\n" + rows + "\n", "--city", "New Orleans")
    assert "2 addresses imported" in said and "4 addresses imported" in said
    assert "Imported 5 addresses" in said
    assert set(AddressPoint.objects.values_list("city", flat=True)) == {"New Orleans"}


def test_a_file_without_the_needed_columns_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no column for street, latitude, longitude"):
        import_csv(tmp_path, "a,b,c\n1,2,3\n")
    assert not AddressPoint.objects.exists()


def test_an_address_is_found_however_it_is_typed(client, users, tmp_path):
    import_csv(tmp_path)
    client.force_login(users["analyst"])
    for typed in ("1200 Canal St", "1200 canal street", "1200 CANAL", "1200 Canal St, New Orleans"):
        found = search(client, typed)
        assert found[0] == {
            "kind": "address",
            "label": "1200 Canal St, New Orleans, 70112",
            "lat": 29.9553,
            "lon": -90.0715,
        }, typed
    found = search(client, "100 North Carrollton Avenue")
    assert found[0]["label"].startswith("100 N Carrollton Ave")
    # A street alone lists its addresses.
    assert {r["label"].split(",")[0] for r in search(client, "Canal St")} == {
        "1200 Canal St",
        "1300 Canal St",
        "4000 Canal St",
    }


def test_an_intersection_is_where_the_two_streets_come_closest(client, users, tmp_path):
    import_csv(tmp_path)
    client.force_login(users["analyst"])
    for typed in ("Canal & Carrollton", "canal st and n carrollton ave", "Canal at Carrollton"):
        crossing = [r for r in search(client, typed) if r["kind"] == "intersection"]
        assert crossing, typed
        assert crossing[0]["label"] == "Canal St & N Carrollton Ave"
        assert crossing[0]["lat"] == pytest.approx(29.9748, abs=1e-4)
        assert crossing[0]["lon"] == pytest.approx(-90.09815, abs=1e-4)


def test_a_camera_is_found_by_name(client, users):
    camera("Jackson Square", latitude=29.9574, longitude=-90.0629)
    client.force_login(users["analyst"])
    found = search(client, "jackson")
    assert found[0]["kind"] == "camera" and found[0]["label"] == "Jackson Square"
    assert (found[0]["lat"], found[0]["lon"]) == (29.9574, -90.0629)


def test_search_is_for_staff_only(client, users):
    assert client.get("/maps/search/", {"q": "canal"}).status_code == 302
    client.force_login(users["responder"])
    assert client.get("/maps/search/", {"q": "canal"}).status_code == 403


class Geocoder:
    """A local geocoding service answering as Nominatim (/search) or Photon (/api) do; records what it was asked."""

    def __init__(self):
        self.asked = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                query = parse_qs(url.query)
                outer.asked.append((url.path, query))
                if url.path == "/search":
                    body = [{"lat": "29.9629", "lon": "-90.0587", "display_name": "Frenchmen Street, Marigny"}]
                elif url.path == "/api":
                    body = {
                        "type": "FeatureCollection",
                        "features": [
                            {
                                "type": "Feature",
                                "geometry": {"type": "Point", "coordinates": [-90.0810, 29.9511]},
                                "properties": {"name": "Superdome", "street": "Sugar Bowl Dr", "city": "New Orleans"},
                            }
                        ],
                    }
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def geocoder():
    service = Geocoder()
    yield service
    service.close()


def test_a_nominatim_service_answers_what_the_address_points_do_not(client, users, settings, geocoder):
    settings.RTCC_GEOCODER_URL = geocoder.url + "/search"
    settings.RTCC_GEOCODER_VIEWBOX = "-90.14,30.07,-89.62,29.86"
    client.force_login(users["analyst"])
    found = search(client, "frenchmen street")
    assert found == [{"kind": "geocoder", "label": "Frenchmen Street, Marigny", "lat": 29.9629, "lon": -90.0587}]
    path, query = geocoder.asked[-1]
    assert path == "/search" and query["q"] == ["frenchmen street"] and query["format"] == ["jsonv2"]
    assert query["viewbox"] == ["-90.14,30.07,-89.62,29.86"]


def test_a_photon_service_is_read_too(client, users, settings, geocoder):
    settings.RTCC_GEOCODER_URL = geocoder.url + "/api"
    client.force_login(users["analyst"])
    found = search(client, "superdome")
    assert found == [
        {"kind": "geocoder", "label": "Superdome, Sugar Bowl Dr, New Orleans", "lat": 29.9511, "lon": -90.081}
    ]


def test_a_geocoder_that_is_down_costs_only_its_own_results(client, users, settings, tmp_path):
    from tests.conftest import free_port

    settings.RTCC_GEOCODER_URL = f"http://127.0.0.1:{free_port()}/search"
    import_csv(tmp_path)
    client.force_login(users["analyst"])
    assert search(client, "1200 canal")[0]["label"].startswith("1200 Canal St")
    assert search(client, "nowhere at all") == []


def test_the_outline_is_served_and_says_it_is_approximate(client, users):
    client.force_login(users["analyst"])
    outline = client.get("/maps/outline.geojson").json()
    assert outline["type"] == "FeatureCollection" and outline["note"].startswith("Approximate")
    kinds = {f["properties"]["kind"] for f in outline["features"]}
    assert {"outline", "water", "road", "place"} <= kinds
    client.force_login(users["responder"])
    assert client.get("/maps/outline.geojson").status_code == 403


def test_a_public_page_gets_no_staff_map_layers(client, users, settings):
    """Residents' pages (no sign-in) get the city's tile URL alone: no basemap file, outline or search."""
    from django.template import Context, Template
    from django.test import RequestFactory

    settings.RTCC_MAP_TILE_URL = "https://gis.example.org/{z}/{x}/{y}.png"
    request = RequestFactory().get("/register/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    html = Template("{% load rtcc_ui %}{% map_attrs %}").render(Context({"request": request}))
    assert 'data-tile-url="https://gis.example.org/{z}/{x}/{y}.png"' in html
    assert "search-url" not in html and "outline-url" not in html
    request.user = users["analyst"]
    html = Template("{% load rtcc_ui %}{% map_attrs %}").render(Context({"request": request}))
    assert 'data-search-url="/maps/search/"' in html and 'data-outline-url="/maps/outline.geojson"' in html


def test_two_long_avenues_cross_in_well_under_a_second(client, users):
    import time

    # Two straight avenues of 3,000 addresses each, crossing at (29.96, -90.08).
    def point(n, street, lat, lon):
        return AddressPoint(number=str(n), street=street, latitude=lat, longitude=lon, street_key=street.lower())

    AddressPoint.objects.bulk_create(
        [point(n, "Long Ave", 29.96, round(-90.11 + n * 1e-5, 6)) for n in range(3000)]
        + [point(n, "Tall St", round(29.93 + n * 1e-5, 6), -90.08) for n in range(3000)]
    )
    client.force_login(users["analyst"])
    search(client, "Long Ave & Tall St")  # the first request also warms up the session and database
    started = time.monotonic()
    found = [r for r in search(client, "Long Ave & Tall St") if r["kind"] == "intersection"]

    assert time.monotonic() - started < 1.0
    assert (found[0]["lat"], found[0]["lon"]) == (pytest.approx(29.96, abs=1e-5), pytest.approx(-90.08, abs=1e-5))
