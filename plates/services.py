"""Plate workflows: storing reads (from capture, ingest or footage) in one place."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction

from .choices import ReadSource
from .models import PlateRead

log = logging.getLogger(__name__)


def plate_read_record(
    *,
    camera_id: int,
    plate: str,
    read_at,
    confidence: float,
    source: str = ReadSource.CAPTURE,
    engine: str = "",
    plate_raw: str = "",
    region: str = "",
    box: dict | None = None,
    crop_jpeg: bytes | None = None,
    external_id: str = "",
) -> PlateRead:
    """Store one plate read with its crop. Hotlist matching hooks in here (same transaction)."""
    with transaction.atomic():
        read = PlateRead(
            camera_id=camera_id,
            plate=plate,
            plate_raw=plate_raw[:32],
            region=region,
            confidence=max(0.0, min(1.0, float(confidence))),
            read_at=read_at,
            source=source,
            engine=engine,
            box=box or {},
            external_id=external_id,
        )
        if crop_jpeg:
            read.crop.save(f"{camera_id}-{read_at:%H%M%S}-{plate}.jpg", ContentFile(crop_jpeg), save=False)
        read.save()
    return read
