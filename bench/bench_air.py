"""Benchmark: air routes round closed airspace, and air plans, against the great circle
they replace (the peer: what air mode computed before, ``pyproj.Geod.inv``), in one run.

Run: ``.venv/bin/python bench/bench_air.py [--repeat 5]``. Prints, for the pairs of
airbases below under Indian rules on 2026-12-01 (with clearance, China refusing, and
without clearance): the grid build (or cache load), the route p50/p95 with the router's
caches warm and cold, the great circle p50 for comparison, and an Il-76MD plan Hindon ->
St Petersburg cold (first under its airspace rules) and warm.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import tempfile
import time
from pathlib import Path

import numpy as np

from routing import default_planner
from routing.air.airspace import shipped_airspaces
from routing.air.router import AirRouter
from routing.air.rules import policy, shipped_rules
from routing.geo import GEOD
from routing.plan.request import PlanSpec, build_request

BASES = [
    "in-hindon-afs",
    "in-visakhapatnam-ins-dega",
    "in-goa-ins-hansa",
    "ru-levashovo-air-base",
    "ru-knevichi-air-base",
    "ru-severomorsk-1-air-base",
    "jp-naha-air-base",
    "us-diego-garcia-airfield",
    "dj-djibouti-ambouli-airbase",
    "ru-makhachkala-uytash-airport",
]
DAY = dt.date(2026, 12, 1)


def _ms(xs: list[float]) -> str:
    a = np.array(xs) * 1000
    return f"p50 {np.percentile(a, 50):.1f} ms, p95 {np.percentile(a, 95):.1f} ms"


def main() -> None:
    """Run and print."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    planner = default_planner()
    cat = planner.catalogue
    air = shipped_airspaces()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        AirRouter(air, cache_dir=Path(tmp))
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        router = AirRouter(air, cache_dir=Path(tmp))
        load = time.perf_counter() - t0
    print(f"grid: built in {build:.1f} s, loaded from the cache in {load * 1000:.0f} ms")
    pairs = list(itertools.permutations(BASES, 2))
    for label, kw in (
        ("clearance allowed, China refusing", {"allow_clearance": True, "denied": ["CHN"]}),
        ("no clearance", {}),
    ):
        pol = policy(air, shipped_rules(), cat, nation="IND", day=DAY, **kw)  # type: ignore[arg-type]
        cold: list[float] = []
        warm: list[float] = []
        gc: list[float] = []
        grid_routes = 0
        for a, b in pairs:
            fa, fb = cat.facility(a), cat.facility(b)
            mask = pol.closed([fa.country, fb.country])
            t0 = time.perf_counter()
            r = router.route(fa.point, fb.point, mask)
            cold.append(time.perf_counter() - t0)
            grid_routes += r.via_grid
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                router.route(fa.point, fb.point, mask)
                warm.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            GEOD.inv(fa.lon, fa.lat, fb.lon, fb.lat)
            gc.append(time.perf_counter() - t0)
        ratio = np.median(warm) / np.median(gc)
        print(
            f"routes ({label}; {len(pairs)} pairs, {grid_routes} round closed airspace): "
            f"first {_ms(cold)}; again {_ms(warm)}; great circle {_ms(gc)} "
            f"(route/great circle {ratio:,.0f}x)"
        )
    spec = PlanSpec(
        nation="IND",
        platform="il-76md",
        origin="in-hindon-afs",
        destination="ru-levashovo-air-base",
        departure=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        allow_clearance=True,
        denied_countries=["CHN"],
    )
    req = build_request(spec, planner.platforms)
    t0 = time.perf_counter()
    plan = planner.plan(req)
    first = time.perf_counter() - t0
    again = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        planner.plan(req)
        again.append(time.perf_counter() - t0)
    print(
        f"plan Il-76MD Hindon -> Levashovo ({plan.distance_nm:,.0f} nm, {len(plan.stops)} stops): "
        f"first {first:.2f} s; again {_ms(again)}"
    )


if __name__ == "__main__":
    main()
