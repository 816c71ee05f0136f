"""Serve the whole system from one process: the ASGI web server and, in the embedded default, the workers."""

from django.conf import settings
from django.core.management.base import BaseCommand

from rtcc import embedded
from rtcc.asgi_worker import UVICORN_SETTINGS


class Command(BaseCommand):
    help = "Serve pages, API and websockets with uvicorn; start in-process Celery worker and beat when configured."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-workers", action="store_true", help="Do not start in-process workers.")

    def handle(self, *args, host, port, no_workers, **options):
        import uvicorn  # only this command serves HTTP itself

        if settings.RTCC_IN_PROCESS_WORKERS and not no_workers:
            embedded.start()
        self.stdout.write(f"RTCC serving on http://{host}:{port}/ (Ctrl+C to stop)")
        uvicorn.run("rtcc.asgi:application", host=host, port=port, log_level="info", **UVICORN_SETTINGS)
