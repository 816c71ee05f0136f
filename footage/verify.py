#!/usr/bin/env python3
"""Check an evidence package: every file against manifest.json, and the original against its intake hash.

Run from the folder the zip was extracted into:  python3 verify.py  (or: python3 verify.py FOLDER)
Exit status 0 when everything matches, 1 otherwise. Needs only Python 3.

This file is the RTCC server's own check (footage.verify), and every evidence package carries it
byte for byte as verify.py, so the court runs exactly the check the center ran.
"""

import hashlib
import json
import sys
from pathlib import Path


def sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check(folder) -> list[tuple[str, str]]:
    """(result, what) for every file the manifest lists and for the original's intake hash.

    result is "ok", "missing", "changed", or "original" (the original's listed hash is not its intake hash).
    """
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    results = []
    for item in manifest["files"]:
        path = folder / item["path"]
        if not path.is_file():
            results.append(("missing", item["path"]))
        elif sha256_file(path) != item["sha256"]:
            results.append(("changed", item["path"]))
        else:
            results.append(("ok", item["path"]))
    original = manifest["clip"]
    if not any(f["path"] == original["file"] and f["sha256"] == original["intake_sha256"] for f in manifest["files"]):
        results.append(("original", f"{original['file']} lacks its intake hash {original['intake_sha256']}"))
    return results


def problems(folder) -> list[str]:
    """Everything wrong with the package in `folder` ("changed original/x.mp4", ...); empty when intact."""
    return [f"{result} {what}" for result, what in check(folder) if result != "ok"]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parent
    results = check(folder)
    for result, what in sorted(results, key=lambda r: r[0] != "ok"):
        print(f"{result.upper():<8} {what}")
    failed = sum(result != "ok" for result, _ in results)
    print("VERIFIED: every file matches the manifest" if not failed else f"FAILED: {failed} problem(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
