"""Sea-only connectors: how a port or a sea point is joined to the network through water.

Tried in turn: water only, in growing raster windows; then bridging single raster
cells; then (ports only) crossing up to ``HARBOUR_BRIDGE_KM`` of raster land, for
harbours the 1 km raster closes (the crossing is reported). Among the reachable
network nodes, those none of which is better reached through another are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.geo import GEOD, great_circle_km, unwrap, wrap
from routing.sea.land import CELL_KM, LandMask, WaterGrid, window_around

MAX_SEG_KM = 25.0
"""Longest segment of a stored edge geometry (km); longer ones get geodesic vertices."""
PORT_SNAP_KM = 3.0
PORT_RADII_KM = (40.0, 100.0, 220.0, 450.0)
MAX_ATTACH = 4
HARBOUR_BRIDGE_KM = 8.0
"""Most raster land a port connector may cross where the raster closes a harbour."""


def densify(coords: np.ndarray, *, max_km: float = MAX_SEG_KM) -> np.ndarray:
    """Insert geodesic points so that no segment exceeds ``max_km``; lon unwrapped.

    Vectorised over the whole line: each segment of ``k`` km gets ``ceil(k / max_km) - 1``
    points equally spaced along its geodesic (as ``Geod.npts`` places them)."""
    coords = np.asarray(coords, dtype=float)
    if len(coords) < 2:
        res = coords.copy()
        res[:, 0] = unwrap(res[:, 0])
        return res
    x1, y1 = coords[:-1, 0], coords[:-1, 1]
    x2, y2 = coords[1:, 0], coords[1:, 1]
    km = np.asarray(great_circle_km(x1, y1, x2, y2), dtype=float)
    inner = np.maximum(np.ceil(km / max_km).astype(np.int64) - 1, 0)
    az, _, metres = GEOD.inv(x1, y1, x2, y2)
    counts = inner + 1  # each segment's start, then its inner points
    seg = np.repeat(np.arange(len(x1)), counts)
    k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    lon, lat, _ = GEOD.fwd(
        x1[seg], y1[seg], np.asarray(az)[seg], np.asarray(metres)[seg] * k / (inner[seg] + 1)
    )
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    start = k == 0  # the given vertices, exactly
    lon[start], lat[start] = x1[seg[start]], y1[seg[start]]
    res = np.vstack([np.column_stack([lon, lat]), coords[-1:]])
    res[:, 0] = unwrap(res[:, 0])
    return res


@dataclass
class Attachment:
    """How a point is joined to the backbone."""

    sea_point: tuple[float, float] | None
    snap_km: float
    connectors: list[tuple[int, np.ndarray]]  # (backbone node, geometry point -> node)
    bridged: bool = False
    bridge_km: float = 0.0
    reason: str = ""
    grid: WaterGrid | None = None
    start: int = -1
    dist: np.ndarray | None = None
    pred: np.ndarray | None = None


def attach(
    mask: LandMask,
    nodes: np.ndarray,
    csr: csr_matrix,
    lon: float,
    lat: float,
    *,
    max_attach: int = MAX_ATTACH,
    snap_km: float = PORT_SNAP_KM,
    allow_harbour_bridge: bool = True,
) -> Attachment:
    """Sea-only connectors from a point to up to ``max_attach`` nodes (see the module doc)."""
    hit = mask.nearest_water(lon, lat, max_km=snap_km)
    if hit is None:
        return Attachment(None, np.inf, [], reason=f"on land, no water cell within {snap_km} km")
    (slon, slat), skm = hit
    coslat = max(np.cos(np.radians(slat)), 0.05)
    plans = [(0, r) for r in PORT_RADII_KM] + [(1, r) for r in PORT_RADII_KM[:3]]
    if allow_harbour_bridge:
        plans += [(2, r) for r in PORT_RADII_KM[:2]]
    for bridge, radius in plans:
        r0, r1, c0, c1 = window_around(slon, slat, slon, slat, margin_km=radius)
        grid = WaterGrid(mask, r0, r1, c0, c1, bridge=bridge)
        start = int(grid.local(np.array([slon]), np.array([slat]))[0])
        if start < 0 or not grid.is_water(np.array([start]))[0]:
            return Attachment(None, np.inf, [], reason="sea point outside raster window")
        dlat = np.abs(nodes[:, 1] - slat) * CELL_KM * 120.0
        dlon = np.abs(wrap(nodes[:, 0] - slon)) * CELL_KM * 120.0 * coslat
        near = np.nonzero((dlat < radius) & (dlon < radius))[0]
        if near.size == 0:
            continue
        loc = grid.local(nodes[near, 0], nodes[near, 1])
        ok = (loc >= 0) & grid.is_water(loc)
        near, loc = near[ok], loc[ok]
        if near.size == 0:
            continue
        dist, pred = grid.shortest(start, limit=radius * 3.0 + (500.0 if bridge else 0.0))
        g = dist[loc]
        reach = np.isfinite(g)
        near, loc, g = near[reach], loc[reach], g[reach]
        if near.size == 0:
            continue
        if near.size < 2 and bridge == 0 and radius < PORT_RADII_KM[-1]:
            continue
        chosen = choose_attach(csr, near, g, max_attach=max_attach)
        conns = []
        worst = 0.0
        for k in chosen:
            path = grid.path(pred, int(loc[k]))
            allowed = grid.path_land_cells(path)
            land_km = _path_land_km(grid, path)
            if bridge >= 2 and land_km > HARBOUR_BRIDGE_KM:
                continue
            worst = max(worst, land_km)
            plon, plat = grid.lonlat(np.array(path))
            pts = np.column_stack([plon, plat])
            pts = np.vstack([[slon, slat], pts[1:-1], nodes[near[k]][None, :]])
            pts[:, 0] = unwrap(pts[:, 0])
            keep = mask.pull_string(
                pts[:, 0], pts[:, 1], allowed=allowed or None, max_run_km=max(0.95, land_km + 0.5)
            )
            conns.append((int(near[k]), densify(pts[keep])))
        if not conns:
            continue
        return Attachment(
            (slon, slat),
            skm,
            conns,
            bridged=bridge > 0,
            bridge_km=worst,
            grid=grid,
            start=start,
            dist=dist,
            pred=pred,
        )
    return Attachment((slon, slat), skm, [], reason="no backbone node reachable by water")


def _path_land_km(grid: WaterGrid, path: list[int]) -> float:
    """Length (km, cell steps) of the land cells on a grid path."""
    arr = np.asarray(path)
    land = ~grid.is_water(arr)
    return float(land.sum()) * CELL_KM


def choose_attach(
    csr: csr_matrix, near: np.ndarray, g: np.ndarray, *, max_attach: int
) -> list[int]:
    """Candidates (indices into ``near``) none of which is better reached via another."""
    order = np.argsort(g)
    kept: list[int] = []
    if order.size == 0:
        return kept
    d = dijkstra(
        csr,
        directed=False,
        indices=near[order[: min(12, order.size)]],
        limit=float(g.max()) * 3 + 50,
    )
    col = {int(n): i for i, n in enumerate(near)}
    rows = {int(order[i]): i for i in range(min(12, order.size))}
    for k in order[: min(12, order.size)]:
        k = int(k)
        dominated = False
        for a in kept:
            via = g[a] + d[rows[a], near[k]]
            if via <= g[k] * 1.02 + 0.5:
                dominated = True
                break
        if not dominated:
            kept.append(k)
        if len(kept) >= max_attach:
            break
    del col
    return kept
