"""Shared set-up for benchmarks that need Django."""

import os
import tempfile


def setup_django():
    """Configure Django for a benchmark: DATABASE_URL when set, else a throwaway SQLite file; migrate."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["RTCC_VAR_DIR"] = tempfile.mkdtemp(prefix="rtcc-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtcc.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main(run):
    """A benchmark run as a script: print its section, and hand it to run_all when asked (BENCH_SECTION_FILE)."""
    from pathlib import Path

    section = run()
    print(section)
    target = os.environ.get("BENCH_SECTION_FILE")
    if target:
        Path(target).write_text(section)


def serve_signed_in(application, username, log_level="error"):
    """Serve `application` with uvicorn on a free loopback port in a thread, with a superuser's session.

    Returns (port, session cookie header, server); set `server.should_exit = True` to stop it.
    """
    import socket
    import threading
    import time

    import uvicorn
    from django.conf import settings
    from django.test import Client

    from rtcc.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"is_superuser": True})
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off", log_level=log_level)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return port, cookie, server
