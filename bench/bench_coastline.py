"""Benchmark: the sea graph against a finer coastline (GSHHG full resolution).

Run: ``.venv/bin/python bench/bench_coastline.py``. Samples every edge of the
product's sea graph every 250 m, looks each sample up in GSHHG full resolution
(``roaring-landmask``), ignores samples inside the declared canals and rivers
(``data/sea/waterways.geojson``) and the first and last 2 km of port connectors, and
prints how many edges run over land for more than 0.5 km, where the worst are, and
how many routes between connected catalogue ports use such an edge (issue #11's
target is zero).
"""

from __future__ import annotations

import itertools
import time
import warnings

import numpy as np
import shapely

from routing.sea.land import sample_polyline
from routing.service import default_services

STEP_KM = 0.25
RUN_KM = 0.5
END_KM = 2.0


def land_runs(mask: object, geom: np.ndarray, waivers: shapely.Geometry, port_edge: bool) -> float:
    """Longest stretch (km) of a polyline on GSHHG land outside the waivers."""
    lon, lat, dist, _ = sample_polyline(geom[:, 0], geom[:, 1], step_km=STEP_KM)
    land = np.asarray(mask.contains_many(lon, lat), dtype=bool)  # type: ignore[attr-defined]
    if port_edge:
        land &= (dist > END_KM) & (dist < dist[-1] - END_KM)
    if land.any():
        idx = np.nonzero(land)[0]
        land[idx[shapely.contains_xy(waivers, lon[idx], lat[idx])]] = False
    if not land.any():
        return 0.0
    f = np.diff(np.concatenate([[0], land.astype(np.int8), [0]]))
    return float(((np.nonzero(f == -1)[0] - np.nonzero(f == 1)[0]) * STEP_KM).max())


def main() -> None:
    """Measure and print."""
    from roaring_landmask import RoaringLandmask

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    mask = RoaringLandmask.new()
    t1 = time.perf_counter()
    services = default_services()
    sea = services.require_sea()
    g = sea.graph
    print(f"sea graph ready in {time.perf_counter() - t1:.1f} s; build stats:")
    for k, v in g.stats.items():
        print(f"  {k}: {v:,.1f}")
    g = sea.graph
    waivers = sea.sea.waterway_union  # declared canals and rivers only
    print(f"GSHHG loaded in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    bad: dict[int, float] = {}
    for e in range(len(g.a_from)):
        port_edge = g.a_from[e] >= g.n_core or g.a_to[e] >= g.n_core
        run = land_runs(mask, g.geometry(e), waivers, bool(port_edge))
        if run > RUN_KM:
            bad[e] = run
    print(
        f"edges: {len(g.a_from):,}; with a GSHHG land run over {RUN_KM} km outside waivers: "
        f"{len(bad):,} ({time.perf_counter() - t0:.1f} s)"
    )
    for e, run in sorted(bad.items(), key=lambda kv: -kv[1])[:12]:
        mid = g.geometry(e)[len(g.geometry(e)) // 2]
        lon = (mid[0] + 180.0) % 360.0 - 180.0
        print(f"  edge {e:6d}: {run:5.2f} km on land near lon {lon:.3f}, lat {mid[1]:.3f}")
    used: dict[str, float] = {}
    for w in sea.sea.waterways:
        poly = w.polygon
        km = 0.0
        for e in range(len(g.a_from)):
            geom = g.geometry(e)
            lon = (geom[:, 0] + 180.0) % 360.0 - 180.0
            if not shapely.intersects(poly, shapely.LineString(np.column_stack([lon, geom[:, 1]]))):
                continue
            slon, slat, _, _ = sample_polyline(geom[:, 0], geom[:, 1], step_km=STEP_KM)
            inside = shapely.contains_xy(poly, slon, slat)
            if inside.any():
                on = np.asarray(mask.contains_many(slon[inside], slat[inside]), dtype=bool)
                km = max(km, float(on.sum()) * STEP_KM)
        used[w.id] = km
    print("GSHHG land inside each declared waterway (km, the most on one edge):")
    for wid, km in used.items():
        print(f"  {wid}: {km:.2f}")
    ports = list(sea.connected_ports)
    affected = 0
    pairs = list(itertools.combinations(ports, 2))
    t0 = time.perf_counter()
    for a, b in pairs:
        plan = sea._solve_ports(sea.port_index(a), sea.port_index(b), frozenset({"nsr", "nwp"}))
        if plan is None:
            continue
        edges = set(sea._route_edges(plan))
        if edges & set(bad):
            affected += 1
    print(
        f"routes between {len(ports)} connected ports ({len(pairs):,} pairs) using such an "
        f"edge: {affected:,} ({affected / len(pairs):.0%}) ({time.perf_counter() - t0:.1f} s)"
    )
    open_ocean(sea, mask, pairs)


def open_ocean(sea: object, mask: object, pairs: list[tuple[str, str]]) -> None:
    """Routes between ports whose sea points see each other over open water (on the 1 km
    raster and on GSHHG, between 60 S and 66 N) against the WGS84 geodesic (target: 1 %)."""
    from global_land_mask import globe
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    excess: list[tuple[float, str, str]] = []
    for a, b in pairs:
        r = sea.route(a, b)  # type: ignore[attr-defined]
        p, q = r.coordinates[0], r.coordinates[-1]
        m = geod.inv(p.lon, p.lat, q.lon, q.lat)[2]
        if m < 50 * 1852:
            continue
        pts = np.array(geod.npts(p.lon, p.lat, q.lon, q.lat, int(m / 250.0)))
        lon = (pts[:, 0] + 180.0) % 360.0 - 180.0
        if pts[:, 1].min() < -60 or pts[:, 1].max() > 66 or globe.is_land(pts[:, 1], lon).any():
            continue
        if np.asarray(mask.contains_many(lon, pts[:, 1])).any():  # type: ignore[attr-defined]
            continue
        excess.append((r.distance_nm / (m / 1852) - 1.0, a, b))
    if not excess:
        print("open-ocean port pairs: none")
        return
    x = np.array([e[0] for e in excess]) * 100
    print(
        f"open-ocean port pairs (geodesic clear of land): {len(x)}; over the geodesic: "
        f"p50 {np.median(x):.2f} %, max {x.max():.2f} %, over 1 %: {(x > 1).sum()}"
    )
    for e, a, b in sorted(excess, reverse=True)[:3]:
        print(f"  {a} -> {b}: {100 * e:.2f} %")


if __name__ == "__main__":
    main()
