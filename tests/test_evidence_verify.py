"""The evidence verifier: one module (footage/verify.py) that the server runs and every package carries as verify.py.

Each case builds an extracted package, then runs both the function and the exported script on it:
they must find the same problems, the intake-hash check included.
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from footage import evidence, verify

ORIGINAL = b"the clip exactly as it entered the library"
DERIVED = b"a browser-playable copy"


def _package(folder: Path, *, intake_sha256=None) -> Path:
    files = {"original/canal.mp4": ORIGINAL, "derived/clip2-canal.mp4": DERIVED, "custody.csv": b"clip_id\n1\n"}
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    manifest = {
        "clip": {"file": "original/canal.mp4", "intake_sha256": intake_sha256 or hashlib.sha256(ORIGINAL).hexdigest()},
        "files": [{"path": p, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for p, d in files.items()],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "verify.py").write_bytes(evidence.verify_script())
    return folder


def _script(folder: Path):
    done = subprocess.run([sys.executable, "verify.py"], cwd=folder, capture_output=True, text=True, timeout=60)
    flagged = [line.split(None, 1) for line in done.stdout.splitlines()[:-1] if not line.startswith("OK ")]
    return done.returncode, [f"{word.lower()} {rest}" for word, rest in flagged], done.stdout


def test_the_exported_script_is_the_module_itself():
    assert evidence.verify_script() == Path(verify.__file__).read_bytes()
    source = evidence.verify_script().decode()
    imported = {line.split()[1] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imported <= {"hashlib", "json", "sys", "pathlib"}  # standard library only: it runs anywhere


def test_an_intact_package_passes_both(tmp_path):
    folder = _package(tmp_path)
    assert verify.problems(folder) == [] == evidence.verify_folder(folder)
    code, flagged, out = _script(folder)
    assert (code, flagged) == (0, [])
    assert "OK       original/canal.mp4" in out and out.strip().endswith("VERIFIED: every file matches the manifest")


@pytest.mark.parametrize(
    "spoil, expected",
    [
        (lambda f: (f / "original/canal.mp4").write_bytes(ORIGINAL + b"!"), ["changed original/canal.mp4"]),
        (lambda f: (f / "derived/clip2-canal.mp4").unlink(), ["missing derived/clip2-canal.mp4"]),
    ],
    ids=["changed", "missing"],
)
def test_a_changed_or_missing_file_fails_both_alike(tmp_path, spoil, expected):
    folder = _package(tmp_path)
    spoil(folder)
    assert verify.problems(folder) == expected
    code, flagged, out = _script(folder)
    assert (code, flagged) == (1, expected)
    assert out.strip().endswith("FAILED: 1 problem(s)")


def test_an_original_whose_listed_hash_is_not_its_intake_hash_fails_both(tmp_path):
    # Every file matches the manifest, but the manifest's original is not what entered the library.
    folder = _package(tmp_path, intake_sha256="0" * 64)
    expected = [f"original original/canal.mp4 lacks its intake hash {'0' * 64}"]
    assert verify.problems(folder) == expected == evidence.verify_folder(folder)
    code, flagged, _ = _script(folder)
    assert (code, flagged) == (1, expected)


def test_the_script_checks_a_folder_given_on_its_command_line(tmp_path):
    folder = _package(tmp_path / "package")
    (folder / "custody.csv").write_bytes(b"tampered")
    assert verify.main([str(folder)]) == 1
    assert verify.main([str(_package(tmp_path / "other"))]) == 0
