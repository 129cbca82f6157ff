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
   great-circle legs where the open water allows (:mod:`routing.sea.straighten`).

The cache of the result, and its keys, are :mod:`routing.sea.cache`'s.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

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
from routing.sea.connect import PORT_SNAP_KM, Attachment, attach, densify
from routing.sea.graph import PortSite, SeaGraph
from routing.sea.land import Land, LandMask, WaterGrid, sample_polyline, window_around
from routing.sea.passages import Passage, SeaData, passage_events
from routing.sea.straighten import straighten

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
    atts, notes = _attach_ports(bb, mask, ports)
    waived = coast.with_waivers(sea.waterway_union) if coast is not None else None
    fine: dict[str, float] = {}
    if coast is not None and waived is not None:
        fine = _refine_connectors(atts, coast, waived, ports, notes)
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
    edges += _bay_connectors(atts, mask, n_core, coast=coast, waived=waived)
    for att in atts:  # free the grids
        att.grid = att.dist = att.pred = None
    geoms = [e[4] for e in edges]
    goff = np.zeros(len(edges) + 1, dtype=np.int64)
    goff[1:] = np.cumsum([len(g) for g in geoms])
    ev_edge, ev_nm, ev_pid = _passage_tags(geoms, sea.passages)
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
        a_from=np.array([e[0] for e in edges], dtype=np.int64),
        a_to=np.array([e[1] for e in edges], dtype=np.int64),
        b_from=np.array([e[2] for e in edges], dtype=np.int64),
        b_to=np.array([e[3] for e in edges], dtype=np.int64),
        length_nm=np.array([float(line_nm(g).sum()) for g in geoms]),
        canal=np.array([e[5] for e in edges], dtype=bool),
        goff=goff,
        coords=np.concatenate(geoms) if geoms else np.zeros((0, 2)),
        ev_edge=ev_edge,
        ev_nm=ev_nm,
        ev_pid=ev_pid,
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
    graph, stats = straighten(graph, sea, mask.with_waivers(None), coast)
    graph.stats.update(stats)
    return graph


LANE_SPLIT_KM = 60.0
"""A lane passing a port this close gets a node abeam of it (see _split_lanes_near_ports)."""
LANE_END_KM = 2.0


def _split_lanes_near_ports(bb: Backbone, mask: LandMask, ports: Sequence[PortSite]) -> int:
    """Give each port a backbone node on the lane that passes closest to it.

    MARNET's nodes can lie far from where a lane passes a port (Sabang, off the
    northern tip of Sumatra, is passed by the Malacca lane 40 km from its nearest
    node), so a connector to a node would run out along the lane and the route back
    over the same water: a spur. The lane point within ``LANE_SPLIT_KM`` nearest to
    the port's sea point by water (on the raster) becomes a node (its edge is split
    there) unless a node is within ``LANE_END_KM`` of it.
    """
    from scipy.spatial import cKDTree  # only needed while building

    # lane samples every km (a split edge gets them as vertices, so it lands abeam)
    dense = [densify(g, max_km=1.0) for g in bb.geoms]
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
        e0 = int(np.searchsorted(offs, best, side="right") - 1)
        k = best - int(offs[e0])
        # an edge split before is now pieces: (first sample, edge id) in order
        start, e = max((pc for pc in pieces.get(e0, [(0, e0)]) if pc[0] <= k), key=lambda pc: pc[0])
        geom = piece_geom.get(e, dense[e0])
        if 0 < k - start < len(geom) - 1:
            second = _split_edge(bb, e, geom, k - start)
            piece_geom[e], piece_geom[second] = bb.geoms[e], bb.geoms[second]
            pieces.setdefault(e0, [(0, e0)]).append((k, second))
            splits += 1
    return splits


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


def _attach_ports(
    bb: Backbone, mask: LandMask, ports: Sequence[PortSite]
) -> tuple[list[Attachment], dict[str, str]]:
    """Each port's connectors, and a note for ports joined unusually or not at all."""
    csr = bb.csr()
    atts: list[Attachment] = []
    notes: dict[str, str] = {}
    for p in ports:
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
        atts.append(att)
    return atts, notes


def _refine_connectors(
    atts: Sequence[Attachment],
    coast: Coastline,
    waived: Coastline,
    ports: Sequence[PortSite],
    notes: dict[str, str],
) -> dict[str, float]:
    """Refine every port connector on GSHHG (:func:`routing.sea.coast.refine_line`).

    A sea point on GSHHG land moves to the nearest GSHHG water within
    ``PORT_SNAP_KM`` (else the land at the start of its connectors is kept, as a
    berth, and listed). A connector that cannot be made clear is dropped; a port
    left with none keeps its raster connectors, with a note.
    """
    t0 = time.perf_counter()
    repaired = dropped = kept_raw = 0
    for i, att in enumerate(atts):
        if not att.connectors or att.sea_point is None:
            continue
        sx, sy = att.sea_point
        free = 0.0
        if bool(waived.is_land(np.array(sx), np.array(sy))):
            hit = coast.nearest_water(sx, sy, max_km=PORT_SNAP_KM)
            if hit is None:
                free = PORT_SNAP_KM
            else:
                sx, sy = float(hit[0].lon), float(hit[0].lat)
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
                dropped += 1
                continue
            repaired += int(ref.repaired_runs > 0)
            kept.append((node, densify(ref.coords) if ref.repaired_runs else g))
        if kept:
            att.connectors = kept
        else:
            kept_raw += 1
            notes[ports[i].id] = (
                "harbour closed in GSHHG full resolution: its connectors cross land there"
            )
            log.warning("port %s: no connector clear of GSHHG land", ports[i].id)
    return {
        "gshhg_repaired_connectors": float(repaired),
        "gshhg_dropped_connectors": float(dropped),
        "gshhg_unrefined_ports": float(kept_raw),
        "gshhg_connector_seconds": time.perf_counter() - t0,
    }


def _bay_connectors(
    atts: Sequence[Attachment],
    mask: LandMask,
    n_core: int,
    *,
    coast: Coastline | None = None,
    waived: Coastline | None = None,
) -> list[Edge]:
    """Direct water connectors between connected ports in the same bay.

    With a coastline, each is refined on it and dropped if it cannot be made clear.
    """
    edges: list[Edge] = []
    sea_idx = [i for i, a in enumerate(atts) if a.connectors and a.grid is not None]
    for i in sea_idx:
        ai = atts[i]
        assert ai.grid is not None and ai.dist is not None and ai.pred is not None
        for j in sea_idx:
            if j <= i:
                continue
            sj = atts[j].sea_point
            assert sj is not None and ai.sea_point is not None
            loc = int(ai.grid.local(np.array([sj[0]]), np.array([sj[1]]))[0])
            if loc < 0 or not np.isfinite(ai.dist[loc]) or ai.dist[loc] > DIRECT_PORT_KM:
                continue
            path = ai.grid.path(ai.pred, loc)
            allowed = ai.grid.path_land_cells(path)
            plon, plat = ai.grid.lonlat(np.array(path))
            pts = np.column_stack([plon, plat])
            pts = np.vstack([[ai.sea_point], pts[1:-1], [sj]])
            pts[:, 0] = unwrap(pts[:, 0])
            keep_i = mask.pull_string(pts[:, 0], pts[:, 1], allowed=allowed or None)
            g = densify(pts[keep_i])
            if coast is not None:
                ref = refine_line(coast, g, waived=waived)
                if ref is None:
                    continue
                g = densify(ref.coords)
            edges.append(
                (n_core + 2 * i, n_core + 2 * j + 1, n_core + 2 * j, n_core + 2 * i + 1, g, False)
            )
    return edges


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
