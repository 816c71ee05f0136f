"""Run every benchmark under bench/ (files named bench_*.py) and write docs/performance.md.

Each benchmark module has `TITLE`, and `run() -> str` that prints progress and
returns a Markdown section with its figures and the command that reproduces them.
"""

import datetime
import importlib.util
import os
import platform
import sys
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
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {module.TITLE} ({path.name})", flush=True)
        started = time.monotonic()
        section = module.run()
        print(section)
        print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
        sections.append(f"## {module.TITLE}\n\n{section.strip()}\n")
    if selected:
        print("A selection was run: docs/performance.md is left as it is.")
        return
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        "# Performance\n\n"
        f"Written by `make bench` on {stamp}, on {machine()}.\n"
        "Figures come from one run on a shared, noisy machine: compare ratios within a run, not across runs.\n\n"
        + "\n".join(sections)
    )
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "performance.md").write_text(text)
    print("wrote docs/performance.md")


if __name__ == "__main__":
    main(sys.argv[1:])
