"""Evidence export: a zip whose manifest verifies against its files, catches any changed byte, and is audited."""

import json
import subprocess
import sys
import zipfile

import pytest

from footage import evidence, jobs, services
from footage.choices import AnalysisKind, ClipSource, CustodyAction
from footage.library import store_clip
from footage.models import ClipBookmark
from footage.synthetic import write_passing_plates
from rtcc.models import AuditRecord


@pytest.fixture
def analysed_clip(tmp_path, users):
    path = tmp_path / "two-plates.mp4"
    write_passing_plates(path)
    technician = users["video_technician"]
    clip = store_clip(path, name="two-plates.mp4", clip_source=ClipSource.MANUAL_UPLOAD, actor=technician)
    jobs.job_run(services.job_create(clip=clip, kind=AnalysisKind.PLATES, actor=technician).pk)
    jobs.job_run(services.job_create(clip=clip, kind=AnalysisKind.TRANSCODE, actor=technician).pk)
    ClipBookmark.objects.create(clip=clip, at_seconds=1.5, note="First car enters", created_by=technician)
    return clip


def extract(export, folder):
    with export.file.open("rb") as handle, zipfile.ZipFile(handle) as package:
        package.extractall(folder)
    return folder


@pytest.mark.django_db
def test_an_exports_manifest_verifies_against_its_files_and_any_changed_byte_is_detected(
    analysed_clip, users, tmp_path
):
    export = evidence.export_create(clip=analysed_clip, reason="DA request 26-0412", actor=users["video_technician"])
    folder = extract(export, tmp_path / "package")

    manifest = json.loads((folder / "manifest.json").read_text())
    paths = {f["path"] for f in manifest["files"]}
    assert manifest["clip"]["intake_sha256"] == analysed_clip.sha256
    assert {"original/two-plates.mp4", "analysis.json", "custody.csv", "custody.json", "verify.py"} <= paths
    assert any(p.startswith("derived/") for p in paths) and any(p.startswith("plates/") for p in paths)
    assert evidence.verify_folder(folder) == []
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=folder).returncode == 0
    assert subprocess.run([sys.executable, "verify.py"], cwd=folder, capture_output=True).returncode == 0
    plates = json.loads((folder / "analysis.json").read_text())["plates"]
    assert sorted(p["plate"] for p in plates) == ["GKW5830", "KXR4725"]

    original = folder / "original" / "two-plates.mp4"
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    original.write_bytes(bytes(data))

    assert evidence.verify_folder(folder) == ["changed original/two-plates.mp4"]
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=folder, capture_output=True).returncode != 0
    checked = subprocess.run([sys.executable, "verify.py"], cwd=folder, capture_output=True, text=True)
    assert checked.returncode == 1 and "CHANGED  original/two-plates.mp4" in checked.stdout


@pytest.mark.django_db
def test_an_export_is_audited_with_its_reason_and_is_a_step_in_the_chain_of_custody(analysed_clip, users, tmp_path):
    export = evidence.export_create(clip=analysed_clip, reason="Subpoena 2026-77", actor=users["video_technician"])

    record = AuditRecord.objects.get(action="footage.export")
    assert record.reason == "Subpoena 2026-77" and record.actor == users["video_technician"]
    assert record.details["export_id"] == export.pk and record.details["plates"] == 2
    entry = analysed_clip.custody.filter(action=CustodyAction.EXPORTED).get()
    assert "Subpoena 2026-77" in entry.detail
    custody_csv = (extract(export, tmp_path / "p") / "custody.csv").read_text()
    assert "exported" in custody_csv and "Subpoena 2026-77" in custody_csv


@pytest.mark.django_db
def test_an_export_without_a_reason_is_refused_and_leaves_no_trace(analysed_clip, users):
    with pytest.raises(evidence.EvidenceError, match="reason"):
        evidence.export_create(clip=analysed_clip, reason="  ", actor=users["video_technician"])
    assert not analysed_clip.exports.exists()
    assert not analysed_clip.custody.filter(action=CustodyAction.EXPORTED).exists()
    assert not AuditRecord.objects.filter(action="footage.export").exists()


@pytest.mark.django_db
def test_a_clip_whose_stored_file_changed_since_intake_is_not_exported(analysed_clip, users):
    with open(analysed_clip.file.path, "r+b") as handle:
        handle.seek(100)
        handle.write(b"tampered")
    with pytest.raises(evidence.EvidenceError, match="no longer matches"):
        evidence.export_create(clip=analysed_clip, reason="Case 26-1", actor=users["video_technician"])
    assert not analysed_clip.exports.exists()
    assert analysed_clip.custody.filter(action=CustodyAction.VERIFIED, detail__contains="MISMATCH").exists()
