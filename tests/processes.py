"""Helpers for tests that run the production process layout: real worker processes beside the test."""

import re
import sys
from pathlib import Path

import yaml
from django.db import connection

REPO = Path(__file__).resolve().parent.parent


def shared_database_url() -> str:
    """The test database as a URL another process can open (PostgreSQL: the worker shares the test's rows)."""
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{port}/{db['NAME']}"


def compose_command(service: str, **overrides: str) -> list[str]:
    """docker-compose.yml's command for `service`, runnable here: defaults filled in, this interpreter's tools.

    `overrides` replace `${NAME:-default}` values (for example WEB_CONCURRENCY="1").
    """
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    command = []
    for word in compose["services"][service]["command"]:
        command.append(_VARIABLE.sub(lambda m: overrides.get(m[1], m[2]), word))
    tool = command[0]
    if tool == "python":
        return [sys.executable, *command[1:]]
    return [sys.executable, "-m", tool, *command[1:]]


_VARIABLE = re.compile(r"\$\{(\w+):-([^}]*)\}")
