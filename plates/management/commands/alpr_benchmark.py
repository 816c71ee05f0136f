"""Measure the plate reader on a folder in the OpenALPR benchmark layout."""

import os

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Read every NAME.jpg of DIR (or of each folder under DIR) and compare with NAME.txt; "
        "prints images, exact matches, accuracy, median and p95 ms per image on one core."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir")
        parser.add_argument("--engine", help="reader engine (default: RTCC_ALPR_ENGINE or the library default)")
        parser.add_argument(
            "--region", default="auto", help="'auto' (folder name us/eu/br is the region), 'none', or us/eu/br"
        )
        parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
        parser.add_argument("--limit", type=int, help="only the first N images of each folder")
        parser.add_argument("--each", dest="verbose_images", action="store_true", help="one line per image")

    def handle(self, *args, dir, engine, region, json, limit, verbose_images, **options):
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        from plates.alpr import UnknownEngineError
        from plates.alpr.benchmark import run

        self.stdout.ending = ""  # the library prints whole lines itself; the JSON line must stay the last one
        region = None if region.lower() == "none" else region.lower()
        try:
            run(dir, engine=engine, region=region, out=self.stdout, as_json=json, limit=limit, verbose=verbose_images)
        except (FileNotFoundError, UnknownEngineError, ValueError) as exc:
            raise CommandError(str(exc)) from None
