"""The shared front end: one module (static/rtcc/common.js) that page scripts use, no URL or colour copied into
scripts, one server rule for "this request wants JSON", and the staff pages' accessibility basics."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from cameras.choices import STATUS_COLOURS as CAMERA_STATUS_COLOURS
from cameras.choices import CameraStatus
from incidents.choices import PRIORITY_COLOURS, STATUS_COLOURS, IncidentPriority, IncidentStatus
from rtcc.http import wants_json
from tests.factories import one_of_everything
from tests.test_dashboard_browser import sign_in

ROOT = Path(settings.BASE_DIR)
STATIC = ROOT / "static"
PAGE_SCRIPTS = sorted(p for p in STATIC.rglob("*.js") if "vendor" not in p.parts)


class Page(HTMLParser):
    """What the checks below need from a rendered page."""

    def __init__(self):
        super().__init__()
        self.tables = 0
        self.headers = []  # the attributes of every <th>
        self.scripts = []  # the attributes of every <script>
        self.handlers = []  # on* attributes (inline script)
        self.ids = set()
        self.links = []
        self.buttons = []  # [attrs, text]
        self._button = None
        self.data = {}  # json_script blocks by id
        self._script_id = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "table":
            self.tables += 1
        elif tag == "th":
            self.headers.append(a)
        elif tag == "script":
            self.scripts.append(a)
            self._script_id = a.get("id") if a.get("type") == "application/json" else None
        elif tag == "a":
            self.links.append(a)
        elif tag == "button":
            self._button = [a, ""]
            self.buttons.append(self._button)
        elif tag == "img" and self._button is not None:
            self._button[1] += a.get("alt", "")

    def handle_endtag(self, tag):
        if tag == "button":
            self._button = None
        elif tag == "script":
            self._script_id = None

    def handle_data(self, data):
        if self._button is not None:
            self._button[1] += data
        if self._script_id:
            self.data[self._script_id] = json.loads(data)


def parse(html):
    page = Page()
    page.feed(html)
    return page


@pytest.fixture
def staff_pages(client, users, settings, tmp_path):
    """Every staff page with data in it, as a superuser sees it: {name: html}."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    admin = users["admin"]
    rows = one_of_everything(admin)
    clip = rows["camera"].clips.first()
    client.force_login(admin)
    cam, inc, site = rows["camera"].pk, rows["incident"].pk, rows["site"].pk
    urls = {
        "dashboard": reverse("dashboard"),
        "cameras": reverse("cameras:list"),
        "camera": reverse("cameras:detail", args=[cam]),
        "wall": reverse("cameras:wall"),
        "plates": reverse("plates:overview"),
        "search": reverse("plates:search"),
        "transparency": reverse("plates:transparency"),
        "board": reverse("incidents:board"),
        "incident": reverse("incidents:detail", args=[inc]),
        "new incident": reverse("incidents:new"),
        "registry": reverse("registry:sites"),
        "site": reverse("registry:site", args=[site]),
        "registry map": reverse("registry:map"),
        "registry review": reverse("registry:review"),
        "footage requests": reverse("registry:footage"),
        "nearby": reverse("registry:nearby") + "?latitude=29.9603&longitude=-90.0652&radius_m=200",
        "footage request": reverse("registry:footage_request_create", args=[inc]),
        "footage library": reverse("footage:library"),
        "audit": reverse("audit"),
    }
    urls["clip"] = reverse("footage:clip", args=[clip.pk])
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        pages[name] = response.content.decode()
    return pages


def test_static_files_the_templates_name_exist():
    named = set()
    for template in (ROOT / "templates").rglob("*.html"):
        named.update(re.findall(r"{%\s*static\s+['\"]([^'\"]+)['\"]", template.read_text()))
    assert "rtcc/common.js" in named
    missing = sorted(path for path in named if not (STATIC / path).is_file())
    assert not missing


def test_page_scripts_write_no_url_path():
    # A quoted string starting "/word" is a path: pages hand URLs to scripts in data- attributes instead.
    pattern = re.compile(r"""["'`]/[A-Za-z_]""")
    offenders = [f"{p.relative_to(ROOT)}: {m}" for p in PAGE_SCRIPTS for m in pattern.findall(p.read_text())]
    assert not offenders


def test_page_scripts_share_state_only_through_the_namespace():
    for path in PAGE_SCRIPTS:
        text = path.read_text()
        assigned = set(re.findall(r"window\.([A-Za-z_$][\w$]*)\s*=(?!=)", text))
        assert assigned <= {"RTCC"}, path
        assert "window.RTCC = RTCC" in text if path.name == "common.js" else "RTCC." in text, path
        # One way to do each thing: only common.js sets up Leaflet maps, reads the CSRF token and makes sounds.
        if path.name != "common.js":
            for twin in ("L.map(", "L.tileLayer(", "csrftoken", "csrfmiddlewaretoken", "AudioContext", "new WebSocket"):
                assert twin not in text, (path, twin)


def test_no_page_script_copies_a_status_colour():
    hexes = {c.lower() for c in CAMERA_STATUS_COLOURS.values()}
    for path in PAGE_SCRIPTS:
        if path.name == "common.js":
            continue
        found = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", path.read_text())}
        assert not found & hexes, path


@pytest.mark.django_db
def test_the_page_carries_the_python_choices_once(staff_pages):
    html = staff_pages["dashboard"]
    assert html.count('id="rtcc-choices"') == 1
    choices = parse(html).data["rtcc-choices"]
    assert choices["cameraStatus"] == {
        s.value: {"label": s.label, "colour": CAMERA_STATUS_COLOURS[s]} for s in CameraStatus
    }
    assert choices["incidentStatus"] == {
        s.value: {"label": s.label, "colour": STATUS_COLOURS[s]} for s in IncidentStatus
    }
    assert choices["incidentPriority"] == {
        str(p.value): {"label": p.label, "colour": PRIORITY_COLOURS[p]} for p in IncidentPriority
    }


@pytest.mark.django_db
def test_maps_take_their_settings_from_data_attributes(staff_pages):
    for name in ("dashboard", "board", "incident", "new incident", "registry map", "nearby"):
        html = staff_pages[name]
        assert 'id="map-config"' not in html, name
        assert re.search(r'data-center="-?[\d.]+,-?[\d.]+" data-zoom="\d+"', html), name


@pytest.mark.django_db
def test_staff_pages_have_scoped_headers_a_skip_link_and_no_inline_script(staff_pages):
    tables = 0
    for name, html in staff_pages.items():
        page = parse(html)
        tables += page.tables
        assert all(h.get("scope") in ("col", "row") for h in page.headers), name
        skip = page.links[0]
        assert skip.get("class") == "skip-link" and skip["href"] == "#main" and "main" in page.ids, name
        assert not page.handlers, (name, page.handlers)
        for script in page.scripts:
            assert script.get("src") or script.get("type") == "application/json", (name, script)
        for attrs, text in page.buttons:
            assert text.strip() or attrs.get("aria-label"), (name, attrs)
    assert tables >= 10  # the checks above looked at real tables


@pytest.mark.django_db
def test_the_connection_state_is_said_in_words(staff_pages):
    html = staff_pages["board"]
    state = re.search(r'<span class="live-state" id="live-state"[^>]*>(.*?)</span></span>', html).group(0)
    assert 'role="status"' in state and "Connecting…" in state
    assert 'data-url="/ws/events/"' in state


@pytest.mark.django_db
def test_footage_job_progress_is_announced(staff_pages):
    html = staff_pages["clip"]
    assert re.search(r'id="job-progress" role="status" aria-live="polite"', html)


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("application/json", True),
        ("application/json, text/plain, */*", True),
        ("application/json; charset=utf-8", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
        ("*/*", False),
        ("", False),
        ("text/html, application/json", False),
    ],
)
def test_wants_json_reads_the_accept_header(accept, expected):
    request = RequestFactory().get("/", HTTP_ACCEPT=accept)
    assert wants_json(request) is expected


def test_views_decide_json_one_way():
    """No view reads the Accept header, X-Requested-With or a ?partial= flag itself: they call wants_json."""
    offenders = []
    apps = [p.parent for p in ROOT.glob("*/apps.py")]
    views = [p for app in apps for p in [*app.glob("*views*.py"), *app.glob("views/*.py")]]
    assert len(views) >= 5
    for path in views:
        text = path.read_text()
        for twin in ('headers.get("Accept"', "HTTP_ACCEPT", "X-Requested-With", "is_ajax", 'GET.get("partial")'):
            if twin in text:
                offenders.append(f"{path.relative_to(ROOT)}: {twin}")
    assert not offenders


@pytest.mark.browser
def test_the_connection_state_reads_live_then_reconnecting_then_live(live_asgi, browser, make_user):
    make_user("analyst", username="andre")
    page = browser.new_page()
    sign_in(page, live_asgi.url, "andre")
    page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
    assert page.inner_text("#live-state .live-words") == "Live"
    assert page.inner_text("[data-live-status]") == "Live"  # the dashboard's feed says it too
    live_asgi.stop()
    page.wait_for_selector("#live-state[data-state=down]", timeout=10_000)
    assert page.inner_text("#live-state .live-words") == "Reconnecting…"
    live_asgi.start()
    page.wait_for_selector("#live-state[data-state=live]", timeout=20_000)
    assert page.inner_text("#live-state .live-words") == "Live"


@pytest.mark.browser
def test_staff_pages_run_their_scripts_without_errors(live_asgi, browser, make_user, settings, tmp_path):
    """Each page that carries a script, opened in Chromium: no script error, no console error, live connection up."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    user = make_user("admin", username="ada")
    rows = one_of_everything(user)
    paths = [
        reverse("dashboard"),
        reverse("cameras:wall"),
        reverse("plates:overview"),
        reverse("incidents:board"),
        reverse("incidents:detail", args=[rows["incident"].pk]),
        reverse("incidents:new"),
        reverse("registry:map"),
        reverse("footage:clip", args=[rows["camera"].clips.first().pk]),
    ]
    page = browser.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    # Pictures that do not exist yet (no capture worker in tests) are expected 404s; anything else is a fault.
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: {m.text}")
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    sign_in(page, live_asgi.url, "ada")
    page.wait_for_load_state("domcontentloaded")
    for path in paths:
        page.goto(live_asgi.url + path, wait_until="domcontentloaded")
        page.wait_for_selector("#live-state[data-state=live]", timeout=10_000)
        assert page.evaluate("typeof window.RTCC.fetchJSON") == "function", path
    assert not problems
