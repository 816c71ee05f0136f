"""JSON bodies the API accepts: strict JSON only, with every string storable as UTF-8 text."""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def json_loads_strict(body: bytes):
    """Decode a request body, or raise ParseError with the reason.

    Refused: invalid UTF-8, NaN and Infinity (not JSON), nesting deeper than MAX_DEPTH,
    and strings holding a NUL or a lone surrogate (no database stores those as text).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError("Body is not UTF-8 text.") from None
    try:
        payload = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise ParseError("Body is not valid JSON.") from None
    _check(payload, depth=0)
    return payload


class StrictJSONParser(JSONParser):
    """DRF's JSON parser with json_loads_strict's rules."""

    def parse(self, stream, media_type=None, parser_context=None):
        return json_loads_strict(stream.read() if stream is not None else b"")


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _check(value, *, depth):
    if depth > MAX_DEPTH:
        raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check(item, depth=depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth=depth + 1)


def _check_text(text):
    if "\x00" in text:
        raise ParseError("Text may not contain NUL characters.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError("Text holds a lone surrogate: it is not valid Unicode.") from None
