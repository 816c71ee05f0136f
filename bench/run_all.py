"""Run every benchmark under bench/ (files named bench_*.py) and write docs/performance.md.

Each benchmark module has `TITLE`, and `run() -> str` that prints progress and
returns a Markdown section with its figures and the command that reproduces them.
`python bench/run_all.py bench_capture bench_plates` runs a selection and
replaces only those sections of docs/performance.md, keeping the others.
"""

import ast
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def machine():
    cores = os.cpu_count()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{cores} cores ({model}), Python {platform.python_version()}, {platform.system()}"


def main(selected):
    sections = []
    for path in sorted((ROOT / "bench").glob("bench_*.py")):
        if selected and path.stem not in selected:
            continue
        title = _title(path)
        print(f"== {title} ({path.name})", flush=True)
        started = time.monotonic()
        # Each benchmark runs in a process of its own: Django settings, loaded models and threads of one
        # must not leak into the next.
        with tempfile.NamedTemporaryFile("r", suffix=".md") as out:
            env = dict(os.environ, BENCH_SECTION_FILE=out.name)
            result = subprocess.run([sys.executable, str(path)], cwd=ROOT, env=env)
            section = out.read()
        if result.returncode != 0 or not section.strip():
            section = f"Failed this run (exit code {result.returncode}); see the output of `make bench`.\n"
        print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
        measured = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        sections.append(f"## {title}\n\nMeasured {measured}.\n\n{section.strip()}\n")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    path = ROOT / "docs" / "performance.md"
    kept = _sections(path.read_text()) if selected and path.exists() else {}
    for section in sections:
        kept[section.splitlines()[0]] = section
    text = (
        "# Performance\n\n"
        f"Written by `make bench` (bench/run_all.py), last on {stamp}, on {machine()}; each section says when it "
        "was measured.\nFigures come from runs on a shared, noisy 2-core machine: compare ratios within a run, "
        "not across runs.\n\n" + "\n".join(kept.values())
    )
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    print("wrote docs/performance.md")


def _title(path):
    """The module's TITLE, read without importing it."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "TITLE" for t in node.targets):
            return ast.literal_eval(node.value)
    return path.stem


def _sections(text):
    """The '## ' sections of an existing performance.md, by heading, in order."""
    out, current = {}, None
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            current = line.rstrip("\n")
            out[current] = line
        elif current:
            out[current] += line
    return {k: v.rstrip("\n") + "\n" for k, v in out.items()}


if __name__ == "__main__":
    main(sys.argv[1:])
