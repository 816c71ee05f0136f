"""What an HTTP request asks for: the one rule views use to answer a script with JSON instead of a page."""


def wants_json(request) -> bool:
    """True when the caller's Accept header prefers JSON to HTML (RTCC.fetchJSON sends `application/json`).

    The same view then serves the page (or a redirect) to a form post and JSON to a script, so every page keeps
    working without JavaScript.
    """
    accept = request.headers.get("Accept", "")
    for media in accept.split(","):
        kind = media.split(";")[0].strip().lower()
        if kind == "application/json":
            return True
        if kind in ("text/html", "application/xhtml+xml", "*/*"):
            return False
    return False


def record_id(value) -> int | None:
    """A record's id sent in a form or query string, or None when it is not one.

    Checked as text: a value of 19 digits or more is beyond the database's integer and
    would fail there rather than simply match nothing.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        return None
    return int(text)
