"""Plate reads pushed by external plate cameras: our own JSON and two widely deployed readers' webhooks.

Each parser turns a payload into `IncomingRead`s or raises `PayloadError` with
a message for the device's installer. Nothing here touches the database.

- rtcc: `{"reads": [{"id", "plate", "read_at", "confidence", "region", "region_confidence", "alternatives",
  "crop_jpeg"}]}` (or one read object); `alternatives` are the device's other readings of the plate as
  `[[plate, share], ...]` (or `{"plate", "share"}` objects), share 0-1 of the probability among its readings
- OpenALPR / Rekor agent: `data_type` `alpr_group` (one vehicle) or `alpr_results` (one frame)
- Plate Recognizer Stream / Snapshot webhook: `{"hook": {...}, "data": {"timestamp", "results": [...]}}`
"""

import base64
import binascii
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime

from .alpr.normalisation import normalise

MAX_READS_PER_REQUEST = 1000
MAX_CROP_BYTES = 512 * 1024
PLATE_MIN, PLATE_MAX = 2, 10


_NOT_ON_A_PLATE = re.compile(r"[^A-Za-z0-9 .\-]")
# Control characters (NUL included) and lone surrogates: no database stores them as text.
_NOT_TEXT = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
BOX_SIDES = ("xmin", "ymin", "xmax", "ymax")
MAX_ALTERNATIVES = 10
LARGEST_FRAME = 100_000  # pixels on a side: any coordinate past this is not a position in a picture


class PayloadError(ValueError):
    """The whole payload cannot be used."""


@dataclass
class IncomingRead:
    plate: str
    read_at: datetime
    confidence: float
    external_id: str
    region: str = ""
    plate_raw: str = ""
    crop_jpeg: bytes | None = None
    box: dict | None = None
    region_confidence: float = 0.0
    alternatives: list = field(default_factory=list)  # [(plate, share)]


def parse(payload) -> tuple[str, list[tuple[int, IncomingRead | str]]]:
    """(format name, [(index, IncomingRead or an error message)]) for a decoded JSON body."""
    if not isinstance(payload, dict):
        raise PayloadError("Expected a JSON object.")
    if "data_type" in payload:
        return "openalpr", _openalpr(payload)
    if "hook" in payload and "data" in payload:
        return "platerecognizer", _platerecognizer(payload)
    if "reads" in payload or "plate" in payload:
        return "rtcc", _rtcc(payload)
    raise PayloadError(
        "Unrecognised payload: send {'reads': [...]}, an OpenALPR agent webhook (data_type) "
        "or a Plate Recognizer webhook (hook, data)."
    )


def _rtcc(payload):
    items = payload["reads"] if "reads" in payload else [payload]
    if not isinstance(items, list) or not items:
        raise PayloadError("'reads' must be a non-empty list.")
    if len(items) > MAX_READS_PER_REQUEST:
        raise PayloadError(f"At most {MAX_READS_PER_REQUEST} reads per request.")
    out = []
    for n, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise PayloadError("each read must be an object")
            out.append(
                (
                    n,
                    _read(
                        plate=item.get("plate"),
                        read_at=_time(item.get("read_at"), "read_at"),
                        confidence=_confidence(item.get("confidence", 1.0), scale=1.0),
                        external_id=_text(item.get("id", ""), "id", 128),
                        region=_text(item.get("region", ""), "region", 16),
                        region_confidence=_region_confidence(item.get("region_confidence"), item.get("region")),
                        alternatives=_alternatives(item.get("alternatives")),
                        crop_jpeg=_jpeg(item.get("crop_jpeg")),
                    ),
                )
            )
        except PayloadError as exc:
            out.append((n, str(exc)))
    return out


def _openalpr(payload):
    kind = payload.get("data_type")
    if kind == "alpr_group":
        best = payload.get("best_plate") or {}
        try:
            if not isinstance(best, dict):
                raise PayloadError("best_plate must be an object")
            read = _read(
                plate=payload.get("best_plate_number") or best.get("plate"),
                read_at=_epoch_ms(payload.get("epoch_start"), "epoch_start"),
                confidence=_confidence(payload.get("best_confidence", best.get("confidence", 0)), scale=100.0),
                external_id=_text(payload.get("best_uuid") or payload.get("uuid") or "", "uuid", 128),
                region=_text(payload.get("best_region", ""), "best_region", 16),
                region_confidence=_region_confidence(
                    payload.get("best_region_confidence"), payload.get("best_region"), scale=100.0
                ),
                crop_jpeg=_jpeg(best.get("plate_crop_jpeg")),
            )
            return [(0, read)]
        except PayloadError as exc:
            return [(0, str(exc))]
    if kind == "alpr_results":
        results = payload.get("results")
        if not isinstance(results, list):
            raise PayloadError("alpr_results needs a 'results' list.")
        try:
            when = _epoch_ms(payload.get("epoch_time"), "epoch_time")
        except PayloadError as exc:
            return [(n, str(exc)) for n in range(max(1, len(results)))]
        uuid = _text(payload.get("uuid", ""), "uuid", 100)
        out = []
        for n, result in enumerate(results[:MAX_READS_PER_REQUEST]):
            try:
                if not isinstance(result, dict):
                    raise PayloadError("each result must be an object")
                out.append(
                    (
                        n,
                        _read(
                            plate=result.get("plate"),
                            read_at=when,
                            confidence=_confidence(result.get("confidence", 0), scale=100.0),
                            external_id=f"{uuid}:{n}" if uuid else "",
                            region=_text(result.get("region", ""), "region", 16),
                            region_confidence=_region_confidence(
                                result.get("region_confidence"), result.get("region"), scale=100.0
                            ),
                        ),
                    )
                )
            except PayloadError as exc:
                out.append((n, str(exc)))
        return out
    if kind in ("heartbeat", "alpr_alert", "vehicle"):
        return []  # not plate reads: accepted and ignored
    raise PayloadError(f"Unsupported OpenALPR data_type {kind!r}.")


def _platerecognizer(payload):
    data = payload.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise PayloadError("Plate Recognizer payload needs data.results.")
    try:
        when = _time(data.get("timestamp"), "data.timestamp")
    except PayloadError as exc:
        return [(n, str(exc)) for n in range(max(1, len(data["results"])))]
    hook = payload.get("hook") or {}
    if not isinstance(hook, dict):
        raise PayloadError("Plate Recognizer 'hook' must be an object.")
    source = _text(data.get("filename") or hook.get("filename") or "", "filename", 100)
    out = []
    for n, result in enumerate(data["results"][:MAX_READS_PER_REQUEST]):
        try:
            if not isinstance(result, dict):
                raise PayloadError("each result must be an object")
            region = result.get("region") or {}
            box = _box(result.get("box"))
            if not isinstance(result.get("plate") or "", str):
                raise PayloadError("plate must be a string")
            plate = normalise(result.get("plate") or "")
            out.append(
                (
                    n,
                    _read(
                        plate=plate,
                        read_at=when,
                        confidence=_confidence(result.get("score", 0), scale=1.0),
                        external_id=f"{source}:{plate}" if source else "",
                        region=_text(region.get("code", "") if isinstance(region, dict) else "", "region", 16),
                        region_confidence=_region_confidence(
                            region.get("score") if isinstance(region, dict) else None,
                            region.get("code") if isinstance(region, dict) else None,
                        ),
                        box=box,
                    ),
                )
            )
        except PayloadError as exc:
            out.append((n, str(exc)))
    return out


def _read(
    *,
    plate,
    read_at,
    confidence,
    external_id,
    region="",
    crop_jpeg=None,
    box=None,
    region_confidence=0.0,
    alternatives=(),
):
    normalised = _plate(plate, "plate")
    return IncomingRead(
        plate=normalised,
        plate_raw=plate[:32],
        read_at=read_at,
        confidence=confidence,
        external_id=external_id,
        region=region.upper(),
        crop_jpeg=crop_jpeg,
        box=box,
        region_confidence=region_confidence,
        alternatives=[(text, share) for text, share in alternatives if text != normalised],
    )


def _plate(plate, name):
    """The plate text normalised (capitals and digits), or PayloadError naming `name`."""
    if not isinstance(plate, str):
        raise PayloadError(f"{name} must be a string")
    if _NOT_ON_A_PLATE.search(plate):
        raise PayloadError(f"{name} {plate[:20]!r} has characters no plate has")
    normalised = normalise(plate)
    if not PLATE_MIN <= len(normalised) <= PLATE_MAX:
        raise PayloadError(f"{name} {plate[:20]!r} is not a plate: {PLATE_MIN}-{PLATE_MAX} letters and digits")
    return normalised


def _region_confidence(value, region, *, scale=1.0):
    """How sure the device is of the region (0 when it does not say); a confidence without a region is an error."""
    if value is None:
        return 0.0
    if not region:
        raise PayloadError("region_confidence needs a region")
    try:
        return _confidence(value, scale=scale)
    except PayloadError:
        raise PayloadError(f"region_confidence must be a number between 0 and {scale:g}") from None


def _alternatives(value):
    """The device's other readings of the plate: [[plate, share], ...] or [{"plate", "share"}, ...]."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError("alternatives must be a list of [plate, share] pairs")
    if len(value) > MAX_ALTERNATIVES:
        raise PayloadError(f"alternatives holds at most {MAX_ALTERNATIVES} readings")
    out = []
    for n, item in enumerate(value):
        if isinstance(item, dict) and set(item) <= {"plate", "share"} and "plate" in item and "share" in item:
            text, share = item["plate"], item["share"]
        elif isinstance(item, list) and len(item) == 2:
            text, share = item
        else:
            raise PayloadError(f"alternatives[{n}] must be a [plate, share] pair")
        text = _plate(text, f"alternatives[{n}] plate")
        try:
            share = _confidence(share, scale=1.0)
        except PayloadError:
            raise PayloadError(f"alternatives[{n}] share must be a number between 0 and 1") from None
        out.append((text, share))
    return out


def _time(value, name):
    if not isinstance(value, str):
        raise PayloadError(f"{name} must be an ISO 8601 date and time")
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise PayloadError(f"{name} {value[:40]!r} is not an ISO 8601 date and time")
    if parsed.tzinfo is None:
        raise PayloadError(f"{name} must include a time zone (e.g. Z or -06:00)")
    return _plausible(parsed, name)


def _epoch_ms(value, name):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(f"{name} must be milliseconds since 1970")
    try:
        return _plausible(datetime.fromtimestamp(value / 1000.0, tz=UTC), name)
    except (OverflowError, OSError, ValueError):
        raise PayloadError(f"{name} {value!r} is out of range") from None


def _plausible(moment, name):
    now = datetime.now(UTC)
    if moment.year < 2000 or (moment - now).total_seconds() > 3600:
        raise PayloadError(f"{name} {moment.isoformat()} is not a plausible time for a read")
    return moment


def _confidence(value, *, scale):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError("confidence must be a number")
    try:
        score = float(value) / scale
    except OverflowError:  # an integer of hundreds of digits
        raise PayloadError(f"confidence must be between 0 and {scale:g}") from None
    if not (math.isfinite(score) and 0.0 <= score <= 1.0):
        raise PayloadError(f"confidence must be between 0 and {scale:g}")
    return score


def _text(value, name, limit):
    if not isinstance(value, str | int):
        raise PayloadError(f"{name} must be text")
    value = str(value)
    if len(value) > limit:
        raise PayloadError(f"{name} is longer than {limit} characters")
    if _NOT_TEXT.search(value):
        raise PayloadError(f"{name} holds control characters or invalid Unicode")
    return value


def _box(value):
    """The plate's position in the frame, {xmin, ymin, xmax, ymax} in pixels, or None when not sent."""
    if value in (None, {}):
        return None
    if not isinstance(value, dict) or not all(side in value for side in BOX_SIDES):
        raise PayloadError(f"box must be an object with {', '.join(BOX_SIDES)}")
    box = {}
    for side in BOX_SIDES:
        number = value[side]
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise PayloadError(f"box.{side} must be a number")
        if not (math.isfinite(number) and -LARGEST_FRAME <= number <= LARGEST_FRAME):
            raise PayloadError(f"box.{side} must be a pixel position between {-LARGEST_FRAME} and {LARGEST_FRAME}")
        box[side] = number
    return box


def _jpeg(value):
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > MAX_CROP_BYTES * 4 // 3 + 4:
        raise PayloadError(f"crop image must be base64 JPEG under {MAX_CROP_BYTES // 1024} KiB")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise PayloadError("crop image is not valid base64") from None
    if not data.startswith(b"\xff\xd8"):
        raise PayloadError("crop image is not a JPEG")
    return data
