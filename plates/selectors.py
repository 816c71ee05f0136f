"""Reads that need care: searching the plate-read history."""

import re

from django.db.models import Q

from .models import PlateRead

MAX_RESULTS = 500
_ALLOWED = re.compile(r"^[A-Z0-9?*]+$")


class SearchError(ValueError):
    pass


def plate_filter(query: str) -> Q:
    """`ABC` finds plates containing ABC; `?` stands for one character and `*` for any run (anchored then)."""
    text = re.sub(r"[\s\-.]", "", query.upper())
    if not text or not _ALLOWED.match(text):
        raise SearchError("Search by letters and digits, with ? for one unknown character and * for any run.")
    if len(text.replace("?", "").replace("*", "")) < 2:
        raise SearchError("Give at least two known characters.")
    if "?" not in text and "*" not in text:
        return Q(plate__contains=text)
    like = text.replace("?", "_").replace("*", "%")
    return Q(plate__like=like)


def plate_reads_search(*, query, camera_id=None, since=None, until=None, limit=MAX_RESULTS):
    reads = PlateRead.objects.filter(plate_filter(query)).select_related("camera")
    if camera_id:
        reads = reads.filter(camera_id=camera_id)
    if since:
        reads = reads.filter(read_at__gte=since)
    if until:
        reads = reads.filter(read_at__lte=until)
    return list(reads.order_by("-read_at")[:limit])
