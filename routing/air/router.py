"""Air routes that stay in open airspace.

The search runs on a global hexagonal grid (H3, resolution 3: 41,162 cells about 120 km
apart). Each step between neighbouring cells is a geodesic tested once (when the grid is
built, then cached) against the airspace polygons: it is usable under a closure set
exactly when it enters no closed airspace, so a path along usable steps never does, and
a gap in closed airspace is found wherever a step fits through it. The two ends join the
grid by geodesics tested the same way. The shortest grid path (Dijkstra, scipy's csgraph)
is then pulled tight: from each point the farthest later point whose geodesic stays
clear of closed airspace is the next turn, so the route is a few great-circle segments
and never longer than the grid path. Where the direct geodesic is clear it is the route.

The grid's price is narrow gaps: open airspace narrower than the grid's steps (about
120 km long) between closed states is found only where a step happens to fit through
it; otherwise the route goes round, longer but still clear, and the caveats say so.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import h3
import numpy as np
import scipy.sparse as sp
from cachetools import LRUCache
from scipy.sparse.csgraph import dijkstra

from routing.air.airspace import Airspaces, densify
from routing.air.rules import CLOSED, AirPolicy, Status
from routing.budget import check
from routing.files import atomic_save_npz
from routing.geo import GEOD, METRES_PER_NM, LonLat, farthest_reach, geodesic_samples, h3_cells

DEFAULT_RES = 3
MIN_JOINS = 3  # fewer cells in straight sight of an end: look for turns out of it
JOIN_RINGS = 6  # grid rings searched for a clear first/last step (about 700 km)
GRAPH_CACHE = 16  # closure sets whose open graph is kept


@dataclass(frozen=True)
class Grid:
    """The H3 cells, their centres, the edges between neighbours and, for each edge,
    the airspace units its geodesic crosses (so an edge is open exactly when none of
    them is closed)."""

    res: int
    cells: np.ndarray  # uint64 H3 indexes, sorted
    lon: np.ndarray
    lat: np.ndarray
    src: np.ndarray  # edges (both directions)
    dst: np.ndarray
    nm: np.ndarray
    crossing_edge: np.ndarray  # (edge, unit) pairs: edge crossing_edge[k] enters unit
    crossing_unit: np.ndarray  # crossing_unit[k]


EDGE_STEPS = 4  # each edge is tested as this many straight pieces (about 30 km at res 3)


def build_grid(airspaces: Airspaces, res: int) -> Grid:
    """The grid at ``res`` for ``airspaces`` (seconds; cached on disk)."""
    arr, lon, lat = h3_cells(res)
    src: list[int] = []
    dst: list[int] = []
    for i, c in enumerate(arr.tolist()):
        for n in h3.grid_ring(h3.int_to_str(c), 1):
            src.append(i)
            dst.append(int(np.searchsorted(arr, np.uint64(h3.str_to_int(n)))))
    s, d = np.array(src, dtype=np.int32), np.array(dst, dtype=np.int32)
    coords, nm = geodesic_samples(lon[s], lat[s], lon[d], lat[d], EDGE_STEPS)
    edge, unit = airspaces.crossings(coords)
    return Grid(res, arr, lon, lat, s, d, nm, edge.astype(np.int32), unit.astype(np.int32))


def load_grid(airspaces: Airspaces, res: int, cache_dir: Path | None) -> Grid:
    """The grid, from the cache when it was built for the same airspace file."""
    path = None
    if cache_dir is not None:
        path = cache_dir / f"air-grid-v2-r{res}-{airspaces.digest[:16]}.npz"
        if path.exists():
            with np.load(path) as z:
                return Grid(res, *(z[k] for k in _GRID_ARRAYS))
    grid = build_grid(airspaces, res)
    if path is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
        atomic_save_npz(path, {k: getattr(grid, k) for k in _GRID_ARRAYS})
    return grid


_GRID_ARRAYS = ("cells", "lon", "lat", "src", "dst", "nm", "crossing_edge", "crossing_unit")


@dataclass(frozen=True)
class Stretch:
    """A stretch of a route in one airspace."""

    units: tuple[int, ...]  # () over international airspace
    nm: float


@dataclass(frozen=True)
class AirRoute:
    """A flight between two points that stays in open airspace, or why there is none."""

    feasible: bool
    distance_nm: float
    xy: np.ndarray  # densified lon/lat track (empty when infeasible)
    turns: np.ndarray  # the route's turning points, ends included
    stretches: tuple[Stretch, ...] = ()
    reason: str | None = None
    blocked_by: tuple[int, ...] = ()  # closed units that stand in the way
    great_circle_nm: float = 0.0
    via_grid: bool = False
    grid_nm: float | None = None  # the grid path's length, before it was pulled tight
    notes: tuple[str, ...] = field(default=())


class AirRouter:
    """Shortest air routes around closed airspace, for any :class:`AirPolicy`."""

    def __init__(
        self, airspaces: Airspaces, *, res: int = DEFAULT_RES, cache_dir: Path | None = None
    ) -> None:
        self.airspaces = airspaces
        self.grid = load_grid(airspaces, res, cache_dir)
        self._lock = threading.Lock()
        self._graphs: OrderedDict[bytes, tuple[np.ndarray, ...]] = OrderedDict()
        self._near_cache: LRUCache[Any, tuple[np.ndarray, np.ndarray, list[frozenset[int]]]]
        self._near_cache = LRUCache(maxsize=4096)
        self._direct_cache: LRUCache[Any, tuple[frozenset[int], float]] = LRUCache(maxsize=65536)
        self._frontier_cache: LRUCache[Any, Any] = LRUCache(maxsize=1024)
        self._tight_cache: LRUCache[Any, tuple[np.ndarray, float]] = LRUCache(maxsize=16384)

    # --------------------------------------------------------------- graphs
    def _open(self, closed_units: np.ndarray) -> tuple[np.ndarray, ...]:
        """The edges whose geodesic stays clear of every closed unit."""
        key = np.packbits(closed_units).tobytes()
        with self._lock:
            hit = self._graphs.get(key)
            if hit is not None:
                self._graphs.move_to_end(key)
                return hit
        g = self.grid
        hits = closed_units[g.crossing_unit]
        blocked = np.bincount(g.crossing_edge[hits], minlength=len(g.src)) > 0
        out = (g.src[~blocked], g.dst[~blocked], g.nm[~blocked])
        with self._lock:
            self._graphs[key] = out
            while len(self._graphs) > GRAPH_CACHE:
                self._graphs.popitem(last=False)
        return out

    def _search(
        self, points: Sequence[LonLat], sources: Sequence[int], closed_units: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """Dijkstra over the open cells from each of ``points[sources]``, each point
        joined to nearby cells by clear geodesics: from its node ``n + k`` to the cells,
        and from the cells to its node ``n + K + k`` (so no path goes through a point).
        Returns the distances and predecessors (one row per source) and ``n``."""
        src, dst, nm = self._open(closed_units)
        n, big_k = len(self.grid.cells), len(points)
        rows, cols, w = [src], [dst], [nm]
        for k, p in enumerate(points):
            idx, d, _ = self._joins(p, closed_units)
            rows += [np.full(len(idx), n + k), idx]
            cols += [idx, np.full(len(idx), n + big_k + k)]
            w += [d, d]
        m = n + 2 * big_k
        graph = sp.csr_matrix(
            (np.concatenate(w), (np.concatenate(rows), np.concatenate(cols))), shape=(m, m)
        )
        dist, pred = dijkstra(graph, indices=[n + k for k in sources], return_predecessors=True)
        return np.atleast_2d(dist), np.atleast_2d(pred), n

    def _near(self, p: LonLat) -> tuple[np.ndarray, np.ndarray, list[frozenset[int]]]:
        """Grid cells within reach of ``p``, the nm to each and the airspace units the
        geodesic to each crosses (independent of what is closed: cached)."""
        key = _key(p)
        with self._lock:
            hit = self._near_cache.get(key)
        if hit is not None:
            return hit
        g = self.grid
        home = h3.latlng_to_cell(p.lat, p.lon, g.res)
        near = [h3.str_to_int(c) for c in h3.grid_disk(home, JOIN_RINGS)]
        idx = np.searchsorted(g.cells, np.array(near, dtype=np.uint64)).astype(np.int64)
        paths = [densify(np.array([[p.lon, p.lat], [g.lon[i], g.lat[i]]])) for i in idx]
        units = self.airspaces.crossed(paths)
        nm = (
            np.asarray(
                GEOD.inv(
                    np.full(len(idx), p.lon), np.full(len(idx), p.lat), g.lon[idx], g.lat[idx]
                )[2],
                float,
            )
            / METRES_PER_NM
        )
        out = (idx, nm, units)
        with self._lock:
            self._near_cache[key] = out
        return out

    def _joins(
        self, p: LonLat, closed_units: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cells near ``p`` it reaches by clear geodesics, the nm to each, and the turn
        on the way (NaN for a straight join). Where fewer than ``MIN_JOINS`` cells are in
        straight sight (an airfield at the back of a narrow gulf), joins through a turn
        in international airspace are added (see :meth:`_frontier`)."""
        idx, nm, units = self._near(p)
        ok = np.array([not self._blocked(u, closed_units) for u in units], dtype=bool)
        idx, nm = idx[ok], nm[ok]
        via = np.full((len(idx), 2), np.nan)
        if len(idx) >= MIN_JOINS:
            return idx, nm, via
        best: dict[int, tuple[float, float, float]] = {
            int(i): (float(d), np.nan, np.nan) for i, d in zip(idx, nm, strict=True)
        }
        for turn, first, cells, dists, crossed in self._frontier(p):
            if self._blocked(first, closed_units):
                continue
            for c, d, u in zip(cells.tolist(), dists.tolist(), crossed, strict=True):
                if not self._blocked(u, closed_units) and d < best.get(c, (np.inf,))[0]:
                    best[c] = (d, turn[0], turn[1])
        keys = sorted(best)
        return (
            np.array(keys, dtype=np.int64),
            np.array([best[c][0] for c in keys]),
            np.array([best[c][1:] for c in keys]).reshape(-1, 2),
        )

    def _frontier(
        self, p: LonLat
    ) -> list[
        tuple[tuple[float, float], frozenset[int], np.ndarray, np.ndarray, list[frozenset[int]]]
    ]:
        """Turns out of a cramped airfield: on rays every 15 degrees from ``p``, the
        first point in international airspace within 300 km; for each, the units crossed
        to reach it and, for the cells within reach of it, the nm from ``p`` through it
        and the units crossed (independent of what is closed: cached)."""
        key = _key(p)
        with self._lock:
            hit = self._frontier_cache.get(key)
        if hit is not None:
            return hit
        bearings = np.arange(0.0, 360.0, 15.0)
        steps = np.linspace(5_000.0, 300_000.0, 60)
        lon, lat, _ = GEOD.fwd(
            np.full(len(bearings) * len(steps), p.lon),
            np.full(len(bearings) * len(steps), p.lat),
            np.repeat(bearings, len(steps)),
            np.tile(steps, len(bearings)),
        )
        where = self.airspaces.at(lon, lat)
        out = []
        for r in range(len(bearings)):
            k = next(
                (r * len(steps) + j for j in range(len(steps)) if not where[r * len(steps) + j]),
                None,
            )
            if k is None:
                continue
            turn = LonLat(float(lon[k]), float(lat[k]))
            first = self.airspaces.crossed([densify(np.array([p, turn], dtype=float))])[0]
            idx, nm, units = self._near(turn)
            out.append(
                (
                    (turn.lon, turn.lat),
                    first,
                    idx,
                    nm + steps[k % len(steps)] / METRES_PER_NM,
                    units,
                )
            )
        with self._lock:
            self._frontier_cache[key] = out
        return out

    def _direct(self, a: LonLat, b: LonLat) -> tuple[frozenset[int], float]:
        """The units the geodesic ``a -> b`` crosses, and its length (cached)."""
        key = (*_key(a), *_key(b))
        with self._lock:
            hit = self._direct_cache.get(key)
        if hit is None:
            crossed = self.airspaces.crossed([densify(np.array([a, b], dtype=float))])[0]
            nm = float(GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2]) / METRES_PER_NM
            hit = (crossed, nm)
            with self._lock:
                self._direct_cache[key] = hit
        return hit

    @staticmethod
    def _blocked(units: frozenset[int], closed_units: np.ndarray) -> bool:
        return any(closed_units[u] for u in units)

    # ---------------------------------------------------------------- routes
    def closed_at(self, p: LonLat, closed_units: np.ndarray) -> tuple[int, ...]:
        """The closed units holding point ``p``."""
        here = self.airspaces.at(np.array([p.lon]), np.array([p.lat]))[0]
        return tuple(u for u in here if closed_units[u])

    def route(self, a: LonLat, b: LonLat, closed_units: np.ndarray) -> AirRoute:
        """The shortest route from ``a`` to ``b`` with ``closed_units`` shut."""
        gc = float(GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2]) / METRES_PER_NM
        for end, label in ((a, "the origin"), (b, "the destination")):
            inside = self.closed_at(end, closed_units)
            if inside:
                return AirRoute(
                    False,
                    float("inf"),
                    np.zeros((0, 2)),
                    np.zeros((0, 2)),
                    reason=f"{label} lies in closed airspace",
                    blocked_by=inside,
                    great_circle_nm=gc,
                )
        crossed, _ = self._direct(a, b)
        if not self._blocked(crossed, closed_units):
            return self._finish(np.array([a, b], dtype=float), gc, via_grid=False)
        blocked = tuple(sorted(u for u in crossed if closed_units[u]))
        known = self._tight_get(a, b, closed_units)
        if known is not None:  # measured already (the planner's matrix): the same path
            turns, grid_nm = known
            return replace(self._finish(turns, gc, via_grid=True), grid_nm=grid_nm)
        dist, pred, n = self._search([a, b], [0], closed_units)
        if not np.isfinite(dist[0, n + 3]):
            return AirRoute(
                False,
                float("inf"),
                np.zeros((0, 2)),
                np.zeros((0, 2)),
                reason="no way round the closed airspace",
                blocked_by=blocked,
                great_circle_nm=gc,
            )
        grid_nm = float(dist[0, n + 3])
        turns = self._tight(a, b, _path(pred[0], n, n + 3), closed_units, grid_nm)
        return replace(self._finish(turns, gc, via_grid=True), grid_nm=grid_nm)

    def why_not(
        self, a: LonLat, b: LonLat, route: AirRoute, air: AirPolicy, visit: Sequence[str]
    ) -> str:
        """Why ``route`` (infeasible) found no way: its reason, the closed airspace in the
        way, and whether diplomatic clearances would open one."""
        text = route.reason or "no route"
        names = air.describe(route.blocked_by)
        if names:
            text += "; closed in the way: " + "; ".join(names)
        if not air.allow_clearance:
            mask = air.closed(visit)
            hard = mask & np.isin(np.arange(len(mask)), sorted(air.hard))
            if self.route(a, b, hard).feasible:
                text += "; a route exists with diplomatic clearances (allow_clearance=true)"
        return text

    def _turn(self, p: LonLat, cell: int, closed_units: np.ndarray) -> list[np.ndarray]:
        """The turn the join between ``p`` and ``cell`` goes through, if any."""
        idx, _, via = self._joins(p, closed_units)
        at = np.flatnonzero(idx == cell)
        if len(at) == 0 or np.isnan(via[at[0], 0]):
            return []
        return [via[at[0]][None, :]]

    def _pull_tight(self, pts: np.ndarray, closed_units: np.ndarray) -> np.ndarray:
        """The shorter of the path pulled tight from either end (the greedy pull
        depends on where it starts; taking both makes ``a -> b`` and ``b -> a`` agree)."""
        ahead = self._pull_one_way(pts, closed_units)
        back = self._pull_one_way(pts[::-1], closed_units)[::-1]
        return ahead if _length(ahead) <= _length(back) + 1e-9 else back

    def _pull_one_way(self, pts: np.ndarray, closed_units: np.ndarray) -> np.ndarray:
        """A clear path shortened: from each turn, the farthest point still in clear
        sight along the path (found by doubling then halving) is the next turn; then
        the same over the turns kept, farthest first, until nothing changes."""

        def clear(i: int, j: int) -> bool:
            hit = self.airspaces.crossed([densify(pts[[i, j]])])[0]
            return not self._blocked(hit, closed_units)

        keep = farthest_reach(len(pts), clear)
        turns = pts[keep]
        while len(turns) > 2:
            shorter = self._farthest_visible(turns, closed_units)
            if len(shorter) == len(turns):
                break
            turns = shorter
        return turns

    def _farthest_visible(self, pts: np.ndarray, closed_units: np.ndarray) -> np.ndarray:
        keep = [0]
        i, last = 0, len(pts) - 1
        while i < last:
            cands = list(range(last, i + 1, -1))
            hits = self.airspaces.crossed([densify(pts[[i, j]]) for j in cands])
            nxt = next(
                (j for j, h in zip(cands, hits, strict=True) if not self._blocked(h, closed_units)),
                i + 1,
            )
            keep.append(nxt)
            i = nxt
        return pts[keep]

    def _finish(self, turns: np.ndarray, gc: float, *, via_grid: bool) -> AirRoute:
        xy = densify(turns)
        seg = GEOD.inv(turns[:-1, 0], turns[:-1, 1], turns[1:, 0], turns[1:, 1])[2]
        nm = float(np.sum(seg)) / METRES_PER_NM
        stretches = tuple(Stretch(u, d) for u, d in self.airspaces.runs(xy))
        return AirRoute(True, nm, xy, turns, stretches, great_circle_nm=gc, via_grid=via_grid)

    # --------------------------------------------------------------- matrix
    def distances(
        self,
        points: Sequence[LonLat],
        countries: Sequence[str | None],
        policy: AirPolicy,
        *,
        refine_nm: float = np.inf,
    ) -> np.ndarray:
        """Flight distances (nm) between every pair of ``points`` under ``policy``, each
        leg with its ends' states open to it (``visit``); ``inf`` where no route stays in
        open airspace. Legs that must go round are pulled tight (the length flown) when
        their grid path is at most ``refine_nm`` long, and keep the grid path's length,
        which the flown route never exceeds, beyond it."""
        n = len(points)
        out = np.full((n, n), np.inf)
        np.fill_diagonal(out, 0.0)
        pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
        masks: dict[frozenset[str], np.ndarray] = {}

        def mask(i: int, j: int) -> np.ndarray:
            visit = frozenset(c for c in (countries[i], countries[j]) if c)
            if visit not in masks:
                masks[visit] = policy.closed(visit)
            return masks[visit]

        inside = [self.airspaces.at(np.array([p.lon]), np.array([p.lat]))[0] for p in points]
        self._prime_direct([(points[i], points[j]) for i, j in pairs if i < j])
        groups: dict[bytes, list[tuple[int, int]]] = {}
        for i, j in pairs:
            if i > j:
                continue
            m = mask(i, j)
            if any(m[u] for u in (*inside[i], *inside[j])):
                continue
            crossed, nm = self._direct(points[i], points[j])
            if self._blocked(crossed, m):
                groups.setdefault(np.packbits(m).tobytes(), []).append((i, j))
            else:
                out[i, j] = out[j, i] = nm
        for todo in groups.values():
            check()  # the request's time budget (routing/budget.py)
            m = mask(*todo[0])
            involved = sorted({k for pair in todo for k in pair})
            pos = {k: x for x, k in enumerate(involved)}
            firsts = sorted({i for i, _ in todo})
            row = {i: x for x, i in enumerate(firsts)}
            pts = [points[k] for k in involved]
            dist, pred, n = self._search(pts, [pos[i] for i in firsts], m)
            target = n + len(pts)
            for i, j in todo:
                d = float(dist[row[i], target + pos[j]])
                if np.isfinite(d) and d <= refine_nm:
                    check()
                    known = self._tight_get(points[i], points[j], m)
                    if known is None:
                        nodes = _path(pred[row[i]], n + pos[i], target + pos[j])
                        turns = self._tight(points[i], points[j], nodes, m, d)
                    else:
                        turns = known[0]
                    d = min(d, _length(turns) / METRES_PER_NM)
                out[i, j] = out[j, i] = d
        return out

    def _tight(
        self, a: LonLat, b: LonLat, nodes: list[int], closed_units: np.ndarray, grid_nm: float
    ) -> np.ndarray:
        """The grid path ``a``, ``nodes``, ``b`` pulled tight, remembered for this rule set
        in both directions, so a route and the planner's matrix fly the same path."""
        g = self.grid
        pts = np.vstack(
            [
                [a.lon, a.lat],
                *self._turn(a, nodes[0], closed_units),
                np.column_stack([g.lon[nodes], g.lat[nodes]]),
                *self._turn(b, nodes[-1], closed_units),
                [b.lon, b.lat],
            ]
        )
        turns = self._pull_tight(pts, closed_units)
        rules = np.packbits(closed_units).tobytes()
        with self._lock:
            self._tight_cache[(_key(a), _key(b), rules)] = (turns, grid_nm)
            self._tight_cache[(_key(b), _key(a), rules)] = (turns[::-1].copy(), grid_nm)
        return turns

    def _tight_get(
        self, a: LonLat, b: LonLat, closed_units: np.ndarray
    ) -> tuple[np.ndarray, float] | None:
        rules = np.packbits(closed_units).tobytes()
        with self._lock:
            hit: tuple[np.ndarray, float] | None = self._tight_cache.get((_key(a), _key(b), rules))
        return hit

    def _prime_direct(self, pairs: Sequence[tuple[LonLat, LonLat]]) -> None:
        """Fill the direct-geodesic cache for ``pairs`` in one batch."""
        keys = [(*_key(a), *_key(b)) for a, b in pairs]
        with self._lock:
            missing = [
                (k, ab) for k, ab in zip(keys, pairs, strict=True) if k not in self._direct_cache
            ]
        if not missing:
            return
        crossed = self.airspaces.crossed(
            [densify(np.array([a, b], dtype=float)) for _, (a, b) in missing]
        )
        a_ = np.array([[a.lon, a.lat] for _, (a, _b) in missing])
        b_ = np.array([[b.lon, b.lat] for _, (_a, b) in missing])
        nm = np.asarray(GEOD.inv(a_[:, 0], a_[:, 1], b_[:, 0], b_[:, 1])[2], float) / METRES_PER_NM
        with self._lock:
            for (k, _), c, d in zip(missing, crossed, nm.tolist(), strict=True):
                self._direct_cache[k] = (c, d)


def _key(p: LonLat) -> tuple[float, float]:
    return (round(p.lon, 6), round(p.lat, 6))


def _length(turns: np.ndarray) -> float:
    seg = GEOD.inv(turns[:-1, 0], turns[:-1, 1], turns[1:, 0], turns[1:, 1])[2]
    return float(np.sum(seg))


def _path(pred: np.ndarray, source: int, target: int) -> list[int]:
    """The grid cells between ``source`` and ``target`` on Dijkstra's predecessor row."""
    nodes = []
    k = int(pred[target])
    while k != source:
        nodes.append(k)
        k = int(pred[k])
    nodes.reverse()
    return nodes


def describe_stretches(
    route: AirRoute, policy: AirPolicy, visit: Sequence[str]
) -> list[dict[str, Any]]:
    """The airspace a route flies through, in order, with the basis each is open on."""
    out: list[dict[str, Any]] = []
    air = policy.airspaces
    for st in route.stretches:
        if not st.units:
            entry = {
                "airspace": None,
                "name": "international airspace",
                "basis": "international",
                "nm": round(st.nm, 1),
            }
        else:
            u = st.units[0]
            unit = air.units[u]
            status: Status = policy.status(u, visit)
            entry = {
                "airspace": unit.sovereign,
                "unit": unit.code,
                "name": unit.name,
                "basis": status.basis,
                "agreement": status.agreement,
                "nm": round(st.nm, 1),
            }
            if status.basis == CLOSED:  # pragma: no cover - a route never enters one
                entry["reason"] = status.reason
        if (
            out
            and out[-1]["airspace"] == entry["airspace"]
            and out[-1].get("unit") == entry.get("unit")
        ):
            out[-1]["nm"] = round(out[-1]["nm"] + entry["nm"], 1)
        else:
            out.append(entry)
    return out
