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
