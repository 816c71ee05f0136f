"""Evidence export: one zip a court, a prosecutor or a defence expert can check without our software.

The package holds the original clip, every derived copy (browser copy,
redactions), the analysis results (plates with times, crops, hotlist matches;
bookmarks), the chain of custody (CSV and JSON), `manifest.json` (the SHA-256 of
every file and the clip's intake hash), `SHA256SUMS` (so `sha256sum -c
SHA256SUMS` checks it) and a `verify.py` that needs only Python. Every export
states a reason, is audited, and is a step in the clip's custody.
"""

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path, PurePath

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from plates.selectors import visible_hotlist_matches
from rtcc import audit

from . import verify
from .choices import CustodyAction
from .library import _chunks, actor_label_for, custody, sha256_of
from .models import EvidenceExport

FORMAT = "rtcc-evidence/1"


class EvidenceError(ValueError):
    """The export cannot be made as asked; nothing was written."""


def verify_script() -> bytes:
    """The verify.py every package carries: footage/verify.py itself, byte for byte."""
    return Path(verify.__file__).read_bytes()


README = """Evidence package {export_ref} from the {city} Real Time Crime Center
=================================================================

Clip:        {title} (library clip {clip_id})
Source:      {source}
Exported:    {created_at} by {actor}
Reason:      {reason}

What is inside
  original/   the clip exactly as it entered the library (its SHA-256 at intake is in manifest.json)
  derived/    copies made from it (browser-playable H.264, redactions); the original was never altered
  analysis.json, plates/   plates read in the clip (times are seconds from the clip's start), bookmarks
  custody.csv, custody.json   the chain of custody: who received, viewed, analysed, derived and exported it
  manifest.json   SHA-256 and size of every file, and the clip's intake hash
  SHA256SUMS      the same hashes in the format of GNU coreutils

How to check it
  sha256sum -c SHA256SUMS          (Linux; any changed byte prints FAILED)
  python3 verify.py                (any system with Python 3; also checks the original against its intake hash)
"""


def _digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _custody_rows(clip):
    return [
        {
            "clip_id": entry.clip_id,
            "at": entry.at.isoformat(),
            "action": entry.action,
            "actor": entry.actor_label,
            "detail": entry.detail,
            "sha256": entry.sha256,
            "client_address": entry.client_address or "",
        }
        for entry in clip.custody.order_by("at", "id")
    ]


def _clip_facts(clip):
    return {
        "id": clip.pk,
        "title": clip.title,
        "source": clip.source,
        "derivation": clip.derivation,
        "camera": clip.camera.name if clip.camera_id else None,
        "incident_id": clip.incident_id,
        "started_at": clip.started_at.isoformat() if clip.started_at else None,
        "ended_at": clip.ended_at.isoformat() if clip.ended_at else None,
        "duration_seconds": clip.duration_seconds,
        "width": clip.width,
        "height": clip.height,
        "fps": clip.fps,
        "video_codec": clip.video_codec,
        "original_name": clip.original_name,
        "size_bytes": clip.size_bytes,
        "intake_sha256": clip.sha256,
    }


def _analysis(clip, viewer):
    jobs = []
    for job in clip.jobs.order_by("created_at", "id"):
        jobs.append(
            {
                "id": job.pk,
                "kind": job.kind,
                "status": job.status,
                "message": job.message,
                "started_at": job.started_at.isoformat() if job.started_at else None,
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
                "started_by": actor_label_for(job.created_by),
                "options": job.options,
                "result_clip_id": job.result_clip_id,
            }
        )
    plates = [
        {
            "job_id": p.job_id,
            "plate": p.plate,
            "confidence": p.confidence,
            "first_seconds": p.first_seconds,
            "best_seconds": p.best_seconds,
            "last_seconds": p.last_seconds,
            "readings": p.readings,
            "box": p.box,
            "alternatives": p.alternatives,
            "hotlist_matches": visible_hotlist_matches(p.hotlist_matches, viewer),
            "crop": f"plates/{p.pk}-{p.plate}.jpg" if p.crop else None,
        }
        for p in clip.plates.order_by("best_seconds", "id")
    ]
    bookmarks = [
        {
            "at_seconds": b.at_seconds,
            "note": b.note,
            "by": actor_label_for(b.created_by),
            "at": b.created_at.isoformat(),
        }
        for b in clip.bookmarks.all()
    ]
    return {"jobs": jobs, "plates": plates, "bookmarks": bookmarks}


class _Package:
    """A zip being written, remembering each member's hash and size."""

    def __init__(self, handle):
        self.zip = zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.files = []

    def add_bytes(self, path, data: bytes, *, listed=True):
        self.zip.writestr(path, data)
        if listed:
            self.files.append({"path": path, "sha256": _digest_bytes(data), "size": len(data)})

    def add_stored(self, path, fieldfile):
        digest, size = hashlib.sha256(), 0
        with fieldfile.open("rb") as source, self.zip.open(zipfile.ZipInfo(path, _now_tuple()), "w") as target:
            for block in _chunks(source):
                digest.update(block)
                size += len(block)
                target.write(block)
        self.files.append({"path": path, "sha256": digest.hexdigest(), "size": size})
        return digest.hexdigest()


def _now_tuple():
    return timezone.localtime().timetuple()[:6]


def _safe(name):
    return get_valid_filename(PurePath(name).name) or "clip.bin"


def export_create(*, clip, reason: str, actor, request=None) -> EvidenceExport:
    """Build, store, audit and log an evidence package for `clip`. Raises EvidenceError when it cannot."""
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise EvidenceError("State the reason for this export (a case number or request), at least 4 characters.")
    with clip.file.open("rb") as handle:
        current = sha256_of(handle)
    if current != clip.sha256:
        custody(clip, CustodyAction.VERIFIED, actor=actor, detail="HASH MISMATCH found before export", sha256=current)
        raise EvidenceError(
            "The stored original no longer matches the hash taken at intake; it was not exported. "
            "Tell a supervisor: the library's storage must be checked."
        )
    address = audit.client_address(request)
    derived = list(clip.derivatives.order_by("created_at", "id"))
    with transaction.atomic():
        # The export is itself a custody step, and is in the package's own custody log.
        custody(
            clip,
            CustodyAction.EXPORTED,
            actor=actor,
            detail=f"Evidence package: {reason}",
            sha256=current,
            client_address=address,
        )
        for copy in derived:
            custody(
                copy, CustodyAction.EXPORTED, actor=actor, detail=f"In the evidence package of clip {clip.pk}: {reason}"
            )
        created = timezone.now()
        with tempfile.TemporaryFile() as spool:
            package = _Package(spool)
            original_path = f"original/{_safe(clip.original_name or clip.file.name)}"
            package.add_stored(original_path, clip.file)
            derived_facts = []
            for copy in derived:
                path = f"derived/clip{copy.pk}-{_safe(copy.file.name)}"
                package.add_stored(path, copy.file)
                derived_facts.append({**_clip_facts(copy), "file": path})
            analysis = _analysis(clip, actor)
            for plate in clip.plates.exclude(crop=""):
                package.add_stored(f"plates/{plate.pk}-{plate.plate}.jpg", plate.crop)
            package.add_bytes("analysis.json", json.dumps(analysis, indent=2).encode())
            rows = [row for c in [clip, *derived] for row in _custody_rows(c)]
            package.add_bytes("custody.json", json.dumps(rows, indent=2).encode())
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["clip_id"])
            writer.writeheader()
            writer.writerows(rows)
            package.add_bytes("custody.csv", out.getvalue().encode())
            package.add_bytes("verify.py", verify_script())
            package.add_bytes(
                "README.txt",
                README.format(
                    export_ref=f"{clip.pk}-{created:%Y%m%d%H%M%S}",
                    city=settings.RTCC_CITY_NAME,
                    title=clip.title,
                    clip_id=clip.pk,
                    source=clip.get_source_display(),
                    created_at=timezone.localtime(created).strftime("%Y-%m-%d %H:%M:%S %Z"),
                    actor=actor_label_for(actor),
                    reason=reason,
                ).encode(),
            )
            manifest = {
                "format": FORMAT,
                "created_at": created.isoformat(),
                "created_by": actor_label_for(actor),
                "reason": reason,
                "clip": {**_clip_facts(clip), "file": original_path},
                "derived": derived_facts,
                "files": list(package.files),
            }
            manifest_bytes = json.dumps(manifest, indent=2).encode()
            package.add_bytes("manifest.json", manifest_bytes)
            sums = "".join(f"{f['sha256']}  {f['path']}\n" for f in package.files)
            package.add_bytes("SHA256SUMS", sums.encode(), listed=False)
            package.zip.close()
            size = spool.tell()
            spool.seek(0)
            zip_hash = sha256_of(spool)
            spool.seek(0)
            export = EvidenceExport(
                clip=clip,
                reason=reason[:300],
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                size_bytes=size,
                sha256=zip_hash,
                manifest=manifest,
            )
            export.file.save(f"evidence-clip{clip.pk}-{created:%Y%m%d-%H%M%S}.zip", File(spool), save=False)
            export.save()
        audit.record(
            actor=actor,
            action="footage.export",
            obj=clip,
            reason=reason,
            request=request,
            details={
                "export_id": export.pk,
                "zip_sha256": zip_hash,
                "files": len(manifest["files"]),
                "plates": len(analysis["plates"]),
                "derived_clips": [c.pk for c in derived],
            },
        )
    return export


def verify_folder(folder) -> list[str]:
    """What verify.py finds wrong in a package extracted into `folder`: an empty list when all is intact."""
    return verify.problems(folder)
