"""Benchmark: an infeasible plan whose suggestions sail seasonal passages under the clock.

Run: ``.venv/bin/python bench/bench_seasons.py`` (the shipped catalogue), or with
``--facilities F --cache DIR`` over a bigger one (``bench/bench_scale.py --keep DIR``
writes them: ``DIR/facilities-5000.geojson`` and ``DIR/cache-5000``). Prints, for each
request, the time of its first plan in a fresh planner (the route blocks cached on disk
or not, the planner's own caches empty), whether it is feasible, and how many variants its
suggestions planned. The requests: Visakhapatnam to Severomorsk and Vladivostok to
Severomorsk in late winter with Suez closed, a Talwar-class frigate: the Northern Sea Route
is shut until July, so every itinerary and every suggestion's is judged on the clock.
Before the variants were screened on the legs that could ever start in time (issue 17):
0.85 s, 10.9 s and over 15 minutes for the first request at 145, 500 and 5,000 facilities.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path

CASES = [
    ("in-visakhapatnam-naval-dockyard", "ru-severomorsk-naval-base", "2026-02-01", ("suez",)),
    ("ru-vladivostok-naval-base", "ru-severomorsk-naval-base", "2026-03-15", ("suez",)),
]


def main() -> None:
    """Run and print."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--facilities", type=Path, help="a catalogue (default: the shipped one)")
    ap.add_argument("--cache", type=Path, help="its graph cache (RELOS_CACHE_DIR)")
    args = ap.parse_args()
    if args.cache is not None:
        os.environ["RELOS_CACHE_DIR"] = str(args.cache)
    from routing.catalogue.load import load_catalogue
    from routing.catalogue.platforms import load_platforms
    from routing.memory import set_numpy_hugepages
    from routing.plan.planner import Member, Planner, PlanRequest
    from routing.service import sea_router_for

    set_numpy_hugepages(False)  # as the service runs (RELOS_NUMPY_HUGEPAGES)

    cat = load_catalogue(args.facilities) if args.facilities else load_catalogue()
    sea = sea_router_for(cat, cache_dir=args.cache)
    platforms = load_platforms()
    print(f"{len(cat)} facilities, load average {os.getloadavg()[0]:.2f}")
    for origin, destination, day, closed in CASES:
        planner = Planner(cat, sea, platforms=platforms)
        planned = 0
        feasible = Planner._feasible

        def counted(self: Planner, *args: object, feasible=feasible) -> object:
            nonlocal planned
            planned += 1
            return feasible(self, *args)  # type: ignore[arg-type]

        Planner._feasible = counted  # type: ignore[method-assign]
        req = PlanRequest(
            nation="IND",
            group=(Member(platforms["talwar"]),),
            origin=origin,
            destination=destination,
            departure=dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC),
            closed=frozenset(closed),
        )
        t0 = time.perf_counter()
        plan = planner.plan(req)
        took = time.perf_counter() - t0
        Planner._feasible = feasible  # type: ignore[method-assign]
        print(
            f"{origin} -> {destination}, {day}, closed {','.join(closed)}: "
            f"{took * 1000:,.0f} ms, feasible {plan.feasible}, "
            f"{len(plan.suggestions)} suggestions, {planned} variants planned"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
