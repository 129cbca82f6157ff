"""Run every benchmark in this folder, one after the other, printing their figures.

Usage: ``make bench`` (or ``.venv/bin/python bench/run.py [name ...]``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Run the named benchmarks (default: all ``bench_*.py``)."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    status = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        status |= subprocess.call([sys.executable, str(script)])
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
