"""Plate text normalisation, plausibility and look-alike correction.

Everything here is plain Python: it works on strings and on the per-position
character probabilities a recogniser gives, and knows a little about plate
layouts (classes of characters per position) in the regions we care about.

Layout strings use ``L`` for a letter, ``N`` for a digit and ``A`` for either.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"

# Look-alike table. Letter -> digit it is confused with, and digit -> letters.
LETTER_TO_DIGIT: dict[str, str] = {
    "O": "0",
    "D": "0",
    "Q": "0",
    "U": "0",
    "I": "1",
    "L": "1",
    "J": "1",
    "T": "7",
    "B": "8",
    "S": "5",
    "Z": "2",
    "G": "6",
    "A": "4",
}
DIGIT_TO_LETTER: dict[str, str] = {
    "0": "O",
    "1": "I",
    "8": "B",
    "5": "S",
    "2": "Z",
    "6": "G",
    "4": "A",
    "7": "T",
}
# Full symmetric look-alike groups (used to build alternatives).
LOOKALIKE_GROUPS: tuple[str, ...] = ("O0DQ", "I1L", "B8", "S5", "Z2", "G6")

# Words printed on plates that are not the registration (state names, country
# names, slogans).  Matching one of these makes a reading implausible.
PLATE_WORDS = frozenset(
    """
ALABAMA ALASKA ARIZONA ARKANSAS CALIFORNIA COLORADO CONNECTICUT DELAWARE FLORIDA
GEORGIA HAWAII IDAHO ILLINOIS INDIANA IOWA KANSAS KENTUCKY LOUISIANA MAINE MARYLAND
MASSACHUSETTS MICHIGAN MINNESOTA MISSISSIPPI MISSOURI MONTANA NEBRASKA NEVADA
NEWHAMPSHIRE NEWJERSEY NEWMEXICO NEWYORK NORTHCAROLINA NORTHDAKOTA OHIO OKLAHOMA
OREGON PENNSYLVANIA RHODEISLAND SOUTHCAROLINA SOUTHDAKOTA TENNESSEE TEXAS UTAH
VERMONT VIRGINIA WASHINGTON WESTVIRGINIA WISCONSIN WYOMING DC
BRASIL BRAZIL MERCOSUL USA AMERICA LINCOLN LANDOFLINCOLN SUNSHINE STATE
EMPIRE GARDEN GOLDEN TAXI POLICE DEALER COUNTY EXPIRES
""".split()
)

REGION_LAYOUTS: dict[str, tuple[tuple[str, str, float], ...]] = {
    # (name, pattern, prior).  Common current layouts only; anything else is
    # still read, as "generic", with a lower prior.
    "br": (("br", "LLLNNNN", 1.0), ("br-mercosul", "LLLNLNN", 1.0)),
    "us": (
        ("us", "LLLNNNN", 1.0),  # AZ TX NY PA GA OH MI VA NC ...
        ("us", "NLLLNNN", 1.0),  # CA
        ("us", "LLLNNN", 1.0),
        ("us", "NNNLLL", 1.0),
        ("us", "LLNLNL", 1.0),  # MO
        ("us", "LNNLLL", 1.0),  # NJ
        ("us", "LLNNNNN", 1.0),  # IL
    ),
    "eu": (
        ("eu", "LLNNNLL", 1.0),  # FR IT SK HR
        ("eu", "LLNNNNL", 0.8),  # HR only: rarer than LLNNNLL, where I/1 or O/0 at the 6th place leaves both
        ("eu", "LLNNNNN", 1.0),  # PL NO
        ("eu", "LLLNNNN", 1.0),  # PL SE
        ("eu", "LLNNLLL", 1.0),  # GB
        ("eu", "NNNNLLL", 1.0),  # ES
        ("eu", "NLNNNNN", 1.0),  # CZ (1A2 3456: digit, region letter, digit or letter, 4 digits)
        ("eu", "NLLNNNN", 1.0),  # CZ
    ),
}
GENERIC_PRIOR = {"us": 0.35, "eu": 0.35, "br": 0.05}
# Regions whose plates carry a band at the left edge (the blue EU band with the
# country code, on Slovak plates a coat of arms next to it) that a reader may
# take for one more leading character: a reading may then have one extra
# character before the registration, at this relative cost.
LEADING_BAND = {"eu": 0.5}
LOOKALIKE_FLOOR = 0.5  # a look-alike of the read character is at least this likely (relative)
# Glyphs of a region's plate font that readers trained on other fonts read as
# another character: (read as, printed, layout, position, relative cost: that of a
# primary look-alike pair).
# California's NLLLNNN plates print an open-top "4" as their first
# character, which every reader here reads as "L"; an L in that place of an
# L + LLLNNN string (no US layout) is then read as the 4.
FONT_MISREADS = {"us": (("L", "4", "NLLLNNN", 0, LOOKALIKE_FLOOR),)}
KNOWN_REGIONS = ("us", "eu", "br")

_STRIP = re.compile(r"[\s\-_.·:•,/\\|]+")


def normalise(text: str) -> str:
    """Upper-case, drop spaces/dashes/dots; keep only A-Z and 0-9."""
    if not text:
        return ""
    t = _STRIP.sub("", str(text)).upper()
    return "".join(c for c in t if c in ALPHABET)


def matches(text: str, pattern: str) -> bool:
    if len(text) != len(pattern):
        return False
    for c, p in zip(text, pattern, strict=False):
        if p == "L" and c not in LETTERS:
            return False
        if p == "N" and c not in DIGITS:
            return False
    return True


def is_plausible(text: str, region: str | None = None) -> bool:
    """Could this normalised string be a registration at all?"""
    t = normalise(text)
    if t != text or not (4 <= len(t) <= 8):
        return False
    if len(set(t)) == 1:
        return False
    if t in PLATE_WORDS:
        return False
    if region == "br":
        return any(matches(t, p) for _, p, _ in REGION_LAYOUTS["br"])
    # a plate is not a run of 5+ letters with no digit unless short vanity text
    return True


def is_date_or_number(raw: str) -> bool:
    """A run of 8+ digits (a date such as 20140511 on a sticker, a camera
    timestamp, a phone number) is not a registration in any region we know,
    and neither is any string made from it by dropping a character."""
    return len(raw) >= 8 and raw.isdigit()


def generic_prior(text: str, region: str | None = None) -> float:
    """Soft prior for a plate string with no fixed layout (US, EU, unknown)."""
    n = len(text)
    if n < 3 or n > 8 or text in PLATE_WORDS or len(set(text)) == 1:
        return 0.0
    p = {3: 0.15, 4: 0.45, 5: 0.85, 6: 1.0, 7: 1.0, 8: 0.8}[n]
    nd = sum(c in DIGITS for c in text)
    if nd == 0:
        p *= 0.5  # vanity plates exist but are rare
    elif nd == n:
        p *= 0.7 if n >= 5 else 0.3
    return p * GENERIC_PRIOR.get(region or "", 1.0)


def layout_prior(text: str, region: str | None = None) -> tuple[str, float]:
    """(layout name, prior) of a finished string: the best layout of the region
    (or of any region) it matches, else "generic" with `generic_prior`."""
    best = ("generic", generic_prior(text, region))
    layouts = REGION_LAYOUTS.get(region or "", ())
    if region is None:
        layouts = tuple(lay for r in KNOWN_REGIONS for lay in REGION_LAYOUTS[r])
    for name, pat, prior in layouts:
        if matches(text, pat):
            p = prior * (1.0 if region == name.split("-")[0] else 0.8)
            if p > best[1]:
                best = (name, p)
    return best


def fix_to_layout(text: str, pattern: str) -> str | None:
    """Apply the look-alike table so `text` fits `pattern`; None when impossible."""
    if len(text) != len(pattern):
        return None
    out = []
    for c, p in zip(text, pattern, strict=False):
        if p == "L" and c in DIGITS:
            c = DIGIT_TO_LETTER.get(c, "")
        elif p == "N" and c in LETTERS:
            c = LETTER_TO_DIGIT.get(c, "")
        if not c:
            return None
        out.append(c)
    return "".join(out)


def correct(text: str, region: str | None = None) -> str:
    """Correct a normalised string where the layout makes one choice certain.

    Only when exactly one layout of the region can be reached through the
    look-alike table is the string changed.
    """
    t = normalise(text)
    layouts = REGION_LAYOUTS.get(region or "", ())
    if not layouts or any(matches(t, p) for _, p, _ in layouts):
        return t
    fixed = {fix_to_layout(t, p) for _, p, _ in layouts} - {None}
    if not fixed:
        return t
    changes = sorted((sum(a != b for a, b in zip(f, t, strict=False)), f) for f in fixed)
    if len(changes) > 1 and changes[0][0] == changes[1][0]:
        return t  # two layouts equally near: not certain
    return changes[0][1]


@dataclass
class Hypothesis:
    text: str
    score: float  # geometric-mean confidence x layout prior (comparable across crops)
    char_confidences: list[float]
    layout: str
    logp: float = 0.0  # sum of log probabilities + log prior (ranking within one crop)

    def __post_init__(self):
        if not self.logp:
            prior = self.score / max(_geo(self.char_confidences), 1e-9)
            self.logp = sum(math.log(max(p, 1e-6)) for p in self.char_confidences) + math.log(max(prior, 1e-9))


def _lookalike(a: str, b: str) -> float:
    """1.0 for the table's primary look-alike pair (O/0, I/1, B/8, ...), 0.5 for
    a secondary one in the same group (D/0, Q/0, L/1), 0 otherwise."""
    if a == b:
        return 0.0
    for g in LOOKALIKE_GROUPS:
        if a in g and b in g:
            return 1.0 if {a, b} == set(g[:2]) else 0.5
    return 0.0


def _prob(options: dict[str, float], c: str, raw: str, raw_p: float) -> float:
    p = options.get(c, 0.0)
    k = _lookalike(c, raw)
    if k:
        p = max(p, k * LOOKALIKE_FLOOR * raw_p)
    return p


def _best_in(options: dict[str, float], allowed: str, raw: str, raw_p: float = 0.0) -> tuple[str, float]:
    best_c, best_p = "", -1.0
    for c in allowed:
        p = options.get(c, 0.0) if c == raw else _prob(options, c, raw, raw_p)
        if p > best_p:
            best_c, best_p = c, p
    if best_p <= 1e-6:  # the recogniser gave nothing in class: use the table
        c = DIGIT_TO_LETTER.get(raw) if allowed is LETTERS else LETTER_TO_DIGIT.get(raw)
        if c:
            return c, 0.05
    return best_c, max(best_p, 1e-4)


def _geo(ps: Sequence[float]) -> float:
    if not ps:
        return 0.0
    return math.exp(sum(math.log(max(p, 1e-6)) for p in ps) / len(ps))


def hypotheses(
    raw: str,
    char_options: Sequence[dict[str, float]],
    char_conf: Sequence[float],
    region: str | None = None,
    max_alternatives: int = 5,
    _inner: bool = False,
) -> list[Hypothesis]:
    """Score readings of one crop under every layout that fits its length.

    `char_options[i]` maps characters to the recogniser's probability at
    position i.  Returns hypotheses best first (deduplicated by text).
    """
    raw = raw or ""
    n = len(raw)
    out: dict[str, Hypothesis] = {}

    def add(h: Hypothesis):
        if h.score <= 0:
            return
        if h.text not in out or out[h.text].logp < h.logp:
            out[h.text] = h

    if n == 0 or is_date_or_number(raw):
        return []
    opts = list(char_options) if len(char_options) == n else [{c: p} for c, p in zip(raw, char_conf, strict=False)]
    conf = list(char_conf) if len(char_conf) == n else [o.get(c, 0.5) for c, o in zip(raw, opts, strict=False)]
    # as read
    add(Hypothesis(raw, _geo(conf) * generic_prior(raw, region), conf, "generic"))
    # constrained to layouts
    layouts = list(REGION_LAYOUTS.get(region or "", ()))
    if region is None:
        layouts = [lay for r in KNOWN_REGIONS for lay in REGION_LAYOUTS[r]]
    for name, pat, prior in layouts:
        if len(pat) != n:
            continue
        chars, ps = [], []
        for i, p in enumerate(pat):
            allowed = LETTERS if p == "L" else DIGITS if p == "N" else ALPHABET
            c, pr = _best_in(opts[i], allowed, raw[i], conf[i])
            chars.append(c)
            ps.append(pr)
        text = "".join(chars)
        bonus = 1.0 if region == name.split("-")[0] else 0.8
        add(Hypothesis(text, _geo(ps) * prior * bonus, ps, name))
    # a stray character at either end (a frame edge, a badge, the EU band)
    if n >= 6 and not _inner:
        weakest = min(range(1, n - 1), key=lambda k: conf[k])
        for j in (0, n - 1, weakest):
            sub_raw = raw[:j] + raw[j + 1 :]
            sub_opts, sub_conf = opts[:j] + opts[j + 1 :], conf[:j] + conf[j + 1 :]
            drop = max(1e-3, 1.0 - conf[j])
            for h in hypotheses(sub_raw, sub_opts, sub_conf, region, max_alternatives=2, _inner=True):
                add(Hypothesis(h.text, h.score * drop, h.char_confidences, h.layout, logp=h.logp + math.log(drop)))
    # single look-alike swaps, for alternatives
    for i, c in enumerate(raw):
        for g in LOOKALIKE_GROUPS:
            if c in g:
                for d in g:
                    if d == c:
                        continue
                    t = raw[:i] + d + raw[i + 1 :]
                    ps = list(conf)
                    ps[i] = max(_prob(opts[i], d, c, conf[i]), 1e-3)
                    lay = "generic"
                    pri = generic_prior(t, region)
                    for name, pat, prior in layouts:
                        if matches(t, pat):
                            lay, pri = name, max(pri, prior)
                    add(Hypothesis(t, _geo(ps) * pri, ps, lay))
    hs = sorted(out.values(), key=lambda h: -h.logp)
    return hs[:max_alternatives]
