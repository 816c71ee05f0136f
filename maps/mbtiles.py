"""Reading raster MBTiles files (SQLite: `metadata` and `tiles` in TMS row order), as the MBTiles 1.3 spec lays out.

Files are opened read-only; nothing here writes to them.
"""

import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg"}


class BasemapError(ValueError):
    """The file is not a basemap this app can serve; the message says why, in plain words."""


@dataclass
class Summary:
    name: str
    tile_format: str
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]  # west, south, east, north
    tile_count: int
    attribution: str
    levels: dict[int, int]  # zoom -> tiles at that zoom


def open_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, check_same_thread=False)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """West, south, east, north of an XYZ (web map) tile, in degrees."""
    n = 2**z

    def lat(row):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return (x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y))


def _sniff(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpg"
    if data.startswith(b"\x1f\x8b") or data[:1] in (b"\x1a", b"\x0a", b"\x12"):
        return "pbf"
    return "unknown"


def summarise(path: Path) -> Summary:
    """Check the file is a raster MBTiles and read its area and zoom levels; BasemapError if it is not."""
    path = Path(path)
    if not path.is_file():
        raise BasemapError(f"{path} is not a file.")
    with path.open("rb") as f:
        if f.read(16) != SQLITE_MAGIC:
            raise BasemapError(f"{path.name} is not an MBTiles file (not an SQLite database).")
    db = open_readonly(path)
    try:
        try:
            meta = dict(db.execute("SELECT name, value FROM metadata").fetchall())
            levels = dict(db.execute("SELECT zoom_level, COUNT(*) FROM tiles GROUP BY zoom_level").fetchall())
            first = db.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BasemapError(f"{path.name} lacks the MBTiles tables (metadata, tiles): {exc}.") from exc
        if not levels or first is None:
            raise BasemapError(f"{path.name} holds no tiles.")
        declared = (meta.get("format") or "").lower().replace("jpeg", "jpg")
        found = _sniff(bytes(first[0]))
        if "pbf" in (declared, found):
            raise BasemapError(
                f"{path.name} holds vector tiles; this app serves raster tiles (PNG or JPEG). "
                "Render the area to a raster MBTiles first (see README, Maps)."
            )
        if found not in IMAGE_TYPES:
            raise BasemapError(f"{path.name}: its tiles are neither PNG nor JPEG.")
        bounds = _declared_bounds(meta.get("bounds")) or _tile_area(db, max(levels))
        return Summary(
            name=meta.get("name") or path.stem,
            tile_format=found,
            min_zoom=min(levels),
            max_zoom=max(levels),
            bounds=bounds,
            tile_count=sum(levels.values()),
            attribution=meta.get("attribution", ""),
            levels=dict(sorted(levels.items())),
        )
    finally:
        db.close()


def _declared_bounds(text):
    try:
        west, south, east, north = (float(v) for v in (text or "").split(","))
    except ValueError:
        return None
    if -180 <= west < east <= 180 and -90 <= south < north <= 90:
        return (west, south, east, north)
    return None


def _tile_area(db, zoom):
    """The area the tiles at `zoom` cover, when the metadata does not say."""
    x0, x1, r0, r1 = db.execute(
        "SELECT MIN(tile_column), MAX(tile_column), MIN(tile_row), MAX(tile_row) FROM tiles WHERE zoom_level = ?",
        (zoom,),
    ).fetchone()
    top = 2**zoom - 1
    west, _, _, north = tile_bounds(zoom, x0, top - r1)
    _, south, east, _ = tile_bounds(zoom, x1, top - r0)
    return (west, south, east, north)


def read_tile(path: Path, z: int, x: int, y: int) -> bytes | None:
    """The tile's bytes at XYZ address z/x/y, or None where the file has none."""
    if z < 0 or z > 30 or not (0 <= x < 2**z and 0 <= y < 2**z):
        return None
    db = open_readonly(path)
    try:
        row = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, 2**z - 1 - y),
        ).fetchone()
    finally:
        db.close()
    return bytes(row[0]) if row else None
