"""Street names folded to one spelling, so a typed "1200 n. carrollton avenue" finds "1200 N Carrollton Ave"."""

import re

# USPS street suffixes and directions most city files use, in both spellings.
_SHORT = {
    "street": "st", "avenue": "ave", "av": "ave", "boulevard": "blvd", "road": "rd", "drive": "dr", "place": "pl",
    "lane": "ln", "court": "ct", "parkway": "pkwy", "highway": "hwy", "expressway": "expy", "terrace": "ter",
    "square": "sq", "circle": "cir", "north": "n", "south": "s", "east": "e", "west": "w", "saint": "st",
}  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")


def street_key(text: str) -> str:
    words = _WORD.findall((text or "").lower())
    return " ".join(_SHORT.get(word, word) for word in words)


_NUMBER_FIRST = re.compile(r"^\s*(\d+[a-zA-Z]?)\b[\s,]*(.*)$")
# "Canal & Carrollton", "canal and carrollton", "Canal at Carrollton", "Canal / Carrollton".
_CROSSING = re.compile(r"\s*(?:&|\band\b|\bat\b|/|@)\s*", re.IGNORECASE)


def parse_query(text: str):
    """("number", "street key") for an address, ("", key) for a street alone; None for an intersection."""
    if _CROSSING.search(text):
        return None
    match = _NUMBER_FIRST.match(text)
    if match:
        return match.group(1).upper(), street_key(match.group(2).split(",")[0])
    return "", street_key(text.split(",")[0])


def parse_crossing(text: str):
    """The two street keys of an intersection ("Canal & Carrollton"), or None."""
    parts = [street_key(part) for part in _CROSSING.split(text, maxsplit=1)]
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1]
    return None
