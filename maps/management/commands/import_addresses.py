"""`manage.py import_addresses PATH`: load the city's address points (OpenAddresses-style CSV) for address search."""

from django.core.management.base import BaseCommand, CommandError

from maps.services import AddressFileError, addresses_import


class Command(BaseCommand):
    help = "Import address points from a CSV with headers like NUMBER,STREET,UNIT,CITY,POSTCODE,LAT,LON."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--replace", action="store_true", help="Remove the address points imported before.")
        parser.add_argument("--city", default="", help="City name for rows that have none.")

    def handle(self, *args, path, replace, city, **options):
        try:
            imported, skipped = addresses_import(
                path=path, replace=replace, default_city=city, progress=self.stdout.write
            )
        except (AddressFileError, OSError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {imported} addresses ({skipped} rows skipped)."))
