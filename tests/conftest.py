"""Shared fixtures: users in every role, real services (Redis, a served ASGI app, Chromium), a folder per test."""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct-horse-battery-9"


REPO_VAR = REPO / "var"
# Every setting naming a folder the application writes to, and the folder's name under a test's own folder.
WRITABLE_FOLDERS = {
    "VAR_DIR": "var",
    "MEDIA_ROOT": "media",
    "RTCC_RECORDING_ROOT": "recordings",
    "RTCC_HOTLIST_FEED_DIR": "hotlist-feeds",
    "STATIC_ROOT": "staticfiles",
}


def _paths_under(folder):
    """Every path under `folder`, relative to it (empty when it does not exist)."""
    folder = Path(folder)
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


def pytest_configure(config):
    # Real hashing costs ~0.3 s a user; the suite makes hundreds. Production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests sign in with force_login or the password form; tests/test_two_factor*.py turn two factors on.
    settings.RTCC_REQUIRE_2FA = False
    # The tests' webhook receivers listen on loopback; tests/test_outbound_addresses.py checks the refusal without it.
    settings.RTCC_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    os.environ["RTCC_WEBHOOK_ALLOWED_NETWORKS"] = "127.0.0.0/8"
    # Settings were read before this file; point the writable folders at one for the run, so that module-scoped
    # fixtures and child processes (workers, manage.py) never write into the repository's var/ either.
    config._rtcc_var_before = _paths_under(REPO_VAR)
    config._rtcc_run_folder = Path(tempfile.mkdtemp(prefix="rtcc-tests-"))
    for name, folder in WRITABLE_FOLDERS.items():
        setattr(settings, name, config._rtcc_run_folder / folder)
    os.environ["RTCC_VAR_DIR"] = str(config._rtcc_run_folder / "var")
    for name in ("MEDIA_ROOT", "RTCC_RECORDING_ROOT", "RTCC_HOTLIST_FEED_DIR", "STATIC_ROOT"):
        os.environ[name] = str(getattr(settings, name))


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if any test left a file in the repository's var/ (each test has its own folder)."""
    config = session.config
    if not hasattr(config, "_rtcc_var_before"):
        return
    shutil.rmtree(config._rtcc_run_folder, ignore_errors=True)
    left = sorted(_paths_under(REPO_VAR) - config._rtcc_var_before)
    if left:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        message = f"the tests wrote into the repository's var/: {', '.join(left[:20])}"
        if reporter:
            reporter.write("\n")
            reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def media(settings, tmp_path_factory):
    """The test's own folder for what the application writes: media/, recordings/, hotlist-feeds/, upload-tmp/.

    Apart from tmp_path, so a test's tmp_path holds only what the test puts there.
    """
    folder = tmp_path_factory.mktemp("files")
    for name, sub in WRITABLE_FOLDERS.items():
        if name != "VAR_DIR":  # the run's, set in pytest_configure: the demo's sample clips are made once a run
            setattr(settings, name, folder / sub)
    settings.FILE_UPLOAD_TEMP_DIR = str(folder / "upload-tmp")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    return folder


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def agencies(db):
    from incidents.models import Agency

    return {
        "nofd": Agency.objects.create(name="New Orleans Fire Department", short_name="nofd", kind="fire"),
        "noems": Agency.objects.create(name="New Orleans EMS", short_name="noems", kind="ems"),
    }


@pytest.fixture
def make_user(db):
    """make_user(role) -> a saved user holding that role ('admin' for a superuser, None for no role)."""
    from django.contrib.auth.models import Group

    from rtcc.models import User

    counter = iter(range(1, 10_000))

    def make(role, agency=None, username=None):
        username = username or f"{role or 'norole'}{next(counter)}"
        user = User(username=username, agency=agency, is_superuser=role == "admin", is_staff=role == "admin")
        user.set_password(PASSWORD)
        user.save()
        if role not in (None, "admin"):
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def users(make_user, agencies):
    """One user in each role, plus a responder of another agency and a user with no role."""
    return {
        "admin": make_user("admin"),
        "analyst": make_user("analyst"),
        "video_technician": make_user("video_technician"),
        "supervisor": make_user("supervisor"),
        "responder": make_user("responder", agency=agencies["nofd"]),
        "other_responder": make_user("responder", agency=agencies["noems"]),
        "norole": make_user(None),
    }


def session_cookie_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def ws_connect():
    """Open the dashboard websocket through the full ASGI stack, as a browser would."""
    from channels.testing import WebsocketCommunicator

    from rtcc.asgi import application

    opened = []

    async def connect(user=None, query=""):
        from channels.db import database_sync_to_async

        headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
        if user is not None:
            cookie = await database_sync_to_async(session_cookie_for)(user)
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
        path = "/ws/events/" + (f"?{query}" if query else "")
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await communicator.connect(timeout=5)
        opened.append(communicator)
        return communicator, connected, code

    yield connect
    # communicators are disconnected by each test; nothing shared to clean here


async def receive_until(communicator, wanted_type, timeout=3):
    """The next message of `wanted_type` on a websocket, skipping others."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] == wanted_type:
            return message


async def received_before_marker(communicator, group, timeout=5):
    """What reaches a socket before a marker event published now to `group` (one the socket has joined).

    A check that something does NOT reach a socket ends on this instead of a fixed wait: the marker goes the same
    way (a stored event, pushed after commit through the channel layer), so anything sent earlier arrives first,
    however late it is.
    """
    from channels.db import database_sync_to_async

    from rtcc import realtime

    marker = await database_sync_to_async(realtime.publish)(group=group, kind="test.marker", summary="marker")
    received = []
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] == "event" and message["event"]["id"] == marker.pk:
            return received
        received.append(message)


@pytest.fixture
def redis_url():
    """The real Redis the suite runs against (REDIS_URL), or skip with the reason."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: Redis channel-layer tests run in CI (.ci/run) against a real Redis")
    return url


@pytest.fixture
def redis_layer(redis_url, settings):
    """The production channel layer (settings' backend and Redis connection options) on the real Redis, emptied
    before the test. (channels-redis' defaults would time out an idle receive after 5 s: not what runs.)"""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "rtcc.outages.ResilientRedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": redis_url, **settings.REDIS_CHANNEL_HOST}],
                "prefix": f"rtcc-test-{os.getpid()}",
            },
        }
    }
    layer = get_channel_layer()
    async_to_sync(layer.flush)()
    yield layer
    async_to_sync(layer.flush)()


@pytest.fixture
def memory_layer(settings):
    from channels.layers import get_channel_layer

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return get_channel_layer()


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of the test's own on a free port, which the test may stop."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("private redis-server did not start")
    yield {"url": f"redis://127.0.0.1:{port}/0", "process": proc}
    if proc.poll() is None:
        proc.terminate()
        proc.wait(5)


class LiveASGIServer:
    """The project's ASGI application served by uvicorn in a thread (pages, API and websockets)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        import uvicorn

        from rtcc.asgi import application

        config = uvicorn.Config(application, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def live_asgi(transactional_db, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    server = LiveASGIServer()
    server.start()
    yield server
    server.stop()
    _close_other_sessions()


def _close_other_sessions():
    """Close the database session of asgiref's thread for sync code, so the test database can be dropped."""
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


def sign_in(page, base_url, username):
    """Sign in through the login form, as a person would (every test user has PASSWORD)."""
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


# Reports each refusal by the Content-Security-Policy as a console error (Chromium logs most of them itself).
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (e) => console.error(
  "Content Security Policy violation: " + e.violatedDirective + " refused " + (e.blockedURI || "inline code") +
  " at " + e.sourceFile + ":" + e.lineNumber));"""


class CspWatchedBrowser:
    """The launched Chromium; every context and page it opens records what the Content-Security-Policy refused."""

    def __init__(self, instance):
        self._instance = instance
        self.csp_violations = []

    def __getattr__(self, name):
        return getattr(self._instance, name)

    def _watch(self, context):
        context.add_init_script(CSP_LISTENER)
        context.on("console", self._console)
        return context

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.csp_violations.append(f"{message.page.url if message.page else '?'}: {text}")

    def new_context(self, *args, **kwargs):
        return self._watch(self._instance.new_context(*args, **kwargs))

    def new_page(self, *args, **kwargs):
        page = self._instance.new_page(*args, **kwargs)
        self._watch(page.context)
        return page


@pytest.fixture
def browser():
    """Headless Chromium; the test fails if any page it opened broke the Content-Security-Policy."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need Debian's Chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs its own event loop; Django must allow ORM calls in the test around it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            instance = CspWatchedBrowser(pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS))
            yield instance
            instance.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    if instance.csp_violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(instance.csp_violations), pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def _close_thread_sessions_before_teardown(django_db_setup, django_db_blocker):
    """Async tests touch the database from asgiref's thread; close that session before the test database is dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        _close_other_sessions()
        if connection.vendor == "postgresql":
            # A server thread's session can outlive its thread; end whatever remains.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


SYSTEM_PYTHON = "/usr/bin/python3"


class RtspServer:
    """scripts/rtsp_server.py in a subprocess, on a fixed port so it can be stopped and started again."""

    def __init__(self, mounts):
        self.mounts = mounts
        self.port = free_port()
        self.process = None

    def url(self, name):
        return f"rtsp://127.0.0.1:{self.port}/{name}"

    def start(self):
        args = [SYSTEM_PYTHON, str(REPO / "scripts" / "rtsp_server.py"), "--port", str(self.port)]
        for name, spec in self.mounts.items():
            args += ["--mount", f"{name}={spec}"]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if line.strip() != "READY":
            self.process.kill()
            raise RuntimeError(f"RTSP server did not start: {line} {self.process.stderr.read()[-2000:]}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def rtsp_available():
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run(
        [
            SYSTEM_PYTHON,
            "-c",
            "import gi; gi.require_version('GstRtspServer', '1.0'); gi.require_version('Gst', '1.0');"
            "from gi.repository import Gst, GstRtspServer; Gst.init(None);"
            "assert all(Gst.ElementFactory.find(e) for e in ('timeoverlay', 'x264enc', 'rtph264pay'))",
        ],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.fixture
def rtsp_server():
    """rtsp_server({"cam": "test:ball:640x360:10"}) -> a started RtspServer, stopped after the test."""
    if not rtsp_available():
        pytest.skip(
            "GStreamer's RTSP server is not installed for /usr/bin/python3 (apt-get install python3-gi "
            "gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly "
            "gstreamer1.0-x)"
        )
    servers = []

    def start(mounts):
        server = RtspServer(mounts)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Snapshots and other cached values must not leak from one test into the next (ids are reused)."""
    from django.core.cache import cache

    cache.clear()
    yield
