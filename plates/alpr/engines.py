"""Engines by name.  `RTCC_ALPR_ENGINE` picks the default."""

from __future__ import annotations

import os
from collections.abc import Callable

from .detect import DBTextDetector, TwoPassDetector
from .reader import PlateReader
from .recognise import PPOCRRecogniser, TesseractRecogniser

DEFAULT_ENGINE = "ppocr"


def _ppocr(region=None, **kw):
    return PlateReader(TwoPassDetector(**kw), PPOCRRecogniser(), "ppocr", region=region)


def _ppocr_hires(region=None, **kw):
    kw = {"max_side": 800, "max_pixels": 400_000, **kw}
    return PlateReader(TwoPassDetector(**kw), PPOCRRecogniser(), "ppocr-hires", region=region)


def _ppocr1(region=None, **kw):
    return PlateReader(DBTextDetector(**kw), PPOCRRecogniser(), "ppocr-1pass", region=region)


def _tesseract(region=None, **kw):
    return PlateReader(DBTextDetector(**kw), TesseractRecogniser(), "tesseract", region=region)


ENGINES: dict[str, Callable[..., PlateReader]] = {
    "ppocr": _ppocr,
    "ppocr-hires": _ppocr_hires,
    "ppocr-1pass": _ppocr1,
    "tesseract": _tesseract,
}


class UnknownEngineError(ValueError):
    pass


def engine_name(name: str | None = None) -> str:
    name = (name or os.environ.get("RTCC_ALPR_ENGINE") or DEFAULT_ENGINE).strip().lower()
    if name not in ENGINES:
        raise UnknownEngineError(f"unknown ALPR engine {name!r}; choose one of {sorted(ENGINES)}")
    return name


_cache: dict[tuple, PlateReader] = {}


def get_reader(engine: str | None = None, region: str | None = None, **kw) -> PlateReader:
    name = engine_name(engine)
    key = (name, region, tuple(sorted(kw.items())))
    if key not in _cache:
        _cache[key] = ENGINES[name](region=region, **kw)
    return _cache[key]
