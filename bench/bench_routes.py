"""Sea-routing benchmark: ours against searoute, matrices, cold start.

Run: ``.venv/bin/python bench/bench_routes.py``. Prints

* searoute 1.6 (its default MARNET graph, in-process, warmed up) p50/p99 per query
  and ours on the same port pairs, and the ratio of the p50s;
* a 200 x 200 port distance matrix under the closure set {suez, malacca}, cold (first
  use of that closure set) and warm;
* the time from launching a fresh Python process to its first route, with the graph
  cache warm.

The router is the product's own, over the catalogue's ports and naval bases
(``data/facilities.geojson``): :func:`routing.service.sea_router_for` of
:func:`routing.validation.load_catalogue`, as the API, the CLI and the planner build it.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from routing.catalogue.load import load_catalogue  # noqa: E402
from routing.catalogue.model import Catalogue  # noqa: E402
from routing.sea.router import SeaRouter  # noqa: E402
from routing.service import sea_router_for  # noqa: E402

N_PAIRS = 60
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


def bench_point_to_point() -> None:
    """searoute and ours on the same port pairs."""
    router = sea_router()
    sites = {f.id: f for f in catalogue()}
    ids = list(router.port_ids)
    reach = router.distance_matrix()  # default: no closures, seasonal routes closed
    rng = np.random.default_rng(2024)
    pairs = []
    while len(pairs) < N_PAIRS:
        a, b = rng.choice(len(ids), 2, replace=False)
        if np.isfinite(reach[a, b]):
            pairs.append((ids[a], ids[b]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import searoute

        searoute.searoute([0.0, 0.0], [10.0, 10.0])  # warm up: graphs load on first call
        sr_times = []
        for a, b in pairs:
            o, d = sites[a], sites[b]
            t = time.perf_counter()
            searoute.searoute([o.lon, o.lat], [d.lon, d.lat])
            sr_times.append(time.perf_counter() - t)
    for a, b in pairs[:5]:
        router.route(a, b)  # warm up
    our_times = []
    for a, b in pairs:
        t = time.perf_counter()
        router.route(a, b)
        our_times.append(time.perf_counter() - t)
    s50, s99 = _percentiles(sr_times)
    o50, o99 = _percentiles(our_times)
    print(f"point-to-point over {len(pairs)} port pairs (in-process, warm):")
    print(f"  searoute 1.6   p50 {s50:8.3f} ms   p99 {s99:8.3f} ms")
    print(f"  ours           p50 {o50:8.3f} ms   p99 {o99:8.3f} ms")
    print(f"  ratio ours/searoute at p50: 1/{s50 / o50:.1f}")


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
