"""Partial and wildcard plate search served by a trigram index on PostgreSQL (SQLite scans, still correct)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS plates_plateread_plate_trgm ON plates_plateread USING gin (plate gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS plates_plateread_plate_trgm"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("plates", "0002_initial")]
    operations = [migrations.RunPython(forward, backward)]
