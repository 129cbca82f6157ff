"""Point-to-point sea routes, alternatives and distance matrices.

Entry point: :func:`load_sea_router` (call it once, in the app's lifespan). The
:class:`SeaRouter` it returns is read-only and thread-safe for readers; closures
never touch the graph: each closure set gets its own cached arc mask and CSR matrix.

Public API of :class:`SeaRouter`
--------------------------------
``route(origin, destination, *, closed=(), date=None, ice_class=None, via=()) -> Route``
    Shortest sea route. ``origin``/``destination``/``via`` items are port ids
    (str), sea points (:class:`~routing.geo.LonLat` or ``(lon, lat)``), and for
    ``via`` also passage ids (the route must traverse them, in the given order).
``routes(origin, destination, *, alternatives=3, closed=(), date=None, ice_class=None,
via=()) -> list[Route]``
    Up to ``alternatives`` distinct routes, shortest first (see :meth:`SeaRouter.routes`).
``matrix(ids, *, closed=(), date=None, ice_class=None) -> numpy.ndarray``
    Distances (nm) between ports, shape (n, n), ``inf`` where unreachable.
``distance_matrix(*, closed=(), date=None, ice_class=None) -> numpy.ndarray``
    The same for all ports, in :attr:`SeaRouter.port_ids` order (cached per closure set).
``leg_nm(a_id, b_id, *, closed=(), date=None, ice_class=None) -> float``
    One entry of the cached all-ports matrix (fast, for planners).
``effective_closures(closed=(), *, date=None, ice_class=None) -> frozenset[str]``
    The passages closed by the caller plus the seasonal ones closed on that date.
Attributes: ``graph_version`` (the cache key hash, for provenance), ``passages``
(the :class:`~routing.sea.passages.Passage` records), ``port_ids``, ``port_notes``
(ports joined through a land cell or not joined at all), ``land_waivers`` (areas
where the land check is waived: canals, raster-closed waterways, harbour bridges),
``n_nodes``/``n_edges``.

Closures: an unknown passage id raises :class:`~routing.errors.UnknownPassageError`.
Seasonal passages (``nsr``, ``nwp``) are closed unless ``date`` falls in their
season for the ship's ``ice_class`` (no date: closed; see
:meth:`routing.sea.passages.SeaData.seasonal_open`). When no route exists,
:class:`~routing.errors.NoRouteError` names the closed passages that, each reopened
on its own, would restore one. ``seasons=False`` (on ``routes``, ``route``,
``distance_matrix`` and ``effective_closures``) leaves the seasonal closures out, for a
caller that judges them on the days the ship is there (the deployment planner).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra, floyd_warshall

from routing.budget import check
from routing.errors import NoRouteError, OnLandError, UnknownFacilityError
from routing.export.mixin import Exportable
from routing.files import atomic_save_npz
from routing.geo import (
    METRES_PER_NM,
    LonLat,
    chord_km,
    haversine_nm,
    line_nm,
    to_unit_vectors,
    unwrap_array,
    unwrap_longitudes,
    wrap,
)
from routing.sea.cache import load_or_build
from routing.sea.connect import Attachment, attach, choose_attach, densify
from routing.sea.graph import ArcTracks, PortSite, SeaGraph
from routing.sea.land import LandMask, nearest_water_far
from routing.sea.passages import Passage, SeaData, ShipSize, default_sea_data
from routing.vocab import normalise_ice_class

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger(__name__)

Endpoint = str | LonLat | tuple[float, float]
"""A port id or a sea point (lon, lat)."""

Piece = tuple[object, ...]
"""A piece of a route plan: ("arcs", arc ids) or ("geom_or_arc", coords, nm, arc)."""
Plan = list[Piece]


FULL_MATRIX_PORTS = 1500
"""Up to this many ports, one all-ports distance matrix per closure set serves every
plan (:meth:`SeaRouter.ports_matrix`); beyond, each plan's own ports."""


@dataclass(frozen=True)
class Route(Exportable):
    """A sea route.

    Attributes
    ----------
    distance_nm : float
        Length of the track, the sum of WGS84 geodesic distances between
        consecutive coordinates, in nautical miles.
    passages : tuple of str
        Passage ids traversed, in order.
    origin, destination : str
        Port id, or ``"lon,lat"`` of a sea point.
    closed : tuple of str
        The passages that were closed for this route (given and seasonal).
    xy : numpy.ndarray
        The track as an (n, 2) array, lon in [-180, 180); :attr:`coordinates`
        gives the same as :class:`~routing.geo.LonLat` points.
    """

    distance_nm: float
    passages: tuple[str, ...]
    origin: str
    destination: str
    closed: tuple[str, ...] = ()
    avoided: tuple[tuple[str, str], ...] = ()
    """Passages the ship does not fit (draught, beam, air draught), with the reason each."""
    xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False, compare=False)

    @functools.cached_property
    def coordinates(self) -> tuple[LonLat, ...]:
        """The track, longitudes in [-180, 180) (may jump at the antimeridian; see
        :meth:`geojson_coordinates`)."""
        return tuple(map(LonLat._make, self.xy.tolist()))

    def geojson_coordinates(self) -> list[LonLat]:
        """Coordinates with longitudes unwrapped so the line is continuous on a map."""
        return unwrap_longitudes(list(self.coordinates))

    def duration_h(self, speed_kn: float) -> float:
        """Steaming time at ``speed_kn`` knots, hours."""
        if speed_kn <= 0:
            raise ValueError("speed_kn must be positive")
        return self.distance_nm / speed_kn

    def to_geojson(self) -> dict[str, object]:
        """A GeoJSON Feature (LineString, continuous across the antimeridian)."""
        xy = self.xy
        return {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                # from the array to lists at once (no point objects on the way)
                "coordinates": unwrap_array(xy).tolist() if len(xy) else [],
            },
            "properties": {
                "distance_nm": self.distance_nm,
                "passages": list(self.passages),
                "origin": self.origin,
                "destination": self.destination,
                "closed": list(self.closed),
                "avoided": [{"passage": p, "reason": why} for p, why in self.avoided],
            },
        }

    def export_answer(self) -> dict[str, object]:
        """What the files are written from (:class:`~routing.export.mixin.Exportable`:
        ``export``, ``to_file``, ``to_gpx``, ...): :meth:`to_geojson`, the ends named by
        their ids."""
        return self.to_geojson()

    def __repr__(self) -> str:
        via = f" via {', '.join(self.passages)}" if self.passages else ""
        return f"<Route {self.origin} -> {self.destination}: {self.distance_nm:,.0f} nm{via}>"

    def _repr_html_(self) -> str:
        from routing.display import html, route_rows

        feature = self.to_geojson()
        props = feature["properties"]
        assert isinstance(props, dict)
        xy = self.geojson_coordinates()
        for key, point in (("origin", xy[0]), ("destination", xy[-1])):  # as GET /routes has them
            props[key] = {"id": props[key], "name": props[key], "coordinates": list(point)}
        title = f"Route: {self.origin} -> {self.destination}"
        return html(title, route_rows(props), "route", feature)


class _Portals(NamedTuple):
    """What a port-to-port query needs under one closure set (see
    :meth:`SeaRouter._port_arcs`), ready for scalar reads."""

    nodes: list[int]  # node of each open portal
    rows: list[int]  # its row in the tables' predecessor array
    exits: np.ndarray  # (ports, K): best distance from a port to portal k via open passages
    entry: np.ndarray  # (ports, K): the portal it enters them by
    to_port: np.ndarray  # (ports, K): D0 from portal k to each port (a row per port)
    hop: memoryview  # (K, K) Floyd-Warshall predecessors among the portals
    kind: memoryview  # (K, K) the arc of a direct step, -1 for an open-water stretch


@dataclass
class _Gadget:
    """One waypoint of a route: where a path may enter and leave it, and at what cost.

    ``pairs`` lists (entry node, exit node, cost, geometry inside or None); for an
    origin the entry is -1, for a destination the exit is -1.
    """

    label: str
    pairs: list[tuple[int, int, float, np.ndarray | None, int]] = field(default_factory=list)
    # the last field is the arc traversed inside (passage gadgets) or -1


class SeaRouter:
    """Routing over a :class:`~routing.sea.graph.SeaGraph` (see the module docstring)."""

    def __init__(self, graph: SeaGraph, *, cache_dir: Path, sea: SeaData | None = None) -> None:
        self.graph = graph
        self.cache_dir = cache_dir
        self.graph_version = graph.version
        self.sea: SeaData = sea or default_sea_data()
        self.passages: tuple[Passage, ...] = self.sea.passages
        self.port_ids: tuple[str, ...] = tuple(graph.port_ids)
        self.port_notes: dict[str, str] = dict(graph.port_notes)
        self._unconnected = ~graph.connected
        #: Ports joined to the sea graph, in ``port_ids`` order.
        self.connected_ports: tuple[str, ...] = tuple(
            p for p, bad in zip(self.port_ids, self._unconnected, strict=True) if not bad
        )
        self._port_index = {p: i for i, p in enumerate(self.port_ids)}
        g = graph
        ne = len(g.a_from)
        self.n_edges = ne
        self.n_nodes = g.n_nodes
        self._arcs = g.arcs()
        self._arc_from, self._arc_to = self._arcs.frm, self._arcs.to
        self._arc_edge, self._arc_rev = self._arcs.edge, self._arcs.rev
        self._arc_w = np.maximum(g.length_nm[self._arc_edge], 1e-9)
        keys = self._arc_from * self.n_nodes + self._arc_to
        self._key_order = np.argsort(keys)
        self._keys_sorted = keys[self._key_order]
        self._arc_nm = g.length_nm[self._arc_edge]
        self._has_events = np.zeros(ne, dtype=bool)
        self._has_events[g.ev_edge] = True
        # passage events per edge
        self._edge_events: dict[int, list[tuple[float, str]]] = {}
        for e, pos, pid in zip(
            g.ev_edge.tolist(), g.ev_nm.tolist(), g.ev_pid.tolist(), strict=True
        ):
            self._edge_events.setdefault(e, []).append((pos, self.sea.passage_ids[pid]))
        # ... and per arc, in its direction of travel
        self._arc_has_events = self._has_events[self._arc_edge]
        self._arc_passages: dict[int, tuple[str, ...]] = {}
        for a in np.nonzero(self._arc_has_events)[0].tolist():
            evs = self._edge_events[int(self._arc_edge[a])]
            seq = reversed(evs) if self._arc_rev[a] else evs
            self._arc_passages[a] = tuple(pid for _, pid in seq)
        # closable edges of each passage
        self._passage_edges: dict[str, np.ndarray] = {
            p: np.unique(g.ev_edge[g.ev_pid == i]) for i, p in enumerate(self.sea.passage_ids)
        }
        self._closable_edge = np.zeros(ne, dtype=bool)
        self._closable_edge[g.ev_edge] = True
        self._lock = threading.RLock()
        self._mask: LandMask | None = None
        self._core_csr: csr_matrix | None = None
        self._tables: dict[str, np.ndarray] | None = None
        self._pred: memoryview | None = None  # the tables' predecessors, for scalar reads
        self._tracks: ArcTracks | None = None
        self._kdtree: Any = None
        self._transit_cache: dict[str, list[np.ndarray]] = {}
        self._csr_cached = functools.lru_cache(maxsize=64)(self._csr_for)
        self._matrix_cached = functools.lru_cache(maxsize=32)(self._all_ports_matrix)
        self._block_cached = functools.lru_cache(maxsize=128)(self._block)
        #: up to this many ports, planners slice one all-ports matrix per closure set
        self.full_matrix_ports = FULL_MATRIX_PORTS
        self._closure_cached = functools.lru_cache(maxsize=64)(self._portal_closure)
        self._exits_cached = functools.lru_cache(maxsize=64)(self._port_exits)
        self._portals_cached = functools.lru_cache(maxsize=64)(self._portals)
        self._effective_cached = functools.lru_cache(maxsize=256)(self._effective)

    # -- closures --------------------------------------------------------------

    def effective_closures(
        self,
        closed: Iterable[str] = (),
        *,
        date: dt.date | None = None,
        ice_class: str | None = None,
        size: ShipSize | None = None,
        seasons: bool = True,
    ) -> frozenset[str]:
        """Given closures (validated), the seasonal passages closed on ``date`` (unless
        ``seasons`` is false: a caller that judges them along a timeline) and those a ship
        of ``size`` does not fit."""
        if isinstance(closed, str):
            closed = [closed]
        key = tuple(closed)
        try:
            hash(key)
        except TypeError:
            return self._effective(key, date, ice_class, size, seasons)
        return self._effective_cached(key, date, ice_class, size, seasons)

    def _effective(
        self,
        closed: tuple[str, ...],
        date: dt.date | None,
        ice_class: str | None,
        size: ShipSize | None,
        seasons: bool,
    ) -> frozenset[str]:
        given = self.sea.check_passage_ids(closed)
        normalise_ice_class(ice_class)
        shut = self.sea.seasonal_closures(date, ice_class) if seasons else frozenset()
        return given | shut | frozenset(self.sea.size_closures(size))

    def _closed_edges(self, closed: frozenset[str]) -> np.ndarray:
        mask = np.zeros(self.n_edges, dtype=bool)
        for p in closed:
            mask[self._passage_edges[p]] = True
        return mask

    def _csr_for(self, closed: frozenset[str]) -> csr_matrix:
        """CSR adjacency (nm) with the arcs of closed passages removed."""
        return self._weighted_csr(closed, self._arc_w)

    # -- endpoints -------------------------------------------------------------

    @property
    def mask(self) -> LandMask:
        """The land raster (memory-mapped from the cache; loaded on first use)."""
        with self._lock:
            if self._mask is None:
                self._mask = LandMask.load(self.cache_dir).with_waivers(self.sea.waterway_union)
            return self._mask

    def _core(self) -> csr_matrix:
        """The backbone as an undirected CSR matrix (km), built once under the lock."""
        with self._lock:
            return self._core_locked()

    def _core_locked(self) -> csr_matrix:
        if self._core_csr is None:
            g = self.graph
            core = (g.a_from < g.n_core) & (g.a_to < g.n_core)
            w = g.length_nm[core] * METRES_PER_NM / 1000.0
            u, v = g.a_from[core], g.a_to[core]
            self._core_csr = coo_matrix(
                (np.concatenate([w, w]), (np.concatenate([u, v]), np.concatenate([v, u]))),
                shape=(g.n_core, g.n_core),
            ).tocsr()
        return self._core_csr

    def _attach_open_sea(self, pt: LonLat) -> Attachment | None:
        """Straight land-free connectors to the nearest graph nodes, if there are any.

        The fast path for points at sea; ``None`` sends the caller to the raster search.
        """
        from scipy.spatial import cKDTree

        g = self.graph
        with self._lock:
            if self._kdtree is None:
                xy = g.node_xy[: g.n_core]
                self._kdtree = cKDTree(to_unit_vectors(xy[:, 0], xy[:, 1]))
        dist, nodes = self._kdtree.query(to_unit_vectors(np.array(pt.lon), np.array(pt.lat)), k=12)
        km = chord_km(dist)
        cands = []
        for d, n in zip(km.tolist(), nodes.tolist(), strict=True):
            if d > 600.0:
                break
            x, y = g.node_xy[n]
            if self.mask.segment_clear(pt.lon, pt.lat, float(x), float(y), step_km=0.25):
                cands.append((n, d))
        if not cands:
            return None
        near = np.array([c[0] for c in cands])
        gk = np.array([c[1] for c in cands])
        chosen = choose_attach(self._core(), near, gk, max_attach=4)
        conns = []
        for k in chosen:
            x, y = g.node_xy[near[k]]
            geom = densify(np.array([[pt.lon, pt.lat], [x, y]]))
            conns.append((int(near[k]), geom))
        return Attachment((pt.lon, pt.lat), 0.0, conns)

    def port_index(self, port_id: str, *, field_name: str = "origin") -> int:
        """Index of a port id; ``UnknownFacilityError`` if the router does not know it."""
        try:
            return self._port_index[port_id]
        except KeyError:
            raise UnknownFacilityError(
                f"{port_id!r} is not a port of the sea graph", field=field_name
            ) from None

    def _connected_port(self, port_id: str, field_name: str) -> int:
        """Index of a port joined to the sea graph; ``UnknownFacilityError`` or
        ``NoRouteError`` naming ``field_name`` otherwise."""
        i = self.port_index(port_id, field_name=field_name)
        if self._unconnected[i]:
            raise NoRouteError(
                f"port {port_id!r} is not connected to the sea graph ({self.port_notes[port_id]})",
                field=field_name,
            )
        return i

    def _point(self, p: Endpoint, field_name: str) -> LonLat:
        assert not isinstance(p, str)
        lon, lat = float(p[0]), float(p[1])
        if not (-90.0 <= lat <= 90.0) or not (-540.0 <= lon <= 540.0):
            raise OnLandError(
                f"{field_name}: ({lon}, {lat}) is not a valid position", field=field_name
            )
        lon = float(wrap(np.array(lon)))
        if bool(self.mask.is_land(np.array(lon), np.array(lat))):
            hit = None
            for radius in (5.0, 30.0, 150.0, 600.0):
                hit = self.mask.nearest_water(lon, lat, max_km=radius)
                if hit is not None:
                    break
            else:  # deep inland: a strided search, good to about 8 km
                hit = nearest_water_far(self.mask, lon, lat)
            if hit is None:
                raise OnLandError(
                    f"{field_name}: ({lon:.4f}, {lat:.4f}) is on land, over 2,000 nm from the sea",
                    field=field_name,
                )
            (x, y), km = hit
            nm = km * 1000.0 / METRES_PER_NM
            raise OnLandError(
                f"{field_name}: ({lon:.4f}, {lat:.4f}) is on land; the nearest sea "
                f"point is ({x:.4f}, {y:.4f}), {nm:,.1f} nm away",
                field=field_name,
                nearest_sea=(float(x), float(y)),
                distance_nm=nm,
            )
        return LonLat(lon, lat)

    def _endpoint(self, p: Endpoint, role: str, field_name: str) -> _Gadget:
        """A gadget for an origin ('o'), destination ('d') or waypoint ('w')."""
        g = self.graph
        if isinstance(p, str):
            i = self._connected_port(p, field_name)
            p_out, p_in = g.n_core + 2 * i, g.n_core + 2 * i + 1
            pair = {"o": (-1, p_out), "d": (p_in, -1), "w": (p_in, p_out)}[role]
            return _Gadget(p, [(pair[0], pair[1], 0.0, None, -1)])
        pt = self._point(p, field_name)
        att = self._attach_open_sea(pt)
        if att is None:
            att = attach(
                self.mask,
                g.node_xy[: g.n_core],
                self._core(),
                pt.lon,
                pt.lat,
                snap_km=0.0,
                allow_harbour_bridge=False,
            )
        if not att.connectors:
            raise NoRouteError(
                f"{field_name}: ({pt.lon:.4f}, {pt.lat:.4f}) is not connected to the open sea "
                f"({att.reason})",
                field=field_name,
            )
        label = f"{pt.lon:.5f},{pt.lat:.5f}"
        gad = _Gadget(label)
        conns = [(node, geom, float(line_nm(geom).sum())) for node, geom in att.connectors]
        for node, geom, nm in conns:
            if role == "o":
                gad.pairs.append((-1, node, nm, geom, -1))
            elif role == "d":
                gad.pairs.append((node, -1, nm, geom[::-1], -1))
            else:
                for node2, geom2, nm2 in conns:
                    inner = np.vstack([geom[::-1], geom2[1:]])
                    gad.pairs.append((node, node2, nm + nm2, inner, -1))
        return gad

    def _transit_arcs(self, pid: str) -> list[np.ndarray]:
        """For each transit line of a passage, the arcs whose track crosses it."""
        with self._lock:
            hit = self._transit_cache.get(pid)
            if hit is not None:
                return hit
            passage = self.sea.by_id[pid]
            edges = self._passage_edges[pid]
            lines = [
                shapely.MultiLineString(
                    [[(x + s, y) for x, y in line] for s in (-360.0, 0.0, 360.0)]
                )
                for line in passage.transit_lines
            ]
            geoms = [shapely.LineString(self.graph.geometry(int(e))) for e in edges]
            out = []
            for line in lines:
                crossing = {int(e) for e, g in zip(edges, geoms, strict=True) if g.intersects(line)}
                out.append(np.nonzero(np.isin(self._arc_edge, list(crossing)))[0])
            self._transit_cache[pid] = out
            return out

    def _passage_gadgets(
        self, pid: str, closed: frozenset[str], near: LonLat
    ) -> tuple[list[_Gadget], LonLat]:
        """Stages that make a route transit passage ``pid`` end to end (one per transit
        line, entered from the side nearer to ``near``, where the route comes from), and
        the middle of the line it leaves by (where the route goes on from)."""
        if pid in closed:
            raise NoRouteError(f"via passage {pid!r} is closed", field="via", closures=[pid])
        passage = self.sea.by_id[pid]
        arcs = self._transit_arcs(pid)
        if any(a.size == 0 for a in arcs):
            raise NoRouteError(
                f"via passage {pid!r}: no track of the sea graph crosses it end to end",
                field="via",
            )
        mids = [
            LonLat(*map(float, np.asarray(line, dtype=float).mean(axis=0)))
            for line in passage.transit_lines
        ]
        dist = [float(haversine_nm(near.lon, near.lat, m.lon, m.lat)) for m in mids]
        order = [int(k) for k in np.argsort(dist)] if len(mids) == 2 else list(range(len(mids)))
        leave = mids[order[-1]]
        leave = LonLat(float(wrap(leave.lon)), leave.lat)
        shared = set(arcs[0].tolist())
        for a in arcs[1:]:
            shared &= set(a.tolist())
        if shared:  # one arc crosses every line: a transit in itself
            return [self._arc_gadget(pid, np.array(sorted(shared)))], leave
        return [self._arc_gadget(f"{pid}#{k}", arcs[k]) for k in order], leave

    def _arc_gadget(self, label: str, arcs: np.ndarray) -> _Gadget:
        gad = _Gadget(label)
        for a in arcs.tolist():
            gad.pairs.append(
                (int(self._arc_from[a]), int(self._arc_to[a]), float(self._arc_w[a]), None, a)
            )
        return gad

    # -- the search ------------------------------------------------------------

    def _solve(
        self, stages: list[_Gadget], closed: frozenset[str], *, weights: np.ndarray | None = None
    ) -> tuple[float, Plan] | None:
        """Cheapest walk through the stages; None if there is none.

        Returns the total cost and a plan: a list of ("arcs", [arc ids]) and
        ("geom", coords, nm) pieces in travel order.
        """
        csr = self._csr_cached(closed) if weights is None else self._weighted_csr(closed, weights)
        closed_edges = self._closed_edges(closed)
        # exits of stage 0
        exits: dict[int, tuple[float, Plan]] = {}  # node -> (cost, plan so far)
        for ent, ex, cost, geom, arc in stages[0].pairs:
            del ent
            if ex not in exits or cost < exits[ex][0]:
                exits[ex] = (cost, [("geom_or_arc", geom, cost, arc)])
        for stage in stages[1:]:
            if not exits:
                return None
            src = np.array(sorted(exits))
            dist, pred = dijkstra(csr, directed=True, indices=src, return_predecessors=True)
            new_exits: dict[int, tuple[float, Plan]] = {}
            for ent, ex, cost, geom, arc in stage.pairs:
                if arc >= 0 and closed_edges[self._arc_edge[arc]]:
                    continue
                col = dist[:, ent] + np.array([exits[int(s)][0] for s in src])
                k = int(np.argmin(col))
                total = float(col[k]) + cost
                if not np.isfinite(total):
                    continue
                key = ex
                if key not in new_exits or total < new_exits[key][0]:
                    path = self._path(pred[k], int(src[k]), ent)
                    plan: Plan = [
                        *exits[int(src[k])][1],
                        ("arcs", path),
                        ("geom_or_arc", geom, cost, arc),
                    ]
                    new_exits[key] = (total, plan)
            exits = new_exits
        if not exits:
            return None
        cost, plan = exits[-1] if -1 in exits else min(exits.values(), key=lambda t: t[0])
        return cost, plan

    def _path(self, pred: np.ndarray, src: int, dst: int) -> np.ndarray:
        """Arc ids of the path ``src -> dst`` in a predecessor array."""
        nodes = [dst]
        p = dst
        while p != src:
            p = int(pred[p])
            if p < 0:
                raise RuntimeError("broken predecessor chain")
            nodes.append(p)
        nodes.reverse()
        return self._arcs_of(np.asarray(nodes, dtype=np.int64))

    def _arcs_of(self, nodes: np.ndarray) -> np.ndarray:
        keys = nodes[:-1] * self.n_nodes + nodes[1:]
        pos = np.searchsorted(self._keys_sorted, keys)
        return self._key_order[pos]

    def _arc_tracks(self) -> ArcTracks:
        """Every arc's track in its direction of travel (built once, on first use)."""
        tracks = self._tracks
        if tracks is None:
            with self._lock:
                if self._tracks is None:
                    self._tracks = self.graph.arc_tracks(self._arcs)
                tracks = self._tracks
        return tracks

    def _assemble(
        self,
        plan: Plan,
        origin: str,
        destination: str,
        closed: frozenset[str],
    ) -> Route:
        """Turn a plan (arc runs and connector geometries) into a :class:`Route`."""
        xy = None
        if len(plan) == 1 and plan[0][0] == "arcs" and len(plan[0][1]) > 0:  # type: ignore[arg-type]
            # one run of arcs (port to port): the tracks are gathered ready-made
            xy = self._arc_tracks().points(np.asarray(plan[0][1], dtype=np.int64))
        g = self.graph
        chunks: list[np.ndarray] = []
        passages: list[str] = []
        total = 0.0
        for piece in plan:
            if piece[0] == "arcs":
                arcs = np.asarray(piece[1], dtype=np.int64)
            elif int(piece[3]) >= 0:  # type: ignore[call-overload]
                arcs = np.array([int(piece[3])])  # type: ignore[call-overload]
            else:
                if piece[1] is not None:
                    chunks.append(np.asarray(piece[1], dtype=float))
                    total += float(piece[2])  # type: ignore[arg-type]
                continue
            if arcs.size == 0:
                continue
            total += float(self._arc_nm[arcs].sum())
            for a in arcs[self._arc_has_events[arcs]].tolist():
                for pid in self._arc_passages[a]:
                    if not passages or passages[-1] != pid:
                        passages.append(pid)
            if xy is not None:
                continue
            edges = self._arc_edge[arcs]
            rev = self._arc_rev[arcs]
            starts = g.goff[edges]
            lens = g.goff[edges + 1] - starts
            rep = np.repeat(np.arange(arcs.size), lens)
            local = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
            src = np.where(rev[rep], starts[rep] + lens[rep] - 1 - local, starts[rep] + local)
            chunks.append(g.coords[src])
        if xy is None:
            xy = self._join(chunks)
        if len(xy) == 1:
            xy = np.vstack([xy, xy])
        xy.setflags(write=False)
        return Route(
            distance_nm=total,
            passages=tuple(passages),
            origin=origin,
            destination=destination,
            closed=tuple(sorted(closed)),
            xy=xy,
        )

    @staticmethod
    def _join(chunks: list[np.ndarray]) -> np.ndarray:
        """Pieces of track joined, longitudes reduced to [-180, 180) and points that repeat
        the one before them dropped (as :meth:`ArcTracks.points` gives a run of arcs)."""
        coords = np.concatenate(chunks) if chunks else np.zeros((0, 2))
        lon = wrap(coords[:, 0])
        lat = coords[:, 1]
        if len(lon) > 1:
            d = (np.abs(wrap(np.diff(lon))) > 1e-9) | (np.abs(np.diff(lat)) > 1e-9)
            keep = np.concatenate([[True], d])
            lon, lat = lon[keep], lat[keep]
        return np.column_stack([lon, lat])

    def _stages(
        self,
        origin: Endpoint,
        destination: Endpoint,
        via: Sequence[Endpoint],
        closed: frozenset[str],
    ) -> list[_Gadget]:
        stages = [self._endpoint(origin, "o", "origin")]
        here = self._anchor(origin)
        for k, w in enumerate(via):
            if isinstance(w, str) and w not in self._port_index:
                pid = w.strip().lower()
                if pid not in self.sea.by_id:
                    raise UnknownFacilityError(
                        f"via[{k}]: {w!r} is neither a port of the sea graph nor a passage "
                        f"({', '.join(self.sea.passage_ids)})",
                        field="via",
                    )
                gadgets, here = self._passage_gadgets(pid, closed, here)
                stages.extend(gadgets)
            else:
                stages.append(self._endpoint(w, "w", f"via[{k}]"))
                here = self._anchor(w)
        stages.append(self._endpoint(destination, "d", "destination"))
        return stages

    def _anchor(self, p: Endpoint) -> LonLat:
        """Where a route end or waypoint is, for choosing the side a passage is entered from."""
        if isinstance(p, str):
            i = self._port_index.get(p)
            if i is not None and np.isfinite(self.graph.port_sea[i]).all():
                x, y = self.graph.port_sea[i]
                return LonLat(float(x), float(y))
            return LonLat(0.0, 0.0)
        return LonLat(float(p[0]), float(p[1]))

    def _explain(
        self,
        stages: list[_Gadget],
        closed: frozenset[str],
        origin: str,
        destination: str,
        date: dt.date | None,
        ice_class: str | None,
    ) -> NoRouteError:
        restoring = [p for p in sorted(closed) if self._solve(stages, closed - {p}) is not None]
        seasonal = {p for p in closed if p in self.sea.seasons}

        def name(p: str) -> str:
            if p in seasonal:
                when = f"on {date.isoformat()}" if date else "with no date given"
                return (
                    f"{p} (seasonal, closed {when} for ice class {normalise_ice_class(ice_class)})"
                )
            return p

        if restoring:
            msg = (
                f"no sea route from {origin} to {destination}: cut off by the closure of "
                + " or ".join(name(p) for p in restoring)
                + " (reopening any one of these restores a route)"
            )
            return NoRouteError(msg, field="closed", closures=restoring)
        if closed and self._solve(stages, frozenset()) is not None:
            msg = (
                f"no sea route from {origin} to {destination}: cut off by the closures of "
                + ", ".join(name(p) for p in sorted(closed))
                + " together (no single reopening restores a route)"
            )
            return NoRouteError(msg, field="closed", closures=sorted(closed))
        return NoRouteError(
            f"no sea route from {origin} to {destination} even with every passage open",
            field="destination",
        )

    # -- public API ------------------------------------------------------------

    def route(
        self,
        origin: Endpoint,
        destination: Endpoint,
        *,
        closed: Iterable[str] = (),
        date: dt.date | None = None,
        ice_class: str | None = None,
        size: ShipSize | None = None,
        via: Sequence[Endpoint] = (),
        seasons: bool = True,
    ) -> Route:
        """The shortest sea route (see the module docstring for the arguments).

        Raises
        ------
        UnknownFacilityError, UnknownPassageError, OnLandError, NoRouteError
        """
        return self.routes(
            origin,
            destination,
            alternatives=1,
            closed=closed,
            date=date,
            ice_class=ice_class,
            size=size,
            via=via,
            seasons=seasons,
        )[0]

    def routes(
        self,
        origin: Endpoint,
        destination: Endpoint,
        *,
        alternatives: int = 3,
        closed: Iterable[str] = (),
        date: dt.date | None = None,
        ice_class: str | None = None,
        size: ShipSize | None = None,
        via: Sequence[Endpoint] = (),
        seasons: bool = True,
    ) -> list[Route]:
        """Up to ``alternatives`` distinct routes, shortest first.

        Method: the first route is the shortest. Further candidates come from
        closing, one more at a time, a passage an accepted route traverses (other
        than the ones named in ``via``); the shortest candidate whose passage
        sequence differs from every accepted route is accepted next. When no
        passage is left to close, a route is sought on weights where the edges of
        accepted routes cost 1.5 times more, and kept if under 70 % of it overlaps
        any accepted route. Distances are always the true lengths.
        """
        if alternatives < 1:
            raise ValueError("alternatives must be at least 1")
        eff = self.effective_closures(
            closed, date=date, ice_class=ice_class, size=size, seasons=seasons
        )
        fast = (
            not via
            and isinstance(origin, str)
            and isinstance(destination, str)
            and origin in self._port_index
            and destination in self._port_index
        )
        stages: list[_Gadget] | None = None
        if fast:  # port to port: the tables answer; stages only to explain a failure
            assert isinstance(origin, str) and isinstance(destination, str)
            pi = self._connected_port(origin, "origin")
            qi = self._connected_port(destination, "destination")
            o_label, d_label = origin, destination
        else:
            stages = self._stages(origin, destination, via, eff)
            o_label, d_label = stages[0].label, stages[-1].label

        def all_stages() -> list[_Gadget]:
            nonlocal stages
            if stages is None:
                stages = self._stages(origin, destination, via, eff)
            return stages

        def solve(c: frozenset[str]) -> Plan | None:
            if fast:
                return self._solve_ports(pi, qi, c)
            found = self._solve(all_stages(), c)
            return None if found is None else found[1]

        first = solve(eff)
        if first is None:
            raise self._explain(all_stages(), eff, o_label, d_label, date, ice_class)
        accepted = [self._assemble(first, o_label, d_label, eff)]
        closures = [eff]
        via_passages = {str(w).lower() for w in via if isinstance(w, str)}
        tried: set[frozenset[str]] = {eff}
        used_edges = set(self._route_edges(first)) if alternatives > 1 else set()
        while len(accepted) < alternatives:
            check()
            best = self._next_by_closing(
                accepted, closures, via_passages, tried, solve, (o_label, d_label)
            )
            if best is not None:
                accepted.append(best[0])
                closures.append(best[1])
                continue
            found = self._next_by_penalty(all_stages(), eff, used_edges, (o_label, d_label))
            if found is None:
                break
            accepted.append(found[0])
            closures.append(eff)
            used_edges |= found[1]
        accepted.sort(key=lambda r: r.distance_nm)
        avoided = tuple(sorted(self.sea.size_closures(size).items()))
        return [replace(r, avoided=avoided) for r in accepted] if avoided else accepted

    def _next_by_closing(
        self,
        accepted: list[Route],
        closures: list[frozenset[str]],
        via_passages: set[str],
        tried: set[frozenset[str]],
        solve: Callable[[frozenset[str]], Plan | None],
        labels: tuple[str, str],
    ) -> tuple[Route, frozenset[str]] | None:
        """The shortest route found by closing one more passage an accepted route uses,
        whose passage sequence differs from every accepted route's."""
        best: tuple[Route, frozenset[str]] | None = None
        for r, c in zip(accepted, closures, strict=True):
            for p in r.passages:
                cand = c | {p}
                if p in via_passages or cand in tried:
                    continue
                tried.add(cand)
                plan = solve(cand)
                if plan is None:
                    continue
                rr = self._assemble(plan, labels[0], labels[1], cand)
                if any(rr.passages == a.passages for a in accepted):
                    continue
                if best is None or rr.distance_nm < best[0].distance_nm:
                    best = (rr, cand)
        return best

    def _next_by_penalty(
        self,
        stages: list[_Gadget],
        closed: frozenset[str],
        used_edges: set[int],
        labels: tuple[str, str],
    ) -> tuple[Route, set[int]] | None:
        """A route on weights where edges already used cost 1.5 times more, if under 70 %
        of it overlaps the accepted routes (its reported distance is the true length)."""
        weights = self._arc_w.copy()
        ue = np.array(sorted(used_edges), dtype=np.int64)
        weights[np.isin(self._arc_edge, ue)] *= 1.5
        sol = self._solve(stages, closed, weights=weights)
        if sol is None:
            return None
        edges = set(self._route_edges(sol[1]))
        rr = self._assemble(sol[1], labels[0], labels[1], closed)
        overlap = sum(self.graph.length_nm[e] for e in edges & used_edges)
        if rr.distance_nm <= 0 or overlap / rr.distance_nm >= 0.7:
            return None
        return rr, edges

    def _route_edges(self, plan: Plan) -> list[int]:
        out: list[int] = []
        for piece in plan:
            if piece[0] == "arcs":
                out.extend(int(self._arc_edge[a]) for a in piece[1])  # type: ignore[attr-defined]
            elif int(piece[3]) >= 0:  # type: ignore[call-overload]
                out.append(int(self._arc_edge[int(piece[3])]))  # type: ignore[call-overload]
        return out

    def _weighted_csr(self, closed: frozenset[str], weights: np.ndarray) -> csr_matrix:
        open_arc = ~self._closed_edges(closed)[self._arc_edge]
        return self._arcs.csr(self.n_nodes, weights, open_arc)

    # -- matrices --------------------------------------------------------------

    def warm(self) -> None:
        """Load (or compute and cache) the distance tables, and lay out the arcs' tracks,
        now rather than on first use."""
        self._load_tables()
        self._arc_tracks()

    def _load_tables(self) -> dict[str, np.ndarray]:
        """Open-water distance tables between ports and passage portals (cached on disk).

        ``T`` = the end nodes of every arc of a closable (passage-tagged) edge.
        ``pt`` = D0[port out, T], ``tp`` = D0[T, port in], ``tt`` = D0[T, T],
        ``pp`` = D0[port out, port in], where D0 is the shortest distance with every
        passage-tagged arc removed. Any shortest path under a closure set is a D0
        stretch, then alternately open passage arcs and D0 stretches.
        """
        with self._lock:
            if self._tables is not None:
                return self._tables
            path = self.cache_dir / f"tables-{self.graph_version}.npz"
            if path.exists():
                try:
                    with np.load(path) as f:
                        self._tables = dict(f)
                        return self._tables
                except (OSError, ValueError):
                    path.unlink(missing_ok=True)
            g = self.graph
            cl_arc = self._closable_edge[self._arc_edge]
            t_nodes = np.unique(np.concatenate([self._arc_from[cl_arc], self._arc_to[cl_arc]]))
            base = self._csr_for(frozenset(self.sea.passage_ids))
            # arcs removed by "all closed" are exactly the closable arcs
            p = len(self.port_ids)
            p_out = g.n_core + 2 * np.arange(p)
            p_in = p_out + 1
            rows = np.concatenate([p_out, t_nodes])
            d, pred = dijkstra(base, directed=True, indices=rows, return_predecessors=True)
            cols = np.concatenate([p_in, t_nodes])
            dd = d[:, cols]
            tables = {
                "pred": pred.astype(np.int32),
                "t_nodes": t_nodes,
                "pp": dd[:p, :p],
                "pt": dd[:p, p:],
                "tp": dd[p:, :p],
                "tt": dd[p:, p:],
            }
            atomic_save_npz(path, tables)
            self._tables = tables
            return tables

    def _portal_closure(
        self, closed: frozenset[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Portals of the open passage arcs and the shortest distances among them.

        Returns indices into ``T``, the distance matrix among them, the
        Floyd-Warshall predecessor matrix (:func:`scipy.sparse.csgraph.floyd_warshall`)
        and, for each direct step, the arc used (-1 = an open-water D0 stretch).
        """
        tab = self._load_tables()
        t_nodes = tab["t_nodes"]
        pos = {int(n): i for i, n in enumerate(t_nodes)}
        cl_edge = self._closable_edge & ~self._closed_edges(closed)
        arcs = np.nonzero(cl_edge[self._arc_edge])[0]
        if arcs.size == 0:
            z = np.zeros((0, 0))
            return np.zeros(0, dtype=np.int64), z, z.astype(np.int64), z.astype(np.int64)
        used = sorted(
            {pos[int(self._arc_from[a])] for a in arcs} | {pos[int(self._arc_to[a])] for a in arcs}
        )
        idx = np.array(used, dtype=np.int64)
        loc = {t: i for i, t in enumerate(used)}
        m = tab["tt"][np.ix_(idx, idx)].copy()
        kind = -np.ones(m.shape, dtype=np.int64)
        for a in arcs.tolist():
            i, j = loc[pos[int(self._arc_from[a])]], loc[pos[int(self._arc_to[a])]]
            if self._arc_w[a] < m[i, j]:
                m[i, j] = self._arc_w[a]
                kind[i, j] = a
        np.fill_diagonal(m, 0.0)
        dist, pred = floyd_warshall(m, directed=True, return_predecessors=True)
        return idx, dist, pred.astype(np.int64), kind

    def _portals(self, closed: frozenset[str]) -> _Portals:
        """The closure set's portal data as :meth:`_port_arcs` reads it (cached per set)."""
        tab = self._load_tables()
        idx, _, hop, kind = self._closure_cached(closed)
        exits, entry = self._exits_cached(closed)
        rows = (len(self.port_ids) + idx).tolist()
        return _Portals(
            nodes=tab["t_nodes"][idx].tolist(),
            rows=rows,
            exits=exits,
            entry=entry,
            to_port=np.ascontiguousarray(tab["tp"][idx].T),
            hop=np.ascontiguousarray(hop, dtype=np.int64).data,
            kind=np.ascontiguousarray(kind, dtype=np.int64).data,
        )

    def _port_arcs(self, pi: int, qi: int, closed: frozenset[str]) -> np.ndarray | None:
        """Arcs of the shortest route from port ``pi`` to another port ``qi`` (None if
        there is none), from the precomputed tables: the open-water distance, or the best
        way through the open passages' portals (a pass over the portals), then one walk
        up the predecessor arrays and a single lookup of the arcs."""
        tab = self._tables if self._tables is not None else self._load_tables()
        pred = self._pred
        if pred is None:
            with self._lock:
                if self._pred is None:
                    self._pred = np.ascontiguousarray(tab["pred"]).data
                pred = self._pred
        n_core = self.graph.n_core
        p_out, q_in = n_core + 2 * pi, n_core + 2 * qi + 1
        portals = self._portals_cached(closed)
        direct = float(tab["pp"][pi, qi])
        best = np.inf
        i = j = 0
        if portals.nodes:
            tot = portals.exits[pi] + portals.to_port[qi]
            j = int(tot.argmin())
            best = float(tot[j])
            i = int(portals.entry[pi, j])
        if not math.isfinite(min(direct, best)):
            return None
        back: list[int] = []  # the route's nodes, from the end
        forced: list[tuple[int, int]] = []  # (position in back, arc): passage arcs taken
        if direct <= best:
            _walk_back(pred, pi, p_out, q_in, back)
        else:
            _walk_back(pred, portals.rows[j], portals.nodes[j], q_in, back)
            b = j
            while b != i:  # the portal path, backwards (Floyd-Warshall predecessors)
                a = portals.hop[i, b]
                arc = portals.kind[a, b]
                if arc >= 0:
                    back.append(portals.nodes[b])
                    forced.append((len(back), arc))
                else:
                    _walk_back(pred, portals.rows[a], portals.nodes[a], portals.nodes[b], back)
                b = a
            _walk_back(pred, pi, p_out, portals.nodes[i], back)
        back.append(p_out)
        arcs = self._arcs_of(np.array(back[::-1], dtype=np.int64))
        for pos, arc in forced:
            arcs[len(back) - 1 - pos] = arc
        return arcs

    def _solve_ports(self, pi: int, qi: int, closed: frozenset[str]) -> Plan | None:
        """Plan of the shortest route between two ports, from the precomputed tables."""
        if pi == qi:
            sea = self.graph.port_sea[pi]
            return [("geom_or_arc", np.array([sea, sea]), 0.0, -1)]
        arcs = self._port_arcs(pi, qi, closed)
        return None if arcs is None else [("arcs", arcs)]

    def _port_exits(self, closed: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
        """For every port and open portal ``j``: the shortest distance from the port to
        ``j`` through the open passages, and the portal ``i`` it enters them by. A
        point-to-point query is then one pass over the portals, not a K x K search."""
        tab = self._load_tables()
        idx, m, _, _ = self._closure_cached(closed)
        pt = tab["pt"][:, idx]
        n_ports = pt.shape[0]
        exits = np.full((n_ports, len(idx)), np.inf)
        entry = np.zeros((n_ports, len(idx)), dtype=np.int64)
        for k in range(len(idx)):
            cand = pt[:, k, None] + m[None, k, :]
            better = cand < exits
            exits = np.where(better, cand, exits)
            entry = np.where(better, k, entry)
        exits.setflags(write=False)
        entry.setflags(write=False)
        return exits, entry

    def _ports_matrix(
        self, rows: np.ndarray, cols: np.ndarray, closed: frozenset[str]
    ) -> np.ndarray:
        tab = self._load_tables()
        idx, m, _, _ = self._closure_cached(closed)
        out = tab["pp"][np.ix_(rows, cols)].copy()
        if idx.size == 0:
            return out
        a = tab["pt"][np.ix_(rows, idx)]
        b = tab["tp"][np.ix_(idx, cols)]
        x = np.full((len(rows), len(idx)), np.inf)
        for k in range(len(idx)):
            np.minimum(x, a[:, k, None] + m[None, k, :], out=x)
        for k in range(len(idx)):
            np.minimum(out, x[:, k, None] + b[None, k, :], out=out)
        return out

    def _all_ports_matrix(self, closed: frozenset[str]) -> np.ndarray:
        p = np.arange(len(self.port_ids))
        out = self._ports_matrix(p, p, closed)
        self._blank_unconnected(out, p, p)
        out.setflags(write=False)
        return out

    def _blank_unconnected(self, out: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> None:
        bad = self._unconnected
        if bad.any():
            out[bad[rows], :] = np.inf
            out[:, bad[cols]] = np.inf
        same = rows[:, None] == cols[None, :]
        out[same & ~bad[rows][:, None]] = 0.0

    def matrix(
        self,
        ids: Sequence[str],
        *,
        closed: Iterable[str] = (),
        date: dt.date | None = None,
        ice_class: str | None = None,
        size: ShipSize | None = None,
    ) -> np.ndarray:
        """Sea distances (nm) between ports, shape (n, n); ``inf`` where unreachable.

        Entry ``[i, j]`` is the length of the shortest route from ``ids[i]`` to
        ``ids[j]`` under the closures, the same figure :meth:`route` reports.
        """
        idx = np.array([self.port_index(i, field_name="ids") for i in ids], dtype=np.int64)
        if idx.size == 0:
            return np.zeros((0, 0))
        return np.array(
            self.ports_matrix(idx, closed=closed, date=date, ice_class=ice_class, size=size)
        )

    def distance_matrix(
        self,
        *,
        closed: Iterable[str] = (),
        date: dt.date | None = None,
        ice_class: str | None = None,
        size: ShipSize | None = None,
        seasons: bool = True,
    ) -> np.ndarray:
        """All-ports distance matrix (read-only, cached per closure set), ``port_ids`` order."""
        eff = self.effective_closures(
            closed, date=date, ice_class=ice_class, size=size, seasons=seasons
        )
        return self._matrix_cached(eff)

    def ports_matrix(
        self,
        positions: Sequence[int] | np.ndarray,
        *,
        closed: Iterable[str] = (),
        date: dt.date | None = None,
        ice_class: str | None = None,
        size: ShipSize | None = None,
        seasons: bool = True,
    ) -> np.ndarray:
        """Distances among the ports at ``positions`` (indices into ``port_ids``), read-only.

        Up to :attr:`full_matrix_ports` ports in the graph, a slice of the all-ports
        matrix cached per closure set (:meth:`distance_matrix`); beyond, only the block
        asked for, cached per closure set and positions: a planner needs its candidate
        ports, and all ports squared under each closure set grows as ports x ports x
        portals (196 MB per set at 5,000 ports)."""
        eff = self.effective_closures(
            closed, date=date, ice_class=ice_class, size=size, seasons=seasons
        )
        pos = np.asarray(positions, dtype=np.int64)
        if len(self.port_ids) <= self.full_matrix_ports:
            out = self._matrix_cached(eff)[np.ix_(pos, pos)]
            out.setflags(write=False)
            return out
        block: np.ndarray = self._block_cached(eff, pos.tobytes())
        return block

    def _block(self, closed: frozenset[str], positions: bytes) -> np.ndarray:
        pos = np.frombuffer(positions, dtype=np.int64)
        out = self._ports_matrix(pos, pos, closed)
        self._blank_unconnected(out, pos, pos)
        out.setflags(write=False)
        return out

    def leg_nm(
        self,
        a_id: str,
        b_id: str,
        *,
        closed: Iterable[str] = (),
        date: dt.date | None = None,
        ice_class: str | None = None,
        size: ShipSize | None = None,
    ) -> float:
        """Sea distance between two ports (nm; ``inf`` if unreachable), from the cached matrix."""
        m = self.distance_matrix(closed=closed, date=date, ice_class=ice_class, size=size)
        return float(m[self.port_index(a_id), self.port_index(b_id, field_name="destination")])

    # -- provenance ------------------------------------------------------------

    @property
    def land_waivers(self) -> list[dict[str, object]]:
        """Areas where the land check is waived: canals, raster-closed waters, harbour bridges."""
        out: list[dict[str, object]] = [
            {
                "id": w.id,
                "kind": "canal" if w.canal else "narrow_waterway",
                "name": w.name,
                "polygon": np.asarray(w.polygon.exterior.coords).tolist(),
            }
            for w in self.sea.waterways
        ]
        return out + [dict(w) for w in self.graph.waivers]

    def size_closures(self, size: ShipSize | None) -> dict[str, str]:
        """The passages a ship of ``size`` does not fit, with the reason each."""
        return self.sea.size_closures(size)

    def to_networkx(
        self,
        *,
        closed: Iterable[str] = (),
        date: dt.date | None = None,
        ice_class: str | None = None,
        size: ShipSize | None = None,
    ) -> nx.DiGraph:
        """The routing graph as a :class:`networkx.DiGraph`, for analysis.

        Nodes are the router's node ids with ``lon``, ``lat`` and, for port nodes,
        ``port`` (the facility id) and ``role`` (``out``: routes start there; ``in``:
        they end there); backbone nodes have ``role="sea"``. Each arc carries
        ``length_nm``, its ``edge`` id and the ``passages`` it is tagged with. Arcs of
        the closed passages are left out as the router leaves them out: those given and
        the seasonal ones closed on ``date`` for ``ice_class`` (all of them with no date).
        """
        import networkx as nx

        eff = self.effective_closures(closed, date=date, ice_class=ice_class, size=size)
        graph = nx.DiGraph(graph_version=self.graph_version, closed=sorted(eff))
        g = self.graph
        for n in range(self.n_nodes):
            x, y = g.node_xy[n]
            attrs: dict[str, Any] = {"lon": float(x), "lat": float(y), "role": "sea"}
            if n >= g.n_core:
                attrs["port"] = self.port_ids[(n - g.n_core) // 2]
                attrs["role"] = "out" if (n - g.n_core) % 2 == 0 else "in"
            graph.add_node(n, **attrs)
        open_arc = ~self._closed_edges(eff)[self._arc_edge]
        for a in np.nonzero(open_arc)[0].tolist():
            e = int(self._arc_edge[a])
            graph.add_edge(
                int(self._arc_from[a]),
                int(self._arc_to[a]),
                length_nm=float(self._arc_w[a]),
                edge=e,
                passages=[pid for _, pid in self._edge_events.get(e, [])],
            )
        return graph

    def port_nodes(self, port_id: str) -> tuple[int, int]:
        """The (out, in) node ids of a port: routes leave from the first, end at the second."""
        i = self.port_index(port_id)
        return self.graph.n_core + 2 * i, self.graph.n_core + 2 * i + 1

    def describe(self) -> dict[str, object]:
        """Provenance and size figures (for a health endpoint)."""
        return {
            "graph_version": self.graph_version,
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "ports": len(self.port_ids),
            "ports_not_connected": sorted(set(self.port_ids) - set(self.connected_ports)),
            "build": json.loads(json.dumps(self.graph.stats)),
        }


def _walk_back(pred: memoryview, row: int, src: int, dst: int, back: list[int]) -> None:
    """Append to ``back`` the path ``src -> dst`` backwards, ``src`` left out, from row
    ``row`` of a 2-d predecessor array."""
    p = dst
    while p != src:
        back.append(p)
        p = pred[row, p]
        if p < 0:
            raise RuntimeError("broken predecessor chain")


def load_sea_router(
    ports: Sequence[PortSite],
    *,
    cache_dir: Path | None = None,
    sea: SeaData | None = None,
    extend: bool = False,
) -> SeaRouter:
    """Build (first time, about a minute) or load (cached, well under a second) the router.

    Parameters
    ----------
    ports : sequence of PortSite
        The port facilities (``id``, ``lon``, ``lat``) to connect; any objects with
        those attributes do.
    cache_dir : Path or None
        Graph cache directory; default :func:`routing.paths.default_cache_dir`.
    sea : SeaData or None
        Passages, waterways and seasons (default: the shipped ``data/sea``).
    extend : bool
        Attach ports missing from a cached graph to it rather than build a new one
        (:func:`routing.sea.cache.load_or_build`).
    """
    sea = sea or default_sea_data()
    sites = [PortSite(str(p.id), float(p.lon), float(p.lat)) for p in ports]
    graph, cache = load_or_build(sites, cache_dir=cache_dir, sea=sea, extend=extend)
    router = SeaRouter(graph, cache_dir=cache, sea=sea)
    router.warm()
    return router
