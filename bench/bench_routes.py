"""Sea-routing benchmark: ours against searoute and scgraph, matrices, cold start.

Run: ``.venv/bin/python bench/bench_routes.py`` (scgraph is a benchmark-only dependency:
``pip install -e '.[bench]'``; without it, or without its MARNET graph, which it downloads
on first use into ``~/.cache/scgraph``, its lines are skipped). Prints

* point to point, in one run on the same port pairs, interleaved so a busy machine
  weighs on all alike (in-process, warmed up; the machine's load average before and
  after): scgraph 3.6 on its MARNET graph with its contraction hierarchies, its default
  search (bidirectional Dijkstra with buckets) and plain Dijkstra; searoute 1.6 (its
  default MARNET graph); ours between the catalogue facilities (port ids) and between
  lon,lat sea points at the same ports; p50/p99 per query and the ratios of the p50s;
* a 200 x 200 port distance matrix under the closure set {suez, malacca}, cold (first
  use of that closure set) and warm;
* the time from launching a fresh Python process to its first route, with the graph
  cache warm.

The router is the product's own, over the catalogue's ports and naval bases
(``data/facilities.geojson``): :func:`routing.service.sea_router_for` of
:func:`routing.validation.load_catalogue`, as the API, the CLI and the planner build it.
scgraph and searoute are given the facilities' own positions (they snap them to their
graphs without a land check); ours routes between the facilities' port ids, and for the
lon,lat line between each port's sea point (or, where the land raster puts it ashore,
the nearest sea point the router names), which it joins to the graph by land-safe
connectors.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from routing.catalogue.load import load_catalogue  # noqa: E402
from routing.catalogue.model import Catalogue  # noqa: E402
from routing.errors import OnLandError  # noqa: E402
from routing.sea.router import SeaRouter  # noqa: E402
from routing.service import sea_router_for  # noqa: E402

N_PAIRS = 60
#: Rounds over the pairs (each round times every method on every pair in turn).
REPEATS = 5
#: Pairs routed between lon,lat sea points (each takes milliseconds: a raster search).
N_POINT_PAIRS = 20
CLOSED = ("suez", "malacca")
#: The pair the cold-start measurement routes: two catalogue facilities.
COLD_PAIR = ("in-mumbai-naval-dockyard", "gb-portsmouth-naval-base")


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The shipped catalogue."""
    return load_catalogue()


@functools.lru_cache(maxsize=1)
def sea_router() -> SeaRouter:
    """The product's router over the shipped catalogue (built or loaded once)."""
    return sea_router_for(catalogue())


def _percentiles(times: list[float]) -> tuple[float, float]:
    a = np.array(times) * 1000.0
    return float(np.percentile(a, 50)), float(np.percentile(a, 99))


def _pairs() -> list[tuple[str, str]]:
    """N_PAIRS random pairs of catalogue ports with a sea route between them."""
    router = sea_router()
    ids = list(router.port_ids)
    reach = router.distance_matrix()  # default: no closures, seasonal routes closed
    rng = np.random.default_rng(2024)
    pairs: list[tuple[str, str]] = []
    while len(pairs) < N_PAIRS:
        a, b = rng.choice(len(ids), 2, replace=False)
        if np.isfinite(reach[a, b]):
            pairs.append((ids[a], ids[b]))
    return pairs


def _sea_point(port_id: str) -> tuple[float, float]:
    """The port's sea point, or the nearest sea point where the land raster puts it ashore."""
    router = sea_router()
    x, y = router.graph.port_sea[router.port_index(port_id)]
    try:
        router.route((float(x), float(y)), (float(x), float(y)))
    except OnLandError as e:
        assert e.nearest_sea is not None
        return e.nearest_sea
    return float(x), float(y)


def _scgraph() -> tuple[Any, float] | str:
    """scgraph's MARNET graph with its contraction hierarchies and the seconds they took
    to build, or why scgraph is left out."""
    try:
        from scgraph import GeoGraph
    except ImportError:
        return "scgraph not installed (pip install -e '.[bench]')"
    try:
        graph = GeoGraph.load_geograph("marnet")
    except Exception as e:  # offline: it downloads the graph on first use
        return f"scgraph's marnet graph not available ({type(e).__name__}: {e})"
    t = time.perf_counter()
    graph.graph_object.create_contraction_hierarchy()
    return graph, time.perf_counter() - t


def bench_point_to_point() -> None:
    """scgraph, searoute and ours on the same port pairs, interleaved."""
    router = sea_router()
    sites = {f.id: f for f in catalogue()}
    pairs = _pairs()
    ends = [((sites[a].lon, sites[a].lat), (sites[b].lon, sites[b].lat)) for a, b in pairs]
    load_before = os.getloadavg()
    runs: dict[str, Callable[[int], object]] = {}
    sc = _scgraph()
    if not isinstance(sc, str):
        geo = sc[0]
        ll = [
            ({"latitude": o[1], "longitude": o[0]}, {"latitude": d[1], "longitude": d[0]})
            for o, d in ends
        ]
        for name, fn in (
            ("scgraph CH", "contraction_hierarchy"),
            ("scgraph default", "bidirectional_buckets"),
            ("scgraph dijkstra", "dijkstra"),
        ):
            runs[name] = functools.partial(
                lambda k, fn: geo.get_shortest_path(*ll[k], algorithm_fn=fn), fn=fn
            )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import searoute

        searoute.searoute([0.0, 0.0], [10.0, 10.0])  # warm up: graphs load on first call
    runs["searoute"] = lambda k: searoute.searoute(list(ends[k][0]), list(ends[k][1]))
    runs["ours"] = lambda k: router.route(*pairs[k])
    times: dict[str, list[float]] = {name: [] for name in runs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(5):  # warm up
            for run in runs.values():
                run(k)
        for _ in range(REPEATS):
            for name, run in runs.items():
                for k in range(len(pairs)):
                    t = time.perf_counter()
                    run(k)
                    times[name].append(time.perf_counter() - t)
    # lon,lat points: joined to the graph by land-safe connectors (a raster search near
    # the coast), so slower; fewer pairs, once each
    points = [(_sea_point(a), _sea_point(b)) for a, b in pairs[:N_POINT_PAIRS]]
    times["ours, lon,lat"] = []
    for o, d in points:
        t = time.perf_counter()
        router.route(o, d)
        times["ours, lon,lat"].append(time.perf_counter() - t)
    load_after = os.getloadavg()
    p50 = {}
    print(
        f"point-to-point over {len(pairs)} port pairs x {REPEATS} (in-process, warm, "
        f"interleaved; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after, "
        f"{os.cpu_count()} cores):"
    )
    if isinstance(sc, str):
        print(f"  {sc}: its lines are left out")
    else:
        print(f"  scgraph {_version('scgraph')}: contraction hierarchies built in {sc[1]:.2f} s")
    labels = {
        "scgraph CH": "scgraph, contraction hierarchies",
        "scgraph default": "scgraph, its default (bidirectional buckets)",
        "scgraph dijkstra": "scgraph, dijkstra",
        "searoute": f"searoute {_version('searoute')}",
        "ours": "ours, facility to facility (port ids)",
        "ours, lon,lat": f"ours, lon,lat sea points ({len(points)} pairs, once)",
    }
    for name, ts in times.items():
        p50[name], p99 = _percentiles(ts)
        print(f"  {labels[name]:<46} p50 {p50[name]:8.3f} ms   p99 {p99:8.3f} ms")
    o50 = p50["ours"]
    print(f"  ratio ours/searoute at p50: 1/{p50['searoute'] / o50:.1f}")
    if "scgraph CH" in p50:
        print(
            f"  ratio ours/scgraph CH at p50: {o50 / p50['scgraph CH']:.2f} "
            f"(target: <= 1); ours/scgraph default: 1/{p50['scgraph default'] / o50:.1f}"
        )


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def bench_matrix() -> None:
    """200 x 200 matrix under a closure set, cold and warm."""
    router = sea_router()
    ids = list(router.connected_ports)
    note = ""
    if len(ids) < 200:
        note = f" ({len(ids)} connected ports, repeated to make 200 rows)"
        ids = (ids * (200 // len(ids) + 1))[:200]
    router._closure_cached.cache_clear()
    t = time.perf_counter()
    m = router.matrix(ids, closed=CLOSED)
    cold = time.perf_counter() - t
    warm_times = []
    for _ in range(20):
        t = time.perf_counter()
        router.matrix(ids, closed=CLOSED)
        warm_times.append(time.perf_counter() - t)
    t = time.perf_counter()
    router.distance_matrix(closed=CLOSED)
    first_all = time.perf_counter() - t
    t = time.perf_counter()
    router.leg_nm(ids[0], ids[1], closed=CLOSED)
    leg = time.perf_counter() - t
    print(f"matrix 200 x 200 under closed={{{', '.join(CLOSED)}}}{note}:")
    print(f"  cold (first use of the closure set) {cold * 1000:8.3f} ms")
    print(f"  warm                                {np.median(warm_times) * 1000:8.3f} ms")
    print(
        f"  all-ports matrix, first {first_all * 1000:.3f} ms; leg_nm from its cache "
        f"{leg * 1e6:.1f} us"
    )
    print(f"  finite entries {np.isfinite(m).mean() * 100:.1f} %")


def bench_cold_start() -> None:
    """A fresh interpreter: imports, graph load from the warm cache, first route."""
    sea_router()  # make sure the cache is warm
    code = textwrap.dedent(
        f"""
        import time
        t0 = time.perf_counter()
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from routing.service import sea_router_for
        from routing.catalogue.load import load_catalogue
        r = sea_router_for(load_catalogue())
        r.route({COLD_PAIR[0]!r}, {COLD_PAIR[1]!r})
        print(time.perf_counter() - t0)
        """
    )
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    wall = time.perf_counter() - t
    inproc = float(out.stdout.strip().splitlines()[-1])
    print("cold start, fresh process, warm cache:")
    print(f"  process launch to first route {wall:.3f} s")
    print(f"  (in-process, from the first import: {inproc:.3f} s)")


def main() -> None:
    """Run every benchmark and print the figures."""
    t = time.perf_counter()
    router = sea_router()
    print(
        f"sea graph {router.graph_version}: {router.n_nodes} nodes, {router.n_edges} edges, "
        f"{len(router.port_ids)} catalogue ports, {len(list(router.connected_ports))} connected "
        f"(loaded in {time.perf_counter() - t:.2f} s)"
    )
    bench_point_to_point()
    bench_matrix()
    bench_cold_start()


if __name__ == "__main__":
    main()
