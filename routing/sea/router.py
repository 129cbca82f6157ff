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
import itertools
import json
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra, floyd_warshall

from routing.budget import check
from routing.errors import NoRouteError, OnLandError, UnknownFacilityError
from routing.export.mixin import Exportable
from routing.files import atomic_save_npy
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
from routing.memory import hold_across_fork, row_runs, run_alongside, run_split
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


TABLE_KEYS = ("pred", "pp", "pt", "tp_t", "tt", "basin_out", "basin_in", "t_basin", "t_nodes")
"""The router's tables, one file each (:meth:`SeaRouter._load_tables`); the last written last."""
TABLE_CHUNK_CELLS = 4_000_000
"""Distances held per batch of searches while the tables are computed (sources x nodes)."""
MIN_PLUS_CELLS = 65_536
"""Sums held at once by :func:`_min_plus` (a cache's worth)."""
MIN_PLUS_ROW_CELLS = 131_072
"""Cells of the output :func:`_min_plus_rows` works on at a time (a cache's worth)."""

ATTACH_CACHE = 4096
"""Sea points whose attachment (:meth:`SeaRouter._attachment`) is remembered."""

BLOCKS_KEPT = 128
BLOCKS_BYTES = 512 * 2**20
"""Blocks of ports' distances kept (:meth:`SeaRouter._block`): at most this many, of at
most this many bytes in all (the last one asked for is always kept)."""

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
    steps_from : callable or None
        Gathers :attr:`steps_nm` (set by the router).
    """

    distance_nm: float
    passages: tuple[str, ...]
    origin: str
    destination: str
    closed: tuple[str, ...] = ()
    avoided: tuple[tuple[str, str], ...] = ()
    """Passages the ship does not fit (draught, beam, air draught), with the reason each."""
    xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False, compare=False)
    steps_from: Callable[[], np.ndarray] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def steps_nm(self) -> np.ndarray | None:
        """The geodesic length of each step of ``xy`` to its point (0 at the first), nm,
        gathered the first time it is asked for where the router can (``steps_from``:
        the arcs' own steps, measured once an arc); ``None`` where it cannot."""
        return self.steps_from() if self.steps_from is not None else None

    def __getstate__(self) -> dict[str, Any]:
        # pickled with its steps, not the router's tracks they are gathered from
        state = dict(self.__dict__)
        state["steps_nm"], state["steps_from"] = self.steps_nm, None
        return state

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


class _Ends(NamedTuple):
    """Tails (or heads) of open passage arcs in one component: positions in the tables'
    ``T`` and in the closure set's open portals."""

    pos: np.ndarray
    local: np.ndarray


class _Portals(NamedTuple):
    """What a port-to-port query needs under one closure set (see
    :meth:`SeaRouter._port_arcs`), ready for scalar reads."""

    dist: np.ndarray  # (K, K) shortest distances among the open portals
    tails: dict[int, _Ends]  # component -> tails of open passage arcs there
    heads: dict[int, _Ends]  # component -> heads of open passage arcs there
    nodes: list[int]  # node of each open portal
    rows: list[int]  # its row in the tables' predecessor array
    hop: memoryview  # (K, K) Floyd-Warshall predecessors among the portals
    kind: memoryview  # (K, K) the arc of a direct step, -1 for an open-water stretch
    between: dict[tuple[int, int], np.ndarray]  # (component, component) -> ``dist`` from
    # the tails of the one to the heads of the other (filled as queries need them)


class _ClosurePlan(NamedTuple):
    """The open portals of one closure set as the block products read them (see
    :meth:`SeaRouter._ports_matrix`); ``heads``/``tails`` hold positions in the tables'
    ``T``, grouped by component."""

    heads: np.ndarray  # heads of open passage arcs
    head_basins: dict[int, slice]  # component -> its slice of ``heads``
    among_heads: dict[int, np.ndarray]  # component -> [h1, h]: portal distance h -> h1
    onto: dict[int, np.ndarray]  # component -> (its heads, all tails): distance tail -> head
    tails: np.ndarray  # tails of open passage arcs
    tail_basins: dict[int, slice]  # component -> its slice of ``tails``
    among_tails: dict[int, np.ndarray]  # component -> [t1, t]: portal distance t1 -> t
    #: per port, the tails a route from it may enter the passages by, and the way to each
    #: (:meth:`SeaRouter._entries`; filled as ports are asked for)
    row_picks: _Kept
    #: per port, the heads a route to it may leave them by, and the way in from each
    col_picks: _Kept


class _OpenHeads(NamedTuple):
    """The heads of one closure set's open passage arcs as :meth:`SeaRouter._onward_from`
    reads them, without its Floyd-Warshall: T positions grouped by component, the open
    water among each component's (``[h1, h]``: h -> h1) and what each port keeps of
    them (filled as ports are asked for)."""

    heads: np.ndarray
    basins: dict[int, slice]
    among: dict[int, np.ndarray]
    picks: _Kept


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
        hold_across_fork(self, "_lock")
        self._mask: LandMask | None = None
        self._core_csr: csr_matrix | None = None
        self._tables: dict[str, np.ndarray] | None = None
        self._pred: memoryview | None = None  # the tables' predecessors, for scalar reads
        self._tracks: ArcTracks | None = None
        self._kdtree: Any = None
        self._attachments: OrderedDict[tuple[float, float], Attachment] = OrderedDict()
        self._transit_cache: dict[str, list[np.ndarray]] = {}
        self._csr_cached = functools.lru_cache(maxsize=64)(self._csr_for)
        self._matrix_cached = functools.lru_cache(maxsize=32)(self._all_ports_matrix)
        self._blocks: OrderedDict[tuple[frozenset[str], bytes], np.ndarray] = OrderedDict()
        #: up to this many ports, planners slice one all-ports matrix per closure set
        self.full_matrix_ports = FULL_MATRIX_PORTS
        self._closure_cached = functools.lru_cache(maxsize=64)(self._portal_closure)
        self._plan_cached = functools.lru_cache(maxsize=64)(self._closure_plan)
        self._portals_cached = functools.lru_cache(maxsize=64)(self._portals)
        self._steps_cached = functools.lru_cache(maxsize=64)(self._steps)
        self._heads_cached = functools.lru_cache(maxsize=64)(self._open_heads)
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

    def _attachment(self, pt: LonLat) -> Attachment:
        """How a sea point joins the graph: straight connectors where the open sea allows
        (:meth:`_attach_open_sea`), else a raster search (:func:`~routing.sea.connect.attach`,
        up to a second near a crowded coast). Remembered for the last
        ``ATTACH_CACHE`` points: a plan that starts at a sea point routes from it to every
        candidate port, and a client asks about the same point again and again."""
        key = (pt.lon, pt.lat)
        with self._lock:
            hit = self._attachments.get(key)
            if hit is not None:
                self._attachments.move_to_end(key)
                return hit
        att = self._attach_open_sea(pt)
        if att is None:
            g = self.graph
            att = attach(
                self.mask,
                g.node_xy[: g.n_core],
                self._core(),
                pt.lon,
                pt.lat,
                snap_km=0.0,
                allow_harbour_bridge=False,
            )
        for _, geom in att.connectors:
            geom.setflags(write=False)  # shared by the routes that read it
        # the raster search's own arrays are not kept: only what a route reads
        att = replace(att, grid=None, dist=None, pred=None)
        with self._lock:
            self._attachments[key] = att
            while len(self._attachments) > ATTACH_CACHE:
                self._attachments.popitem(last=False)
        return att

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
        att = self._attachment(pt)
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
        xy = steps = None
        if len(plan) == 1 and plan[0][0] == "arcs" and len(plan[0][1]) > 0:  # type: ignore[arg-type]
            # one run of arcs (port to port): the tracks are gathered ready-made, and the
            # steps' lengths too when asked
            tracks, run = self._arc_tracks(), np.asarray(plan[0][1], dtype=np.int64)
            xy = tracks.points(run)
            if xy is not None:
                steps = functools.partial(tracks.steps, run)
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
            xy, steps = np.vstack([xy, xy]), None
        xy.setflags(write=False)
        return Route(
            distance_nm=total,
            passages=tuple(passages),
            origin=origin,
            destination=destination,
            closed=tuple(sorted(closed)),
            xy=xy,
            steps_from=steps,
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

    def _table_paths(self) -> dict[str, Path]:
        """One ``.npy`` file per table (``TABLE_KEYS`` order: the last is written last)."""
        return {k: self.cache_dir / f"tables2-{self.graph_version}.{k}.npy" for k in TABLE_KEYS}

    def _load_tables(self) -> dict[str, np.ndarray]:
        """Open-water distance tables between ports and passage portals (cached on disk, a
        ``.npy`` file each, memory-mapped: pages are read in as queries touch them).

        ``T`` = the end nodes of every arc of a closable (passage-tagged) edge.
        ``pt`` = D0[port out, T], ``tp_t`` = D0[T, port in] transposed (a row per port),
        ``tt`` = D0[T, T], ``pp`` = D0[port out, port in], where D0 is the shortest
        distance with every passage-tagged arc removed; ``pred``: the predecessors of those
        searches, a row per port then per portal (int16 while the graph has under 32,768
        nodes). ``basin_out``, ``basin_in``, ``t_basin``: the component of the graph with
        every passage-tagged arc removed that holds each port's out node, in node and each
        portal: D0 is infinite between two components. Any shortest path under a closure
        set is a D0 stretch, then alternately open passage arcs and D0 stretches.
        """
        with self._lock:
            if self._tables is not None:
                return self._tables
            paths = self._table_paths()
            if all(p.exists() for p in paths.values()):
                try:
                    self._tables = _open_tables(paths)
                    return self._tables
                except (OSError, ValueError):
                    for p in paths.values():
                        p.unlink(missing_ok=True)
            tables = self._compute_tables()
            for k, p in paths.items():
                atomic_save_npy(p, tables[k])
            del tables
            self._tables = _open_tables(paths)
            return self._tables

    def _compute_tables(self) -> dict[str, np.ndarray]:
        """The tables of :meth:`_load_tables`: one Dijkstra search per port and portal with
        every passage closed, run a few hundred sources at a time so that only the columns
        kept (ports' in nodes, portals) and the predecessors are held."""
        g = self.graph
        cl_arc = self._closable_edge[self._arc_edge]
        t_nodes = np.unique(np.concatenate([self._arc_from[cl_arc], self._arc_to[cl_arc]]))
        base = self._csr_for(frozenset(self.sea.passage_ids))
        # arcs removed by "all closed" are exactly the closable arcs
        p = len(self.port_ids)
        p_out = g.n_core + 2 * np.arange(p)
        p_in = p_out + 1
        rows = np.concatenate([p_out, t_nodes])
        cols = np.concatenate([p_in, t_nodes])
        n = self.n_nodes
        pred_type = np.int16 if n <= np.iinfo(np.int16).max else np.int32
        pred = np.empty((len(rows), n), dtype=pred_type)
        dd = np.empty((len(rows), len(cols)))
        step = max(1, TABLE_CHUNK_CELLS // max(n, 1))
        for s in range(0, len(rows), step):
            d, pr = dijkstra(
                base, directed=True, indices=rows[s : s + step], return_predecessors=True
            )
            dd[s : s + step] = d[:, cols]
            pred[s : s + step] = pr
            del d, pr
        _, comp = connected_components(base, directed=True, connection="weak")
        return {
            "pred": pred,
            "pp": dd[:p, :p],
            "pt": dd[:p, p:],
            "tp_t": dd[p:, :p].T,
            "tt": dd[p:, p:],
            "basin_out": comp[p_out].astype(np.int32),
            "basin_in": comp[p_in].astype(np.int32),
            "t_basin": comp[t_nodes].astype(np.int32),
            "t_nodes": t_nodes,
        }

    def _open_arcs(self, closed: frozenset[str]) -> np.ndarray:
        """The passage arcs open under ``closed``."""
        return np.flatnonzero((self._closable_edge & ~self._closed_edges(closed))[self._arc_edge])

    def _portal_steps(self, closed: frozenset[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The portals of the passage arcs open under ``closed`` (indices into ``T``), the
        one-step distances among them (open water, or an open arc where shorter; 0 on the
        diagonal) and, for each step, the arc it is (-1: an open-water D0 stretch)."""
        tab = self._load_tables()
        t_nodes = tab["t_nodes"]
        arcs = self._open_arcs(closed)
        if arcs.size == 0:
            z = np.zeros((0, 0))
            return np.zeros(0, dtype=np.int64), z, z.astype(np.int64)
        frm = np.searchsorted(t_nodes, self._arc_from[arcs])  # T positions
        to = np.searchsorted(t_nodes, self._arc_to[arcs])
        idx = np.unique(np.concatenate([frm, to])).astype(np.int64)
        m = _take2d(tab["tt"], idx, idx)
        kind = -np.ones(m.shape, dtype=np.int64)
        # of the arcs between two portals, the shortest (the first of equals), where it is
        # shorter than open water
        i, j, w = np.searchsorted(idx, frm), np.searchsorted(idx, to), self._arc_w[arcs]
        cell = i * len(idx) + j
        order = np.lexsort((np.arange(len(arcs)), w, cell))
        first = order[np.concatenate([[True], cell[order][1:] != cell[order][:-1]])]
        first = first[w[first] < m[i[first], j[first]]]
        m[i[first], j[first]] = w[first]
        kind[i[first], j[first]] = arcs[first]
        np.fill_diagonal(m, 0.0)
        return idx, m, kind

    def _portal_closure(
        self, closed: frozenset[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Portals of the open passage arcs and the shortest distances among them.

        Returns indices into ``T``, the distance matrix among them, the
        Floyd-Warshall predecessor matrix (:func:`scipy.sparse.csgraph.floyd_warshall`)
        and, for each direct step, the arc used (-1 = an open-water D0 stretch).
        """
        idx, m, kind = self._portal_steps(closed)
        if idx.size == 0:
            return idx, m, kind, kind
        dist, pred = floyd_warshall(_steps_graph(m), directed=True, return_predecessors=True)
        return idx, dist, pred.astype(np.int64), kind

    def _portals_from(
        self, closed: frozenset[str], sources: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The shortest distances under ``closed`` from the portals at ``sources`` (T
        positions, all of them portals of open arcs) to every portal: the portals (indices
        into ``T``) and a row a source. A Dijkstra from those alone over the one-step
        graph (:meth:`_portal_steps`, a few percent of its cells finite), where a block
        derived by :meth:`_opened` needs no more: a fraction of the Floyd-Warshall over all
        of them that a route under ``closed`` asks for."""
        idx, graph = self._steps_cached(closed)
        dist = dijkstra(graph, directed=True, indices=np.searchsorted(idx, sources))
        return idx, dist

    def _steps(self, closed: frozenset[str]) -> tuple[np.ndarray, csr_matrix]:
        """:meth:`_portal_steps`' portals and steps as a sparse graph (cached per set)."""
        idx, m, _ = self._portal_steps(closed)
        return idx, _steps_graph(m)

    def _open_heads(self, closed: frozenset[str]) -> _OpenHeads:
        """:class:`_OpenHeads` of ``closed`` (cached per set)."""
        tab = self._load_tables()
        t_basin = np.asarray(tab["t_basin"])
        heads = np.unique(np.searchsorted(tab["t_nodes"], self._arc_to[self._open_arcs(closed)]))
        heads, basins = _by_component(heads, t_basin[heads])
        among: dict[int, np.ndarray] = {}
        for b, sl in basins.items():
            among[b] = tab["tt"][np.ix_(heads[sl], heads[sl])].T.copy()
            np.fill_diagonal(among[b], np.inf)
        return _OpenHeads(heads, basins, among, _Kept())

    def _closure_plan(self, closed: frozenset[str]) -> _ClosurePlan:
        """The closure set's portals grouped for the block products (cached per set)."""
        tab = self._load_tables()
        idx, dist, _, _ = self._closure_cached(closed)
        t_nodes = np.asarray(tab["t_nodes"])
        arcs = self._open_arcs(closed)
        local = np.searchsorted(t_nodes[idx], t_nodes)  # T position -> open portal (if open)
        t_basin = np.asarray(tab["t_basin"])

        def grouped(ends: np.ndarray) -> tuple[np.ndarray, dict[int, slice]]:
            """Open portals at ``ends`` (nodes), ordered by component, and each one's slice."""
            loc = np.unique(local[np.searchsorted(t_nodes, ends)])
            return _by_component(loc, t_basin[idx[loc]])

        heads, head_basins = grouped(self._arc_to[arcs])
        tails, tail_basins = grouped(self._arc_from[arcs])

        def among(loc: np.ndarray) -> np.ndarray:
            a = dist[np.ix_(loc, loc)].copy()
            np.fill_diagonal(a, np.inf)
            return a

        return _ClosurePlan(
            heads=idx[heads],
            head_basins=head_basins,
            among_heads={b: among(heads[sl]).T.copy() for b, sl in head_basins.items()},
            onto={
                b: np.ascontiguousarray(dist[np.ix_(tails, heads[sl])].T)
                for b, sl in head_basins.items()
            },
            tails=idx[tails],
            tail_basins=tail_basins,
            among_tails={b: among(tails[sl]) for b, sl in tail_basins.items()},
            row_picks=_Kept(),
            col_picks=_Kept(),
        )

    def _portals(self, closed: frozenset[str]) -> _Portals:
        """The closure set's portal data as :meth:`_port_arcs` reads it (cached per set)."""
        tab = self._load_tables()
        idx, dist, hop, kind = self._closure_cached(closed)
        plan = self._plan_cached(closed)
        local = {int(t): i for i, t in enumerate(idx.tolist())}

        def by_basin(ends: np.ndarray, spans: dict[int, slice]) -> dict[int, _Ends]:
            out = {}
            for b, sl in spans.items():
                pos = np.ascontiguousarray(ends[sl])
                out[b] = _Ends(pos, np.array([local[int(t)] for t in pos], dtype=np.int64))
            return out

        return _Portals(
            dist=dist,
            tails=by_basin(plan.tails, plan.tail_basins),
            heads=by_basin(plan.heads, plan.head_basins),
            nodes=tab["t_nodes"][idx].tolist(),
            rows=(len(self.port_ids) + idx).tolist(),
            hop=np.ascontiguousarray(hop, dtype=np.int64).data,
            kind=np.ascontiguousarray(kind, dtype=np.int64).data,
            between={},
        )

    def _through_portals(
        self, pi: int, qi: int, portals: _Portals
    ) -> tuple[float, int, int] | None:
        """The shortest way from port ``pi`` to port ``qi`` through the open passages: its
        length, the portal it enters them by (a tail of an open arc in ``pi``'s component)
        and the one it leaves them by (a head in ``qi``'s); None if there is none."""
        tab = self._tables if self._tables is not None else self._load_tables()
        key = (int(tab["basin_out"][pi]), int(tab["basin_in"][qi]))
        out = portals.tails.get(key[0])
        into = portals.heads.get(key[1])
        if out is None or into is None:
            return None
        sub = portals.between.get(key)
        if sub is None:  # distances from the tails of one component to the heads of another
            sub = portals.dist[np.ix_(out.local, into.local)]
            portals.between[key] = sub
        cand = tab["pt"][pi, out.pos][:, None] + sub + tab["tp_t"][qi, into.pos]
        best = int(cand.argmin())
        k, j = divmod(best, cand.shape[1])
        length = float(cand[k, j])
        if not math.isfinite(length):
            return None
        return length, int(out.local[k]), int(into.local[j])

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
        found = self._through_portals(pi, qi, portals)
        if found is not None:
            best, i, j = found
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

    def _ports_matrix(
        self, rows: np.ndarray, cols: np.ndarray, closed: frozenset[str]
    ) -> np.ndarray:
        """Distances from the ports at ``rows`` to those at ``cols`` under ``closed``.

        The open-water distance, or the best way from the row's port to the tail ``t`` of
        an open passage arc in its component, on through the portals to the head ``h`` of
        one in the column's component, and in to the port. Only the portals of the row's
        and the column's components take part (D0 is infinite across components); of
        those, only the heads a shortest route to the column can leave the passages by
        (:func:`_useful`: not those from which another head, then the way in, is shorter)
        and the tails a shortest route from the row can enter them by (not those reached
        more cheaply through another tail). Each figure is that of the same candidates,
        whatever else the block holds."""
        tab = self._load_tables()
        out = _take2d(tab["pp"], rows, cols)
        plan = self._plan_cached(closed)
        if plan.heads.size == 0 or plan.tails.size == 0:
            return out
        entries = self._entries(rows, plan)
        need = np.zeros(len(plan.tails), dtype=bool)  # onward only from the tails taken
        for _, tails_of, cost in entries:
            need[tails_of[np.isfinite(cost)]] = True
        some = np.flatnonzero(need)
        if some.size == 0:
            return out
        onward = self._onward(cols, plan, some)  # (the tails taken, cols)
        for r_sel, tails_of, cost in entries:
            _min_plus_rows(out, onward, _positions(some, tails_of), cost, r_sel)
        return out

    def _entries(
        self, rows: np.ndarray, plan: _ClosurePlan
    ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The tails of open arcs a shortest route from each row can enter the passages
        by (those of the row's component, :func:`_useful`), a component at a time: the
        rows (positions in ``rows``), their tails (indices into ``plan.tails``) and the
        open-water way to each (``inf`` pads)."""
        tab = self._load_tables()
        return _picked(
            rows,
            np.asarray(tab["basin_out"]),
            tab["pt"],
            plan.tails,
            plan.tail_basins,
            plan.among_tails,
            plan.row_picks,
        )

    def _rows_through(
        self, rows: np.ndarray, plan: _ClosurePlan, onward: np.ndarray, out: np.ndarray
    ) -> None:
        """``out[i] = min(out[i], min_t pt[rows[i], t] + onward[t])`` over the tails ``t``
        of open arcs in the row's component that a shortest route can enter the passages
        by (:meth:`_entries`); ``onward`` has a row per tail of ``plan``."""
        for r_sel, tails_of, cost in self._entries(rows, plan):
            _min_plus_rows(out, onward, tails_of, cost, r_sel)

    def _onward(self, cols: np.ndarray, plan: _ClosurePlan, some: np.ndarray) -> np.ndarray:
        """(``some`` tails of open arcs, indices into ``plan.tails``; ``cols``): the
        shortest distance from each of those tails, through the open passages and out of
        them by a head in the column's component, to the port."""
        tab = self._load_tables()
        out_t = np.full((len(cols), len(some)), np.inf)
        if some.size == 0:
            return np.ascontiguousarray(out_t.T)
        b_in = np.asarray(tab["basin_in"])
        heads = _picked(
            cols, b_in, tab["tp_t"], plan.heads, plan.head_basins, plan.among_heads, plan.col_picks
        )
        for c_sel, heads_of, gain in heads:
            b = int(b_in[cols[c_sel[0]]])
            heads_of = heads_of - plan.head_basins[b].start  # the component's own heads
            part = out_t[c_sel]
            _min_plus_rows(part, plan.onto[b][:, some], heads_of, gain)
            out_t[c_sel] = part
        return np.ascontiguousarray(out_t.T)

    def _onward_from(
        self, entries: np.ndarray, cols: np.ndarray, closed: frozenset[str]
    ) -> np.ndarray:
        """(``entries``, ``cols``): :meth:`_onward` for a few tails of open arcs (T
        positions), from their own rows of distances (:meth:`_portals_from`) rather than
        the closure set's Floyd-Warshall. A head is not tried for a column where another
        head of its component, sailed to in open water, leaves a shorter way in (open water
        bounds the way between two heads from above, so no shortest way is lost)."""
        tab = self._load_tables()
        out = np.full((len(cols), len(entries)), np.inf)
        arcs = self._open_arcs(closed)
        if arcs.size == 0 or len(entries) == 0:
            return np.ascontiguousarray(out.T)
        idx, dist = self._portals_from(closed, entries)
        heads = self._heads_cached(closed)
        b_in = np.asarray(tab["basin_in"])
        kept = _picked(cols, b_in, tab["tp_t"], heads.heads, heads.basins, heads.among, heads.picks)
        for c_sel, heads_of, gain in kept:
            sl = heads.basins[int(b_in[cols[c_sel[0]]])]
            onto = np.ascontiguousarray(dist[:, np.searchsorted(idx, heads.heads[sl])].T)
            part = out[c_sel]
            _min_plus_rows(part, onto, heads_of - sl.start, gain)  # (heads, E)
            out[c_sel] = part
        return np.ascontiguousarray(out.T)

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
        # 0 from a connected port to itself: the cells where a row's port is a column's
        # (found by sorting: no rows x cols comparison)
        order = np.argsort(cols, kind="stable")
        first = np.searchsorted(cols[order], rows, side="left")
        count = np.searchsorted(cols[order], rows, side="right") - first
        i = np.repeat(np.arange(len(rows)), count)
        j = order[np.repeat(first - np.cumsum(count) + count, count) + np.arange(int(count.sum()))]
        keep = ~bad[rows[i]]
        out[i[keep], j[keep]] = 0.0

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
        return self._block(eff, pos)

    def _block(self, closed: frozenset[str], pos: np.ndarray) -> np.ndarray:
        """The block of ``pos`` under ``closed`` (read-only; the last ones are kept, see
        ``BLOCKS_KEPT``). Where a block of the same ports under more closures is kept (a planner
        asks for its candidates with the seasonal passages shut, then open), only the
        routes through the passages those closures shut are searched
        (:meth:`_opened`); where a block of some of these ports under the same closures is
        kept (at least half of them), only the others' rows and columns are
        (:meth:`_grown`), those too derived from the same ports' block under more
        closures if one is kept."""
        key = (closed, pos.tobytes())
        with self._lock:
            hit = self._blocks.get(key)
            if hit is not None:
                self._blocks.move_to_end(key)
                return hit
            wider = [
                (len(c), c, b) for (c, p), b in self._blocks.items() if p == key[1] and c > closed
            ]
        part = self._kept_part(closed, pos)
        widest = max(wider, key=lambda w: w[0])[1:] if wider else None
        if part is not None:  # a few rows and columns: the cheaper
            out = self._grown(pos, closed, *part, widest)
        elif widest is not None:
            out = self._opened(pos, pos, closed, *widest)
        else:
            out = self._ports_matrix(pos, pos, closed)
        self._blank_unconnected(out, pos, pos)
        out.setflags(write=False)
        with self._lock:
            self._blocks[key] = out
            held = sum(b.nbytes for b in self._blocks.values())
            while len(self._blocks) > 1 and (
                len(self._blocks) > BLOCKS_KEPT or held > BLOCKS_BYTES
            ):
                held -= self._blocks.popitem(last=False)[1].nbytes
        return out

    def _kept_part(
        self, closed: frozenset[str], pos: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The largest kept block under ``closed`` whose ports are all among ``pos`` (a
        planner's candidates with a few more ports, say those a hypothetical agreement
        opens): its ports and the block."""
        best: tuple[np.ndarray, np.ndarray] | None = None
        used = None
        with self._lock:
            for (c, key), block in self._blocks.items():
                if c != closed:
                    continue
                ports = np.frombuffer(key, dtype=np.int64)
                if best is not None and len(ports) <= len(best[0]):
                    continue
                if len(ports) * 2 >= len(pos) and np.isin(ports, pos).all():
                    best, used = (ports, block), (c, key)
            if used is not None:  # kept while it serves (each agreement's variant, say)
                self._blocks.move_to_end(used)
        return best

    def _grown(
        self,
        pos: np.ndarray,
        closed: frozenset[str],
        ports: np.ndarray,
        base: np.ndarray,
        widest: tuple[frozenset[str], np.ndarray] | None = None,
    ) -> np.ndarray:
        """The block of ``pos`` under ``closed`` from ``base``, the block of ``ports`` (all
        among ``pos``): a cell does not depend on the other ports of its block, so the
        cells between ``ports`` are taken over and only the rows and columns of the others
        are searched (k x n, not n x n). ``widest``: the block of ``pos`` under more
        closures and those closures, if kept: the new rows and columns are derived from
        its (:meth:`_opened`), not searched under ``closed`` (which would need the
        Floyd-Warshall of its portals, a first time)."""
        order = np.argsort(ports, kind="stable")
        at = np.minimum(np.searchsorted(ports[order], pos), len(ports) - 1)
        idx = np.where(ports[order][at] == pos, order[at], -1)  # each port's place in base
        old, new = np.flatnonzero(idx >= 0), np.flatnonzero(idx < 0)
        # every cell from base (a new port's from any row and column of it), then the
        # new ports' rows and columns searched over it
        anywhere = np.maximum(idx, 0)
        out = _take2d(base, anywhere, anywhere)
        if not len(new):
            return out
        if widest is not None:
            c, wide = widest
            rows = functools.partial(self._opened, pos[new], pos, closed, c, wide[new])
            cols = functools.partial(
                self._opened, pos[old], pos[new], closed, c, _take2d(wide, old, new)
            )
        else:
            rows = functools.partial(self._ports_matrix, pos[new], pos, closed)
            cols = functools.partial(self._ports_matrix, pos[old], pos[new], closed)
        # the new ports' rows and their columns side by side (each is mostly work too
        # small to split over the kernel threads)
        out[new, :], out[np.ix_(old, new)] = run_alongside([rows, cols])
        return out

    def _opened(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        closed: frozenset[str],
        wider: frozenset[str],
        base: np.ndarray,
    ) -> np.ndarray:
        """The block under ``closed`` from ``base``, the same block under ``wider`` (a
        superset): a route that uses none of the arcs ``wider`` shuts and ``closed`` opens
        is in ``base``; one that does is, up to the tail ``e`` of the first such arc, a
        route under ``wider`` (``D[r, e]``), and from ``e`` on any route under
        ``closed`` (``onward[e, c]``)."""
        tab = self._load_tables()
        out = _copied(base)
        opened = self._closed_edges(wider) & ~self._closed_edges(closed)
        arcs = np.flatnonzero(opened[self._arc_edge])
        if arcs.size == 0:
            return out
        t_nodes = tab["t_nodes"]
        entries = np.unique(np.searchsorted(t_nodes, self._arc_from[arcs]))  # T positions
        big = self._plan_cached(wider)
        # D[r, e]: to each entry under ``wider``: open water, or through its portals and
        # then open water from a head in the entry's component
        reach = np.full((len(big.tails), len(entries)), np.inf)
        e_basin = np.asarray(tab["t_basin"])[entries]
        for b, sl in big.head_basins.items():
            e_sel = np.flatnonzero(e_basin == b)
            if e_sel.size:
                to_e = tab["tt"][np.ix_(big.heads[sl], entries[e_sel])]
                reach[:, e_sel] = _min_plus(big.onto[b].T, to_e)
        d = tab["pt"][np.ix_(rows, entries)]
        self._rows_through(rows, big, reach, d)
        # an entry reached more cheaply along an opened arc from another is not kept
        at = {int(t): i for i, t in enumerate(entries.tolist())}
        frm = np.searchsorted(t_nodes, self._arc_from[arcs])
        to = np.searchsorted(t_nodes, self._arc_to[arcs])
        inner = np.array([int(t) in at for t in to.tolist()], dtype=bool)
        via = np.full(d.shape, np.inf)
        if inner.any():
            src = np.array([at[int(t)] for t in frm[inner].tolist()], dtype=np.int64)
            dst = np.array([at[int(t)] for t in to[inner].tolist()], dtype=np.int64)
            w = self._arc_w[arcs[inner]]
            for k in range(len(src)):
                np.minimum(via[:, dst[k]], d[:, src[k]] + w[k], out=via[:, dst[k]])
        keys, picks, cost = _useful(np.arange(len(rows)), d, None, via)
        if picks.shape[1]:
            # onward under ``closed`` from the entries some row goes in by (those inside
            # what opened are reached only along it)
            used = np.unique(picks[np.isfinite(cost)])
            onward = self._onward_from(entries[used], cols, closed)  # (used, cols)
            _min_plus_rows(out, onward, _positions(used, picks), cost, keys)
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


def _by_component(items: np.ndarray, basin: np.ndarray) -> tuple[np.ndarray, dict[int, slice]]:
    """``items`` ordered by their component ``basin`` (stably), and each component's
    slice of them."""
    if items.size == 0:  # (every passage closed)
        return items, {}
    order = np.argsort(basin, kind="stable")
    items, basin = items[order], basin[order]
    starts = np.flatnonzero(np.concatenate([[True], basin[1:] != basin[:-1]]))
    stops = np.append(starts[1:], len(basin))
    spans = zip(starts.tolist(), stops.tolist(), strict=True)
    return items, {int(basin[a]): slice(a, z) for a, z in spans}


def _positions(some: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """Where each of ``picks`` is in ``some`` (sorted; the picks a product reads are
    there, its pads, with ``inf`` beside them, point anywhere)."""
    return np.minimum(np.searchsorted(some, picks), len(some) - 1)


def _take2d(a: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``a[np.ix_(rows, cols)]``, a few whole rows at a time then their columns (a third
    of the time of numpy's outer fancy indexing for a candidates^2 block), a big block's
    runs of rows on the kernel threads."""
    out = np.empty((len(rows), len(cols)), dtype=a.dtype)
    step = max(1, MIN_PLUS_ROW_CELLS // max(a.shape[1], 1))

    def run(first: int, stop: int) -> None:  # its rows' memory first touched here too
        for s in range(first, stop, step):
            z = min(s + step, stop)
            np.take(a[rows[s:z]], cols, axis=1, out=out[s:z], mode="clip")

    run_split([functools.partial(run, *r) for r in row_runs(len(rows), len(rows) * len(cols))])
    return out


def _copied(a: np.ndarray) -> np.ndarray:
    """A copy of ``a``, a big one's runs of rows on the kernel threads (its fresh memory
    first touched there)."""
    out = np.empty_like(a)
    runs = row_runs(len(a), a.size)
    run_split([functools.partial(np.copyto, out[s:z], a[s:z]) for s, z in runs])
    return out


def _steps_graph(m: np.ndarray) -> csr_matrix:
    """The finite off-diagonal cells of ``m`` as a sparse graph, for scipy's shortest
    paths: given a dense matrix, those read a cell within 1e-8 of zero as no edge, and
    a passage arc of no length (a port attached where a passage edge ends) would be lost."""
    r, c = np.nonzero(np.isfinite(m) & ~np.eye(len(m), dtype=bool))
    return csr_matrix((m[r, c], (r, c)), shape=m.shape)  # explicit zeros are edges


def _min_plus(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The min-plus product of ``a`` (n, k) and ``b`` (k, m): ``min_k a[i, k] + b[k, j]``
    (``inf`` where ``k`` is 0), a few rows at a time."""
    n, k = a.shape
    m = b.shape[1]
    out = np.full((n, m), np.inf)
    if k == 0 or n == 0 or m == 0:
        return out
    runs = row_runs(n, n * k * m)
    run_split([functools.partial(_min_plus_into, out[s:z], a[s:z], b) for s, z in runs])
    return out


def _min_plus_into(out: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """:func:`_min_plus` into ``out`` in the calling thread, a few rows at a time."""
    k, m = b.shape
    step = max(1, MIN_PLUS_CELLS // (k * m))
    for s in range(0, len(a), step):
        np.min(a[s : s + step, :, None] + b[None], axis=1, out=out[s : s + step])


class _Kept:
    """What each port keeps of one closure set's portals, on one side (:func:`_picked`):
    the batches worked out so far, and each port's batch and row in it (-1: not yet;
    -2: no portal in its component)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # held only to add a batch or read the index
        hold_across_fork(self)
        self.batch = np.zeros(0, dtype=np.int32)
        self.row = np.zeros(0, dtype=np.int32)
        self.picks: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []

    def grow(self, n: int) -> None:
        """Room for ports ``0..n-1``."""
        if n > len(self.batch):
            more = n - len(self.batch)
            self.batch = np.concatenate([self.batch, np.full(more, -1, dtype=np.int32)])
            self.row = np.concatenate([self.row, np.zeros(more, dtype=np.int32)])


def _picked(
    ports: np.ndarray,
    basin_of: np.ndarray,
    table: np.ndarray,
    portals: np.ndarray,
    spans: dict[int, slice],
    among: dict[int, np.ndarray],
    kept: _Kept,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The portals :func:`_useful` keeps for each of ``ports`` (``table[port, portal]``
    the open water between them; ``portals`` grouped by component, ``spans``), a
    component at a time as :func:`_min_plus_rows` reads them: the positions in ``ports``
    (most portals first), each one's portals (indices into ``portals``, left-aligned)
    and their ``table`` figures (``inf`` pads). What a port keeps depends on it alone, so
    it is kept in ``kept`` (one closure set's) and only ports not there are worked out:
    a block grown by a few ports, or under fewer closures, asks again for the others."""
    ports = np.asarray(ports, dtype=np.int64)
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if ports.size == 0:
        return out
    uniq = np.unique(ports)
    with kept.lock:
        kept.grow(int(ports.max()) + 1)
        new = uniq[kept.batch[uniq] == -1]
    worked = []  # worked out outside the lock (products on the kernel threads)
    for b, sl in spans.items():
        fresh = new[basin_of[new] == b]
        if fresh.size:
            first = np.asarray(table[np.ix_(fresh, portals[sl])])  # (ports, portals)
            at, picks, cost = _useful(np.arange(len(fresh)), first, among[b])
            worked.append((fresh[at], (picks + sl.start).astype(np.int32), cost))
    with kept.lock:
        kept.batch[new[~np.isin(basin_of[new], list(spans))]] = -2  # no portal of its own
        for done, picks, cost in worked:  # (another request may have added the same)
            kept.row[done] = np.arange(len(done), dtype=np.int32)
            kept.batch[done] = len(kept.picks)
            kept.picks.append(picks)
            kept.cost.append(cost)
        batch_of, row_of = kept.batch[ports], kept.row[ports]
        batches, costs = list(kept.picks), list(kept.cost)
    basins = basin_of[ports]
    for b, sl in spans.items():
        sel = np.flatnonzero(basins == b)
        if sel.size == 0:
            continue
        batch, row = batch_of[sel], row_of[sel]
        ids = np.unique(batch).tolist()
        width = max(batches[k].shape[1] for k in ids)
        picks = np.full((len(sel), width), sl.start, dtype=np.int64)
        cost = np.full((len(sel), width), np.inf)
        for k in ids:
            m = batch == k
            w = batches[k].shape[1]
            picks[m, :w] = batches[k][row[m]]
            cost[m, :w] = costs[k][row[m]]
        counts = np.isfinite(cost).sum(axis=1)
        order = np.argsort(-counts, kind="stable")
        width = int(counts.max())
        if width:
            out.append((sel[order], picks[order, :width], cost[order, :width]))
    return out


def _useful(
    keys: np.ndarray, d: np.ndarray, among: np.ndarray | None, via: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidates each key (a row of ``d``) keeps: ``k`` where ``d[i, k]`` is shorter
    than ``d[i, k1] + among[k1, k]`` for every other ``k1`` (a candidate reached more
    cheaply through another never gives a shorter route: the portal distances obey the
    triangle inequality). Returns the keys ordered by how many candidates they keep (most
    first) and, for each, the candidates and their ``d`` (padded with ``inf``). ``via``,
    if given, is ``min_k1 d[i, k1] + among[k1, k]`` over some ``k1`` (``among`` unused)."""
    live = np.flatnonzero(np.isfinite(d).any(axis=0))  # candidates some key reaches
    d = d[:, live]
    useful = np.isfinite(d)
    if via is not None:
        useful &= d < via[:, live]
    elif among is not None and d.shape[1] > 1:
        useful &= d < _min_plus(d, among[np.ix_(live, live)])
    counts = useful.sum(axis=1)
    order = np.argsort(-counts, kind="stable")
    useful, d = useful[order], d[order]
    width = int(counts.max()) if counts.size else 0
    picks = np.argsort(~useful, axis=1, kind="stable")[:, :width]
    cost = np.take_along_axis(np.where(useful, d, np.inf), picks, axis=1)
    return keys[order], live[picks], cost


def _min_plus_rows(
    out: np.ndarray,
    table: np.ndarray,
    picks: np.ndarray,
    d: np.ndarray,
    rows: np.ndarray | None = None,
) -> None:
    """``out[i] = min(out[i], min_j d[i, j] + table[picks[i, j]])``, for candidates
    ordered as :func:`_useful` leaves them (finite ones first, rows with most first).
    With ``rows``, row ``i`` of ``picks`` and ``d`` is row ``rows[i]`` of ``out`` (distinct
    rows). A big product is split into runs of rows of about equal work, one a kernel
    thread (:func:`routing.memory.run_split`): each writes only its own rows."""
    work = np.cumsum(np.isfinite(d).sum(axis=1))
    parts = len(row_runs(len(work), int(work[-1]) * out.shape[1] if len(work) else 0))
    if parts < 2:
        _min_plus_run(out, table, picks, d, rows)
        return
    cuts = np.searchsorted(work, work[-1] * np.arange(1, parts) / parts)  # equal work
    bounds = [0, *sorted(set(cuts.tolist())), len(work)]
    run_split(
        [
            functools.partial(
                _min_plus_run,
                out if rows is not None else out[a:z],
                table,
                picks[a:z],
                d[a:z],
                rows[a:z] if rows is not None else None,
            )
            for a, z in itertools.pairwise(bounds)
            if z > a
        ]
    )


def _min_plus_run(
    out: np.ndarray,
    table: np.ndarray,
    picks: np.ndarray,
    d: np.ndarray,
    rows: np.ndarray | None = None,
) -> None:
    """:func:`_min_plus_rows` in the calling thread: a few rows at a time, so that their
    part of ``out`` stays in the cache (with ``rows``, each read and written back a few
    at a time: no copy of all of them)."""
    n_useful = np.isfinite(d).sum(axis=1)
    n = len(picks)
    step = max(1, MIN_PLUS_ROW_CELLS // max(out.shape[1], 1))
    tmp = np.empty((min(step, n), out.shape[1]))
    for s in range(0, n, step):
        if not n_useful[s]:  # nor any row after it
            break
        at = None if rows is None else rows[s : s + step]
        part = out[s : s + step] if at is None else out[at]
        sums = tmp[: len(part)]
        for j in range(int(n_useful[s])):
            np.take(table, picks[s : s + step, j], axis=0, out=sums, mode="clip")
            sums += d[s : s + step, j, None]  # inf where a row has fewer candidates
            np.minimum(part, sums, out=part)
        if at is not None:
            out[at] = part


MAPPED_TABLES = frozenset({"pp"})
"""The tables memory-mapped rather than read in (ports x ports: a route reads one figure
of it, a block its rows). The predecessors are read in: a route walks one of their rows,
page after page, and faulting them in one by one would double its time."""


def _open_tables(paths: dict[str, Path]) -> dict[str, np.ndarray]:
    """The tables read-only: the large ones memory-mapped (``MAPPED_TABLES``, as plain
    arrays, no ``memmap`` wrapping on every read), the others read in."""
    out = {}
    for k, p in paths.items():
        a = np.asarray(np.load(p, mmap_mode="r" if k in MAPPED_TABLES else None))
        a.setflags(write=False)
        out[k] = a
    return out


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
