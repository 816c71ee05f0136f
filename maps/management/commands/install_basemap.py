"""`manage.py install_basemap PATH`: check a raster MBTiles file, copy it in, and serve it as the street map."""

from django.core.management.base import BaseCommand, CommandError

from maps.mbtiles import BasemapError
from maps.services import basemap_install


class Command(BaseCommand):
    help = "Install a raster MBTiles basemap (PNG or JPEG tiles) of the city; prints its area and zoom levels."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .mbtiles file.")
        parser.add_argument("--name", default="", help="A name for it (default: the file's own).")

    def handle(self, *args, path, name, **options):
        try:
            basemap = basemap_install(source=path, name=name, progress=self.stdout.write)
        except (BasemapError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        west, south, east, north = basemap.bounds
        self.stdout.write(
            self.style.SUCCESS(f"Installed basemap {basemap.name!r}: {basemap.tile_count} {basemap.tile_format} tiles.")
        )
        self.stdout.write(f"Area: west {west:.5f}, south {south:.5f}, east {east:.5f}, north {north:.5f}")
        self.stdout.write(f"Zoom levels: {basemap.min_zoom} to {basemap.max_zoom}")
