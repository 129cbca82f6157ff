"""Great-circle legs in open water: the routes between ports pulled tight (build time).

MARNET's lanes are drawn for traffic, not for the shortest track: across an open sea
they zig-zag between lane junctions, so a route following them is several per cent
longer than the geodesic (Pearl Harbor-Yokosuka +5 %, Goa-Minicoy +23 %). After the
graph is built, :func:`straighten` takes the shortest routes between every pair of
connected ports (with the seasonal routes closed and open, and with each closure group
and each major passage closed in turn) and pulls them tight: from each junction of a route, the
farthest later junction that the great circle reaches in open water becomes a new
edge (a straight leg), and the route goes on from there. The new edges are ordinary
graph edges, so every query, and the distance tables, use them; distances stay
those of the drawn line.

A straight leg replaces a stretch of route only if it

* stays clear of land on the 1 km raster and on GSHHG full resolution,
* stays between :data:`PULL_LAT`, or beyond only inside a seasonal route's region (the
  NSR, whose season rules then cover the whole leg); other polar waters keep MARNET's
  tracks: open water on a coastline is not open water in ice,
* meets no passage gate and no ice region (the passages keep MARNET's tracks, so
  closures, ice rules and ``via`` keep their meaning), except inside a seasonal route's
  region between two nodes that the region's edges already join (the router's tables
  of passage portals keep their size), where it meets the same passages as the stretch
  it replaces, and
* keeps within :data:`CORRIDOR` of that stretch: the junctions it skips lie no farther
  from it than its own length (a straight leg cuts a detour short; it does not jump to
  another sea). No bathymetry ships with the service (see the README): legs are
  checked against land, not depth.

Rounds repeat on the straightened graph until a round adds (almost) nothing.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra

from routing.geo import (
    EARTH_RADIUS_KM,
    line_nm,
    to_unit_vectors,
    unwrap_array,
    wrap,
)
from routing.sea.connect import densify
from routing.sea.graph import SeaGraph
from routing.sea.land import Land, sample_polyline
from routing.sea.passages import Passage, SeaData, passage_events

log = logging.getLogger(__name__)

PULL_LAT = (-60.0, 66.0)
"""Straight legs stay between these latitudes (both ends and every point between)."""
CORRIDOR = 1.0
"""Largest distance of the replaced stretch's junctions from the straight leg, as a
share of the leg's length."""
MIN_GAIN = 0.002
"""A stretch is replaced only if it is this much longer (share) than the straight leg."""
MIN_GAIN_NM = 0.5
ROUNDS = 3
LAST_ROUND_LEGS = 50
"""A round that adds fewer legs than this is the last."""
NEAR_DEG = 0.01
"""Margin (degrees) of the boxes round gates and regions that a leg is screened against."""
EXIT_KM = (0.0, 0.3, 0.6, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0)
"""Where along a port's connector (km from its sea point) a straight leg may leave it."""
CLOSE_ALSO = ("suez", "panama", "gibraltar", "bab-el-mandeb", "hormuz", "cape-of-good-hope")
"""Passages closed one at a time (besides each closure group) to find the routes pulled."""


def straighten(
    graph: SeaGraph,
    sea: SeaData,
    raster: Land,
    coast: Land,
    *,
    rounds: int = ROUNDS,
) -> tuple[SeaGraph, dict[str, float]]:
    """The graph with straight legs added where the routes between ports zig-zag."""
    t0 = time.perf_counter()
    added = checks = 0
    seen: set[tuple[int, ...]] = set()  # runs pulled in an earlier round are not pulled again
    closure_sets, polar = _closure_sets(sea), _seasonal_waters(sea)
    for r in range(rounds):
        runs = _runs(graph, sea, closure_sets, seen)
        checked = _Legs(graph, raster, coast, polar)
        legs = _pull(graph, runs, sea.passages, checked)
        checks += len(checked.done)
        log.info("straighten round %d: %d runs, %d straight legs", r + 1, len(runs), len(legs))
        if not legs:
            break
        graph = with_edges(graph, legs, sea.passages)
        added += len(legs)
        if len(legs) < LAST_ROUND_LEGS:
            break
    return graph, {
        "straight_legs": float(added),
        "straight_checks": float(checks),
        "straighten_seconds": time.perf_counter() - t0,
    }


def _closure_sets(sea: SeaData) -> list[frozenset[str]]:
    base = sea.seasonal_closures(None, None)
    sets = [base, frozenset()]  # and with the seasonal routes open (a summer transit)
    for group in sea.groups.values():
        sets.append(base | frozenset(group.passages))
    for pid in CLOSE_ALSO:
        if pid in sea.passage_ids:
            sets.append(base | {pid})
    return list(dict.fromkeys(sets))


def _runs(
    g: SeaGraph,
    sea: SeaData,
    closure_sets: Iterable[frozenset[str]],
    seen: set[tuple[int, ...]],
    involving: np.ndarray | None = None,
) -> list[np.ndarray]:
    """The shortest routes between ports (node sequences) not in ``seen``, one of each
    route and its reverse (``seen`` is updated); with ``involving`` (port indices), only
    those from or to one of these ports."""
    ports = np.nonzero(g.connected)[0]
    wanted = np.ones(len(ports), dtype=bool)
    if involving is not None:
        wanted = np.isin(ports, involving)
    src = g.n_core + 2 * ports
    dst = src + 1
    arcs = g.arcs()
    weight = np.maximum(g.length_nm[arcs.edge], 1e-9)
    out: list[np.ndarray] = []
    for closed in closure_sets:
        shut = g.closed_edges(sea.passage_ids.index(p) for p in closed)
        csr = arcs.csr(g.n_nodes, weight, ~shut[arcs.edge])
        dist, pred = dijkstra(csr, directed=True, indices=src, return_predecessors=True)
        for k, s in enumerate(src.tolist()):
            row = pred[k]
            for ti, t in enumerate(dst.tolist()):
                if t == s + 1 or not np.isfinite(dist[k, t]):
                    continue
                if not (wanted[k] or wanted[ti]):
                    continue
                nodes = [t]
                p = t
                while p != s:
                    p = int(row[p])
                    nodes.append(p)
                key = tuple(reversed(nodes))
                if key not in seen:
                    # the same route the other way: out-node <-> in-node at each end
                    seen.add(key)
                    seen.add((nodes[0] - 1, *nodes[1:-1], nodes[-1] + 1))
                    out.append(np.array(key, dtype=np.int64))
    return out


class _Arcs:
    """The shortest arc between two nodes, its length and geometry."""

    def __init__(self, g: SeaGraph) -> None:
        self.g = g
        arcs = g.arcs()
        best: dict[tuple[int, int], tuple[int, bool]] = {}
        for fr, to, e, rev in zip(
            arcs.frm.tolist(), arcs.to.tolist(), arcs.edge.tolist(), arcs.rev.tolist(), strict=True
        ):
            if (fr, to) not in best or g.length_nm[e] < g.length_nm[best[(fr, to)][0]]:
                best[(fr, to)] = (e, rev)
        self.best = best

    def nm(self, u: int, v: int) -> float:
        return float(self.g.length_nm[self.best[(u, v)][0]])

    def coords(self, u: int, v: int) -> np.ndarray:
        e, rev = self.best[(u, v)]
        c = self.g.geometry(e)
        return c[::-1] if rev else c

    def stretch(self, nodes: np.ndarray) -> np.ndarray:
        """The geometry along ``nodes``, longitudes continuous from a first one in [-180, 180]."""
        c = unwrap_array(
            np.concatenate([self.coords(int(a), int(b)) for a, b in itertools.pairwise(nodes)])
        )
        c[:, 0] += float(wrap(c[0, 0])) - c[0, 0]
        return c


def _pull(
    g: SeaGraph,
    runs: Sequence[np.ndarray],
    passages: Sequence[Passage],
    checked: _Legs,
) -> list[tuple[int, int, int, int, np.ndarray]]:
    """Straight legs that pull the runs tight (greedy: farthest visible junction first)."""
    puller = _Puller(g, passages, checked)
    for run in runs:
        puller.pull(run)
    return [(*e, c) for e, c in puller.legs.items()]


class _Puller:
    def __init__(self, g: SeaGraph, passages: Sequence[Passage], checked: _Legs) -> None:
        self.g, self.passages, self.checked = g, passages, checked
        self.arcs = _Arcs(g)
        # bounding boxes of every gate and region, a little wider (a leg that ends on a
        # gate touches it)
        self.near = np.array(
            [
                shapely.bounds(x) + np.array([-NEAR_DEG, -NEAR_DEG, NEAR_DEG, NEAR_DEG])
                for p in passages
                for x in (*p.gate_lines, *p.region_polygons)
            ]
        )
        self.unit = to_unit_vectors(g.node_xy[:, 0], g.node_xy[:, 1])
        #: passages a straight leg may meet: the seasonal routes' regions (the NSR)
        self.free = {i for i, p in enumerate(passages) if p.kind == "seasonal_route"}
        tagged = np.unique(g.ev_edge[np.isin(g.ev_pid, list(self.free))])
        self.portals = set(g.a_from[tagged].tolist()) | set(g.a_to[tagged].tolist())
        self.legs: dict[Edge, np.ndarray] = {}
        self.signatures: dict[tuple[int, int], Signature] = {}  # of each leg u -> v

    def pull(self, run: np.ndarray) -> None:
        """Add the straight legs that pull one run tight."""
        seg = np.array([self.arcs.nm(int(a), int(b)) for a, b in itertools.pairwise(run)])
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        ru = self.unit[run]
        gc_nm = np.arccos(np.clip(ru @ ru.T, -1.0, 1.0)) * (EARTH_RADIUS_KM / 1.852)
        m = len(run) - 1
        i = 0
        while i < m - 1:
            js = np.arange(m, i + 1, -1)
            geo = gc_nm[i, js]
            worth = cum[js] - cum[i] > geo * (1 + MIN_GAIN) + MIN_GAIN_NM
            # ends worth a leg, nearest first
            ends = js[np.nonzero(worth & _in_corridor(self.unit, run, i, js, geo))[0][::-1]]
            j = self._farthest(run, i, ends)
            if j < 0:  # nothing to pull from i: on to the farthest junction already in line
                straight = np.nonzero(~worth)[0]
                j = max(i + 1, int(js[straight[0]])) if straight.size else i + 1
            i = j

    def _farthest(self, run: np.ndarray, i: int, ends: np.ndarray) -> int:
        """The farthest of ``ends`` (nearest first) a good leg from ``run[i]`` reaches,
        looked for at doubling distances, then by bisection up to the next probe; -1
        if none is found. Its leg is recorded."""
        n = len(ends)
        probes = sorted({2**e - 1 for e in range(31) if 2**e <= n} | ({n - 1} if n else set()))
        best: tuple[Edge, np.ndarray] | None = None
        lo, hi = -1, n
        for p, k in enumerate(probes):  # every probe: a far success may follow failures
            found = self._leg(run, i, int(ends[k]))
            if found is not None:
                best, lo = found, k
                hi = probes[p + 1] if p + 1 < len(probes) else n
        if best is None:
            return -1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            found = self._leg(run, i, int(ends[mid]))
            if found is None:
                hi = mid
            else:
                best, lo = found, mid
        self.legs.setdefault(*best)
        return int(ends[lo])

    def _leg(self, run: np.ndarray, i: int, j: int) -> tuple[Edge, np.ndarray] | None:
        """The edge and geometry of a good straight leg ``run[i] -> run[j]``, or None."""
        u, v = int(run[i]), int(run[j])
        edge = _edge(u, v, self.g.n_core)
        if (edge[0], edge[1]) in self.arcs.best or (edge[2], edge[3]) in self.arcs.best:
            return None  # no parallel arcs: a path names its arcs by their ends
        leg = self.checked.leg(u, v)
        if leg is None:
            return None
        if (u, v) not in self.signatures:
            self.signatures[(u, v)] = _signature(leg, self.passages, self.near)
        sig = self.signatures[(u, v)]
        met = set(sig[0]) | sig[1]
        # the passages keep MARNET's tracks, but for straight legs inside a seasonal
        # route's region between nodes its edges already reach (the router's tables of
        # passage portals keep their size)
        if met and (met - self.free or not {u, v} <= self.portals):
            return None
        if sig != _signature(self.arcs.stretch(run[i : j + 1]), self.passages, self.near):
            return None
        return edge, (leg if edge[0] == u else leg[::-1])


Edge = tuple[int, int, int, int]
"""An edge's two arcs: ``(a_from, a_to, b_from, b_to)``."""


def _edge(u: int, v: int, n_core: int) -> Edge:
    """The edge of a straight leg ``u -> v``: between junctions, or a port's connector."""
    u_port, v_port = u >= n_core, v >= n_core
    if u_port and v_port:  # out-node of one port to the in-node of another
        return (u, v, v - 1, u + 1) if u < v - 1 else (v - 1, u + 1, u, v)
    if u_port:
        return (u, v, v, u + 1)
    if v_port:
        return (v - 1, u, u, v)
    return (min(u, v), max(u, v), max(u, v), min(u, v))


def _in_corridor(
    unit: np.ndarray, run: np.ndarray, i: int, js: np.ndarray, geo_nm: np.ndarray
) -> np.ndarray:
    """For each end ``run[j]``: whether the junctions ``run[i..j]`` keep within
    :data:`CORRIDOR` of the great circle ``run[i] -> run[j]``."""
    p = unit[run[i:]]
    a, b = p[0], unit[run[js]]
    n = np.column_stack(
        [
            a[1] * b[:, 2] - a[2] * b[:, 1],
            a[2] * b[:, 0] - a[0] * b[:, 2],
            a[0] * b[:, 1] - a[1] * b[:, 0],
        ]
    )
    n /= np.maximum(np.linalg.norm(n, axis=1), 1e-12)[:, None]
    off = np.abs(p @ n.T)  # sine of the cross-track angle, rows: junctions, columns: ends
    off[np.arange(len(p))[:, None] > (js - i)[None, :]] = 0.0
    off_km = np.arcsin(np.minimum(off.max(axis=0), 1.0)) * EARTH_RADIUS_KM
    return off_km <= CORRIDOR * geo_nm * 1.852


class _Legs:
    """Straight legs between two nodes, checked once each.

    A leg between junctions runs between their positions. A leg from (or to) a port
    may leave its connector a little way out (see :data:`EXIT_KM`): a harbour's sea
    point is usually too close to the shore for a straight line from it to clear
    the land, while a point a few hundred metres down its channel is not.
    """

    def __init__(self, g: SeaGraph, raster: Land, coast: Land, polar: shapely.Geometry) -> None:
        self.g, self.raster, self.coast, self.polar = g, raster, coast, polar
        self.done: dict[tuple[int, int], np.ndarray | None] = {}
        self._exits: dict[int, list[np.ndarray]] = {}

    def exits(self, port_out: int) -> list[np.ndarray]:
        """Pieces of the port's connectors from its sea point, shortest first."""
        if port_out not in self._exits:
            g = self.g
            pieces: list[tuple[float, np.ndarray]] = []
            for e in np.nonzero((g.a_from == port_out) & (g.a_to < g.n_core))[0].tolist():
                c = g.geometry(e)
                along = np.concatenate([[0.0], np.cumsum(line_nm(c))]) * 1.852
                ks = {int(np.searchsorted(along, t)) for t in EXIT_KM if t <= along[-1]}
                pieces.extend((float(along[k]), c[: k + 1]) for k in sorted(ks))
            pieces.sort(key=lambda t: t[0])
            self._exits[port_out] = [c for _, c in pieces] or [g.node_xy[port_out][None]]
        return self._exits[port_out]

    def leg(self, u: int, v: int) -> np.ndarray | None:
        """The geometry of a clear straight leg ``u -> v`` (densified), or None."""
        key = (u, v) if u >= self.g.n_core or v >= self.g.n_core else (min(u, v), max(u, v))
        if key not in self.done:
            self.done[key] = self._find(*key)
        leg = self.done[key]
        if leg is None or key == (u, v):
            return leg
        return leg[::-1]

    def _find(self, u: int, v: int) -> np.ndarray | None:
        n_core, xy = self.g.n_core, self.g.node_xy
        heads = self.exits(u) if u >= n_core else [xy[u][None]]
        tails = [c[::-1] for c in self.exits(v - 1)] if v >= n_core else [xy[v][None]]
        if len(heads) + len(tails) > 2 and not _open_between(xy[u], xy[v], self.raster):
            return None  # land far from both ends: no exit helps
        for k in range(len(heads) + len(tails) - 1):  # shortest pieces first
            for h in range(max(0, k - len(tails) + 1), min(k, len(heads) - 1) + 1):
                head, tail = heads[h], tails[k - h]
                leg = _check(head[-1], tail[0], self.raster, self.coast, self.polar)
                if leg is not None:
                    return unwrap_array(np.concatenate([head[:-1], leg, tail[1:]]))
        return None


def _open_between(a: np.ndarray, b: np.ndarray, raster: Land) -> bool:
    """Whether the great circle a -> b is clear on the raster beyond EXIT_KM of its ends."""
    lon, lat, d, _ = sample_polyline(np.array([a[0], b[0]]), np.array([a[1], b[1]]), step_km=5.0)
    mid = (d > EXIT_KM[-1] + 5.0) & (d < d[-1] - EXIT_KM[-1] - 5.0)
    return not raster.is_land(lon[mid], lat[mid]).any()


def _seasonal_waters(sea: SeaData) -> shapely.Geometry:
    """The regions of the seasonal routes (the NSR, the NWP), shifted by +-360 too."""
    polys = [poly for p in sea.passages if p.kind == "seasonal_route" for poly in p.region_polygons]
    out = shapely.union_all(polys) if polys else shapely.GeometryCollection()
    shapely.prepare(out)
    return out


def _latitudes_ok(lon: np.ndarray, lat: np.ndarray, polar: shapely.Geometry) -> bool:
    """Inside :data:`PULL_LAT`, or beyond it only inside a seasonal route's region
    (whose season rules then apply to the whole leg)."""
    out = (lat < PULL_LAT[0]) | (lat > PULL_LAT[1])
    if not out.any():
        return True
    return bool(shapely.contains_xy(polar, lon[out], lat[out]).all())


def _check(
    a: np.ndarray, b: np.ndarray, raster: Land, coast: Land, polar: shapely.Geometry
) -> np.ndarray | None:
    # a coarse look on the sphere first (most candidates fail here) ...
    lon, lat, _, _ = sample_polyline(np.array([a[0], b[0]]), np.array([a[1], b[1]]), step_km=5.0)
    if not _latitudes_ok(lon, lat, polar) or raster.is_land(lon, lat).any():
        return None
    # ... then the geodesic itself, on the 1 km raster and on GSHHG
    leg = densify(np.array([a, b]))
    if not _latitudes_ok(leg[:, 0], leg[:, 1], polar):
        return None
    for land, step in ((raster, 0.5), (coast, 0.1)):
        flags, _, _ = land.land_samples(leg[:, 0], leg[:, 1], step_km=step)
        if flags.any():
            return None
    return leg


Signature = tuple[tuple[int, ...], frozenset[int]]


def _signature(coords: np.ndarray, passages: Sequence[Passage], near: np.ndarray) -> Signature:
    """The passages a line meets, in order, and the regions it enters (``near``: boxes
    round every gate and region; a line in none of them meets nothing)."""
    x0, y0 = coords.min(axis=0)
    x1, y1 = coords.max(axis=0)
    if not (
        (near[:, 0] <= x1) & (near[:, 2] >= x0) & (near[:, 1] <= y1) & (near[:, 3] >= y0)
    ).any():
        return (), frozenset()
    seq: list[int] = []
    for _, pid in passage_events(coords, passages):
        if not seq or seq[-1] != pid:
            seq.append(pid)
    line = shapely.LineString(coords)  # regions come shifted by +-360 degrees too
    regions = frozenset(
        i
        for i, p in enumerate(passages)
        if any(line.intersects(poly) for poly in p.region_polygons)
    )
    return tuple(seq), regions


def with_edges(
    g: SeaGraph, legs: Sequence[tuple[int, int, int, int, np.ndarray]], passages: Sequence[Passage]
) -> SeaGraph:
    """A copy of ``g`` with edges ``(a_from, a_to, b_from, b_to, coords)`` added."""
    ne = len(g.a_from)
    arcs = np.array([leg[:4] for leg in legs], dtype=np.int64).reshape(-1, 4)
    geoms = [leg[4] + [float(wrap(leg[4][0, 0])) - leg[4][0, 0], 0.0] for leg in legs]
    lens = np.array([len(c) for c in geoms], dtype=np.int64)
    ev = [
        (ne + k, pos, pid) for k, c in enumerate(geoms) for pos, pid in passage_events(c, passages)
    ]
    return dataclasses.replace(
        g,
        a_from=np.concatenate([g.a_from, arcs[:, 0]]),
        a_to=np.concatenate([g.a_to, arcs[:, 1]]),
        b_from=np.concatenate([g.b_from, arcs[:, 2]]),
        b_to=np.concatenate([g.b_to, arcs[:, 3]]),
        length_nm=np.concatenate([g.length_nm, [float(line_nm(c).sum()) for c in geoms]]),
        canal=np.concatenate([g.canal, np.zeros(len(legs), dtype=bool)]),
        goff=np.concatenate([g.goff, g.goff[-1] + np.cumsum(lens)]),
        coords=np.concatenate([g.coords, *geoms]),
        ev_edge=np.concatenate([g.ev_edge, np.array([e[0] for e in ev], dtype=np.int64)]),
        ev_nm=np.concatenate([g.ev_nm, np.array([e[1] for e in ev], dtype=float)]),
        ev_pid=np.concatenate([g.ev_pid, np.array([e[2] for e in ev], dtype=np.int64)]),
        stats=dict(g.stats),
    )


# -- many ports: hubs, spokes and neighbours ------------------------------------------


STRAIGHTEN_HUBS = 100
"""Most ports whose routes to one another are all pulled tight (:func:`straighten_ports`); with
more, the first this many in the catalogue's order are hubs (so a catalogue's own
ports keep their routes when others are appended to it) ..."""
STRAIGHTEN_SPREAD = 32
"""... with this many more, spread over the sea (where the first may be few)."""
STRAIGHTEN_SPOKES = (0, 1, 3, 7, 15, 31, 63)
"""Ranks, by sea distance, of the hubs a port that is not a hub has its routes to pulled
tight (the nearest, the second, the fourth ... the 64th): its long routes."""
STRAIGHTEN_NEIGHBOURS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
"""Ranks, by sea distance, of the ports (hubs or not) every port has its routes to pulled
tight, with more ports than hubs, as far as the junction before the port (a leg there
serves every port around it): its short routes, across a bay, along a coast."""


def straighten_ports(
    graph: SeaGraph, sea: SeaData, raster: Land, coast: Land
) -> tuple[SeaGraph, dict[str, float]]:
    """Pull the routes between ports tight (:func:`straighten`),
    with work that grows with the ports, not with their square.

    Up to ``STRAIGHTEN_HUBS`` connected ports, the routes between every pair of them are
    pulled (exactly :func:`straighten`). With more, that is done
    for hubs (:func:`_hub_ports`: the first ``STRAIGHTEN_HUBS`` ports of the catalogue,
    whose routes are then those of a catalogue of them alone, and ``STRAIGHTEN_SPREAD``
    spread over the sea), which straightens the lanes between the world's seas. Then, on
    that graph and with the seasonal routes closed, every port's routes to a few ports
    near it (``STRAIGHTEN_NEIGHBOURS``: across its bay, along its coast) and each other
    port's routes to a few hubs near and far (``STRAIGHTEN_SPOKES``: out to sea) are
    pulled too.
    A dozen routes a port, where all pairs would be thousands.
    """
    ports = np.nonzero(graph.connected)[0]
    if len(ports) <= STRAIGHTEN_HUBS:
        return straighten(graph, sea, raster, coast)
    t0 = time.perf_counter()
    hubs = _hub_ports(graph, ports)
    is_hub = np.zeros(len(graph.port_ids), dtype=bool)
    is_hub[hubs] = True
    # straighten() pulls the routes between the connected ports: hide the others
    hidden = {
        p: "not connected: not a hub"
        for k, p in enumerate(graph.port_ids)
        if not is_hub[k] and graph.connected[k]
    }
    hub_view = dataclasses.replace(graph, port_notes={**graph.port_notes, **hidden})
    hubbed, stats = straighten(hub_view, sea, raster, coast)
    graph = dataclasses.replace(hubbed, port_notes=graph.port_notes)
    runs = _spoke_runs(graph, sea, ports, hubs)
    checked = _Legs(graph, raster, coast, _seasonal_waters(sea))
    legs = _pull(graph, runs, sea.passages, checked)
    if legs:
        graph = with_edges(graph, legs, sea.passages)
    log.info("straighten spokes: %d runs, %d straight legs", len(runs), len(legs))
    return graph, {
        "straight_legs": stats["straight_legs"] + len(legs),
        "straight_checks": stats["straight_checks"] + len(checked.done),
        "straight_hubs": float(len(hubs)),
        "straight_spoke_runs": float(len(runs)),
        "straighten_seconds": time.perf_counter() - t0,
    }


def _hub_ports(graph: SeaGraph, ports: np.ndarray) -> np.ndarray:
    """The hubs among ``ports`` (connected, in catalogue order): the first
    ``STRAIGHTEN_HUBS``, then ``STRAIGHTEN_SPREAD`` more spread over the sea, each the
    farthest (great circle between sea points) from those chosen before."""
    first = min(STRAIGHTEN_HUBS, len(ports))
    xy = graph.node_xy[graph.n_core + 2 * ports]
    unit = to_unit_vectors(xy[:, 0], xy[:, 1])
    near = np.full(len(ports), np.inf)
    for k in range(first):
        np.minimum(near, np.linalg.norm(unit - unit[k], axis=1), out=near)
    chosen = list(range(first))
    for _ in range(min(STRAIGHTEN_SPREAD, len(ports) - first)):
        far = int(np.argmax(near))
        chosen.append(far)
        np.minimum(near, np.linalg.norm(unit - unit[far], axis=1), out=near)
    return np.sort(ports[chosen])


def _spoke_runs(
    graph: SeaGraph,
    sea: SeaData,
    sources: np.ndarray,
    hubs: np.ndarray,
    *,
    block: int = 64,
) -> list[np.ndarray]:
    """The shortest routes (node sequences, seasonal routes closed) from each port of
    ``sources`` to the connected ports at the ranks ``STRAIGHTEN_NEIGHBOURS`` by sea
    distance and, for a port not a hub, to the hubs at the ranks ``STRAIGHTEN_SPOKES``;
    each route once, whichever way."""
    closed = sea.seasonal_closures(None, None)
    shut = graph.closed_edges(sea.passage_ids.index(p) for p in closed)
    arcs = graph.arcs()
    weight = np.maximum(graph.length_nm[arcs.edge], 1e-9)
    csr = arcs.csr(graph.n_nodes, weight, ~shut[arcs.edge])
    hub_in = graph.n_core + 2 * hubs + 1
    port_in = graph.n_core + 2 * np.nonzero(graph.connected)[0] + 1
    is_hub_out = set((hub_in - 1).tolist())
    runs: list[np.ndarray] = []
    seen: set[tuple[int, ...]] = set()
    for start in range(0, len(sources), block):
        src = graph.n_core + 2 * sources[start : start + block]
        dist, pred = dijkstra(csr, directed=True, indices=src, return_predecessors=True)
        for k, s in enumerate(src.tolist()):
            near = _ranked(dist[k], port_in[port_in != s + 1], STRAIGHTEN_NEIGHBOURS)
            far = _ranked(dist[k], hub_in, STRAIGHTEN_SPOKES) if s not in is_hub_out else []
            for t, to_port in [*((t, False) for t in near), *((t, True) for t in far)]:
                nodes = [t]
                while nodes[-1] != s:
                    nodes.append(int(pred[k, nodes[-1]]))
                if not to_port:  # to the junction before the port: a leg there serves
                    nodes = nodes[1:]  # every port around it, not this one only
                    if len(nodes) < 3:
                        continue
                key = tuple(reversed(nodes))
                if key not in seen:
                    seen.add(key)
                    if to_port:
                        seen.add((nodes[0] - 1, *nodes[1:-1], nodes[-1] + 1))  # the way back
                    runs.append(np.array(key, dtype=np.int64))
    return runs


def _ranked(dist: np.ndarray, nodes: np.ndarray, ranks: Sequence[int]) -> list[int]:
    """The ``nodes`` at ``ranks`` when sorted by ``dist`` (reachable ones only)."""
    d = dist[nodes]
    order = np.argsort(d, kind="stable")
    order = order[np.isfinite(d[order])]
    return [int(nodes[order[r]]) for r in ranks if r < len(order)]


def straighten_added(
    graph: SeaGraph, sea: SeaData, raster: Land, coast: Land, *, new: np.ndarray
) -> tuple[SeaGraph, dict[str, float]]:
    """Pull tight the routes of the ports ``new`` (indices) as :func:`straighten_ports` would
    have: up to ``STRAIGHTEN_HUBS`` connected ports, their routes to every other port
    under every closure set, in rounds; beyond, their routes to their spoke hubs."""
    t0 = time.perf_counter()
    ports = np.nonzero(graph.connected)[0]
    new = new[graph.connected[new]]
    added = checks = 0
    if len(new) and len(ports) <= STRAIGHTEN_HUBS:
        seen: set[tuple[int, ...]] = set()
        closure_sets, polar = _closure_sets(sea), _seasonal_waters(sea)
        for _ in range(ROUNDS):
            runs = _runs(graph, sea, closure_sets, seen, involving=new)
            checked = _Legs(graph, raster, coast, polar)
            legs = _pull(graph, runs, sea.passages, checked)
            checks += len(checked.done)
            if not legs:
                break
            graph = with_edges(graph, legs, sea.passages)
            added += len(legs)
            if len(legs) < LAST_ROUND_LEGS:
                break
    elif len(new):
        old = ports[~np.isin(ports, new)]
        hubs = _hub_ports(graph, old)
        runs = _spoke_runs(graph, sea, new, hubs)
        checked = _Legs(graph, raster, coast, _seasonal_waters(sea))
        legs = _pull(graph, runs, sea.passages, checked)
        checks += len(checked.done)
        if legs:
            graph = with_edges(graph, legs, sea.passages)
        added += len(legs)
    return graph, {
        "straight_legs": float(graph.stats.get("straight_legs", 0.0)) + added,
        "straight_legs_for_added_ports": float(added),
        "straight_checks_for_added_ports": float(checks),
        "straighten_added_seconds": time.perf_counter() - t0,
    }
