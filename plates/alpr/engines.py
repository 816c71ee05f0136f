"""Engines by name.  `RTCC_ALPR_ENGINE` picks the default."""

from __future__ import annotations

import os
from collections.abc import Callable

from .detect import DBTextDetector, TwoPassDetector
from .reader import PlateReader
from .recognise import EnsembleRecogniser, PlateCRNNRecogniser, PPOCRRecogniser, TesseractRecogniser
from .state import StateReader

DEFAULT_ENGINE = "ensemble"


# Small, faint plates the 640 px coarse pass misses: when no reading of a frame
# reaches RETRY_BELOW, the frame is searched again at up to 1280 px / 1 Mpx.
RETRY = {"max_side": 1280, "max_pixels": 1_000_000}
RETRY_BELOW = 0.2
# When even the retry leaves every reading below RETRY_BELOW, the fine pass
# looks again at wide regions around the best three readings' boxes (ex, ey,
# height: grown by ex box heights left / right and ey above / below, scaled
# to `height` px): the rest of a plate split by an emblem or sticker, or a
# faint plate of which only a fragment was found (NOTES.md, session 6).
LOOK_AROUND = ((2.0, 1.0, 160), (3.0, 1.5, 240))


def _two_pass(recogniser, name, region, retry_below=RETRY_BELOW, **kw):
    retry = TwoPassDetector(**RETRY) if retry_below > 0 else None
    detector = TwoPassDetector(**kw)
    return PlateReader(
        detector,
        recogniser,
        name,
        region=region,
        retry_detector=retry,
        retry_below=retry_below,
        state_reader=StateReader(),
        look_around=(lambda frame, boxes: detector.around(frame, boxes, LOOK_AROUND)) if retry_below > 0 else None,
        look_around_below=retry_below,
    )


def _ppocr(region=None, **kw):
    return _two_pass(PPOCRRecogniser(), "ppocr", region, **kw)


def _ppocr_noretry(region=None, **kw):
    return PlateReader(
        TwoPassDetector(**kw), PPOCRRecogniser(), "ppocr-noretry", region=region, state_reader=StateReader()
    )


def _ppocr_hires(region=None, **kw):
    kw = {"max_side": 800, "max_pixels": 400_000, **kw}
    return PlateReader(
        TwoPassDetector(**kw), PPOCRRecogniser(), "ppocr-hires", region=region, state_reader=StateReader()
    )


def _ppocr1(region=None, **kw):
    return PlateReader(
        DBTextDetector(**kw), PPOCRRecogniser(), "ppocr-1pass", region=region, state_reader=StateReader()
    )


def _tesseract(region=None, **kw):
    return PlateReader(
        DBTextDetector(**kw), TesseractRecogniser(), "tesseract", region=region, state_reader=StateReader()
    )


def _crnn(region=None, **kw):
    return _two_pass(PlateCRNNRecogniser(), "crnn", region, **kw)


def _ensemble(region=None, **kw):
    return _two_pass(EnsembleRecogniser.for_region(region), "ensemble", region, **kw)


ENGINES: dict[str, Callable[..., PlateReader]] = {
    "ppocr": _ppocr,
    "ppocr-noretry": _ppocr_noretry,
    "ppocr-hires": _ppocr_hires,
    "ppocr-1pass": _ppocr1,
    "tesseract": _tesseract,
    "crnn": _crnn,
    "ensemble": _ensemble,
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
