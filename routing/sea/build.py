"""The land-safe global sea graph: build, cache and load.

Build, once per set of inputs:

1. **Backbone.** The MARNET network shipped in ``searoute`` (``data/marnet_dict.py``,
   Apache-2.0) is read, longitudes are normalised to [-180, 180) (MARNET keeps some
   Bering nodes beyond 180 and doubles every antimeridian node), nodes that fall on
   land are moved to the nearest water cell within 5 km, and every edge is densified
   along its geodesic (vertices at most 25 km apart).
2. **Land safety.** Every edge is sampled every 250 m against the 1 km
   ``global-land-mask`` raster (canals and waterways of
   :attr:`routing.sea.passages.SeaData.waterways` count as water). A stretch over land is
   repaired by a shortest water path on the raster (8-connected, no corner cutting),
   straightened by string pulling without touching land, or, if the raster closes the
   water completely, bridged across a single land cell at most (a harbour mouth
   narrower than a cell, such as the Golden Gate); an edge that still cannot be
   repaired (rivers, lakes, the Caspian and the Great Lakes, which the raster counts as
   land) is dropped. Only the largest connected component (the world ocean) is kept.
   Canals missing from MARNET (the Kiel Canal) are added as ``canal=True`` edges.
   The backbone is then checked again, against GSHHG full resolution
   (:mod:`routing.sea.coast`): nodes on its land move to its nearest water, stretches
   over its land are re-routed on fine grids (230 m, then 77 m cells), and an edge
   that cannot be cleared (a river the shoreline closes: the Congo, the Elbe, the
   Mississippi delta) is dropped. Inside the declared canals and rivers land is
   kept only where GSHHG offers no water path.
3. **Ports.** Each port is joined by sea-only connectors found on the raster from its
   sea point (its own position, or the nearest water cell within 3 km when it lies on
   a land cell) to up to four backbone nodes reachable by water, chosen so that none
   is better reached through another; ports in the same bay are joined directly too.
   First, the lane passing closest to each port gets a node abeam of it, so that a
   connector never runs out along a lane that the route then follows back (a spur).
   Every connector is then refined on GSHHG like the backbone.
4. **Passages.** Every edge is tagged where it crosses a passage gate or enters a
   passage region (:mod:`routing.sea.passages`).
5. **Contraction.** Chains of degree-2 backbone nodes become single edges carrying
   their geometry (an out-and-back hairpin inside one, where two repaired edges meet
   at a node off their shared channel, is cut off when the chord is clear of land;
   two edges leaving a node down the same channel were already split where they
   part and linked there). The result is stored as numpy arrays (CSR-ready arcs, a
   geometry store, passage events) plus the open-water distance tables used by
   :meth:`routing.sea.router.SeaRouter.distance_matrix`.
6. **Straight legs.** The shortest routes between ports are pulled tight into
   great-circle legs where the open water allows (:mod:`routing.sea.straighten`):
   between every pair of ports up to ``STRAIGHTEN_HUBS`` of them; with more, between
   that many hubs spread over the sea, and from every port to a few ports near it and a
   few hubs near and far, so the work grows with the ports, not with their square.

Memory stays that of one port at a time: a port's raster search window serves its
connectors and its bay connectors and is dropped before the next port's is made.

A built graph can take more ports without a rebuild (:func:`extend_graph`): only the
new ports are attached, to the graph's core, and their routes pulled tight.

The cache of the result, and its keys, are :mod:`routing.sea.cache`'s.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from routing.geo import (
    METRES_PER_NM,
    chord_km,
    great_circle_km,
    km_chord,
    line_nm,
    to_unit_vectors,
    turn_offset,
    unwrap,
    wrap,
)
from routing.sea.coast import Coastline, Refined, refine_line, reroute, trim_hairpins
from routing.sea.connect import MAX_SEG_KM, PORT_SNAP_KM, Attachment, attach, densify
from routing.sea.graph import PortSite, SeaGraph
from routing.sea.land import Land, LandMask, WaterGrid, sample_polyline, window_around
from routing.sea.passages import Passage, SeaData, passage_events
from routing.sea.straighten import straighten_added, straighten_ports

log = logging.getLogger(__name__)

BUILD_VERSION = "sea-graph-16"
"""Bump to invalidate every cached backbone and graph after a change of the build."""
GRAPH_BUILD_VERSION = "ports-3"
"""Bump to invalidate the cached graphs (not the backbone) after a change of the port stage."""

CHECK_STEP_KM = 0.25
NODE_SNAP_KM = 5.0
DIRECT_PORT_KM = 120.0


def marnet_source_path() -> Path:
    """``searoute/data/marnet_dict.py``, found without importing ``searoute``."""
    spec = importlib.util.find_spec("searoute")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the searoute package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "marnet_dict.py"


# -- backbone --------------------------------------------------------------------


@dataclass
class Backbone:
    """The land-checked backbone before ports are attached."""

    nodes: np.ndarray  # (n, 2) lon, lat
    eu: np.ndarray
    ev: np.ndarray
    geoms: list[np.ndarray]
    canal: np.ndarray
    stats: dict[str, float] = field(default_factory=dict)

    def csr(self) -> csr_matrix:
        """Undirected weighted adjacency (km) of the backbone."""
        w = np.array([float(line_nm(g).sum()) * METRES_PER_NM / 1000.0 for g in self.geoms])
        n = len(self.nodes)
        return coo_matrix(
            (
                np.concatenate([w, w]),
                (np.concatenate([self.eu, self.ev]), np.concatenate([self.ev, self.eu])),
            ),
            shape=(n, n),
        ).tocsr()


def _read_marnet(path: Path) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    spec = importlib.util.spec_from_file_location("_relos_marnet", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot read {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    edges: set[tuple[tuple[float, float], tuple[float, float]]] = set()

    def norm(p: tuple[float, float]) -> tuple[float, float]:
        lon, lat = float(p[0]), float(p[1])
        lon = (lon + 180.0) % 360.0 - 180.0
        return (round(lon, 6), round(lat, 6))

    for u, nbrs in mod.edge_list.items():
        for v in nbrs:
            a, b = norm(u), norm(v)
            if a == b:
                continue
            edges.add((min(a, b), max(a, b)))
    return sorted(edges)


def _repair(mask: LandMask, coords: np.ndarray, *, lo: int, hi: int) -> np.ndarray | None:
    """Water path replacing vertices ``lo..hi`` of a polyline (both on water), or None."""
    sub = coords[lo : hi + 1]
    lon_u = unwrap(sub[:, 0])
    span = float(
        great_circle_km(
            np.array(lon_u[0]), np.array(sub[0, 1]), np.array(lon_u[-1]), np.array(sub[-1, 1])
        )
    )
    for bridge in (0, 1):
        for factor in (0.3, 1.0):
            margin = max(8.0, factor * span + 5.0)
            r0, r1, c0, c1 = window_around(
                float(lon_u.min()),
                float(sub[:, 1].min()),
                float(lon_u.max()),
                float(sub[:, 1].max()),
                margin_km=margin,
            )
            if (r1 - r0) * (c1 - c0) > 6e6:
                continue
            grid = WaterGrid(mask, r0, r1, c0, c1, bridge=bridge)
            ends = grid.local(np.array([lon_u[0], lon_u[-1]]), np.array([sub[0, 1], sub[-1, 1]]))
            if (ends < 0).any() or not grid.is_water(ends).all():
                return None
            dist, pred = grid.shortest(int(ends[0]))
            if not np.isfinite(dist[ends[1]]):
                continue
            path = grid.path(pred, int(ends[1]))
            allowed = grid.path_land_cells(path)
            plon, plat = grid.lonlat(np.array(path))
            pts = np.column_stack([plon, plat])
            pts = np.vstack([sub[:1], pts[1:-1], sub[-1:]]) if len(pts) > 2 else sub[[0, -1]]
            pts[:, 0] = unwrap(pts[:, 0])
            keep = mask.pull_string(pts[:, 0], pts[:, 1], allowed=allowed or None)
            return pts[keep]
    return None


def _land_check_edge(mask: LandMask, coords: np.ndarray) -> np.ndarray | None:
    """A land-safe version of a densified edge, or None if it cannot be made safe."""
    land, _, seg = mask.land_samples(coords[:, 0], coords[:, 1], step_km=CHECK_STEP_KM)
    if not land.any():
        return coords
    vert_land = mask.is_land(coords[:, 0], coords[:, 1])
    if vert_land[0] or vert_land[-1]:
        return None
    bad_seg = np.zeros(len(coords) - 1, dtype=bool)
    bad_seg[np.unique(seg[land])] = True
    out = [coords[:1]]
    i = 0
    n = len(coords)
    while i < n - 1:
        if not bad_seg[i]:
            out.append(coords[i + 1 : i + 2])
            i += 1
            continue
        lo = i
        hi = i + 1
        while hi < n - 1 and (bad_seg[hi] or vert_land[hi]):
            hi += 1
        rep = _repair(mask, coords, lo=lo, hi=hi)
        if rep is None:
            return None
        rep = rep.copy()
        rep[:, 0] = rep[:, 0] + turn_offset(rep[0, 0], out[-1][-1, 0])
        out.append(rep[1:])
        i = hi
    res = np.concatenate(out)
    res[:, 0] = unwrap(res[:, 0])
    return densify(res)


def build_backbone(
    mask: LandMask, marnet_path: Path, sea: SeaData, coast: Coastline | None = None
) -> Backbone:
    """Read MARNET and make it land-safe (see the module docstring)."""
    t0 = time.perf_counter()
    raw = _read_marnet(marnet_path)
    keys = sorted({p for e in raw for p in e})
    index = {p: i for i, p in enumerate(keys)}
    nodes = np.array(keys, dtype=float)
    on_land = mask.is_land(nodes[:, 0], nodes[:, 1])
    snapped = 0
    for i in np.nonzero(on_land)[0]:
        hit = mask.nearest_water(float(nodes[i, 0]), float(nodes[i, 1]), max_km=NODE_SNAP_KM)
        if hit is not None:
            nodes[i] = hit[0]
            snapped += 1
    eu: list[int] = []
    ev: list[int] = []
    geoms: list[np.ndarray] = []
    canal: list[bool] = []
    dropped = 0
    repaired = 0
    canals = sea.canal_polygons()
    for a, b in raw:
        ia, ib = index[a], index[b]
        coords = densify(np.array([nodes[ia], nodes[ib]]))
        safe = _land_check_edge(mask, coords)
        if safe is None:
            dropped += 1
            continue
        if len(safe) != len(coords) or not np.allclose(safe, coords):
            repaired += 1
        eu.append(ia)
        ev.append(ib)
        geoms.append(safe)
        canal.append(bool(mask.waived(safe[:, 0], safe[:, 1]).any()) and _in_canal(safe, canals))
    bb = Backbone(nodes, np.array(eu), np.array(ev), geoms, np.array(canal, dtype=bool))
    _add_canals(mask, bb, sea)
    bb = _largest_component(bb)
    shortcuts = _add_shortcuts(mask, bb)
    fine: dict[str, float] = {}
    if coast is not None:
        waived = coast.with_waivers(sea.waterway_union)
        fine = refine_backbone(bb, coast, waived)
        bb = _largest_component(bb)
        fine["junction_hairpins_cut"] = float(_cut_junction_hairpins(bb, waived))
    bb.stats = {
        "marnet_edges": float(len(raw)),
        "snapped_nodes": float(snapped),
        "repaired_edges": float(repaired),
        "dropped_edges": float(dropped),
        "shortcut_edges": float(shortcuts),
        **fine,
        "seconds": time.perf_counter() - t0,
    }
    log.info("backbone: %s", bb.stats)
    return bb


def refine_backbone(bb: Backbone, coast: Coastline, waived: Coastline) -> dict[str, float]:
    """Check and repair the backbone against GSHHG full resolution (:mod:`routing.sea.coast`).

    Nodes on GSHHG land outside the declared waterways (``waived``: the same coastline
    with them counted as water) move to the nearest GSHHG water within
    ``NODE_SNAP_KM``; every edge is then refined by
    :func:`routing.sea.coast.refine_line`, and one that cannot be made clear is dropped
    (the caller keeps the largest component).
    """
    t0 = time.perf_counter()
    on_land = np.nonzero(waived.is_land(bb.nodes[:, 0], bb.nodes[:, 1]))[0]
    moved = 0
    for i in on_land.tolist():
        hit = coast.nearest_water(float(bb.nodes[i, 0]), float(bb.nodes[i, 1]), max_km=NODE_SNAP_KM)
        if hit is not None:
            bb.nodes[i] = hit[0]
            moved += 1
    keep = np.ones(len(bb.eu), dtype=bool)
    repaired = 0
    waived_runs = 0
    for e in range(len(bb.eu)):
        g = bb.geoms[e].copy()
        a, b = bb.nodes[bb.eu[e]], bb.nodes[bb.ev[e]]
        g[0] = (a[0] + turn_offset(a[0], g[0, 0]), a[1])
        g[-1] = (b[0] + turn_offset(b[0], g[-1, 0]), b[1])
        ref = refine_line(coast, g, waived=waived)
        if ref is None:
            keep[e] = False
            continue
        repaired += int(ref.repaired_runs > 0)
        waived_runs += len(ref.waived)
        bb.geoms[e] = densify(ref.coords) if ref.repaired_runs else g
    bb.eu, bb.ev, bb.canal = bb.eu[keep], bb.ev[keep], bb.canal[keep]
    bb.geoms = [g for g, k in zip(bb.geoms, keep, strict=True) if k]
    return {
        "gshhg_moved_nodes": float(moved),
        "gshhg_repaired_edges": float(repaired),
        "gshhg_dropped_edges": float((~keep).sum()),
        "gshhg_waived_runs": float(waived_runs),
        "gshhg_seconds": time.perf_counter() - t0,
    }


JUNCTION_CHORD_KM = 0.3
JUNCTION_MIN_KM = 3.0
JUNCTION_WEDGE = 0.15
"""Two edges count as sharing a channel while they stay this close relative to the
distance from the node (0.15: a wedge of about 8.5 degrees), or ``JUNCTION_CHORD_KM``."""
JUNCTION_COAST_KM = 5.0


def _cut_junction_hairpins(bb: Backbone, land: Land) -> int:
    """Short-circuit pairs of edges that leave a node down the same channel.

    Two repaired edges may both have been routed round a headland through the same
    channel to a node off it (Cape Helles at the Dardanelles): a route from one to
    the other runs out to the node and back. Where two edges leave a node within
    ``JUNCTION_CHORD_KM`` (or a narrow wedge) of each other for at least
    ``JUNCTION_MIN_KM``, at a node
    within ``JUNCTION_COAST_KM`` of land, both are split where they part and joined
    there by a short link (clear of ``land``), so the shortest path takes the link.
    """
    from scipy.spatial import cKDTree  # only needed while building

    n = len(bb.nodes)
    inc: list[list[int]] = [[] for _ in range(n)]
    for e, (u, v) in enumerate(zip(bb.eu.tolist(), bb.ev.tolist(), strict=True)):
        inc[u].append(e)
        inc[v].append(e)
    cuts: list[tuple[int, int, int, int, int]] = []  # node, (edge, sample) twice
    used: set[int] = set()
    samples: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def leaving(e: int, node: int) -> tuple[np.ndarray, np.ndarray]:
        key = (e, node)
        if key not in samples:
            g = bb.geoms[e] if bb.eu[e] == node else bb.geoms[e][::-1]
            d = densify(g[: _prefix_end(g, 30.0) + 1], max_km=0.25)
            km = np.concatenate(
                [[0.0], np.cumsum(great_circle_km(d[:-1, 0], d[:-1, 1], d[1:, 0], d[1:, 1]))]
            )
            samples[key] = (d, km)
        return samples[key]

    ang = np.radians(np.arange(0, 360, 15))
    for node in range(n):
        if len(inc[node]) < 2:
            continue
        # only next to land: in open water, lanes that leave a node on nearly the same
        # bearing are a fan, not a channel
        x, y = bb.nodes[node]
        r = np.repeat([1.0, 2.5, JUNCTION_COAST_KM], len(ang)) / 111.2
        a_ = np.tile(ang, 3)
        ring_lat = y + r * np.sin(a_)
        ring_lon = x + r * np.cos(a_) / max(np.cos(np.radians(y)), 0.05)
        if not land.is_land(ring_lon, ring_lat).any():
            continue
        found: list[tuple[float, int, int, int, int]] = []
        for a_i in range(len(inc[node])):
            for b_i in range(a_i + 1, len(inc[node])):
                e1, e2 = inc[node][a_i], inc[node][b_i]
                if e1 == e2:
                    continue
                d1, km1 = leaving(e1, node)
                d2, km2 = leaving(e2, node)
                tree = cKDTree(to_unit_vectors(d1[:, 0], d1[:, 1]))
                dist, idx = tree.query(to_unit_vectors(d2[:, 0], d2[:, 1]))
                close = chord_km(dist) <= np.maximum(JUNCTION_CHORD_KM, JUNCTION_WEDGE * km2)
                if not close[0]:
                    continue
                j2 = int(np.argmin(close)) - 1 if not close.all() else len(close) - 1
                j1 = int(idx[j2])
                shared = float(min(km1[j1], km2[j2]))
                if shared < JUNCTION_MIN_KM or j1 >= len(d1) - 1 or j2 >= len(d2) - 1:
                    continue  # short, or one edge is all shared: its far node is the junction
                found.append((shared, e1, j1, e2, j2))
        for _, e1, j1, e2, j2 in sorted(found, reverse=True):  # the longest hairpin first
            if e1 in used or e2 in used:
                continue
            p1, p2 = leaving(e1, node)[0][j1], leaving(e2, node)[0][j2]
            if not land.segment_clear(p1[0], p1[1], p2[0], p2[1], step_km=0.05):
                continue
            cuts.append((node, e1, j1, e2, j2))
            used.update((e1, e2))
    for node, e1, j1, e2, j2 in cuts:
        a = _split_at(bb, e1, node, j1)
        b = _split_at(bb, e2, node, j2)
        pa, pb = bb.nodes[a], bb.nodes[b]
        link = np.array([pa, [pb[0] + turn_offset(pb[0], pa[0]), pb[1]]])
        bb.eu = np.append(bb.eu, a)
        bb.ev = np.append(bb.ev, b)
        bb.geoms.append(densify(link))
        bb.canal = np.append(bb.canal, False)
    return len(cuts)


def _prefix_end(g: np.ndarray, km: float) -> int:
    """Index of the first vertex at least ``km`` along a polyline (or the last)."""
    seg = great_circle_km(g[:-1, 0], g[:-1, 1], g[1:, 0], g[1:, 1])
    cum = np.cumsum(seg)
    k = int(np.searchsorted(cum, km))
    return min(k + 1, len(g) - 1)


def _split_at(bb: Backbone, e: int, node: int, j: int) -> int:
    """Split edge ``e`` ``j`` quarter-km samples out from its end at ``node`` (as
    :func:`_cut_junction_hairpins` sampled it); returns the new node."""
    g = bb.geoms[e]
    fwd = int(bb.eu[e]) == node
    oriented = g if fwd else g[::-1]
    end = _prefix_end(oriented, 30.0)
    full = np.vstack([densify(oriented[: end + 1], max_km=0.25), oriented[end + 1 :]])
    geom = full if fwd else full[::-1]
    _split_edge(bb, e, geom, j if fwd else len(full) - 1 - j)
    return len(bb.nodes) - 1


SHORTCUT_MAX_KM = 500.0
SHORTCUT_MIN_GAIN = 1.06
SHORTCUT_LAT = (-60.0, 66.0)


def _add_shortcuts(mask: LandMask, bb: Backbone) -> int:
    """Add open-water shortcuts where MARNET makes a detour.

    MARNET's coarse network hugs some coasts (the Bering Sea, for one). For each
    backbone node, the neighbours within ``SHORTCUT_MAX_KM`` to which the network
    is at least ``SHORTCUT_MIN_GAIN`` times longer than the geodesic are candidates;
    the two best per node whose geodesic is land-free are added as edges. Polar
    waters (beyond ``SHORTCUT_LAT``) keep MARNET's tracks: open water on a raster
    is not open water in ice.
    """
    n = len(bb.nodes)
    xyz = to_unit_vectors(bb.nodes[:, 0], bb.nodes[:, 1])
    ok = (bb.nodes[:, 1] > SHORTCUT_LAT[0]) & (bb.nodes[:, 1] < SHORTCUT_LAT[1])
    from scipy.spatial import cKDTree  # only needed while building: keep start-up lean

    tree = cKDTree(xyz)
    chord = km_chord(SHORTCUT_MAX_KM)
    csr = bb.csr()
    existing = {(int(a), int(b)) for a, b in zip(bb.eu, bb.ev, strict=True)}
    added = 0
    new_u: list[int] = []
    new_v: list[int] = []
    new_g: list[np.ndarray] = []
    cand_nodes = np.nonzero(ok)[0]
    for start in range(0, len(cand_nodes), 256):
        block = cand_nodes[start : start + 256]
        dist = dijkstra(csr, directed=False, indices=block, limit=SHORTCUT_MAX_KM * 2)
        for row, u in enumerate(block.tolist()):
            nbrs = [v for v in tree.query_ball_point(xyz[u], chord) if v > u and ok[v]]
            if not nbrs:
                continue
            nb = np.array(nbrs)
            gc = great_circle_km(
                np.full(nb.shape, bb.nodes[u, 0]),
                np.full(nb.shape, bb.nodes[u, 1]),
                bb.nodes[nb, 0],
                bb.nodes[nb, 1],
            )
            gain = dist[row, nb] - gc
            good = (dist[row, nb] > SHORTCUT_MIN_GAIN * gc + 5.0) & (gc > 20.0)
            order = np.argsort(-np.where(good, gain, -np.inf))
            taken = 0
            for k in order[:8]:
                if not good[k] or taken >= 2:
                    break
                v = int(nb[k])
                if (u, v) in existing or (v, u) in existing:
                    continue
                coords = densify(np.array([bb.nodes[u], bb.nodes[v]]))
                land, _, _ = mask.land_samples(coords[:, 0], coords[:, 1], step_km=CHECK_STEP_KM)
                if land.any():
                    continue
                new_u.append(u)
                new_v.append(v)
                new_g.append(coords)
                existing.add((u, v))
                taken += 1
                added += 1
    if added:
        bb.eu = np.concatenate([bb.eu, np.array(new_u)])
        bb.ev = np.concatenate([bb.ev, np.array(new_v)])
        bb.geoms = bb.geoms + new_g
        bb.canal = np.concatenate([bb.canal, np.zeros(added, dtype=bool)])
    del n
    return added


def _in_canal(coords: np.ndarray, polys: Sequence[shapely.Polygon]) -> bool:
    lon = wrap(coords[:, 0])
    return any(bool(shapely.contains_xy(p, lon, coords[:, 1]).any()) for p in polys)


def _add_canals(mask: LandMask, bb: Backbone, sea: SeaData) -> None:
    """Add canal edges MARNET lacks, joined at both ends to the backbone by water."""
    nodes = [bb.nodes]
    eu, ev = list(bb.eu), list(bb.ev)
    geoms = list(bb.geoms)
    canal = list(bb.canal)
    n = len(bb.nodes)
    csr = bb.csr()
    for _cid, line in sea.canal_edges:
        pts = np.array(line, dtype=float)
        ia, ib = n, n + 1
        nodes.append(pts[[0, -1]])
        n += 2
        eu.append(ia)
        ev.append(ib)
        geoms.append(densify(pts, max_km=5.0))
        canal.append(True)
        for k, end in ((ia, pts[0]), (ib, pts[-1])):
            att = attach(
                mask,
                bb.nodes,
                csr,
                float(end[0]),
                float(end[1]),
                max_attach=2,
                allow_harbour_bridge=False,
            )
            for node, geom in att.connectors:
                eu.append(k)
                ev.append(node)
                geoms.append(geom)
                canal.append(False)
    bb.nodes = np.vstack(nodes)
    bb.eu, bb.ev = np.array(eu), np.array(ev)
    bb.geoms = geoms
    bb.canal = np.array(canal, dtype=bool)


def _largest_component(bb: Backbone) -> Backbone:
    n = len(bb.nodes)
    adj = coo_matrix((np.ones(len(bb.eu)), (bb.eu, bb.ev)), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    main = np.bincount(labels).argmax()
    keep_node = labels == main
    remap = -np.ones(n, dtype=np.int64)
    remap[keep_node] = np.arange(int(keep_node.sum()))
    keep_edge = keep_node[bb.eu]
    return Backbone(
        bb.nodes[keep_node],
        remap[bb.eu[keep_edge]],
        remap[bb.ev[keep_edge]],
        [g for g, k in zip(bb.geoms, keep_edge, strict=True) if k],
        bb.canal[keep_edge],
        bb.stats,
    )


# -- passages --------------------------------------------------------------------


# -- the routing graph -------------------------------------------------------------


def _contract(
    bb: Backbone, keep: np.ndarray
) -> tuple[np.ndarray, list[tuple[int, int, np.ndarray, bool]]]:
    """Merge chains of degree-2 backbone nodes; returns new node ids and merged edges.

    ``keep`` marks nodes that must stay (attach nodes). Parallel chains between the
    same two nodes are split at an inner node so the graph stays simple.
    """
    n = len(bb.nodes)
    keep = keep.copy()
    for _ in range(6):
        deg = np.bincount(np.concatenate([bb.eu, bb.ev]), minlength=n)
        hard = keep | (deg != 2)
        adj: list[list[int]] = [[] for _ in range(n)]
        for e, (u, v) in enumerate(zip(bb.eu.tolist(), bb.ev.tolist(), strict=True)):
            adj[u].append(e)
            adj[v].append(e)
        seen = np.zeros(len(bb.eu), dtype=bool)
        chains: list[tuple[list[int], list[int]]] = []  # (nodes, edges)
        for s in np.nonzero(hard)[0].tolist():
            for e0 in adj[s]:
                if seen[e0]:
                    continue
                nodes_ = [s]
                edges_ = []
                e = e0
                cur = s
                while True:
                    seen[e] = True
                    nxt = bb.ev[e] if bb.eu[e] == cur else bb.eu[e]
                    edges_.append(e)
                    nodes_.append(int(nxt))
                    cur = int(nxt)
                    if hard[cur]:
                        break
                    e = adj[cur][0] if adj[cur][0] != e else adj[cur][1]
                chains.append((nodes_, edges_))
        # isolated cycles of degree-2 nodes are never reached from a hard node: drop
        pairs: dict[tuple[int, int], int] = {}
        split = False
        for nodes_, _edges in chains:
            a, b = nodes_[0], nodes_[-1]
            key = (min(a, b), max(a, b))
            if a == b or key in pairs:
                inner = nodes_[1:-1]
                if len(inner) >= 2 or (a != b and inner):
                    keep[inner[len(inner) // 2]] = True
                    if a == b and len(inner) >= 2:
                        keep[inner[len(inner) // 2 - 1]] = True
                    split = True
            pairs[key] = 1
        if not split:
            break
    new_id = -np.ones(n, dtype=np.int64)
    hard_nodes = np.nonzero(hard)[0]
    new_id[hard_nodes] = np.arange(len(hard_nodes))
    merged: list[tuple[int, int, np.ndarray, bool]] = []
    used: set[tuple[int, int]] = set()
    for nodes_, edges_ in chains:
        a, b = nodes_[0], nodes_[-1]
        key = (min(a, b), max(a, b))
        if a == b or key in used:
            continue
        used.add(key)
        parts: list[np.ndarray] = []
        cur = a
        is_canal = False
        for e in edges_:
            g = bb.geoms[e]
            if bb.eu[e] != cur:
                g = g[::-1]
                cur = int(bb.eu[e])
            else:
                cur = int(bb.ev[e])
            g = g.copy()
            if parts:
                g[:, 0] += turn_offset(g[0, 0], parts[-1][-1, 0])
                g = g[1:]
            parts.append(g)
            is_canal = is_canal or bool(bb.canal[e])
        merged.append((int(new_id[a]), int(new_id[b]), np.concatenate(parts), is_canal))
    return new_id, merged


Edge = tuple[int, int, int, int, np.ndarray, bool]
"""(forward from, forward to, backward from, backward to, geometry, canal)."""


def build_graph(
    bb: Backbone,
    mask: LandMask,
    ports: Sequence[PortSite],
    sea: SeaData,
    *,
    version: str,
    coast: Coastline | None = None,
) -> SeaGraph:
    """Attach ports, tag passages and contract (see the module docstring)."""
    t0 = time.perf_counter()
    lanes = _split_lanes_near_ports(bb, mask, ports)
    waived = coast.with_waivers(sea.waterway_union) if coast is not None else None
    atts, notes, bays, _, fine = _attach_ports(bb, mask, ports, coast=coast, waived=waived)
    keep = np.zeros(len(bb.nodes), dtype=bool)
    for att in atts:
        for node, _ in att.connectors:
            keep[node] = True
    new_id, merged = _contract(bb, keep)
    trimmed = 0
    if waived is not None:
        for k, (u, v, g, c) in enumerate(merged):
            t = trim_hairpins(g, waived)
            if t is not None:
                merged[k] = (u, v, t, c)
                trimmed += 1
    n_core = int(new_id.max()) + 1
    node_xy = np.zeros((n_core + 2 * len(ports), 2))
    hard = new_id >= 0
    node_xy[new_id[hard]] = bb.nodes[hard]
    edges: list[Edge] = [(a, b, b, a, g, c) for a, b, g, c in merged]
    port_sea = np.full((len(ports), 2), np.nan)
    bridges: list[dict[str, object]] = []
    for i, att in enumerate(atts):
        p_out, p_in = n_core + 2 * i, n_core + 2 * i + 1
        sea_point = att.sea_point if att.sea_point is not None else (ports[i].lon, ports[i].lat)
        node_xy[p_out] = node_xy[p_in] = sea_point
        if att.sea_point is not None:
            port_sea[i] = att.sea_point
        for node, g in att.connectors:
            edges.append((p_out, int(new_id[node]), int(new_id[node]), p_in, g, False))
            bridges.extend(_land_patches(waived or mask, g, ports[i].id))
    edges += [
        (n_core + 2 * i, n_core + 2 * j + 1, n_core + 2 * j, n_core + 2 * i + 1, g, False)
        for i, j, g in bays
    ]
    geoms = [e[4] for e in edges]
    worst = max(
        (mask.land_run_km(g[:, 0], g[:, 1], step_km=CHECK_STEP_KM) for g in geoms), default=0.0
    )
    graph = SeaGraph(
        version=version,
        node_xy=node_xy,
        n_core=n_core,
        port_ids=[p.id for p in ports],
        port_sea=port_sea,
        port_snap_km=np.array([a.snap_km for a in atts]),
        port_notes=notes,
        **_edge_arrays(edges, sea.passages),
        stats={
            **bb.stats,
            "ports": float(len(ports)),
            "max_land_run_km_incl_bridges": worst,
            **fine,
            "lanes_split_for_ports": float(lanes),
            "hairpins_trimmed": float(trimmed),
            "graph_seconds": time.perf_counter() - t0,
        },
        waivers=bridges,
        passage_ids=sea.passage_ids,
    )
    if coast is None:
        return graph
    graph, stats = straighten_ports(graph, sea, mask.with_waivers(None), coast)
    graph.stats.update(stats)
    return graph


# -- adding ports to a built graph ------------------------------------------------------


def extend_graph(
    graph: SeaGraph,
    ports: Sequence[PortSite],
    mask: LandMask,
    sea: SeaData,
    *,
    version: str,
    coast: Coastline | None = None,
) -> SeaGraph:
    """``graph`` with ``ports`` (ids it does not have) attached after its own: no rebuild.

    The graph's core (its edges between backbone nodes, straight legs included) stands
    in for the backbone of the port stage, and only the new ports go through it: a lane
    node abeam of each (:func:`_split_lanes_near_ports`; kept only where a connector
    ends on it), their connectors (:func:`_attach_ports`, refined on GSHHG), direct
    connectors to the ports, old and new, in the same bay, and their routes pulled tight
    (:func:`~routing.sea.straighten.straighten_added`). The other ports' connectors and
    legs stay as they are.
    A graph built with all the ports at once may differ a little near a new port (its
    backbone nodes were contracted away here, and the build pulls every route in one
    go), not in what a route from it costs (``tests/routing/sea/test_extend.py``).
    """
    t0 = time.perf_counter()
    known = set(graph.port_ids)
    if len({p.id for p in ports}) != len(ports) or any(p.id in known for p in ports):
        raise ValueError("extend_graph adds ports the graph does not have, once each")
    n_core, p_old = graph.n_core, len(graph.port_ids)
    core = np.nonzero((graph.a_from < n_core) & (graph.a_to < n_core))[0]
    bb = Backbone(
        graph.node_xy[:n_core].copy(),
        graph.a_from[core].copy(),
        graph.a_to[core].copy(),
        [graph.geometry(int(e)).copy() for e in core],
        graph.canal[core].copy(),
    )
    original = list(bb.geoms)  # a split replaces an edge's geometry: the originals stay here
    lanes = _split_lanes_near_ports(bb, mask, ports, near_only=True)
    waived = coast.with_waivers(sea.waterway_union) if coast is not None else None
    ports_old = np.nonzero(graph.connected)[0]
    others = np.full((p_old, 2), np.nan)
    others[ports_old] = graph.port_sea[ports_old]
    atts, notes, bays, to_old, _ = _attach_ports(
        bb, mask, ports, coast=coast, waived=waived, others=others
    )
    used = {node for att in atts for node, _ in att.connectors if node >= n_core}
    split_id, alive = _merge_unused_splits(bb, n_core, used, original)
    k = len(used)
    n2 = n_core + k

    def old_node(v: int) -> int:
        return v if v < n_core or v < 0 else v + k

    edges: list[Edge] = []
    piece = {int(e): i for i, e in enumerate(core)}
    for e in range(len(graph.a_from)):
        if e in piece:  # a core edge, perhaps ending at a new lane node now
            i = piece[e]
            a, b = int(split_id[bb.eu[i]]), int(split_id[bb.ev[i]])
            one_way = graph.b_from[e] < 0 and (a, b) == (graph.a_from[e], graph.a_to[e])
            ba = (-1, -1) if one_way else (b, a)
            edges.append((a, b, *ba, bb.geoms[i], bool(bb.canal[i])))
        else:
            ends = (graph.a_from[e], graph.a_to[e], graph.b_from[e], graph.b_to[e])
            af, at, bf, bt = (old_node(int(v)) for v in ends)
            edges.append((af, at, bf, bt, graph.geometry(e).copy(), bool(graph.canal[e])))
    for i in np.nonzero(alive)[0][len(core) :].tolist():  # the other pieces of split edges
        a, b = int(split_id[bb.eu[i]]), int(split_id[bb.ev[i]])
        edges.append((a, b, b, a, bb.geoms[i], bool(bb.canal[i])))
    n_all = p_old + len(ports)
    node_xy = np.zeros((n2 + 2 * n_all, 2))
    node_xy[:n_core] = graph.node_xy[:n_core]
    for v in used:
        node_xy[split_id[v]] = bb.nodes[v]
    node_xy[n2 : n2 + 2 * p_old] = graph.node_xy[n_core:]
    port_sea = np.vstack([graph.port_sea, np.full((len(ports), 2), np.nan)])
    bridges = list(graph.waivers)
    worst = float(graph.stats.get("max_land_run_km_incl_bridges", 0.0))
    for i, att in enumerate(atts):
        gi = p_old + i
        p_out, p_in = n2 + 2 * gi, n2 + 2 * gi + 1
        sea_point = att.sea_point if att.sea_point is not None else (ports[i].lon, ports[i].lat)
        node_xy[p_out] = node_xy[p_in] = sea_point
        if att.sea_point is not None:
            port_sea[gi] = att.sea_point
        for node, g in att.connectors:
            v = int(split_id[node])
            edges.append((p_out, v, v, p_in, g, False))
            bridges.extend(_land_patches(waived or mask, g, ports[i].id))
            worst = max(worst, mask.land_run_km(g[:, 0], g[:, 1], step_km=CHECK_STEP_KM))
    for i, j, g in bays:  # between new ports
        gi, gj = p_old + i, p_old + j
        edges.append((n2 + 2 * gi, n2 + 2 * gj + 1, n2 + 2 * gj, n2 + 2 * gi + 1, g, False))
    for i, j, g in to_old:  # from a new port to an old one in its bay
        gi = p_old + i
        edges.append((n2 + 2 * gi, n2 + 2 * j + 1, n2 + 2 * j, n2 + 2 * gi + 1, g, False))
    snaps = np.array([a.snap_km for a in atts])
    out = SeaGraph(
        version=version,
        node_xy=node_xy,
        n_core=n2,
        port_ids=[*graph.port_ids, *(p.id for p in ports)],
        port_sea=port_sea,
        port_snap_km=np.concatenate([graph.port_snap_km, snaps]),
        port_notes={**graph.port_notes, **notes},
        **_edge_arrays(edges, sea.passages),
        stats={
            **graph.stats,
            "ports": float(n_all),
            "ports_added": float(graph.stats.get("ports_added", 0.0)) + len(ports),
            "max_land_run_km_incl_bridges": worst,
            "lanes_split_for_ports": float(graph.stats.get("lanes_split_for_ports", 0.0)) + k,
            "lanes_split_for_added_ports": float(lanes),
        },
        waivers=bridges,
        passage_ids=sea.passage_ids,
    )
    if coast is not None:
        out, stats = straighten_added(
            out, sea, mask.with_waivers(None), coast, new=np.arange(p_old, n_all)
        )
        out.stats.update(stats)
    out.stats["extend_seconds"] = time.perf_counter() - t0
    return out


def _edge_arrays(edges: Sequence[Edge], passages: Sequence[Passage]) -> dict[str, np.ndarray]:
    """A graph's edge fields (:class:`~routing.sea.graph.SeaGraph`) from its edges: ends,
    lengths, canal flags, the geometry store and the passage tags."""
    geoms = [e[4] for e in edges]
    goff = np.zeros(len(edges) + 1, dtype=np.int64)
    goff[1:] = np.cumsum([len(g) for g in geoms])
    ev_edge, ev_nm, ev_pid = _passage_tags(geoms, passages)
    return {
        "a_from": np.array([e[0] for e in edges], dtype=np.int64),
        "a_to": np.array([e[1] for e in edges], dtype=np.int64),
        "b_from": np.array([e[2] for e in edges], dtype=np.int64),
        "b_to": np.array([e[3] for e in edges], dtype=np.int64),
        "length_nm": np.array([float(line_nm(g).sum()) for g in geoms]),
        "canal": np.array([e[5] for e in edges], dtype=bool),
        "goff": goff,
        "coords": np.concatenate(geoms) if geoms else np.zeros((0, 2)),
        "ev_edge": ev_edge,
        "ev_nm": ev_nm,
        "ev_pid": ev_pid,
    }


def _merge_unused_splits(
    bb: Backbone, n_core: int, used: set[int], original: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Undo the lane splits whose node no connector ends on (nodes ``n_core`` and up).

    A split turns edge ``e`` (u -> v) into ``e`` (u -> x) and a new edge (x -> v), so the
    node's two edges are found and joined again, the latest split first; an edge of
    ``original`` left with its own ends gets its own geometry back. Returns each node's
    id in the extended graph (old ones unchanged, the kept lane nodes after them, -1 for
    the others) and which edges of ``bb`` are left.
    """
    alive = np.ones(len(bb.eu), dtype=bool)
    ends = [(int(bb.eu[e]), int(bb.ev[e])) for e in range(len(original))]
    for x in range(len(bb.nodes) - 1, n_core - 1, -1):
        if x in used:
            continue
        e_in = int(np.nonzero((bb.ev == x) & alive)[0][0])
        e_out = int(np.nonzero((bb.eu == x) & alive)[0][0])
        bb.geoms[e_in] = np.vstack([bb.geoms[e_in], bb.geoms[e_out][1:]])
        bb.ev[e_in] = bb.ev[e_out]
        alive[e_out] = False
    for e, geom in enumerate(original):
        if (int(bb.eu[e]), int(bb.ev[e])) == ends[e]:
            bb.geoms[e] = geom
    new_id = -np.ones(len(bb.nodes), dtype=np.int64)
    new_id[:n_core] = np.arange(n_core)
    for rank, x in enumerate(sorted(used)):
        new_id[x] = n_core + rank
    return new_id, alive


def reorder_ports(graph: SeaGraph, ids: Sequence[str]) -> SeaGraph:
    """The same graph with its ports in the order of ``ids`` (the same set of ids)."""
    if list(ids) == graph.port_ids:
        return graph
    where = {p: i for i, p in enumerate(graph.port_ids)}
    if sorted(ids) != sorted(where):
        raise ValueError("reorder_ports takes the graph's own port ids")
    perm = np.array([where[p] for p in ids], dtype=np.int64)  # new index -> old index
    n_core = graph.n_core
    node_map = np.arange(graph.n_nodes)
    rank = np.empty_like(perm)
    rank[perm] = np.arange(len(perm))  # old index -> new index
    old_port = (node_map[n_core:] - n_core) // 2
    node_map[n_core:] = n_core + 2 * rank[old_port] + (node_map[n_core:] - n_core) % 2

    def remap(a: np.ndarray) -> np.ndarray:
        return np.where(a >= 0, node_map[np.maximum(a, 0)], a)

    node_xy = graph.node_xy.copy()
    node_xy[node_map] = graph.node_xy
    return dataclasses.replace(
        graph,
        node_xy=node_xy,
        port_ids=list(ids),
        port_sea=graph.port_sea[perm],
        port_snap_km=graph.port_snap_km[perm],
        port_notes={p: graph.port_notes[p] for p in ids if p in graph.port_notes},
        a_from=remap(graph.a_from),
        a_to=remap(graph.a_to),
        b_from=remap(graph.b_from),
        b_to=remap(graph.b_to),
    )


LANE_SPLIT_KM = 60.0
"""A lane passing a port this close gets a node abeam of it (see _split_lanes_near_ports)."""
LANE_END_KM = 2.0


def _split_lanes_near_ports(
    bb: Backbone, mask: LandMask, ports: Sequence[PortSite], *, near_only: bool = False
) -> int:
    """Give each port a backbone node on the lane that passes closest to it.

    MARNET's nodes can lie far from where a lane passes a port (Sabang, off the
    northern tip of Sumatra, is passed by the Malacca lane 40 km from its nearest
    node), so a connector to a node would run out along the lane and the route back
    over the same water: a spur. The lane point within ``LANE_SPLIT_KM`` nearest to
    the port's sea point by water (on the raster) becomes a node (its edge is split
    there) unless a node is within ``LANE_END_KM`` of it. With ``near_only`` (a few
    ports), only the edges with a vertex near a port are sampled (the same answer).
    """
    from scipy.spatial import cKDTree  # only needed while building

    edges = _edges_near(bb, ports) if near_only else np.arange(len(bb.geoms))
    if len(edges) == 0:
        return 0
    # lane samples every km (a split edge gets them as vertices, so it lands abeam)
    dense = [densify(bb.geoms[e], max_km=1.0) for e in edges.tolist()]
    offs = np.zeros(len(dense) + 1, dtype=np.int64)
    offs[1:] = np.cumsum([len(d) for d in dense])
    allp = np.concatenate(dense)
    pieces: dict[int, list[tuple[int, int]]] = {}  # edge -> [(first sample, piece edge)]
    piece_geom: dict[int, np.ndarray] = {}
    tree = cKDTree(to_unit_vectors(allp[:, 0], allp[:, 1]))
    node_tree = cKDTree(to_unit_vectors(bb.nodes[:, 0], bb.nodes[:, 1]))
    splits = 0
    for p in ports:
        hit = mask.nearest_water(float(p.lon), float(p.lat), max_km=3.0)
        if hit is None:
            continue
        (sx, sy), _ = hit
        here = to_unit_vectors(np.array(sx), np.array(sy))
        near_nodes = node_tree.query_ball_point(here, km_chord(LANE_SPLIT_KM))
        cand = tree.query_ball_point(here, km_chord(LANE_SPLIT_KM))
        if not cand:
            continue
        cand = np.array(sorted(cand))
        # the lane point nearest by water (a port inside a bay reaches the lane by the
        # bay's mouth, not across the headland)
        r0, r1, c0, c1 = window_around(sx, sy, sx, sy, margin_km=LANE_SPLIT_KM)
        grid = WaterGrid(mask, r0, r1, c0, c1)
        start = int(grid.local(np.array([sx]), np.array([sy]))[0])
        if start < 0 or not grid.is_water(np.array([start]))[0]:
            continue
        wdist, _ = grid.shortest(start, limit=3.0 * LANE_SPLIT_KM)
        loc = grid.local(allp[cand, 0], allp[cand, 1])
        reach = np.where(grid.is_water(loc), wdist[np.maximum(loc, 0)], np.inf)
        if not np.isfinite(reach).any():
            continue
        best = int(cand[int(np.argmin(reach))])
        q = allp[best]
        if near_nodes:
            nd = great_circle_km(
                np.full(len(near_nodes), q[0]),
                np.full(len(near_nodes), q[1]),
                bb.nodes[near_nodes, 0],
                bb.nodes[near_nodes, 1],
            )
            if float(nd.min()) < LANE_END_KM:
                continue
        d0 = int(np.searchsorted(offs, best, side="right") - 1)
        e0 = int(edges[d0])
        k = best - int(offs[d0])
        # an edge split before is now pieces: (first sample, edge id) in order
        start, e = max((pc for pc in pieces.get(e0, [(0, e0)]) if pc[0] <= k), key=lambda pc: pc[0])
        geom = piece_geom.get(e, dense[d0])
        if 0 < k - start < len(geom) - 1:
            second = _split_edge(bb, e, geom, k - start)
            piece_geom[e], piece_geom[second] = bb.geoms[e], bb.geoms[second]
            pieces.setdefault(e0, [(0, e0)]).append((k, second))
            splits += 1
    return splits


def _edges_near(bb: Backbone, ports: Sequence[PortSite]) -> np.ndarray:
    """Edges with a vertex within reach of :func:`_split_lanes_near_ports`'s search round
    any of ``ports`` (vertices are at most ``MAX_SEG_KM`` apart), in order."""
    from scipy.spatial import cKDTree  # only needed while building

    if not ports or not bb.geoms:
        return np.zeros(0, dtype=np.int64)
    offs = np.zeros(len(bb.geoms) + 1, dtype=np.int64)
    offs[1:] = np.cumsum([len(g) for g in bb.geoms])
    pts = np.concatenate(bb.geoms)
    tree = cKDTree(to_unit_vectors(pts[:, 0], pts[:, 1]))
    here = to_unit_vectors(np.array([p.lon for p in ports]), np.array([p.lat for p in ports]))
    reach = km_chord(LANE_SPLIT_KM + 2 * MAX_SEG_KM + PORT_SNAP_KM)
    near = tree.query_ball_point(here, reach)
    hits = np.concatenate([np.asarray(h, dtype=np.int64) for h in near])
    return np.unique(np.searchsorted(offs, hits, side="right") - 1)


def _split_edge(bb: Backbone, e: int, dense: np.ndarray, k: int) -> int:
    """Split backbone edge ``e`` (geometry ``dense``) at vertex ``k``; the new second edge."""
    node = len(bb.nodes)
    x = dense[k].copy()
    x[0] = float(wrap(np.array(x[0])))
    bb.nodes = np.vstack([bb.nodes, x[None, :]])
    v = int(bb.ev[e])
    bb.ev[e] = node
    bb.geoms[e] = dense[: k + 1].copy()
    bb.eu = np.append(bb.eu, node)
    bb.ev = np.append(bb.ev, v)
    bb.geoms.append(dense[k:].copy())
    bb.canal = np.append(bb.canal, bb.canal[e])
    return len(bb.eu) - 1


Bay = tuple[int, int, np.ndarray]
"""A direct connector between two ports in the same bay: (port i, port j > i, geometry
from i's sea point to j's)."""


class PortStage(NamedTuple):
    """What :func:`_attach_ports` finds."""

    atts: list[Attachment]
    notes: dict[str, str]
    """For ports joined unusually or not at all."""
    bays: list[Bay]
    """Between the ports attached."""
    to_others: list[Bay]
    """From a port attached to one of the ``others`` in its bay: (port, other, geometry)."""
    fine: dict[str, float]
    """The figures of the GSHHG refinement (:func:`_refine_port`)."""


def _attach_ports(
    bb: Backbone,
    mask: LandMask,
    ports: Sequence[PortSite],
    *,
    coast: Coastline | None = None,
    waived: Coastline | None = None,
    others: np.ndarray | None = None,
) -> PortStage:
    """Each port's connectors, the direct connectors between ports in the same bay (and
    to the sea points ``others`` of ports attached before, if given: connected ones), a
    note for ports joined unusually or not at all, and (with a coastline) the figures of
    the GSHHG refinement (:func:`_refine_port`).

    One port at a time: its raster search window (the grid, its distances and
    predecessors, up to a million cells) serves its own connectors and its bay
    connectors to the ports after it, and is dropped before the next port's is made,
    so memory stays that of one window whatever the number of ports. A bay connector
    ends at the other port's sea point, so the sea points of every port are found
    first (:func:`_sea_points`: the same look-ups :func:`routing.sea.connect.attach`
    and :func:`_refine_port` make). A bay connector is kept only if its far port is
    connected too.
    """
    csr = bb.csr()
    seas = _sea_points(mask, ports, coast=coast, waived=waived)
    atts: list[Attachment] = []
    notes: dict[str, str] = {}
    refined: dict[str, str] = {}  # notes of the GSHHG pass: merged after the raster's
    bays: list[Bay] = []
    to_others: list[Bay] = []
    counts = dict.fromkeys(("repaired", "dropped", "kept_raw"), 0)
    refine_s = 0.0
    for i, p in enumerate(ports):
        att = attach(mask, bb.nodes, csr, float(p.lon), float(p.lat))
        if not att.connectors:
            notes[p.id] = f"not connected: {att.reason}"
            log.warning("port %s not connected: %s", p.id, att.reason)
        elif att.bridged:
            notes[p.id] = (
                "harbour closed in the 1 km land raster: its connector crosses "
                f"{att.bridge_km:.1f} km of raster land (a harbour mouth or channel)"
            )
        elif att.snap_km > 0:
            notes[p.id] = f"position on a land cell: sea point {att.snap_km:.1f} km away"
        if coast is not None and waived is not None:
            t = time.perf_counter()
            _refine_port(att, coast, waived, p.id, refined, counts)
            refine_s += time.perf_counter() - t
        if att.connectors and att.grid is not None:
            bays += _bay_connectors(i, att, seas, mask, coast=coast, waived=waived)
            if others is not None:
                js = np.arange(len(others))
                found = _bay_connectors_to(att, others, js, mask, coast, waived)
                to_others += [(i, j, g) for j, g in found]
        att.grid = att.dist = att.pred = None
        atts.append(att)
    notes.update(refined)
    bays = [b for b in bays if atts[b[1]].connectors]
    fine: dict[str, float] = {}
    if coast is not None:
        fine = {
            "gshhg_repaired_connectors": float(counts["repaired"]),
            "gshhg_dropped_connectors": float(counts["dropped"]),
            "gshhg_unrefined_ports": float(counts["kept_raw"]),
            "gshhg_connector_seconds": refine_s,
        }
    return PortStage(atts, notes, bays, to_others, fine)


def _sea_points(
    mask: LandMask,
    ports: Sequence[PortSite],
    *,
    coast: Coastline | None = None,
    waived: Coastline | None = None,
) -> np.ndarray:
    """(P, 2) sea point of each port as its connectors will start (nan if none): the
    nearest raster water within ``PORT_SNAP_KM``, moved off GSHHG land with a coastline."""
    out = np.full((len(ports), 2), np.nan)
    for i, p in enumerate(ports):
        hit = mask.nearest_water(float(p.lon), float(p.lat), max_km=PORT_SNAP_KM)
        if hit is None:
            continue
        (sx, sy), _ = hit
        if coast is not None and waived is not None:
            sx, sy, _ = _gshhg_sea_point(coast, waived, sx, sy)
        out[i] = (sx, sy)
    return out


def _gshhg_sea_point(
    coast: Coastline, waived: Coastline, sx: float, sy: float
) -> tuple[float, float, float]:
    """A raster sea point moved to the nearest GSHHG water within ``PORT_SNAP_KM`` if it
    lies on GSHHG land (outside the waterways), and the land its connectors may start
    on (``PORT_SNAP_KM`` when no water is that near: the point stays, as a berth)."""
    if not bool(waived.is_land(np.array(sx), np.array(sy))):
        return sx, sy, 0.0
    hit = coast.nearest_water(sx, sy, max_km=PORT_SNAP_KM)
    if hit is None:
        return sx, sy, PORT_SNAP_KM
    return float(hit[0].lon), float(hit[0].lat), 0.0


def _refine_port(
    att: Attachment,
    coast: Coastline,
    waived: Coastline,
    port_id: str,
    notes: dict[str, str],
    counts: dict[str, int],
) -> None:
    """Refine a port's connectors on GSHHG (:func:`routing.sea.coast.refine_line`).

    A sea point on GSHHG land moves to the nearest GSHHG water within
    ``PORT_SNAP_KM`` (else the land at the start of its connectors is kept, as a
    berth, and listed). A connector that cannot be made clear is dropped; a port
    left with none keeps its raster connectors, with a note.
    """
    if not att.connectors or att.sea_point is None:
        return
    sx, sy, free = _gshhg_sea_point(coast, waived, *att.sea_point)
    att.sea_point = (sx, sy)
    kept: list[tuple[int, np.ndarray]] = []
    for node, g in att.connectors:
        g = g.copy()
        g[0] = (sx + turn_offset(sx, g[0, 0]), sy)
        ref = refine_line(coast, g, waived=waived, free_start_km=free)
        if ref is None and free == 0.0:
            whole = reroute(waived, g)
            ref = None if whole is None else Refined(whole, repaired_runs=1)
        if ref is None:
            counts["dropped"] += 1
            continue
        counts["repaired"] += int(ref.repaired_runs > 0)
        kept.append((node, densify(ref.coords) if ref.repaired_runs else g))
    if kept:
        att.connectors = kept
    else:
        counts["kept_raw"] += 1
        notes[port_id] = "harbour closed in GSHHG full resolution: its connectors cross land there"
        log.warning("port %s: no connector clear of GSHHG land", port_id)


def _bay_connectors(
    i: int,
    att: Attachment,
    seas: np.ndarray,
    mask: LandMask,
    *,
    coast: Coastline | None = None,
    waived: Coastline | None = None,
) -> list[Bay]:
    """Direct water connectors from port ``i`` to the later ports in its bay: those whose
    sea point (``seas``) its search window reaches by water within ``DIRECT_PORT_KM``.

    With a coastline, each is refined on it and dropped if it cannot be made clear.
    """
    js = np.arange(i + 1, len(seas))
    return [(i, j, g) for j, g in _bay_connectors_to(att, seas, js, mask, coast, waived)]


def _bay_connectors_to(
    att: Attachment,
    seas: np.ndarray,
    js: np.ndarray,
    mask: LandMask,
    coast: Coastline | None,
    waived: Coastline | None,
) -> list[tuple[int, np.ndarray]]:
    """Direct water connectors from an attached port (its search window) to the sea
    points ``seas[js]`` it reaches by water within ``DIRECT_PORT_KM``: (j, geometry)."""
    grid, dist, pred, here = att.grid, att.dist, att.pred, att.sea_point
    assert grid is not None and dist is not None and pred is not None and here is not None
    js = js[np.isfinite(seas[js, 0])]
    loc = grid.local(seas[js, 0], seas[js, 1])
    inside = loc >= 0
    js, loc = js[inside], loc[inside]
    near = dist[loc] <= DIRECT_PORT_KM  # inf (unreached) is not
    out: list[tuple[int, np.ndarray]] = []
    for j, lj in zip(js[near].tolist(), loc[near].tolist(), strict=True):
        sj = (float(seas[j, 0]), float(seas[j, 1]))
        path = grid.path(pred, lj)
        allowed = grid.path_land_cells(path)
        plon, plat = grid.lonlat(np.array(path))
        pts = np.column_stack([plon, plat])
        pts = np.vstack([[here], pts[1:-1], [sj]])
        pts[:, 0] = unwrap(pts[:, 0])
        keep_i = mask.pull_string(pts[:, 0], pts[:, 1], allowed=allowed or None)
        g = densify(pts[keep_i])
        if coast is not None:
            ref = refine_line(coast, g, waived=waived)
            if ref is None:
                continue
            g = densify(ref.coords)
        out.append((j, g))
    return out


def _passage_tags(
    geoms: Sequence[np.ndarray], passages: Sequence[Passage]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Passage events of every edge: (edge, nm from its start, passage index) arrays."""
    ev_edge: list[int] = []
    ev_nm: list[float] = []
    ev_pid: list[int] = []
    for k, g in enumerate(geoms):
        for pos, pid in passage_events(g, passages):
            ev_edge.append(k)
            ev_nm.append(pos)
            ev_pid.append(pid)
    return (
        np.array(ev_edge, dtype=np.int64),
        np.array(ev_nm, dtype=float),
        np.array(ev_pid, dtype=np.int64),
    )


def _land_patches(land: Land, coords: np.ndarray, port_id: str) -> list[dict[str, object]]:
    """Polygons around the stretches of a connector left on land (berths, harbour bridges)."""
    on_land, dist, _ = land.land_samples(coords[:, 0], coords[:, 1], step_km=0.1)
    if not on_land.any():
        return []
    slon, slat, _, _ = sample_polyline(coords[:, 0], coords[:, 1], step_km=0.1)
    f = np.concatenate([[False], on_land, [False]]).astype(np.int8)
    d = np.diff(f)
    out: list[dict[str, object]] = []
    for a, b in zip(np.nonzero(d == 1)[0], np.nonzero(d == -1)[0], strict=True):
        if dist[b - 1] - dist[a] < 0.5:
            continue
        pts = shapely.MultiPoint(np.column_stack([slon[a:b], slat[a:b]]))
        poly = shapely.convex_hull(pts.buffer(0.008, quad_segs=2))
        assert isinstance(poly, shapely.Polygon)
        out.append(
            {
                "id": f"harbour-bridge-{port_id}",
                "kind": "harbour_bridge",
                "polygon": np.round(np.asarray(poly.exterior.coords), 5).tolist(),
            }
        )
    return out


def backbone_to_arrays(bb: Backbone) -> dict[str, np.ndarray]:
    """Flatten a backbone to arrays for ``np.savez``."""
    goff = np.zeros(len(bb.geoms) + 1, dtype=np.int64)
    goff[1:] = np.cumsum([len(g) for g in bb.geoms])
    return {
        "nodes": bb.nodes,
        "eu": bb.eu,
        "ev": bb.ev,
        "canal": bb.canal,
        "goff": goff,
        "coords": np.concatenate(bb.geoms),
        "stats": np.frombuffer(json.dumps(bb.stats).encode(), dtype=np.uint8),
    }


def backbone_from_arrays(f: dict[str, np.ndarray]) -> Backbone:
    """Inverse of :func:`backbone_to_arrays`."""
    goff = f["goff"]
    coords = f["coords"]
    geoms = [coords[goff[i] : goff[i + 1]] for i in range(len(goff) - 1)]
    stats = json.loads(bytes(f["stats"]).decode())
    return Backbone(f["nodes"], f["eu"], f["ev"], geoms, f["canal"], stats)
