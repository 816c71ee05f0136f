"""Installing a basemap file and importing the city's address points (both run from management commands)."""

import csv
import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import mbtiles
from .models import AddressPoint, Basemap
from .normalise import street_key

COPY_CHUNK = 8 * 1024 * 1024


def basemap_install(*, source: Path, name: str = "", progress=lambda text: None) -> Basemap:
    """Check `source` is a raster MBTiles, copy it under MEDIA_ROOT/basemaps and make it the basemap served."""
    source = Path(source)
    summary = mbtiles.summarise(source)
    folder = Path(settings.MEDIA_ROOT) / "basemaps"
    folder.mkdir(parents=True, exist_ok=True)
    size = source.stat().st_size
    digest = hashlib.sha256()
    partial = folder / (source.name + ".part")
    copied = 0
    next_report = 0
    with source.open("rb") as src, partial.open("wb") as dst:
        while chunk := src.read(COPY_CHUNK):
            dst.write(chunk)
            digest.update(chunk)
            copied += len(chunk)
            if copied >= next_report or copied == size:
                progress(f"Copied {copied / 1e6:.1f} of {size / 1e6:.1f} MB ({100 * copied // max(size, 1)}%)")
                next_report = copied + max(size // 10, COPY_CHUNK)
    target = folder / f"{source.stem}-{digest.hexdigest()[:12]}.mbtiles"
    partial.replace(target)
    mbtiles.summarise(target)  # the copy reads back as the original did
    return Basemap.objects.create(
        name=name or summary.name,
        file=str(target.relative_to(settings.MEDIA_ROOT)),
        tile_format=summary.tile_format,
        min_zoom=summary.min_zoom,
        max_zoom=summary.max_zoom,
        west=summary.bounds[0],
        south=summary.bounds[1],
        east=summary.bounds[2],
        north=summary.bounds[3],
        tile_count=summary.tile_count,
        attribution=summary.attribution[:300],
    )


def basemap_uninstall_all() -> int:
    """Stop serving any basemap (the files stay, for an operator to delete)."""
    return Basemap.objects.all().delete()[0]


# Header names accepted for each column, lower-case: OpenAddresses first, then common open-data spellings.
COLUMNS = {
    "number": ("number", "house_number", "housenumber", "addr:housenumber", "address_number", "add_number"),
    "street": ("street", "street_name", "streetname", "addr:street", "full_street", "st_name"),
    "unit": ("unit", "apt", "unit_number"),
    "city": ("city", "municipality", "place", "addr:city"),
    "postcode": ("postcode", "zip", "zipcode", "zip_code", "postal_code", "addr:postcode"),
    "latitude": ("lat", "latitude", "y"),
    "longitude": ("lon", "lng", "long", "longitude", "x"),
}
BATCH = 5000


class AddressFileError(ValueError):
    pass


def _column_map(header):
    lower = {name.strip().lower(): i for i, name in enumerate(header)}
    found = {}
    for field, names in COLUMNS.items():
        found[field] = next((lower[n] for n in names if n in lower), None)
    missing = [f for f in ("street", "latitude", "longitude") if found[f] is None]
    if missing:
        raise AddressFileError(
            f"The file has no column for {', '.join(missing)}; expected headers like NUMBER,STREET,UNIT,CITY,"
            f"POSTCODE,LAT,LON (found: {', '.join(header)})."
        )
    return found


def _point(row, columns, default_city):
    def cell(field, limit):
        i = columns[field]
        return (row[i].strip() if i is not None and i < len(row) else "")[:limit]

    try:
        lat = Decimal(cell("latitude", 40)).quantize(Decimal("0.000001"))
        lon = Decimal(cell("longitude", 40)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        return None
    street = cell("street", 200)
    if not street or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return AddressPoint(
        number=cell("number", 20),
        street=street,
        unit=cell("unit", 40),
        city=cell("city", 100) or default_city,
        postcode=cell("postcode", 20),
        latitude=lat,
        longitude=lon,
        street_key=street_key(street),
    )


def addresses_import(*, path: Path, replace: bool = False, default_city: str = "", progress=lambda text: None):
    """Load address points from a CSV file; returns (imported, skipped). `replace` first removes the old ones."""
    imported = skipped = 0
    with Path(path).open(newline="", encoding="utf-8-sig") as f, transaction.atomic():
        reader = csv.reader(f)
        columns = _column_map(next(reader, []))
        if replace:
            AddressPoint.objects.all().delete()
        batch = []
        for row in reader:
            point = _point(row, columns, default_city)
            if point is None:
                skipped += 1
                continue
            batch.append(point)
            if len(batch) >= BATCH:
                AddressPoint.objects.bulk_create(batch)
                imported += len(batch)
                batch = []
                progress(f"{imported} addresses imported, {skipped} rows skipped")
        AddressPoint.objects.bulk_create(batch)
        imported += len(batch)
    return imported, skipped
