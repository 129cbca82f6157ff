"""Benchmark: reach for one nation and platform, against one plan (the peer: what an
analyst scripted before, a voyage at a time), in one run.

Run: ``.venv/bin/python bench/bench_reach.py [--repeat 20]``. Prints the sea grid's
build or cache load, then for each case (India's Talwar from its naval bases, three
stops; Russia's Udaloy from Vladivostok, two stops; India with RELOS dropped) the first
reach under its closure set (the per-port distances over open water computed then),
the p50/p95 of repeats with the frontier left out, the frontier polygons' p50, and a
single plan's p50 for scale; then ``impact`` over all of India's agreements (ten: a reach
and ten voyages each, with and without) and Russia's. Target (issue 15): reach p50 under
200 ms in-process.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from routing import default_planner
from routing.plan.impact import impact
from routing.plan.reach import Reach

CASES = [
    ("IND Talwar, home bases, 3 stops", {"nation": "IND", "platform": "talwar"}, (), 3),
    (
        "RUS Udaloy, Vladivostok, 2 stops",
        {"nation": "RUS", "platform": "udaloy"},
        ("ru-vladivostok-naval-base",),
        2,
    ),
    (
        "IND Talwar, RELOS dropped",
        {"nation": "IND", "platform": "talwar", "dropped_agreements": ["relos"]},
        (),
        3,
    ),
]


def main() -> None:
    """Run and print."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    planner = default_planner()
    t = time.perf_counter()
    rf = planner.reach_field
    print(f"sea grid: {rf.grid.n_cells:,} cells, ready in {time.perf_counter() - t:.1f} s")
    for label, opts, origins, stops in CASES:
        req = planner.request(
            origin="in-mumbai-naval-dockyard",
            destination="in-mumbai-naval-dockyard",
            departure="2027-07-01",
            **opts,  # type: ignore[arg-type]
        )
        t = time.perf_counter()
        got: Reach = planner.reach(req, origins=origins, max_stops=stops)
        first = time.perf_counter() - t
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            planner.reach(req, origins=origins, max_stops=stops)
            times.append(time.perf_counter() - t)
        shapes = []
        for _ in range(max(3, args.repeat // 4)):
            t = time.perf_counter()
            got.frontier("stops")
            shapes.append(time.perf_counter() - t)
        plan_req = planner.request(
            origin=got.origins[0].key,
            destination="ru-vladivostok-naval-base"
            if opts["nation"] == "IND"
            else "in-visakhapatnam-naval-dockyard",
            departure="2027-07-01",
            max_stops=stops,
            **opts,  # type: ignore[arg-type]
        )
        planner.plan(plan_req)
        plans = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            planner.plan(plan_req)
            plans.append(time.perf_counter() - t)
        p50 = statistics.median(times)
        plan50 = statistics.median(plans)
        print(
            f"{label}: {got.area_km2 / 1e6:,.0f} M km2, {len(got.facilities)} facilities; "
            f"first {first * 1000:,.0f} ms; p50 {p50 * 1000:.1f} ms, "
            f"p95 {np.percentile(times, 95) * 1000:.1f} ms (target 200); frontier p50 "
            f"{statistics.median(shapes) * 1000:.0f} ms; one plan p50 {plan50 * 1000:.1f} ms "
            f"(reach = {p50 / plan50:.1f} plans)",
            flush=True,
        )

    for nation, platform, origins in (
        ("IND", "talwar", ()),
        ("RUS", "udaloy", ("ru-vladivostok-naval-base",)),
    ):
        req = planner.request(
            nation=nation,
            platform=platform,
            origin="in-mumbai-naval-dockyard",
            destination="in-mumbai-naval-dockyard",
            departure="2027-07-01",
        )
        spent = []
        for _ in range(3):
            t = time.perf_counter()
            ranked = impact(planner, req, origins=origins, max_stops=2)
            spent.append(time.perf_counter() - t)
        print(
            f"impact {nation} {platform}: {len(ranked.ranked)} agreements, "
            f"{len(ranked.ranked[0].voyages)} voyages each; p50 {statistics.median(spent):.2f} s "
            f"(first {spent[0]:.2f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
