"""Helpers for tests that run the production process layout: real worker processes beside the test."""

from django.db import connection


def shared_database_url() -> str:
    """The test database as a URL another process can open (PostgreSQL: the worker shares the test's rows)."""
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{port}/{db['NAME']}"
