"""Delete plate reads past retention now (the beat also does this daily)."""

from django.core.management.base import BaseCommand

from plates.retention import purge_plate_reads, purgeable


class Command(BaseCommand):
    help = (
        "Delete plate reads older than PLATE_READ_RETENTION_DAYS unless a hit, an incident or a legal hold keeps them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, dry_run, **options):
        if dry_run:
            self.stdout.write(f"{purgeable().count()} reads would be deleted.")
            return

        def progress(done, total):
            width = 30
            filled = int(width * done / total) if total else width
            self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
            self.stdout.flush()

        report = purge_plate_reads(progress=progress)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {report['deleted']} reads older than {report['retention_days']} days; "
                f"kept {report['kept_protected']} protected by a hit, an incident or a legal hold."
            )
        )
