"""Synthetic plate text-line crops for training the plate recogniser.

Every sample is drawn from a seeded random generator: a registration string
(US / EU / BR layouts, plus free strings so the model does not learn only the
layouts), rendered with a system font (Debian packages fonts-dejavu-core,
fonts-liberation, fonts-urw-base35, fonts-noto-mono) on a plate with a rim,
state / country text above and below, separators and emblems between groups,
then cropped around the registration line the way the reader's detector crops
it (loose, uneven padding, perspective, rotation), and degraded: low
resolution, blur, noise, JPEG, low contrast, uneven light.

No real photograph is used.  `make_batch(n, seed)` -> (uint8 [n, 32, 128], labels).
"""

from __future__ import annotations

import glob
import os
import string

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

H, W = 32, 128
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LET = string.ascii_uppercase
DIG = string.digits

FONT_GLOBS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans*.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans*.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf",
    "/usr/share/fonts/opentype/urw-base35/NimbusSans*.otf",
    "/usr/share/fonts/opentype/urw-base35/URWGothic-*.otf",
    "/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Bold.otf",
    "/usr/share/fonts/truetype/noto/NotoSansMono-*.ttf",
    # narrow / condensed and legibility faces closer to plate typefaces
    "/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-*.otf",
    "/usr/share/fonts/truetype/roboto/unhinted/RobotoCondensed-*.ttf",
    "/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Bold.ttf",
    "/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Medium.ttf",
    "/usr/share/fonts/opentype/b612/B612-*.otf",
    "/usr/share/fonts/opentype/b612/B612Mono-*.otf",
    "/usr/share/fonts/truetype/croscore/Arimo-*.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans*.ttf",
    "/usr/share/fonts/truetype/freefont/FreeMonoBold.ttf",
)
SMALL_WORDS = (
    "CALIFORNIA TEXAS FLORIDA NEW YORK ILLINOIS OHIO GEORGIA ARIZONA MISSOURI VIRGINIA "
    "PENNSYLVANIA MICHIGAN OREGON NEVADA COLORADO KANSAS IOWA MAINE UTAH IDAHO "
    "Sunshine State Land of Lincoln Empire State dmv.ca.gov Grand Canyon State "
    "BRASIL SP SAO PAULO RJ RIO DE JANEIRO MG BELO HORIZONTE PR CURITIBA "
    "Show Me State Lone Star State Garden State Keystone State DEALER 2014 2016 JAN 12"
).split()


def fonts() -> list[str]:
    out = []
    for g in FONT_GLOBS:
        out += [f for f in sorted(glob.glob(g)) if not any(k in f for k in ("Light", "Thin", "Oblique", "Italic"))]
    if not out:
        raise RuntimeError(
            "no fonts found: apt install fonts-dejavu-core fonts-liberation fonts-urw-base35 fonts-noto-mono"
            " fonts-roboto-unhinted fonts-b612 fonts-croscore fonts-freefont-ttf"
        )
    return out


_FONT_CACHE: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    k = (path, size)
    if k not in _FONT_CACHE:
        _FONT_CACHE[k] = ImageFont.truetype(path, size)
    return _FONT_CACHE[k]


_GLYPHS: dict[tuple, np.ndarray] = {}


def _glyph(fpath: str, size: int, c: str, asc_top: int, base: int) -> np.ndarray:
    k = (fpath, size, c)
    if k not in _GLYPHS:
        f = font(fpath, size)
        bb = f.getbbox(c)
        gw = max(1, bb[2] - bb[0])
        im = Image.new("L", (gw + 4, base - asc_top + 4), 0)
        ImageDraw.Draw(im).text((2 - bb[0], 2 - asc_top), c, font=f, fill=255)
        _GLYPHS[k] = np.asarray(im)
    return _GLYPHS[k]


LAYOUTS = {
    "us": ("LLL NNNN", "NLLL NNN", "LLL NNN", "NNN LLL", "LL NLNL", "LNN LLL", "LL NNNNN", "NNN NNN", "NLL NNNN"),
    "eu": ("LL NNN LL", "LL NNNN L", "LL NNNNN", "LLL NNNN", "LL NN LLL", "NNNN LLL", "L NNNNNN", "LL NNN L"),
    "br": ("LLL NNNN", "LLL NLNN"),
}


# Generator versions, so every committed model can be made again from its seed
# (models/README.md says which model used which): each adds to the one before.
STYLES = {
    "v2": frozenset(),  # narrow fonts, straightened glyphs, stroke weight, hard pairs, frames / bolts / stickers
    "v3": frozenset({"swap", "stickers2", "band2"}),  # + look-alike glyph swaps, CZ / SK stickers, real bands
    "v4": frozenset({"swap", "stickers2", "band2", "open4"}),  # + the open-top "4" of US plates,
    # and "O" / "0" as rounded rectangles (Brazil's Mandatory, FE-Schrift)
}
STYLE = STYLES["v4"]


def set_style(name: str) -> None:
    global STYLE
    if name not in STYLES:
        raise ValueError(f"unknown generator style {name!r}; choose one of {sorted(STYLES)}")
    STYLE = STYLES[name]


HARD_LET = "WNVMHUJDOQBLIKXYEFP"
HARD_DIG = "80146532"


def straighten(a: np.ndarray, k: float) -> np.ndarray:
    """Stretch the straight middle of a glyph and squash its round top and bottom
    back to the same height: system fonts' glyphs look more like the tall,
    straight-sided plate typefaces (FE-Schrift, Mandatory, US state fonts)."""
    h, w = a.shape
    t, b = int(h * 0.3), int(h * 0.7)
    if b - t < 2 or w < 2:
        return a
    mid = cv2.resize(a[t:b], (w, max(1, int((b - t) * k))), interpolation=cv2.INTER_LINEAR)
    return cv2.resize(np.vstack([a[:t], mid, a[b:]]), (w, h), interpolation=cv2.INTER_AREA)


def open_four(shape: tuple[int, int], stroke: int, rng: np.random.Generator) -> np.ndarray:
    """A "4" whose top is open (the left stroke does not meet the upright), as
    in the California and many other US plate typefaces, where readers take it
    for an "L"."""
    h, w = shape
    g = np.zeros((h, w), np.uint8)
    m = 2  # the glyph canvas margin
    xr = int(w * rng.uniform(0.55, 0.68))
    yb = int(h * rng.uniform(0.58, 0.68))
    cv2.rectangle(g, (xr, m + int(h * rng.uniform(0.0, 0.12))), (xr + stroke, h - 1 - m), 255, -1)
    cv2.rectangle(g, (m, yb), (w - 1 - m, yb + stroke), 255, -1)
    x_top = int(w * rng.uniform(0.05, 0.4))
    cv2.line(g, (x_top + stroke // 2, m), (m + stroke // 2, yb), 255, max(1, stroke), cv2.LINE_AA)
    return g


def square_ring(shape: tuple[int, int], stroke: int, rng: np.random.Generator) -> np.ndarray:
    """An "O" / "0" drawn as a rounded rectangle with straight sides, as in
    the Mandatory and FE-Schrift plate typefaces (readers take it for a "D")."""
    h, w = shape
    g = np.zeros((h, w), np.uint8)
    m = 2
    x0, x1 = m + int(w * rng.uniform(0.0, 0.1)), w - 1 - m - int(w * rng.uniform(0.0, 0.1))
    r = int(min(x1 - x0, h) * rng.uniform(0.2, 0.45))
    pil = Image.fromarray(g)
    ImageDraw.Draw(pil).rounded_rectangle((x0, m, x1, h - 1 - m), radius=max(1, r), outline=255, width=max(1, stroke))
    return np.asarray(pil).copy()


def _stroke(fpath: str, size: int, asc_top: int, base: int) -> int:
    """Stroke width of a font at this size: the ink per row of its "I"."""
    a = _glyph(fpath, size, "I", asc_top, base)
    mid = a[a.shape[0] // 4 : 3 * a.shape[0] // 4]
    return max(1, int(round(float((mid > 127).sum(axis=1).mean()))))


def plate_text(rng: np.random.Generator) -> tuple[str, list[str]]:
    """A registration string and its groups (split where a gap/separator goes)."""
    r = rng.random()
    if r < 0.3:  # free string: any characters, any length
        n = int(rng.integers(4, 9))
        s = "".join(rng.choice(list(ALPHABET), n))
        cuts = sorted(rng.choice(range(1, n), size=int(rng.integers(0, 3)), replace=False).tolist()) if n > 2 else []
        groups, last = [], 0
        for c in cuts + [n]:
            groups.append(s[last:c])
            last = c
        return s, [g for g in groups if g]
    region = ("us", "eu", "br")[int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
    pat = LAYOUTS[region][int(rng.integers(len(LAYOUTS[region])))]
    groups = []
    for part in pat.split():
        groups.append("".join(rng.choice(list(LET if p == "L" else DIG)) for p in part))
    if rng.random() < 0.35:  # more of the pairs readers confuse (W/N/V/M, 8/B, 4/L, U/J, O/D, 1/I ...)
        groups = [
            "".join(
                (rng.choice(list(HARD_LET)) if c in LET else rng.choice(list(HARD_DIG))) if rng.random() < 0.4 else c
                for c in g
            )
            for g in groups
        ]
    if rng.random() < 0.3 and len(groups) > 1:  # no gap at all
        groups = ["".join(groups)]
    return "".join(groups), groups


def _colour(rng, dark: bool) -> tuple[int, int, int]:
    if dark:
        base = rng.integers(0, 70, 3)
        if rng.random() < 0.35:  # dark blue / red / green text
            k = int(rng.integers(3))
            base[k] = rng.integers(60, 150)
    else:
        base = rng.integers(170, 256, 3)
        if rng.random() < 0.3:  # yellow, cream, light blue plates
            base[int(rng.integers(3))] = rng.integers(90, 200)
    return tuple(int(v) for v in base)


def render_plate(rng: np.random.Generator, groups: list[str], font_list: list[str]):
    """Draw the plate in RGB at ~56 px character height.

    Returns (image, text quad [4x2] around the registration characters)."""
    ch = int(rng.integers(30, 44))
    fpath = font_list[int(rng.integers(len(font_list)))]
    f = font(fpath, int(ch * 1.35))
    inverse = rng.random() < 0.12
    bg = _colour(rng, dark=inverse)
    fg = _colour(rng, dark=not inverse)
    hscale = float(rng.uniform(0.55, 1.25))  # condensed ... wide plate fonts
    stretch = float(rng.uniform(1.3, 2.2)) if rng.random() < 0.4 else 1.0
    weight = int(rng.choice([-1, 0, 0, 0, 1, 2])) * max(1, ch // 25)  # thinner / bolder strokes
    spacing = float(rng.uniform(-0.02, 0.25)) * ch
    gap_kind = rng.choice(["space", "dash", "dot", "emblem", "none"], p=[0.35, 0.2, 0.15, 0.15, 0.15])
    # glyphs, each drawn alone then squeezed horizontally
    pieces = []
    for gi, g in enumerate(groups):
        if gi:
            pieces.append(("gap", gap_kind))
        for c in g:
            pieces.append(("c", c))
    bbox_a = f.getbbox("A")
    asc_top, base = bbox_a[1], bbox_a[3]
    glyphs = []
    # plate typefaces blur some pairs: a flagless "1" that is a plain bar like
    # "I" (Brazil's Mandatory, many US fonts), a "0" as wide as "O", an "O" as
    # narrow as "0" (FE-Schrift); the layout rules decide those, not the shape.
    swap = {}
    if "swap" in STYLE:
        if rng.random() < 0.3:
            swap["1"] = "I"
        if rng.random() < 0.15:
            swap["0"] = "O"
        if rng.random() < 0.15:
            swap["O"] = "0"
    open4 = "open4" in STYLE and rng.random() < 0.3
    square_o = "open4" in STYLE and rng.random() < 0.25
    for kind, c in pieces:
        if kind == "c":
            a = _glyph(fpath, int(ch * 1.35), swap.get(c, c), asc_top, base)
            if c == "4" and open4:
                a = open_four(a.shape, _stroke(fpath, int(ch * 1.35), asc_top, base), rng)
            elif c in "O0" and square_o:
                sq = square_ring(a.shape, _stroke(fpath, int(ch * 1.35), asc_top, base), rng)
                a = sq if c == "O" else cv2.resize(sq, (max(3, int(sq.shape[1] * 0.85)), sq.shape[0]))
            if stretch != 1.0:
                a = straighten(a, stretch)
            if weight:
                ker = np.ones((abs(weight) + 1, abs(weight) + 1), np.uint8)
                a = cv2.dilate(a, ker) if weight > 0 else cv2.erode(a, ker)
            a = cv2.resize(a, (max(1, int(a.shape[1] * hscale)), a.shape[0]), interpolation=cv2.INTER_AREA)
            glyphs.append(("c", a))
        else:
            glyphs.append(("gap", c))
    th = base - asc_top + 4
    # total width
    widths = []
    for kind, a in glyphs:
        if kind == "c":
            widths.append(a.shape[1] + spacing)
        else:
            widths.append({"space": 0.45, "dash": 0.5, "dot": 0.35, "emblem": 0.7, "none": 0.0}[a] * ch)
    tw = int(sum(widths) - spacing) + 4
    # plate canvas
    mx = int(ch * rng.uniform(0.3, 1.2))
    top = int(ch * rng.uniform(0.25, 1.0))
    bot = int(ch * rng.uniform(0.25, 1.0))
    pw, ph = tw + 2 * mx, th + top + bot
    plate = np.zeros((ph, pw, 3), np.uint8)
    plate[:] = bg
    if rng.random() < 0.5:  # vertical gradient / painted background
        g = np.linspace(rng.uniform(-40, 0), rng.uniform(0, 40), ph)[:, None, None]
        plate = np.clip(plate.astype(np.float32) + g, 0, 255).astype(np.uint8)
    pil = Image.fromarray(plate)
    d = ImageDraw.Draw(pil)
    # rim
    if rng.random() < 0.7:
        rc = _colour(rng, dark=not inverse) if rng.random() < 0.8 else bg
        t = int(rng.integers(1, max(2, ch // 10)))
        ins = int(rng.integers(0, max(1, ch // 6)))
        d.rounded_rectangle((ins, ins, pw - 1 - ins, ph - 1 - ins), radius=int(ch * 0.2), outline=rc, width=t)
    # small text above / below
    for where in ("top", "bottom"):
        if rng.random() < 0.55:
            words = " ".join(rng.choice(SMALL_WORDS, int(rng.integers(1, 3))))
            sf = font(font_list[int(rng.integers(len(font_list)))], int(ch * rng.uniform(0.28, 0.55)))
            col = _colour(rng, dark=not inverse) if rng.random() < 0.7 else _colour(rng, dark=True)
            sw = d.textlength(words, font=sf)
            x = (pw - sw) / 2 + rng.uniform(-0.2, 0.2) * pw
            y = rng.uniform(0.0, 0.3) * top if where == "top" else top + th + rng.uniform(0.0, 0.4) * bot
            d.text((x, y), words, font=sf, fill=col)
    plate = np.asarray(pil).copy()
    # characters
    x = mx
    y0 = top
    for (kind, a), w in zip(glyphs, widths, strict=False):
        if kind == "c":
            hh, ww = a.shape
            sub = plate[y0 : y0 + hh, int(x) : int(x) + ww].astype(np.float32)
            al = a[: sub.shape[0], : sub.shape[1]].astype(np.float32)[:, :, None] / 255.0
            plate[y0 : y0 + hh, int(x) : int(x) + ww] = (sub * (1 - al) + np.array(fg, np.float32) * al).astype(
                np.uint8
            )
        elif a != "space" and a != "none":
            cx, cy = int(x + w / 2 - spacing / 2), int(y0 + th / 2)
            if a == "dash":
                cv2.rectangle(plate, (int(cx - 0.18 * ch), cy - ch // 14), (int(cx + 0.18 * ch), cy + ch // 14), fg, -1)
            elif a == "dot":
                cv2.circle(plate, (cx, cy), max(2, ch // 12), fg, -1)
            elif "stickers2" in STYLE and rng.random() < 0.35:  # two round inspection stickers stacked (CZ / SK)
                r = max(2, int(ch * rng.uniform(0.13, 0.2)))
                for dy in (-r - 1, r + 1):
                    col = tuple(int(v) for v in rng.integers(0, 256, 3))
                    cv2.circle(plate, (cx, cy + dy), r, col, -1)
                    if rng.random() < 0.6:
                        cv2.circle(
                            plate, (cx, cy + dy), max(1, r // 2), tuple(int(v) for v in rng.integers(0, 256, 3)), -1
                        )
            else:  # emblem: a small coat of arms / sticker
                col = tuple(int(v) for v in rng.integers(0, 256, 3))
                r = int(ch * rng.uniform(0.2, 0.32))
                if rng.random() < 0.5:
                    cv2.rectangle(plate, (cx - r, cy - r), (cx + r, cy + r), col, -1)
                else:
                    cv2.ellipse(plate, (cx, cy), (r, int(r * 1.3)), 0, 0, 360, col, -1)
                if rng.random() < 0.5:
                    cv2.rectangle(plate, (cx - r // 2, cy - r // 2), (cx, cy), fg, -1)
        x += w
    _clutter(rng, plate, mx, top, tw, th, ch, fg, bg)
    quad = np.array([[mx, top], [mx + tw, top], [mx + tw, top + th], [mx, top + th]], np.float32)
    # the plate sits on a car: surround it with a random body colour
    pad = ch * 2
    body = np.zeros((ph + 2 * pad, pw + 2 * pad, 3), np.uint8)
    body[:] = tuple(int(v) for v in rng.integers(0, 256, 3))
    body[pad : pad + ph, pad : pad + pw] = plate
    return body, quad + pad, ch


def _clutter(rng, plate, mx, top, tw, th, ch, fg, bg) -> None:
    """Things around and over the characters on real plates: a frame's edge
    over the top or bottom of the characters, bolt heads, registration
    stickers, an EU-style blue band at the left."""
    ph, pw = plate.shape[:2]
    if rng.random() < 0.2:  # frame edge covering up to ~15 % of the characters
        cover = int(th * rng.uniform(0.0, 0.15))
        col = tuple(int(v) for v in (rng.integers(0, 60, 3) if rng.random() < 0.6 else rng.integers(150, 230, 3)))
        if rng.random() < 0.6:
            cv2.rectangle(plate, (0, top + th - cover), (pw, ph), col, -1)
        else:
            cv2.rectangle(plate, (0, 0), (pw, top + cover), col, -1)
    if rng.random() < 0.25:  # bolt heads above / below the characters
        r = max(2, int(ch * rng.uniform(0.06, 0.12)))
        y = int(top * rng.uniform(0.3, 0.8)) if rng.random() < 0.6 else int(top + th + (ph - top - th) * 0.5)
        col = tuple(int(v) for v in rng.integers(90, 220, 3))
        for xx in (int(mx + tw * rng.uniform(0.15, 0.3)), int(mx + tw * rng.uniform(0.7, 0.85))):
            cv2.circle(plate, (xx, y), r, col, -1)
    if rng.random() < 0.2:  # a registration sticker in a corner
        sw, sh = int(ch * rng.uniform(0.4, 0.8)), int(ch * rng.uniform(0.3, 0.6))
        x0 = int(rng.uniform(0, max(1, mx - sw * 0.3))) if rng.random() < 0.5 else int(pw - sw - rng.uniform(0, mx))
        y0 = int(rng.uniform(0, max(1, top - sh * 0.5)))
        col = tuple(int(v) for v in rng.integers(0, 256, 3))
        cv2.rectangle(plate, (x0, y0), (x0 + sw, y0 + sh), col, -1)
    if "band2" not in STYLE:
        if rng.random() < 0.12 and mx > ch * 0.45:  # a plain blue band with a country code
            bw = int(mx * rng.uniform(0.6, 0.9))
            blue = (int(rng.integers(0, 40)), int(rng.integers(30, 80)), int(rng.integers(120, 200)))
            cv2.rectangle(plate, (0, 0), (bw, ph), blue, -1)
            code = str(rng.choice(["D", "HR", "F", "NL", "I", "A", "PL"]))
            scale, thick = max(0.3, bw / 40), max(1, bw // 20)
            cv2.putText(plate, code, (2, int(ph * 0.85)), cv2.FONT_HERSHEY_SIMPLEX, scale, (240, 240, 240), thick)
    elif rng.random() < 0.25 and mx > ch * 0.4:  # the country band at the left (EU, older SK / CZ plates)
        bw = int(mx * rng.uniform(0.6, 0.95))
        code = str(rng.choice(["D", "HR", "F", "NL", "I", "A", "PL", "SK", "CZ", "SLO", "H", "B", "E", "P", "RO"]))
        pil = Image.fromarray(plate)
        d = ImageDraw.Draw(pil)
        if rng.random() < 0.7:  # blue band, ring of stars, white code
            d.rectangle(
                (0, 0, bw, ph), fill=(int(rng.integers(0, 40)), int(rng.integers(30, 90)), int(rng.integers(120, 210)))
            )
            r = bw * 0.28
            for k in range(12):
                t = 2 * np.pi * k / 12
                sx, sy = bw / 2 + r * np.cos(t), ph * 0.32 + r * np.sin(t)
                d.ellipse((sx - 1.2, sy - 1.2, sx + 1.2, sy + 1.2), fill=(230, 200, 30))
            txt = (240, 240, 240)
        else:  # white plate: a small coat of arms over the code, no band colour
            cxa, sz = bw / 2, bw * 0.3
            d.rectangle((cxa - sz, ph * 0.12, cxa + sz, ph * 0.12 + 1.6 * sz), fill=(200, 30, 40))
            d.rectangle(
                (cxa - sz * 0.15, ph * 0.12 + 0.2 * sz, cxa + sz * 0.15, ph * 0.12 + 1.3 * sz), fill=(240, 240, 240)
            )
            d.rectangle(
                (cxa - sz * 0.6, ph * 0.12 + 0.5 * sz, cxa + sz * 0.6, ph * 0.12 + 0.7 * sz), fill=(240, 240, 240)
            )
            txt = fg
        fsz = max(6, int(min(ch * rng.uniform(0.3, 0.5), bw / max(1, len(code)) * 1.3)))
        sf = font(fonts()[0], fsz)
        tw_ = d.textlength(code, font=sf)
        d.text(((bw - tw_) / 2, ph * rng.uniform(0.55, 0.7)), code, font=sf, fill=txt)
        plate[:] = np.asarray(pil)


def degrade(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Grey image at its final small size -> camera-like image."""
    g = img.astype(np.float32)
    # contrast / brightness / gamma
    c = rng.uniform(0.25, 1.2) if rng.random() < 0.4 else rng.uniform(0.7, 1.1)
    g = (g - g.mean()) * c + g.mean() + rng.uniform(-50, 50)
    g = np.clip(g, 0, 255)
    g = 255.0 * (g / 255.0) ** rng.uniform(0.6, 1.7)
    # uneven light: a linear ramp or a bright spot
    h, w = g.shape
    if rng.random() < 0.4:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        a, b = rng.normal(0, 1, 2)
        ramp = (a * xx / w + b * yy / h) * rng.uniform(10, 70)
        g = g + ramp
    if rng.random() < 0.1:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        s = rng.uniform(0.1, 0.5) * w
        g = g + rng.uniform(40, 150) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))
    # blur
    r = rng.random()
    if r < 0.35:
        k = rng.uniform(0.3, 1.2) * min(1.0, g.shape[0] / 24)
        g = cv2.GaussianBlur(g, (0, 0), k)
    elif r < 0.5:
        n = int(rng.integers(2, 5))
        ker = np.zeros((n, n), np.float32)
        if rng.random() < 0.5:
            ker[n // 2, :] = 1
        else:
            np.fill_diagonal(ker, 1)
        g = cv2.filter2D(g, -1, ker / ker.sum())
    g = g + rng.normal(0, rng.uniform(0, 12), g.shape)
    g = np.clip(g, 0, 255).astype(np.uint8)
    if rng.random() < 0.6:
        q = int(rng.integers(15, 90))
        ok, enc = cv2.imencode(".jpg", g, [cv2.IMWRITE_JPEG_QUALITY, q])
        if ok:
            g = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE)
    return g


def sample(rng: np.random.Generator, font_list: list[str]) -> tuple[np.ndarray, str]:
    text, groups = plate_text(rng)
    body, quad, ch = render_plate(rng, groups, font_list)
    # crop quad: the detector's text box (loose or tight) + the reader's padding
    x0, y0 = quad[0]
    x1, y1 = quad[2]
    th = y1 - y0
    pl = th * rng.uniform(0.08, 0.6)
    pr = th * rng.uniform(0.08, 0.6)
    pt = th * rng.uniform(0.0, 0.45)
    pb = th * rng.uniform(0.0, 0.45)
    src = np.array([[x0 - pl, y0 - pt], [x1 + pr, y0 - pt], [x1 + pr, y1 + pb], [x0 - pl, y1 + pb]], np.float32)
    # perspective / rotation / shear: move the corners
    jit = th * rng.uniform(0.0, 0.06)
    src += rng.normal(0, 1, src.shape).astype(np.float32) * jit
    if rng.random() < 0.5:
        ang = np.deg2rad(rng.normal(0, 3))
        c = src.mean(axis=0)
        R = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]], np.float32)
        src = (src - c) @ R.T + c
    if rng.random() < 0.3:  # slant
        sh = rng.uniform(-0.25, 0.25) * th
        src[0, 0] += sh
        src[1, 0] += sh
        src[2, 0] -= sh
        src[3, 0] -= sh
    # intermediate resolution: the plate's characters were this many pixels tall
    char_px = float(np.exp(rng.uniform(np.log(11), np.log(60))))
    sh_ = max(6, int(round(char_px * (1 + (pt + pb) / th))))
    cw = float(np.linalg.norm(src[1] - src[0]))
    chh = float(np.linalg.norm(src[3] - src[0]))
    sw_ = max(8, int(round(sh_ * cw / max(chh, 1))))
    dst = np.array([[0, 0], [sw_ - 1, 0], [sw_ - 1, sh_ - 1], [0, sh_ - 1]], np.float32)
    M = cv2.getPerspectiveTransform(src, dst)
    grey = cv2.cvtColor(body, cv2.COLOR_RGB2GRAY) if rng.random() < 0.7 else body[:, :, int(rng.integers(3))]
    small = cv2.warpPerspective(grey, M, (sw_, sh_), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    small = degrade(rng, small)
    out = cv2.resize(small, (W, H), interpolation=cv2.INTER_AREA if sh_ > H else cv2.INTER_CUBIC)
    return out, text


def make_batch(n: int, seed: int, style: str | None = None) -> tuple[np.ndarray, list[str]]:
    if style:
        set_style(style)
    rng = np.random.default_rng(seed)
    fl = fonts()
    xs = np.zeros((n, H, W), np.uint8)
    ys = []
    for i in range(n):
        xs[i], t = sample(rng, fl)
        ys.append(t)
    return xs, ys


if __name__ == "__main__":
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 48
    xs, ys = make_batch(n, int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    cols = 6
    rows = [np.hstack(list(xs[i : i + cols])) for i in range(0, n - n % cols, cols)]
    out = os.environ.get("OUT", "var/synth_montage.png")
    cv2.imwrite(out, cv2.resize(np.vstack(rows), None, fx=1.5, fy=1.5))
    print(" ".join(ys))
