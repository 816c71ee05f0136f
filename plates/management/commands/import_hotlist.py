"""Import a hotlist from a CSV file, with progress and a report of every bad row."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plates.choices import HotlistSource
from plates.hotlist_import import ImportError_, hotlist_import
from plates.models import Hotlist


class Command(BaseCommand):
    help = "Import CSV rows (plate, reason[, state, vehicle_description, expires_at]) into the named hotlist."

    def add_arguments(self, parser):
        parser.add_argument("hotlist", help="Hotlist name (created if missing)")
        parser.add_argument("csv_file")
        parser.add_argument("--replace", action="store_true", help="The file is the whole list: remove the rest.")
        parser.add_argument("--source", default=HotlistSource.CUSTOM, choices=HotlistSource.values)

    def handle(self, *args, hotlist, csv_file, replace, source, **options):
        path = Path(csv_file)
        if not path.is_file():
            raise CommandError(f"No such file: {csv_file}")
        target, created = Hotlist.objects.get_or_create(name=hotlist, defaults={"source": source})

        def progress(done, total):
            width = 30
            filled = int(width * done / total) if total else width
            self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows", ending="")
            self.stdout.flush()

        try:
            report = hotlist_import(target, path.read_bytes(), replace=replace, progress=progress)
        except ImportError_ as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("")
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} hotlist {target.name!r}: {report.created} new, {report.updated} changed, "
                f"{report.removed} removed, {len(report.errors)} bad rows."
            )
        )
        for line, error in report.errors[:200]:
            self.stdout.write(f"  line {line}: {error}")
        if len(report.errors) > 200:
            self.stdout.write(f"  … and {len(report.errors) - 200} more")
