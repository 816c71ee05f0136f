"""Demo data for the footage library: a sample clip technicians can play, read plates in and export."""

from pathlib import Path

from .choices import ClipSource, CustodyAction
from .library import describe, store_clip
from .models import FootageClip

DEMO_CLIP_TITLE = "Demo: three cars passing the Canal St plate camera"


def seed_demo_clip(path, *, camera=None, incident=None):
    """Put the generated sample traffic clip in the library once (by title); returns it, or None if present."""
    if FootageClip.objects.filter(title=DEMO_CLIP_TITLE).exists():
        return None
    clip = store_clip(
        path,
        name=Path(path).name,
        title=DEMO_CLIP_TITLE,
        clip_source=ClipSource.MANUAL_UPLOAD,
        actor_label="demo data (seed_demo)",
        camera=camera,
        incident=incident,
        custody_action=CustodyAction.RECEIVED,
        detail="Sample footage generated for the demo: three cars with readable plates",
    )
    describe(clip)
    return clip
