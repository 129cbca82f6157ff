"""Benchmark of the maps: render time and standalone size of a plan map (and others).

Budget (issue #5): a plan map with about five legs renders in at most 300 ms (p50)
and weighs at most 2 MB as a standalone file. Run::

    .venv/bin/python bench/bench_maps.py

Prints one line per map; exits 1 when the plan map is over budget.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402

from maps import (  # noqa: E402
    facility_features,
    render_catalogue,
    render_layers,
    render_plan,
    render_route,
    to_html,
)
from routing.catalogue.load import load_catalogue  # noqa: E402
from routing.catalogue.query import find_facilities  # noqa: E402
from tests.maps import fixtures as fx  # noqa: E402

RUNS = 20
BUDGET_MS = 300.0
BUDGET_BYTES = 2 * 1024 * 1024


def measure(build: Callable[[], folium.Map], *, standalone: bool) -> tuple[float, float, int]:
    """p50 and max milliseconds to render and serialise, and the page size in bytes."""
    to_html(build(), standalone=standalone)  # warm caches (assets read once per process)
    times = []
    size = 0
    for _ in range(RUNS):
        start = time.perf_counter()
        page = to_html(build(), standalone=standalone)
        times.append((time.perf_counter() - start) * 1000)
        size = len(page.encode("utf-8"))
    return statistics.median(times), max(times), size


def main() -> int:
    """Print the figures; 1 when the plan map is over budget."""
    catalogue = load_catalogue()
    plan = fx.mumbai_vladivostok_plan()
    route = fx.mumbai_vladivostok_route()
    features = facility_features(find_facilities(catalogue), catalogue)
    cases: list[tuple[str, Callable[[], folium.Map], bool]] = [
        ("plan (5 legs, 4 stops), standalone", lambda: render_plan(plan), True),
        ("plan (5 legs, 4 stops), served", lambda: render_plan(plan), False),
        (
            "route + 1 alternative + gates, standalone",
            lambda: render_route(route, passages=fx.PASSAGES),
            True,
        ),
        (
            "2 alternatives side by side, standalone",
            lambda: render_layers([("plan", plan), ("route", route)]),
            True,
        ),
        (
            f"catalogue ({len(features)} facilities), standalone",
            lambda: render_catalogue(features, title="catalogue"),
            True,
        ),
    ]
    print(
        f"maps benchmark: {RUNS} runs each (render + HTML), budget {BUDGET_MS:.0f} ms p50, "
        f"{BUDGET_BYTES / 2**20:.0f} MB standalone plan"
    )
    print(f"{'map':48} {'p50 ms':>8} {'max ms':>8} {'size KiB':>9}")
    verdict = 0
    for i, (name, build, standalone) in enumerate(cases):
        p50, worst, size = measure(build, standalone=standalone)
        print(f"{name:48} {p50:8.1f} {worst:8.1f} {size / 1024:9.0f}")
        if i == 0 and (p50 > BUDGET_MS or size > BUDGET_BYTES):
            verdict = 1
    print("plan map within budget" if verdict == 0 else "plan map OVER BUDGET")
    return verdict


if __name__ == "__main__":
    sys.exit(main())
