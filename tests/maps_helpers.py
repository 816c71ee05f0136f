"""A small real basemap for tests: PNG tiles of a street grid with names, drawn with OpenCV, in an MBTiles file."""

import math
import sqlite3

import cv2
import numpy as np

# The French Quarter and around, as (west, south, east, north).
AREA = (-90.10, 29.93, -90.03, 29.98)
ZOOMS = (12, 13, 14)
LAND = (233, 239, 242)  # BGR of a light map background
STREET = (255, 255, 255)
STREET_EDGE = (170, 170, 170)
RIVER = (224, 170, 120)


def lonlat_to_world(lon, lat, z):
    """Pixel position on the whole world's map at zoom z (256-pixel tiles)."""
    n = 256 * 2**z
    x = (lon + 180) / 360 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return x, y


def tile_range(z, area=AREA):
    west, south, east, north = area
    x0, y0 = (int(v // 256) for v in lonlat_to_world(west, north, z))
    x1, y1 = (int(v // 256) for v in lonlat_to_world(east, south, z))
    return range(x0, x1 + 1), range(y0, y1 + 1)


def draw_tile(z, x, y):
    """A 256x256 PNG: streets every 0.005 degrees, named, and a river; lines continue across tiles."""
    img = np.full((256, 256, 3), LAND, np.uint8)
    ox, oy = x * 256, y * 256

    def px(lon, lat):
        wx, wy = lonlat_to_world(lon, lat, z)
        return int(round(wx - ox)), int(round(wy - oy))

    width = max(2, 2 ** (z - 11))
    for i in range(-30, 31):
        lon = -90.065 + i * 0.005
        lat = 29.955 + i * 0.005
        for a, b in ((px(lon, 29.8), px(lon, 30.1)), (px(-90.3, lat), px(-89.8, lat))):
            cv2.line(img, a, b, STREET_EDGE, width + 2)
            cv2.line(img, a, b, STREET, width)
    river = np.array([px(-90.12, 29.925), px(-90.06, 29.945), px(-90.02, 29.962)])
    cv2.polylines(img, [river], False, RIVER, width * 4)
    cv2.putText(img, f"Test St z{z}", (12, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (60, 60, 60), 1, cv2.LINE_AA)
    ok, png = cv2.imencode(".png", img)
    assert ok
    return png.tobytes()


def build_mbtiles(path, *, zooms=ZOOMS, area=AREA, fmt="png", declare_bounds=True):
    """Write an MBTiles file with the spec's schema (TMS rows); returns how many tiles it holds."""
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE metadata (name text, value text);"
        "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);"
        "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
    )
    meta = {"name": "Test streets", "format": fmt, "minzoom": min(zooms), "maxzoom": max(zooms),
            "attribution": "Test tiles drawn by the test suite"}  # fmt: skip
    if declare_bounds:
        meta["bounds"] = ",".join(str(v) for v in area)
    db.executemany("INSERT INTO metadata VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
    count = 0
    for z in zooms:
        xs, ys = tile_range(z, area)
        for x in xs:
            for y in ys:
                data = draw_tile(z, x, y) if fmt == "png" else b"\x1a\x00vector"
                db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2**z - 1 - y, data))
                count += 1
    db.commit()
    db.close()
    return count
