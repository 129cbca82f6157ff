"""Benchmark: in-process deployment plans, beside searoute's single point-to-point query.

Run: ``.venv/bin/python bench/bench_plans.py``. Prints p50/p99 of ``Planner.plan``
over a set of real deployments (warm caches: the figures are what a running
service sees), and in the same run p50 of one ``searoute.searoute`` query
between the same end points, so the two can be compared as a ratio on a noisy
machine. Targets (issue #4): plan p50 <= 2 ms, p99 <= 10 ms.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import warnings

import numpy as np

from routing.catalogue.load import load_catalogue
from routing.catalogue.model import Agreement
from routing.catalogue.platforms import load_platforms
from routing.plan.planner import Member, Planner, PlanRequest
from routing.plan.scenario import Scenario
from routing.service import sea_router_for

CASES = [
    ("in-mumbai-naval-dockyard", "ru-vladivostok-naval-base", "talwar", ()),
    ("in-visakhapatnam-naval-dockyard", "ru-severomorsk-naval-base", "talwar", ()),
    ("in-karwar-naval-base", "ru-petropavlovsk-kamchatsky-port", "kolkata", ()),
    ("in-port-blair-naval-base", "jp-yokosuka-naval-base", "kamorta", ()),
    ("in-kochi-naval-base", "fr-toulon-naval-base", "shivalik", ()),
    ("in-mumbai-naval-dockyard", "ru-vladivostok-naval-base", "talwar", ("malacca",)),
    ("in-chennai-naval-base", "au-hmas-stirling", "kamorta", ()),
    ("in-goa-naval-base", "ru-baltiysk-naval-base", "talwar", ()),
]


def pct(values: list[float], q: float) -> float:
    """The q-th percentile, milliseconds."""
    return float(np.percentile(values, q)) * 1000


def main() -> None:
    """Run and print."""
    cat = load_catalogue()
    platforms = load_platforms()
    sea = sea_router_for(cat)
    planner = Planner(cat, sea, platforms=platforms)
    dep = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    requests = [
        PlanRequest(
            nation="IND",
            group=(Member(platforms[p]),),
            origin=a,
            destination=b,
            departure=dep,
            closed=frozenset(c),
        )
        for a, b, p, c in CASES
    ]
    for r in requests:  # warm the per-closure-set caches, as a running service has them
        planner.plan(r)
    times: list[float] = []
    feasible = 0
    for _ in range(25):
        for r in requests:
            t0 = time.perf_counter()
            result = planner.plan(r)
            times.append(time.perf_counter() - t0)
            feasible += result.feasible
    # A scenario that adds a hypothetical agreement and closes a passage: repeated, it
    # should cost what the baseline costs (derived catalogues and candidates are cached).
    scn = Scenario(
        name="Sabang opens, Malacca shut",
        closed=frozenset({"malacca"}),
        added_agreements=(
            Agreement(
                id="india-indonesia",
                name="hypothetical",
                parties=("IND", "IDN"),
                signed=dt.date(2026, 1, 1),
                in_force_from=dt.date(2026, 1, 1),
                services=("fuel", "provisions", "water"),
            ),
        ),
    )
    for r in requests:
        planner.plan(r, scenario=scn)
    scn_times: list[float] = []
    for _ in range(25):
        for r in requests:
            t0 = time.perf_counter()
            planner.plan(r, scenario=scn)
            scn_times.append(time.perf_counter() - t0)
    import searoute

    sr: list[float] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a, b, *_ in CASES:
            fa, fb = cat.facility(a), cat.facility(b)
            searoute.searoute([fa.lon, fa.lat], [fb.lon, fb.lat])  # warm its graph
        for _ in range(3):
            for a, b, *_ in CASES:
                fa, fb = cat.facility(a), cat.facility(b)
                t0 = time.perf_counter()
                searoute.searoute([fa.lon, fa.lat], [fb.lon, fb.lat])
                sr.append(time.perf_counter() - t0)
    print(f"plans: {len(times)} runs over {len(CASES)} deployments ({feasible} feasible)")
    print(f"  plan p50 {pct(times, 50):.2f} ms   p99 {pct(times, 99):.2f} ms   (targets 2 / 10 ms)")
    print(f"  searoute single query p50 {pct(sr, 50):.2f} ms  p99 {pct(sr, 99):.2f} ms")
    print(
        f"  ratio plan p50 / searoute p50 = {statistics.median(times) / statistics.median(sr):.3f}"
    )
    print(
        f"  same plans under a repeated scenario: p50 {pct(scn_times, 50):.2f} ms "
        f"p99 {pct(scn_times, 99):.2f} ms (ratio to baseline p50 "
        f"{statistics.median(scn_times) / statistics.median(times):.2f})"
    )


if __name__ == "__main__":
    main()
