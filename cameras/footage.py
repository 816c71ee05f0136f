"""The footage library's intake: store a clip once, hashed while it is written, with its custody opened.

Every path that puts video into the library (recording pulls, owners' uploads
through the registry, staff uploads, derived copies) goes through `store_clip`,
so every clip has a SHA-256 taken at intake and a first custody entry.
"""

import hashlib
import os
import tempfile
from pathlib import PurePath

from django.core.files import File
from django.db import transaction
from django.utils.text import get_valid_filename

from .choices import CustodyAction
from .models import CustodyEntry, FootageClip

CHUNK = 1024 * 1024


class ClipTooLarge(ValueError):
    """The file is bigger than the caller allows; nothing was stored."""


def _chunks(source):
    if hasattr(source, "chunks"):
        yield from source.chunks(CHUNK)
        return
    while True:
        block = source.read(CHUNK)
        if not block:
            return
        yield block


def sha256_of(fileobj) -> str:
    """Hash an open file (or a storage file) from its start."""
    digest = hashlib.sha256()
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    for block in _chunks(fileobj):
        digest.update(block)
    return digest.hexdigest()


def actor_label_for(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "system"
    return user.get_username()


def custody(clip, action, *, actor=None, actor_label="", detail="", sha256="", client_address=None, data=None):
    """Append one step to a clip's chain of custody."""
    return CustodyEntry.objects.create(
        clip=clip,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=(actor_label or actor_label_for(actor))[:200],
        detail=detail,
        sha256=sha256,
        client_address=client_address,
        data=data or {},
    )


def store_clip(
    source,
    *,
    name: str,
    clip_source: str,
    title: str = "",
    actor=None,
    actor_label: str = "",
    camera=None,
    incident=None,
    derived_from=None,
    started_at=None,
    ended_at=None,
    content_type: str = "",
    max_bytes: int | None = None,
    detail: str = "",
    client_address=None,
    custody_action: str = CustodyAction.CREATED,
    **metadata,
) -> FootageClip:
    """Copy `source` (an UploadedFile, a file object or a path) into the library.

    The bytes are hashed and counted as they are copied; past `max_bytes` the copy
    stops and `ClipTooLarge` is raised with nothing stored. `metadata` may set
    duration_seconds, width, height and fps.
    """
    opened = None
    if isinstance(source, (str, os.PathLike)):
        opened = source = open(source, "rb")  # noqa: SIM115 - closed below
    try:
        digest = hashlib.sha256()
        size = 0
        with tempfile.TemporaryFile() as spool:
            for block in _chunks(source):
                size += len(block)
                if max_bytes is not None and size > max_bytes:
                    raise ClipTooLarge(f"The file is larger than the {max_bytes // (1024 * 1024)} MB allowed.")
                digest.update(block)
                spool.write(block)
            spool.seek(0)
            safe_name = get_valid_filename(PurePath(name).name) or "clip.bin"
            with transaction.atomic():
                clip = FootageClip(
                    title=(title or PurePath(name).name)[:200],
                    source=clip_source,
                    camera=camera,
                    incident=incident,
                    derived_from=derived_from,
                    original_name=PurePath(name).name[:255],
                    content_type=content_type[:100],
                    size_bytes=size,
                    sha256=digest.hexdigest(),
                    started_at=started_at,
                    ended_at=ended_at,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                    **metadata,
                )
                clip.file.save(safe_name, File(spool), save=False)
                clip.save()
                custody(
                    clip,
                    custody_action,
                    actor=actor,
                    actor_label=actor_label,
                    detail=detail or f"Stored {size} bytes from {PurePath(name).name}",
                    sha256=clip.sha256,
                    client_address=client_address,
                )
        return clip
    finally:
        if opened is not None:
            opened.close()


def verify_clip(clip, *, actor=None, actor_label="") -> bool:
    """Re-hash the stored file; record the check in the custody chain; True if unchanged."""
    with clip.file.open("rb") as handle:
        current = sha256_of(handle)
    ok = current == clip.sha256
    custody(
        clip,
        CustodyAction.VERIFIED,
        actor=actor,
        actor_label=actor_label,
        detail="Hash matches intake" if ok else "HASH MISMATCH: the stored file differs from intake",
        sha256=current,
    )
    return ok
