"""The deployment planner: resupply stops within endurance, under the agreements in force.

Given a deploying nation, a platform (or a task group), an origin, a
destination, optional ordered waypoints and a departure time, the planner
returns the optimal plan whose resupply stops fall only at facilities the
nation may use, on the dates it arrives there, for fuel; each leg fits the
usable range (see :mod:`routing.catalogue.platforms` for the fuel model). When no plan
exists the answer says why and what would make it feasible.

Ships sail the land-safe sea graph (:mod:`routing.sea.router`) and call at ports and
naval bases; aircraft fly great-circle legs between airbases. The optimiser is
:func:`routing.plan.solver.solve`; this module builds its inputs and explains its
output. Nothing here mutates the catalogue or the graph: closures, dropped
agreements and closed facilities are arguments.

Simplifications, stated so planners can judge them:

- Seasons (the Northern Sea Route's, ice regions') are judged on every day the
  voyage is inside a seasonal passage or ice region, from the plan's timeline.
  Each leg that would pass such water has up to three ways: straight through all
  of it, through the seasonal routes but clear of ice regions (either waiting at
  its start until the whole transit falls in season), or round by a route free of
  seasons; the solver chooses among them exactly (:class:`routing.plan.solver.Clock`).
  A leg through seasonal water must begin within ``max_wait_days`` of the earliest
  the group could be at its start sailing straight there. Time spent waiting burns
  no fuel.
- A stop must be open to the nation at the time the plan arrives there; if an
  agreement lapses mid-voyage the stop is removed and the plan re-optimised.
- A task group's range is that of its shortest-legged ship, unless a tanker
  sails with it: its finite cargo keeps the escorts topped up underway, then
  they burn their own fuel (:mod:`routing.plan.fuel`). Its speed is at most the
  slowest ship's maximum.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from cachetools import LRUCache
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from routing.air.airspace import shipped_airspaces
from routing.air.router import AirRoute, AirRouter, describe_stretches
from routing.air.rules import AirPolicy, policy, shipped_rules
from routing.budget import check, share
from routing.catalogue.access import Grant, agreements_in_force, grant_for
from routing.catalogue.model import Agreement, Catalogue, Facility
from routing.catalogue.platforms import Platform
from routing.errors import (
    BudgetExceededError,
    InvalidInputError,
    NoRouteError,
    RelosError,
    ServiceUnavailableError,
)
from routing.export.mixin import Exportable
from routing.geo import LonLat, unwrap_array
from routing.memory import row_runs, run_alongside, run_split
from routing.paths import default_cache_dir
from routing.plan.calls import (
    CALL_SERVICE,
    FUEL,
    LIMITS,
    Call,
    CallRules,
    Place,
    group_counts,
    limit_breach,
)
from routing.plan.fuel import FuelState, GroupFuel
from routing.plan.reach import DEFAULT_MAX_STOPS, Reach
from routing.plan.reach import reach as compute_reach
from routing.plan.request import GroupItem, Member, PlanRequest, PlanSpec, build_request
from routing.plan.scenario import Scenario
from routing.plan.screen import RangeScreen
from routing.plan.solver import (
    INF,
    OBJECTIVES,
    Bounds,
    Clock,
    Solution,
    Way,
    bottleneck,
    cut_off,
    lower_bounds,
    sailable,
    solve,
)
from routing.sea.grid import ReachField, load_grid
from routing.sea.passages import SeaData, SeasonRule, ShipSize, ice_warnings
from routing.sea.router import SeaRouter
from routing.sea.timing import (
    Transit,
    earliest_entry,
    next_open_days,
    open_days,
    season_text,
    shut_transits,
    transits,
)
from routing.vocab import COMMERCIAL_PORT, SEA_KINDS, weakest_ice_class

if TYPE_CHECKING:
    import geopandas as gpd

DEFAULT_DWELL_H = {"sea": 24.0, "air": 3.0}
RESUPPLY = {"sea": ("fuel", "provisions", "water"), "air": ("aviation_fuel", "maintenance")}


class SeaLegSource(Protocol):
    """What the planner needs from the sea router."""

    port_ids: tuple[str, ...]

    def ports_matrix(
        self,
        positions: Sequence[int],
        *,
        closed: frozenset[str] = ...,
        date: dt.date | None = ...,
        ice_class: str | None = ...,
        size: ShipSize | None = ...,
        seasons: bool = ...,
    ) -> np.ndarray: ...

    def route(
        self,
        origin: str | LonLat,
        destination: str | LonLat,
        *,
        closed: frozenset[str] = ...,
        date: dt.date | None = ...,
        ice_class: str | None = ...,
        size: ShipSize | None = ...,
        seasons: bool = ...,
    ) -> Any: ...

    def size_closures(self, size: ShipSize | None) -> dict[str, str]: ...


@dataclass(frozen=True)
class TimedTransit:
    """A passage met on a leg, with the times the group enters and leaves it."""

    transit: Transit
    entered: dt.datetime
    left: dt.datetime


@dataclass(frozen=True)
class Leg:
    """One leg between consecutive places of the plan."""

    index: int
    start: Place
    end: Place
    distance_nm: float
    duration_h: float
    passages: tuple[str, ...]
    fuel_on_arrival: float
    """The lowest fuel fraction of any member on arrival."""
    coordinates: np.ndarray  # (n, 2) lon/lat, continuous across the antimeridian
    depart: dt.datetime | None = None
    arrive: dt.datetime | None = None
    wait_h: float = 0.0
    """Hours waited at the leg's start before sailing, for a season (a notice period is
    waited in the port called at: :attr:`Stop.wait_h`)."""
    wait_reason: str | None = None
    transits: tuple[TimedTransit, ...] = ()
    fuel: FuelState | None = None
    """Each member's fuel and the tanker cargo on arrival."""
    airspace: tuple[dict[str, Any], ...] = ()
    """Air legs: the airspace flown through, in order, and the basis each is open on."""


@dataclass(frozen=True)
class Stop:
    """A resupply stop, the agreement that opens it and the times there."""

    index: int
    place: Place
    grant: Grant
    services: tuple[str, ...]
    arrival: dt.datetime
    departure: dt.datetime
    fuel_on_arrival: float
    notice_days: int | None
    request_by: dt.datetime | None
    fuel: FuelState | None = None
    wait_h: float = 0.0
    """Hours waited in port before the call could begin (its notice period)."""
    wait_reason: str | None = None


@dataclass(frozen=True)
class Plan(Exportable):
    """A plan, or the reason there is none (``feasible`` false) with suggestions."""

    request: PlanRequest
    feasible: bool
    speed_kn: float
    usable_range_nm: float
    origin: Place
    destination: Place
    legs: tuple[Leg, ...] = ()
    stops: tuple[Stop, ...] = ()
    reason: str | None = None
    suggestions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    platform_label: str = ""
    scenario: str = "baseline"
    versions: dict[str, str] = field(default_factory=dict)
    calls: tuple[Call, ...] = ()
    """The calls at the origin, each waypoint and the destination (feasible plans)."""
    avoided: tuple[tuple[str, str], ...] = ()
    """Passages the group does not fit (draught, beam, air draught), with the reason each."""
    range_basis: str = ""
    """What sets the longest stretch between resupplies (a member, a tanker's cargo)."""
    season_closed: tuple[str, ...] = ()
    """Passages the plan keeps out of because it would be in them out of season."""
    air_policy: AirPolicy | None = None
    """Air plans: the airspace open to the flight and why (closed states included)."""

    @property
    def distance_nm(self) -> float:
        """Total distance sailed or flown."""
        return sum(leg.distance_nm for leg in self.legs)

    @property
    def sailing_h(self) -> float:
        """Hours under way."""
        return sum(leg.duration_h for leg in self.legs)

    @property
    def dwell_h(self) -> float:
        """Hours alongside at resupply stops (waits apart)."""
        return sum((s.departure - s.arrival).total_seconds() / 3600 - s.wait_h for s in self.stops)

    @property
    def wait_h(self) -> float:
        """Hours waited for seasons and notice periods."""
        return sum(leg.wait_h for leg in self.legs) + sum(s.wait_h for s in self.stops)

    @property
    def duration_h(self) -> float:
        """Departure to arrival, hours."""
        return self.sailing_h + self.dwell_h + self.wait_h

    @property
    def eta(self) -> dt.datetime:
        """Arrival time at the destination."""
        return self.request.departure + dt.timedelta(hours=self.duration_h)

    @property
    def passages(self) -> tuple[str, ...]:
        """Passages traversed, in order, each once."""
        seen: list[str] = []
        for leg in self.legs:
            for p in leg.passages:
                if p not in seen:
                    seen.append(p)
        return tuple(seen)

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """Legs (LineStrings), stops, origin and destination (Points) as a GeoDataFrame.

        One row each, EPSG:4326, with a ``role`` column (``leg``, ``stop``,
        ``origin``, ``destination``) and the figures of each (``distance_nm``,
        ``arrival``, ``agreement``...). Leg lines are continuous across the
        antimeridian (longitudes may leave [-180, 180]).
        """
        import geopandas as gpd
        from shapely import LineString, Point

        rows: list[dict[str, Any]] = []
        for leg in self.legs:
            rows.append(
                {
                    "role": "leg",
                    "index": leg.index,
                    "name": f"{leg.start.name} - {leg.end.name}",
                    "distance_nm": leg.distance_nm,
                    "duration_h": leg.duration_h,
                    "passages": ",".join(leg.passages),
                    "fuel_on_arrival": leg.fuel_on_arrival,
                    "geometry": LineString(leg.coordinates),
                }
            )
        for stop in self.stops:
            rows.append(
                {
                    "role": "stop",
                    "index": stop.index,
                    "name": stop.place.name,
                    "facility_id": stop.place.key,
                    "agreement": stop.grant.agreement,
                    "arrival": stop.arrival,
                    "departure": stop.departure,
                    "fuel_on_arrival": stop.fuel_on_arrival,
                    "geometry": Point(stop.place.point),
                }
            )
        for role, place in (("origin", self.origin), ("destination", self.destination)):
            rows.append(
                {
                    "role": role,
                    "name": place.name,
                    "facility_id": place.facility.id if place.facility else None,
                    "geometry": Point(place.point),
                }
            )
        return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")

    # -- exports and notebook display (routing.export, routing.display) ----------------------

    def answer(self) -> dict[str, Any]:
        """The plan as the ``POST /plans`` answer (:func:`routing.plan.serialize.plan_json`)."""
        if _answer_writer is None:  # set when routing.plan is imported, which this module is in
            raise RuntimeError("routing.plan.serialize is not loaded")
        return _answer_writer(self)

    def export_answer(self) -> dict[str, Any]:
        """What the files are written from (:class:`~routing.export.mixin.Exportable`:
        ``export``, ``to_file``, ``to_gpx``, ``to_kml``, ``to_rtz``, ``to_csv``,
        ``to_gpkg``): the answer, so they are the files the API and the CLI give."""
        return self.answer()

    def __repr__(self) -> str:
        head = f"<Plan {self.request.nation} {self.platform_label or '?'}: "
        head += f"{self.origin.name} -> {self.destination.name}, "
        if not self.feasible:
            return head + "infeasible>"
        return head + (
            f"{self.distance_nm:,.0f} nm, {self.duration_h / 24:.1f} days, "
            f"{len(self.stops)} stop{'' if len(self.stops) == 1 else 's'}>"
        )

    def _repr_html_(self) -> str:
        from routing.display import html, plan_rows

        answer = self.answer()
        title = f"Plan: {self.origin.name} -> {self.destination.name}"
        return html(title, plan_rows(answer), "plan", answer)


_answer_writer: Callable[[Plan], dict[str, Any]] | None = None


def set_answer_writer(writer: Callable[[Plan], dict[str, Any]]) -> None:
    """Called by :mod:`routing.plan.serialize` (which imports this module, so this module
    cannot import it): how :meth:`Plan.answer` turns a plan into its JSON answer."""
    global _answer_writer
    _answer_writer = writer


def group_profile(
    group: Sequence[Member], speed_kn: float | None, reserve: float
) -> tuple[GroupFuel, float]:
    """The group's fuel model and the speed to plan at.

    Raises :class:`InvalidInputError` for an empty or mixed sea/air group, or a
    speed above the slowest member's maximum.
    """
    if not group:
        raise InvalidInputError("a plan needs a platform or a group", field="platform")
    if len({m.platform.domain for m in group}) > 1:
        raise InvalidInputError("a group cannot mix ships and aircraft", field="group")
    top = min(m.platform.max_speed_kn for m in group)
    if speed_kn is None:
        speed = min(m.platform.at_speed_kn for m in group)
    else:
        if speed_kn <= 0:
            raise InvalidInputError("speed must be positive", field="speed_kn")
        if speed_kn > top:
            slowest = min(group, key=lambda m: m.platform.max_speed_kn).platform
            raise InvalidInputError(
                f"{speed_kn} kn is above the maximum speed of {slowest.name} ({top} kn)",
                field="speed_kn",
            )
        speed = speed_kn
    return GroupFuel.of([(m.platform, m.count) for m in group], speed, reserve), speed


class Planner:
    """Plans deployments over a catalogue and a sea router (both read-only).

    Parameters
    ----------
    catalogue
        Facilities and agreements.
    sea
        The sea router (``None`` disables ship planning: air only).
    """

    def __init__(
        self,
        catalogue: Catalogue,
        sea: SeaLegSource | None,
        *,
        platforms: dict[str, Platform] | None = None,
        air: AirRouter | None = None,
        air_cache_dir: Path | None = None,
    ) -> None:
        self.catalogue = catalogue
        self._air = air
        self._air_cache_dir = air_cache_dir
        self._air_lock = Lock()
        self._reach_lock = Lock()  # the grid's first build (seconds) must not hold up air
        self._reach_field: ReachField | None = None
        self.sea = sea
        self.platforms = platforms or {}
        self._sea_ports = tuple(f for f in catalogue if f.kind in SEA_KINDS)
        self._airbases = tuple(f for f in catalogue if f.kind == "airbase")
        self._port_pos = {pid: i for i, pid in enumerate(sea.port_ids)} if sea else {}
        self._cand_cache: LRUCache[tuple[Any, ...], tuple[list[tuple[Facility, Grant]], list[str]]]
        self._cand_cache = LRUCache(maxsize=256)
        self._cand_lock = Lock()
        self._leg_cache: LRUCache[tuple[Any, ...], Any] = LRUCache(maxsize=4096)
        # the passages' places along a sea leg alone, which the timed search asks of
        # thousands of legs again and again (the tracks above are kept for fewer)
        self._transit_cache: LRUCache[tuple[Any, ...], tuple[Transit, ...]] = LRUCache(
            maxsize=TRANSITS_KEPT
        )
        # bounded by bytes: at 5,000 facilities one entry (four matrices over ~1,800
        # candidate stops) is ~100 MB, and 256 of them took a process past 12 GB
        self._ways_cache: LRUCache[tuple[Any, ...], tuple[np.ndarray, ...]] = LRUCache(
            maxsize=WAYS_CACHE_BYTES, getsizeof=_nbytes
        )
        self._bounds_cache: LRUCache[tuple[Any, ...], Bounds] = LRUCache(maxsize=256)
        self._made: dict[str, Place] = {}  # candidate stops as places, by facility id
        self._places_cache: LRUCache[tuple[Any, ...], Any] = LRUCache(maxsize=64)
        self._screen_cache: LRUCache[tuple[Any, ...], Any] = LRUCache(maxsize=8)
        self._untimed_cache: LRUCache[tuple[Any, ...], Solution | None] = LRUCache(maxsize=64)

    # ------------------------------------------------------------- requests
    def request(
        self,
        *,
        nation: str,
        origin: str | LonLat | tuple[float, float],
        destination: str | LonLat | tuple[float, float],
        platform: str | Platform | None = None,
        group: Sequence[tuple[str | Platform, int]] = (),
        departure: dt.datetime | dt.date | str | None = None,
        waypoints: Sequence[str | LonLat | tuple[float, float]] = (),
        **options: Any,
    ) -> PlanRequest:
        """A :class:`PlanRequest` from plain values, for scripts and notebooks.

        The keywords are the fields of :class:`~routing.plan.request.PlanSpec`
        (``POST /plans``); ``platform`` and group members may also be
        :class:`Platform` objects, ``departure`` a date, and points ``(lon, lat)``.
        The request is built by :func:`~routing.plan.request.build_request`, as the
        HTTP API and the CLI build theirs.
        """
        registry = dict(self.platforms)

        def plat(p: str | Platform) -> str:
            if isinstance(p, Platform):
                registry[p.id] = p
                return p.id
            return p

        def place(p: str | LonLat | tuple[float, float]) -> str:
            return p if isinstance(p, str) else f"{float(p[0])},{float(p[1])}"

        if isinstance(departure, dt.date) and not isinstance(departure, dt.datetime):
            departure = dt.datetime.combine(departure, dt.time())
        members = [GroupItem(platform=plat(p), count=n) for p, n in group]
        if platform is not None and members:
            members.insert(0, GroupItem(platform=plat(platform)))
        spec = PlanSpec.model_validate(
            {
                "nation": nation,
                "platform": plat(platform) if platform is not None and not members else None,
                "group": members or None,
                "origin": place(origin),
                "destination": place(destination),
                "waypoints": [place(w) for w in waypoints],
                "departure": departure,
                **{
                    k: sorted(v) if isinstance(v, set | frozenset) else v
                    for k, v in options.items()
                },
            }
        )
        data = getattr(self.sea, "sea", None)
        return build_request(spec, registry, catalogue=self.catalogue, sea=data)

    # ----------------------------------------------------------------- reach
    @property
    def reach_field(self) -> ReachField:
        """Sea distances from ports over open water (:mod:`routing.sea.grid`; the grid
        is built on first use and cached on disk next to the sea graph)."""
        if not isinstance(self.sea, SeaRouter):
            raise ServiceUnavailableError("reach needs the sea graph, which is not loaded")
        with self._reach_lock:
            if self._reach_field is None:
                self._reach_field = ReachField(self.sea, load_grid(self.sea, self.sea.cache_dir))
            return self._reach_field

    def reach(
        self,
        req: PlanRequest,
        *,
        origins: Sequence[str] = (),
        days: float | None = None,
        max_stops: int = DEFAULT_MAX_STOPS,
        scenario: Scenario | None = None,
    ) -> Reach:
        """Where ``req``'s group can get from ``origins`` (the nation's naval bases when
        empty) with at most ``max_stops`` resupply stops and within ``days``, using only
        facilities the nation may use (:mod:`routing.plan.reach`). ``req`` comes from
        :meth:`request`; its origin and destination are not used."""
        req, scn, cat = self._prepare(req, scenario)
        fuel, speed = group_profile(req.group, req.speed_kn, req.reserve)
        dwell = DEFAULT_DWELL_H[req.domain] if req.dwell_h is None else req.dwell_h
        cands, _ = self._candidates(cat, req, CallRules(cat, req))
        return compute_reach(
            self.reach_field,
            req,
            cat,
            candidates=cands,
            distances=lambda places, closed: self._matrix(places, req, closed),
            scenario=scn.name,
            range_nm=fuel.stretch_nm,
            speed_kn=speed,
            dwell_h=dwell,
            origins=origins,
            days=days,
            max_stops=max_stops,
        )

    # ------------------------------------------------------------------- air
    @property
    def air(self) -> AirRouter:
        """The air router (the shipped airspace; built on first use, cached on disk)."""
        with self._air_lock:
            if self._air is None:
                cache = self._air_cache_dir or default_cache_dir()
                self._air = AirRouter(shipped_airspaces(), cache_dir=cache)
            return self._air

    def air_policy(self, cat: Catalogue, req: PlanRequest) -> AirPolicy:
        """The airspace open to the request's aircraft on its departure day."""
        return policy(
            self.air.airspaces,
            shipped_rules(),
            cat,
            nation=req.nation,
            day=req.departure.date(),
            allow_clearance=req.allow_clearance,
            denied=sorted(req.denied_countries),
            closed_airspace=sorted(req.closed_airspace),
            opened_airspace=sorted(req.opened_airspace),
            dropped=sorted(req.dropped_agreements),
        )

    @staticmethod
    def _visit(*places: Place) -> frozenset[str]:
        return frozenset(p.facility.country for p in places if p.facility is not None)

    def _air_leg(self, a: Place, b: Place, air: AirPolicy) -> AirRoute:
        """The flight ``a -> b`` in the airspace ``air`` opens to it (cached)."""
        mask = air.closed(self._visit(a, b))
        key = ("air", a.key, b.key, a.point, b.point, np.packbits(mask).tobytes())
        with self._cand_lock:
            hit = self._leg_cache.get(key)
        if hit is None:
            hit = self.air.route(a.point, b.point, mask)
            with self._cand_lock:
                self._leg_cache[key] = hit
        return hit

    def _no_air_route(self, a: Place, b: Place, air: AirPolicy) -> str:
        """Why no flight from ``a`` to ``b`` stays in open airspace, naming the airspace."""
        route = self._air_leg(a, b, air)
        why = self.air.why_not(a.point, b.point, route, air, sorted(self._visit(a, b)))
        return f"no air route from {a.name} to {b.name} in open airspace: {why}"

    # ------------------------------------------------------------------ places
    def _place(self, cat: Catalogue, ref: str | LonLat, *, field: str, domain: str) -> Place:
        if isinstance(ref, LonLat):
            label = f"{ref.lat:.3f}, {ref.lon:.3f}"
            return Place(f"pt:{ref.lon:.5f},{ref.lat:.5f}", ref, label)
        fac = cat.facility(ref, field=field)
        if domain == "sea" and fac.kind not in SEA_KINDS:
            raise InvalidInputError(
                f"{fac.id} is an {fac.kind}; ships need a port or naval base", field=field
            )
        if domain == "air" and fac.kind != "airbase":
            raise InvalidInputError(
                f"{fac.id} is a {fac.kind}; aircraft need an airbase", field=field
            )
        return Place(fac.id, fac.point, fac.name, fac)

    # ------------------------------------------------------------ distances
    def _matrix(
        self,
        places: Sequence[Place],
        req: PlanRequest,
        closed: frozenset[str],
        *,
        date: dt.date | None = None,
        air: AirPolicy | None = None,
        refine_nm: float = np.inf,
        shared: bool = False,
    ) -> np.ndarray:
        """Distances between ``places`` with ``closed`` shut; seasons are left to the
        timeline unless a ``date`` is given (then they are those of that day). Air legs
        stay in the airspace ``air`` opens. ``shared``: the caller only reads it, so where
        every place is a port of the graph it may be the router's block itself (read-only;
        a copy is candidates^2 cells, megabytes)."""
        if req.domain == "air":
            assert air is not None
            countries = [p.facility.country if p.facility else None for p in places]
            return self.air.distances(
                [p.point for p in places], countries, air, refine_nm=refine_nm
            )
        if self.sea is None:
            raise ServiceUnavailableError("ship planning needs the sea graph, which is not loaded")
        on_graph = [p.facility is not None and p.key in self._port_pos for p in places]
        idx = [self._port_pos[p.key] if ok else 0 for p, ok in zip(places, on_graph, strict=True)]
        block = self.sea.ports_matrix(
            idx,
            closed=closed,
            date=date,
            ice_class=req.voyage_ice_class,
            size=req.size,
            seasons=date is not None,
        )
        if shared and all(on_graph):
            return np.asarray(block, dtype=float)
        out = np.array(block, dtype=float)
        for i, ok in enumerate(on_graph):
            if ok:
                continue
            # A bare sea point (or a port the graph does not know): route to every place.
            for j, other in enumerate(places):
                if i == j:
                    out[i, j] = 0.0
                    continue
                out[i, j] = self._route_nm(places[i], other, req, closed, date=date)
                out[j, i] = self._route_nm(other, places[i], req, closed, date=date)
        return out

    def _route_nm(
        self,
        a: Place,
        b: Place,
        req: PlanRequest,
        closed: frozenset[str],
        *,
        date: dt.date | None = None,
    ) -> float:
        assert self.sea is not None
        try:
            route = self.sea.route(
                a.ref,
                b.ref,
                closed=closed,
                date=date,
                ice_class=req.voyage_ice_class,
                size=req.size,
                seasons=date is not None,
            )
        except NoRouteError:
            return INF
        return float(route.distance_nm)

    # ------------------------------------------------------------ candidates
    @cached_property
    def _pool_order(self) -> dict[str, dict[str, int]]:
        """Each facility's place in the order :meth:`_candidates` asks them in, by domain
        (made when a suggestion first asks, not at start-up)."""
        return {
            "sea": {f.id: i for i, f in enumerate(self._sea_ports)},
            "air": {f.id: i for i, f in enumerate(self._airbases)},
        }

    @cached_property
    def _pool_grantors(self) -> dict[str, dict[str, list[int]]]:
        """The places in that order of the facilities each nation may open, by domain."""
        return {"sea": _by_grantor(self._sea_ports), "air": _by_grantor(self._airbases)}

    def _candidates(
        self,
        cat: Catalogue,
        req: PlanRequest,
        rules: CallRules,
        *,
        adding: tuple[Catalogue, Agreement] | None = None,
    ) -> tuple[list[tuple[Facility, Grant]], list[str]]:
        """Facilities the group may resupply at on the departure date, and those a
        group limit excludes. Cached: the answer depends only on the key below.
        ``adding``: ``cat`` is that catalogue with that agreement added (a suggestion's
        variant), so only the facilities of its other parties are asked again."""
        day = req.departure.date()
        key = (
            cat.content_key(),
            req.nation,
            req.domain,
            tuple(a.id for a in rules.agreements_on(day)),
            req.closed_facilities | req.avoid_facilities,
            # the group's size only as the agreements whose limits it is within: a group
            # of another size (a new ship's crew) within the same ones has the same stops
            tuple(a.id for a in rules.admitting(day)),
            req.min_confidence,
            req.allow_clearance and req.clearance_stops,
            req.denied_countries,
            _runway_need(req),
        )
        with self._cand_lock:
            hit = self._cand_cache.get(key)
        if hit is not None:
            return hit
        pool = self._sea_ports if req.domain == "sea" else self._airbases
        extra = self._extra(cat, req.domain)
        asked: Sequence[Facility] = (*pool, *extra)
        base: tuple[list[tuple[Facility, Grant]], list[str]] | None = None
        if adding is not None and len(cat.facilities) == len(adding[0].facilities):
            # what the agreement opens is at its other parties' facilities; every other
            # facility's grant is the one it has without it (grant_for reads only the
            # agreements a grantor of the facility is party to)
            before, agr = adding
            base = self._candidates(before, req, CallRules(before, req))
            others = set(agr.parties) - {req.nation}
            by = self._pool_grantors[req.domain]
            theirs = sorted({i for g in others for i in by.get(g, ())})
            asked = [
                *(pool[i] for i in theirs),
                *(f for f in extra if not others.isdisjoint(f.grantors)),
            ]
        out, limited = self._judge(asked, req, rules)
        if base is not None:
            again = {f.id for f in asked}
            at = self._pool_at(req.domain, extra)
            out = sorted(
                (*(c for c in base[0] if c[0].id not in again), *out), key=lambda c: at[c[0].id]
            )
            limited = sorted(
                (*(f for f in base[1] if f not in again), *limited), key=lambda f: at[f]
            )
        with self._cand_lock:
            self._cand_cache[key] = (out, limited)
        return out, limited

    def _extra(self, cat: Catalogue, domain: str) -> list[Facility]:
        """The facilities of ``cat`` not in the planner's catalogue (a scenario's own)
        that ``domain`` may call at."""
        own = cat.facilities.keys() - self.catalogue.facilities.keys()
        if not own:  # (no Python loop over a big catalogue's facilities)
            return []
        return [
            f
            for f in cat
            if f.id in own and (f.kind in SEA_KINDS if domain == "sea" else f.kind == "airbase")
        ]

    def _pool_at(self, domain: str, extra: Sequence[Facility]) -> dict[str, int]:
        """Each facility's place in the order :meth:`_candidates` asks them in (the
        catalogue's, then ``extra``, a scenario's own)."""
        at = self._pool_order[domain]
        if not extra:
            return at
        return {**at, **{f.id: len(at) + i for i, f in enumerate(extra)}}

    def _judge(
        self, facilities: Sequence[Facility], req: PlanRequest, rules: CallRules
    ) -> tuple[list[tuple[Facility, Grant]], list[str]]:
        """Of ``facilities``, those the group may resupply at on the departure date with
        their grants, and those a group limit excludes, in the order given."""
        day = req.departure.date()
        fuel = FUEL[req.domain]
        clearance = req.allow_clearance and req.clearance_stops
        need = _runway_need(req)
        out: list[tuple[Facility, Grant]] = []
        limited: list[str] = []
        # without clearance, only a facility of the nation's own or of another party to
        # one of its agreements can be opened (grant_for): the others are not asked
        parties = {p for a in rules.agreements_on(day) for p in a.parties} - {req.nation}
        for fac in facilities:
            if fac.id in req.closed_facilities or fac.id in req.avoid_facilities:
                continue
            if (
                not clearance
                and req.nation not in fac.grantors
                and parties.isdisjoint(fac.grantors)
            ):
                continue
            if need is not None and _runway_short(fac, need[0]):
                continue
            grant = rules.grant(fac, day, fuel, clearance=clearance)
            if grant is None:
                unlimited = grant_for(fac, req.nation, rules.agreements_on(day), service=fuel)
                if unlimited is not None and unlimited.basis == "agreement":
                    limited.append(fac.id)
                continue
            out.append((fac, grant))
        return out, limited

    # ------------------------------------------------------------------ plan
    def plan(
        self, req: PlanRequest, *, scenario: Scenario | None = None, suggest: bool = True
    ) -> Plan:
        """The optimal plan for ``req`` (under ``scenario``, if given).

        With ``suggest=False`` an infeasible plan keeps its reason but gets no
        suggestions, each of which costs a re-plan (sweeps of thousands of cases)."""
        req, scn, cat = self._prepare(req, scenario)
        plan = self._plan(req, scn.name, cat, explain=suggest)
        if not suggest and plan.suggestions in (("range",), ("access",)):
            plan = replace(plan, suggestions=())
        return plan

    def _plan(
        self,
        req: PlanRequest,
        scenario: str,
        cat: Catalogue,
        *,
        explain: bool,
        why: bool = True,
        among: _Shared | None = None,
    ) -> Plan:
        """Plan ``req`` over ``cat``; with ``explain``, an infeasible plan gets checked
        suggestions (each of which is planned without them); without ``why``, its reason
        is left short (a variant's, which nobody reads). ``among``: see
        :meth:`_solve_places`."""
        fuel, speed = group_profile(req.group, req.speed_kn, req.reserve)
        domain = req.domain
        origin = self._place(cat, req.origin, field="origin", domain=domain)
        dest = self._place(cat, req.destination, field="destination", domain=domain)
        waypoints = [
            self._place(cat, w, field=f"waypoints.{i}", domain=domain)
            for i, w in enumerate(req.waypoints)
        ]
        base = Plan(
            request=req,
            feasible=False,
            speed_kn=speed,
            usable_range_nm=fuel.stretch_nm,
            origin=origin,
            destination=dest,
            platform_label=" + ".join(
                f"{m.count} x {m.platform.name}" if m.count > 1 else m.platform.name
                for m in req.group
            ),
            scenario=scenario,
            avoided=self._avoided(req),
            range_basis=fuel.explain(),
            air_policy=self.air_policy(cat, req) if domain == "air" else None,
        )
        need = _runway_need(req)
        if need is not None:
            for p in (origin, *waypoints):
                if p.facility is not None and _runway_short(p.facility, need[0]):
                    return replace(base, reason=_runway_text(p.facility, need))
        first = self._plan_itinerary(
            req, base, cat, fuel, (origin, dest, waypoints), why=why, among=among
        )
        if first.feasible and need is not None and _runway_short(dest.facility, need[0]):
            first = replace(
                first,
                warnings=(
                    *first.warnings,
                    _runway_text(dest.facility, need)
                    + ": it may land, but could not take off again at that weight",
                ),
            )
        if first.feasible or not explain:
            return first
        rules = CallRules(cat, req)
        if first.suggestions == ("access",):
            return replace(first, suggestions=tuple(self._suggest_access(cat, req, scenario)))
        if first.suggestions == ("range",):
            _, limited = self._candidates(cat, req, rules)
            screen = self._screen(cat, req, fuel, (origin, *waypoints, dest))
            suggestions, short = self._suggest(cat, req, fuel, limited, screen)
            return replace(
                first, suggestions=tuple(suggestions), warnings=(*first.warnings, *short)
            )
        return first

    def _screen(
        self, cat: Catalogue, req: PlanRequest, fuel: GroupFuel, targets: Sequence[Place]
    ) -> _Screen | None:
        """What an infeasible sea plan measured, to rule out its variants unplanned
        (:mod:`routing.plan.screen`); ``None`` for air plans."""
        if req.domain != "sea" or self.sea is None:
            return None
        cands, _ = self._candidates(cat, req, CallRules(cat, req))
        places, tix, _, stop_ok = self._solve_places(targets, cands)
        ways = _Ways(self, req, places, fuel.speed, max_leg=fuel.stretch_nm)
        shut = req.closed_facilities | req.avoid_facilities
        key = (ways.key, tuple(tix), fuel.stretch_nm, cat.content_key(), shut, id(cands))
        with self._cand_lock:  # what it measured and indexed serves the same plan again
            hit = self._screen_cache.get(key)
        if hit is not None and hit[0] is cands:
            return hit[1]
        lon = np.array([p.point.lon for p in places])
        lat = np.array([p.point.lat for p in places])
        known = frozenset(p.key for p in places)
        fuel_svc = FUEL[req.domain]
        others = [
            f
            for f in cat
            if f.kind in SEA_KINDS
            and f.id not in known
            and f.id not in shut
            and fuel_svc in f.services
        ]
        screen = _Screen(
            RangeScreen(ways.dist, lon, lat, tix, stop_ok, fuel.stretch_nm),
            others,
            _by_grantor(others),
        )
        if ways.seasonal:

            def timed() -> RangeScreen | None:
                if self._without_clock(ways, tix, stop_ok, fuel, req) is None:
                    return None  # no plan even on every leg: the clock is not to blame
                clock = Clock(ways.ways, max_wait=req.max_wait_days * 24.0)
                legs = sailable(ways.dist, tix, clock, fuel.speed)
                if legs is ways.dist:
                    return None
                return RangeScreen(legs, lon, lat, tix, stop_ok, fuel.stretch_nm)

            screen.make_timed, screen.speed = timed, fuel.speed
        with self._cand_lock:
            self._screen_cache[key] = (cands, screen)
        return screen

    def _sea_data(self) -> SeaData | None:
        data = getattr(self.sea, "sea", None)
        return data if isinstance(data, SeaData) else None

    def _plan_itinerary(
        self,
        req: PlanRequest,
        base: Plan,
        cat: Catalogue,
        fuel: GroupFuel,
        places: tuple[Place, Place, Sequence[Place]],
        *,
        why: bool = True,
        among: _Shared | None = None,
    ) -> Plan:
        """The plan: re-planned while an agreement lapses before a stop is reached. An
        infeasible result carries ``suggestions == ("range",)`` or ``("access",)`` for the
        caller to fill. ``among``: see :meth:`_solve_places`."""
        origin, dest, waypoints = places
        rules = CallRules(cat, req)
        dwell = DEFAULT_DWELL_H[req.domain] if req.dwell_h is None else req.dwell_h
        excluded: set[str] = set()
        for _ in range(12):
            cands, limited = self._candidates(cat, req, rules)
            if excluded:
                cands = [(f, g) for f, g in cands if f.id not in excluded]
            try:
                result = self._solve(
                    cat,
                    req,
                    rules,
                    [origin, *waypoints, dest],
                    cands,
                    fuel,
                    dwell,
                    why=why,
                    among=among,
                )
            except NoRouteError as exc:
                return replace(
                    base,
                    reason=exc.message,
                    suggestions=tuple(f"reopen {c}" for c in exc.closures),
                )
            if isinstance(result, str):
                reason = result + _limit_note(cat, rules, limited)
                return replace(base, reason=reason, suggestions=("range",))
            plan = self._assemble(base, rules, req, result, fuel, dwell)
            lapsed = [
                s.place.key
                for s in plan.stops
                if s.grant.basis == "agreement"
                and not any(
                    cat.agreements[a].in_force_on(s.arrival.date()) for a in s.grant.agreements
                )
            ]
            if lapsed:
                excluded.update(lapsed)
                continue
            calls = self._calls(plan, rules, places)
            if isinstance(calls, str):
                return replace(base, reason=calls, suggestions=("access",))
            return replace(
                plan,
                calls=calls,
                warnings=(
                    *plan.warnings,
                    *_wait_warnings(plan),
                    *_call_warnings(plan, calls),
                    *self._ice(plan),
                ),
            )
        return replace(base, reason="agreements lapse during the voyage at every candidate stop")

    def _ice(self, plan: Plan) -> list[str]:
        """The ice rules (those that warn) the voyage meets in each ice region, on the
        days it is there."""
        data = self._sea_data()
        if data is None:
            return []
        ice = plan.request.voyage_ice_class
        out: list[str] = []
        for leg in plan.legs:
            for tt in leg.transits:
                region = data.by_id[tt.transit.passage]
                if not region.ice_rules:
                    continue
                for day in {tt.entered.date(), tt.left.date()}:
                    for text in ice_warnings([region], day, ice):
                        if text not in out:
                            out.append(text)
        return out

    def _avoided(self, req: PlanRequest) -> tuple[tuple[str, str], ...]:
        """Passages the group's largest ship does not fit."""
        if req.domain != "sea" or self.sea is None:
            return ()
        return tuple(sorted(self.sea.size_closures(req.size).items()))

    def _calls(
        self, plan: Plan, rules: CallRules, places: tuple[Place, Place, Sequence[Place]]
    ) -> tuple[Call, ...] | str:
        """The calls at the origin, each waypoint and the destination, at the times the
        plan is there; a string names the first call that may not be made, and why."""
        origin, dest, waypoints = places
        req = plan.request
        service = CALL_SERVICE[req.domain]
        visits = [(leg.end, leg_arrival) for leg, leg_arrival in _arrivals(plan)]
        targets = [("waypoint", w) for w in waypoints] + [("destination", dest)]
        out: list[Call] = []
        first = rules.call("origin", origin, req.departure, service)
        if isinstance(first, str):
            return f"origin: {first} (departure {req.departure.date().isoformat()})"
        out.append(first)
        k = 0
        for role, place in targets:
            while k < len(visits) and visits[k][0].key != place.key:
                k += 1
            when = visits[k][1] if k < len(visits) else plan.eta
            call = rules.call(role, place, when, service)
            if isinstance(call, str):
                return f"{role}: {call} (arrival {when.date().isoformat()})"
            out.append(call)
            k += 1
        return tuple(out)

    def _prepare(
        self, req: PlanRequest, scenario: Scenario | None
    ) -> tuple[PlanRequest, Scenario, Catalogue]:
        """Check the request, apply the scenario: the request, scenario and catalogue to use."""
        if req.objective not in OBJECTIVES:
            raise InvalidInputError(
                f"objective must be one of {', '.join(OBJECTIVES)}", field="objective"
            )
        if not 0 <= req.reserve < 1:
            raise InvalidInputError("reserve must be in [0, 1)", field="reserve")
        if req.max_stops < 0:
            raise InvalidInputError("max_stops must be 0 or more", field="max_stops")
        scn = scenario or Scenario()
        if scenario is not None:
            scn.validate(self.catalogue, self.platforms)
            req = scn.apply(req, self.platforms)
        cat = scn.catalogue(self.catalogue)
        for fid in req.closed_facilities | req.avoid_facilities:
            cat.facility(fid, field="closed_facilities")
        for aid in req.dropped_agreements:
            cat.agreement(aid, field="dropped_agreements")
        return req, scn, cat

    def _bounds_of_fewer(
        self, key: tuple[Any, ...], tix: Sequence[int]
    ) -> tuple[Bounds, np.ndarray] | None:
        """Kept bounds of some of these places with the same targets and ways (a plan's,
        for a variant that opens a few more ports: their legs are the same), and where
        each of their places is now; the one of most places, or None."""
        places, rest = key[0], key[1:]
        want = tuple(places[t] for t in tix)
        with self._cand_lock:
            kept = list(self._bounds_cache.items())
        fewer = [
            (len(k[0]), k[0], b)
            for (k, t), b in kept
            if len(k[0]) < len(places) and k[1:] == rest and tuple(k[0][i] for i in t) == want
        ]
        if not fewer:
            return None
        now = {p: i for i, p in enumerate(places)}
        for _, old, b in sorted(fewer, key=lambda f: -f[0]):
            if now.keys() >= set(old):
                return b, np.array([now[p] for p in old], dtype=np.int64)
        return None

    def _solve(
        self,
        cat: Catalogue,
        req: PlanRequest,
        rules: CallRules,
        targets: Sequence[Place],
        cands: Sequence[tuple[Facility, Grant]],
        fuel: GroupFuel,
        dwell: float,
        *,
        why: bool = True,
        among: _Shared | None = None,
    ) -> _Solved | str:
        """Solve; a string is the reason when there is no plan (without ``why``, only
        that there is none). ``among``: see :meth:`_solve_places`."""
        places, tix, grants, stop_ok = self._solve_places(targets, cands, among)
        air = self.air_policy(cat, req) if req.domain == "air" else None
        # a group of variants over the same places and legs shares their ways (and what
        # the timed search keeps of them)
        wkey = (
            tuple(p.key for p in places),
            id(req),
            fuel.speed,
            fuel.stretch_nm,
            air.key if air is not None else None,
        )
        ways = among.ways.get(wkey) if among is not None else None
        if ways is None:
            ways = _Ways(self, req, places, fuel.speed, air=air, max_leg=fuel.stretch_nm)
            if among is not None:
                among.ways[wkey] = ways
        dist = ways.dist
        for a, b in itertools.pairwise(tix):
            if not np.isfinite(dist[a, b]) and not (
                np.isfinite(dist[a]).any() and np.isfinite(dist[:, b]).any()
            ):
                if air is not None:
                    raise NoRouteError(self._no_air_route(places[a], places[b], air))
                raise NoRouteError(
                    f"no sea route from {places[a].name} to {places[b].name} under these closures",
                    closures=sorted(req.closed),
                )
        not_before = np.full(len(places), -INF)
        if req.notice_from is not None:
            for i, p in enumerate(places):
                notice = rules.notice(grants[p.key]) if p.key in grants else None
                if notice:
                    due = req.notice_from + dt.timedelta(days=notice) - req.departure
                    not_before[i] = due.total_seconds() / 3600
        clock = None
        if ways.seasonal or np.isfinite(not_before).any():
            clock = Clock(ways.ways, not_before, max_wait=req.max_wait_days * 24.0, memo=ways.memo)
        sol = self._solved(
            ways,
            tix,
            stop_ok,
            fuel.stretch_nm,
            max_stops=req.max_stops,
            objective=req.objective,
            speed=fuel.speed,
            dwell=dwell,
            clock=clock,
        )
        if sol is not None:
            return _Solved(places, sol, grants, ways)
        if not why:
            return "no plan fits the range and the stop limit"
        # if a plan fits without the clock, the seasons (and the wait they allow) are why
        untimed = (
            self._without_clock(ways, tix, stop_ok, fuel, req)
            if clock is not None and ways.seasonal
            else None
        )
        if req.domain == "sea":  # explained on the routes of the departure's seasons
            dist = self._matrix(places, req, req.closed, date=req.departure.date())
        for a, b in itertools.pairwise(tix):
            if air is not None and not _connected(dist, a, b):
                return self._no_air_route(places[a], places[b], air)
        plain = self._explain(places, dist, tix, stop_ok, fuel, req)
        if untimed is None:
            return plain
        season = self._out_of_season(places, untimed, ways, req)
        return f"{season}; on the seasons of the departure's day, {plain}"

    def _solved(
        self,
        ways: _Ways,
        tix: Sequence[int],
        stop_ok: np.ndarray,
        max_leg: float,
        **options: Any,
    ) -> Solution | None:
        """:func:`~routing.plan.solver.solve` over ``ways``' legs with their lower bounds
        (kept with the legs and targets: they depend on nothing else); ``None`` at once
        when a range gap cuts the targets apart (:func:`~routing.plan.solver.cut_off`:
        then there is no plan, and the bounds are not worked out)."""
        bkey = (ways.key, tuple(tix))
        with self._cand_lock:
            bounds = self._bounds_cache.get(bkey)
        if bounds is None:
            if cut_off(ways.dist, tix, stop_ok, max_leg):
                return None
            bounds = lower_bounds(ways.dist, tix, known=self._bounds_of_fewer(ways.key, tix))
            with self._cand_lock:
                self._bounds_cache[bkey] = bounds
        return solve(ways.dist, tix, stop_ok, max_leg=max_leg, bounds=bounds, **options)

    def _without_clock(
        self,
        ways: _Ways,
        tix: Sequence[int],
        stop_ok: np.ndarray,
        fuel: GroupFuel,
        req: PlanRequest,
    ) -> Solution | None:
        """The shortest itinerary on every way of every leg, seasons and notice aside
        (``None``: none fits the range and the stop limit even so): asked by an infeasible
        plan's reason and again by its screen, so kept."""
        key = (ways.key, tuple(tix), stop_ok.tobytes(), fuel.stretch_nm, req.max_stops)
        with self._cand_lock:
            if key in self._untimed_cache:
                return self._untimed_cache[key]
        sol = self._solved(
            ways, tix, stop_ok, fuel.stretch_nm, max_stops=req.max_stops, objective="min_distance"
        )
        with self._cand_lock:
            self._untimed_cache[key] = sol
        return sol

    def _out_of_season(
        self, places: Sequence[Place], sol: Solution, ways: _Ways, req: PlanRequest
    ) -> str:
        """Why a plan that fits the range and the stop limit on the map fails on the
        clock: every itinerary needs seasonal water (on free ways alone there would be no
        clock to fail), the water the shortest goes through and when it is open, and the
        wait allowed."""
        seasonal: list[str] = []
        for ia, ib in itertools.pairwise(sol.sequence):
            if ia == ib:
                continue
            for passage in ways.geometry(ia, ib, ways.shortest(ia, ib))[1]:
                if passage in ways.seasons and passage not in seasonal:
                    seasonal.append(passage)
        data = self._sea_data()
        names = [
            f"{data.by_id[p].name if data is not None and p in data.by_id else p} ({p}: "
            f"{season_text(ways.seasons[p], req.voyage_ice_class)})"
            for p in seasonal
        ]
        through = "; ".join(names) if names else "seasonal water"
        return (
            f"no itinerary fits the seasons: every one within the range and "
            f"max_stops={req.max_stops} needs seasonal water (the shortest goes through "
            f"{through}), and none is in season within max_wait_days={req.max_wait_days} of "
            "the earliest the group could be there"
        )

    def _solve_places(
        self,
        targets: Sequence[Place],
        cands: Sequence[tuple[Facility, Grant]],
        among: _Shared | None = None,
    ) -> tuple[list[Place], list[int], dict[str, Grant], np.ndarray]:
        """:func:`_places_of` the candidates, the grant opening each and which places
        are stops, kept for the last few lists of candidates (the same list object, from
        :meth:`_candidates`'s cache, and the same targets): thousands of candidates are a
        few milliseconds of Python per plan. ``among``: solve over these facilities
        (the candidates among them, in the same order), the others no stop: variants
        that open different ports then share their legs (:meth:`_shared`)."""
        key = (tuple(p.key for p in targets), id(cands), id(among))
        with self._cand_lock:
            hit = self._places_cache.get(key)
        if hit is not None and hit[0] is cands and hit[1] == tuple(targets) and hit[2] is among:
            return hit[3]
        grants = {fac.id: grant for fac, grant in cands}
        stops = [fac for fac, _ in cands]
        if among is not None and grants.keys() <= {f.id for f in among.stops}:
            stops = list(among.stops)
        places, tix = _places_of(targets, stops, self._made)
        stop_ok = np.fromiter((p.key in grants for p in places), dtype=bool, count=len(places))
        stop_ok.setflags(write=False)
        out = (places, tix, grants, stop_ok)
        with self._cand_lock:
            self._places_cache[key] = (cands, tuple(targets), among, out)
        return out

    def _explain(
        self,
        places: Sequence[Place],
        dist: np.ndarray,
        tix: Sequence[int],
        stop_ok: np.ndarray,
        fuel: GroupFuel,
        req: PlanRequest,
    ) -> str:
        """Why no plan fits: the stretch without a usable stop on the route a planner
        would naturally take (the shortest, under the request's closures and season),
        or the stop limit."""
        usable = fuel.stretch_nm
        range_text = f"usable range: {fuel.explain()}"
        gaps: list[tuple[float, int, int, int, int, float]] = []
        for a, b in itertools.pairwise(tix):
            anywhere, path = bottleneck(dist, a, b, stop_ok)
            if not path:
                return (
                    f"no sea route from {places[a].name} to {places[b].name} under these closures"
                )
            direct = float(dist[a, b])
            corridor = stop_ok & (dist[a] + dist[:, b] <= NATURAL_DETOUR * direct)
            gap, route = bottleneck(dist, a, b, corridor)
            if not route:
                gap, route = anywhere, path
            u, v = max(itertools.pairwise(route), key=lambda uv: dist[uv[0], uv[1]])
            gaps.append((gap, a, b, u, v, anywhere))
        gap, a, b, u, v, anywhere = max(gaps)
        if gap <= usable:
            return (
                f"every leg fits the {usable:,.0f} nm usable range, but the voyage needs more "
                f"than max_stops={req.max_stops} resupply stops"
            )
        text = (
            f"on the shortest route from {places[a].name} to {places[b].name} "
            f"({dist[a, b]:,.0f} nm) the stretch from {places[u].name} to {places[v].name} "
            f"is {gap:,.0f} nm with no usable stop between; {range_text}"
        )
        if anywhere <= usable:
            return text + (
                "; a detour off that route would fit the range, but not within "
                f"max_stops={req.max_stops}"
            )
        if anywhere < gap - 0.5:
            text += f"; even with detours, some leg is at least {anywhere:,.0f} nm"
        return text

    def _feasible(
        self, cat: Catalogue, req: PlanRequest, among: _Shared | None = None
    ) -> Plan | None:
        """The plan for ``req`` (a variant of the user's request), if it is feasible
        (``among``: see :meth:`_solve_places`)."""
        check()
        try:
            plan = self._plan(req, "variant", cat, explain=False, why=False, among=among)
        except RelosError:
            return None
        return plan if plan.feasible else None

    def _natural_nm(self, cat: Catalogue, req: PlanRequest) -> float | None:
        """The shortest distance through the request's places in order, no stops."""
        try:
            pts = [
                self._place(cat, ref, field="origin", domain=req.domain)
                for ref in (req.origin, *req.waypoints, req.destination)
            ]
        except RelosError:
            return None
        total = 0.0
        air = self.air_policy(cat, req) if req.domain == "air" else None
        for a, b in itertools.pairwise(pts):
            if air is not None:
                total += self._air_leg(a, b, air).distance_nm
            else:
                total += self._route_nm(a, b, req, req.closed, date=req.departure.date())
        return total if np.isfinite(total) else None

    def _suggest(
        self,
        cat: Catalogue,
        req: PlanRequest,
        fuel: GroupFuel,
        limited: Sequence[str],
        screen: _Screen | None = None,
    ) -> tuple[list[str], list[str]]:
        """What would make an infeasible plan feasible: each re-planned, shown with the
        plan it leads to (distance, days, stops, ETA), cheapest first; one that needs a
        detour of more than half the natural route says so. With a ``screen``, variants
        it proves infeasible are not planned. Within a request's time budget they take at
        most ``SUGGEST_SHARE`` of what is left: if that runs out, those found so far are
        given, with a warning (the second list) that says so."""
        found: list[tuple[str, Plan]] = []
        planned = [0]
        day = req.departure.date()
        in_force = agreements_in_force(cat, req.nation, day, dropped=req.dropped_agreements)
        speed = fuel.speed

        def may(variant: PlanRequest, opens: Agreement | None = None) -> bool:
            return screen is None or screen.may_do(req, variant, opens)

        def result(
            variant: PlanRequest,
            within: Catalogue | Callable[[], Catalogue] = cat,
            opens: Agreement | None = None,
            *,
            screened: bool = False,
            among: _Shared | None = None,
        ) -> Plan | None:
            if not screened and not may(variant, opens):
                return None
            planned[0] += 1
            return self._feasible(
                within if isinstance(within, Catalogue) else within(), variant, among
            )

        def add(text: str, plan: Plan | None) -> bool:
            if plan is not None:
                found.append((text, plan))
            return plan is not None

        def tries() -> None:
            """Each variant, re-planned; what works goes into ``found``."""
            if req.max_stops < 40:
                add(
                    f"allow more than {req.max_stops} stops (max_stops)",
                    result(replace(req, max_stops=40)),
                )
            floor = min(m.platform.economical_speed_kn for m in fuel.members)
            slower = sorted(
                {
                    round(v, 1)
                    for v in (
                        *(speed * f for f in (0.9, 0.8, 0.7, 0.6)),
                        *(m.platform.economical_speed_kn for m in fuel.members),
                    )
                    if floor <= v < speed - 0.05
                },
                reverse=True,
            )
            for v in slower:  # within the envelope: no slower than any member's economical speed
                variant = replace(req, speed_kn=v)
                rng = group_profile(req.group, v, req.reserve)[0].stretch_nm
                if rng > fuel.stretch_nm and add(
                    f"sail at {v:g} kn (usable range {rng:,.0f} nm)", result(variant)
                ):
                    break
            for reserve in (0.2, 0.15, 0.1):
                if reserve < req.reserve and add(
                    f"accept a {reserve:.0%} fuel reserve on arrival",
                    result(replace(req, reserve=reserve)),
                ):
                    break
            tankers = sorted(
                (
                    p
                    for p in self.platforms.values()
                    if p.is_tanker and p.domain == req.domain and p.nation == req.nation
                ),
                key=lambda p: (-(p.carries_fuel_for_others_t or 0.0), p.id),
            )
            what = "another tanker" if any(m.platform.is_tanker for m in req.group) else "a tanker"
            for tanker in tankers:
                if any(m.platform.id == tanker.id for m in req.group):
                    group = tuple(
                        replace(m, count=m.count + 1) if m.platform.id == tanker.id else m
                        for m in req.group
                    )
                else:
                    group = (*req.group, Member(tanker))
                if add(
                    f"add {what} to the group, e.g. {tanker.id} ({tanker.name})",
                    result(replace(req, group=group)),
                ):
                    break
            for passage in sorted(req.closed):
                add(f"reopen {passage}", result(replace(req, closed=req.closed - {passage})))
            # last: one variant a country, the many that a time budget may cut short
            self._agreement_suggestions(cat, req, in_force, result, may, found)

        short: list[str] = []
        with share(SUGGEST_SHARE) as part:
            try:
                tries()
            except BudgetExceededError:
                if part is None or not part.ran_out():
                    raise  # the whole request's budget, or its client gone
                short.append(
                    f"suggestions cut short: {planned[0]} variants of the request were "
                    f"tried in the {SUGGEST_SHARE:.0%} of the time budget they may take "
                    "(RELOS_REQUEST_BUDGET_S); others, such as agreements with more "
                    "countries, were not tried"
                )
        natural = self._natural_nm(cat, req)
        found.sort(key=lambda tp: (tp[1].duration_h, tp[1].distance_nm))
        out = [f"{text}: {_summary(plan, natural)}" for text, plan in found]
        if limited:
            out += self._waves(cat, req) or [
                "sail in smaller groups: agreement limits exclude " + ", ".join(sorted(limited)[:5])
            ]
        return out, short

    def _agreement_suggestions(
        self,
        cat: Catalogue,
        req: PlanRequest,
        in_force: Sequence[Agreement],
        result: Callable[..., Plan | None],
        may: Callable[[PlanRequest, Agreement], bool],
        out: list[tuple[str, Plan]],
    ) -> None:
        """Agreements that would make the plan feasible, each with its plan: dropped ones
        restored, lapsed or future ones as if in force, and a hypothetical one with each
        other country. ``result(variant, within, opens, screened=, among=)`` plans a
        variant over the catalogue ``within`` makes (made only if the variant is
        planned), ``opens`` in force; ``may`` screens one. Each that works goes into
        ``out`` as soon as it is found."""
        day = req.departure.date()
        for agr in cat.agreements.values():
            if req.nation not in agr.parties or agr in in_force:
                continue
            variant = replace(req, dropped_agreements=req.dropped_agreements - {agr.id})
            if agr.id in req.dropped_agreements:
                plan = result(variant, lambda: cat, agr)
                if plan is not None:
                    out.append((f"restore {agr.id} ({agr.name})", plan))
                    continue
            as_if = agr.model_copy(update={"in_force_from": day, "expires": None})
            plan = result(variant, functools.partial(cat.with_additions, agreements=[as_if]), as_if)
            if plan is not None:
                how = (
                    "restore" if agr.id in req.dropped_agreements else "an agreement in force like"
                )
                out.append((f"{how} {agr.id} ({agr.name})", plan))
        partners = {p for a in in_force for p in a.parties}
        # an agreement opens no commercial port: countries with only those are not probed
        openable = [f for f in cat if f.kind != COMMERCIAL_PORT]
        kept: list[tuple[str, Agreement]] = []
        for country in sorted({f.country for f in openable} - partners - {req.nation}):
            check()
            hypo = Agreement(
                id=f"hypothetical-{country.lower()}",
                name=f"hypothetical agreement with {country}",
                parties=(req.nation, country),
                signed=day,
                in_force_from=day,
                services=(FUEL[req.domain], "provisions", "water", "berthing"),
            )
            if may(req, hypo):
                kept.append((country, hypo))
        for group, among in self._shared(cat, req, kept):
            for country, hypo, within in group:
                plan = result(req, within, hypo, screened=True, among=among)
                if plan is not None:
                    opened = [f.id for f in openable if f.country == country]
                    out.append(
                        (
                            f"a logistics agreement with {country} (would open "
                            f"{', '.join(opened[:3])})",
                            plan,
                        )
                    )

    def _shared(
        self, cat: Catalogue, req: PlanRequest, variants: Sequence[tuple[str, Agreement]]
    ) -> Iterator[tuple[list[tuple[str, Agreement, Catalogue]], _Shared | None]]:
        """``variants`` (each ``req`` with an agreement added) in order, in groups solved
        over the same places: the request's candidates and the ports each variant's
        agreement opens, up to :data:`SHARED_NEW_PLACES` of those (or a share of the
        candidates) a group. A variant's own candidates are its stops there and the
        others no stop, so its plan is the one over its own places, but the legs (the
        candidates^2 blocks and masks, most of a variant's time at thousands of
        candidates) are measured once a group, not once a variant. Each with its
        catalogue and the group's places (``None``: a group of one, over its own; every
        air variant is one: the airspace its legs may cross is its own)."""
        base, _ = self._candidates(cat, req, CallRules(cat, req))
        have = {f.id for f, _ in base}
        cap = max(SHARED_NEW_PLACES, int(SHARED_NEW_SHARE * len(base)))
        if req.domain != "sea":  # an air leg's airspace is the variant's own: not shared
            cap = -1
        extra = self._extra(cat, req.domain)
        at = self._pool_at(req.domain, extra)
        group: list[tuple[str, Agreement, Catalogue]] = []
        new: dict[str, Facility] = {}

        def places() -> _Shared | None:
            if len(group) < 2:
                return None
            stops = sorted((*(f for f, _ in base), *new.values()), key=lambda f: at[f.id])
            return _Shared(tuple(stops))

        for country, hypo in variants:
            within = cat.with_additions(agreements=[hypo])
            cands, _ = self._candidates(within, req, CallRules(within, req), adding=(cat, hypo))
            mine = {f.id: f for f, _ in cands if f.id not in have}
            if group and len(new.keys() | mine.keys()) > cap:
                yield group, places()
                group, new = [], {}
            group.append((country, hypo, within))
            new.update(mine)
        if group:
            yield group, places()

    def _suggest_access(self, cat: Catalogue, req: PlanRequest, scenario: str) -> list[str]:
        """What would open a refused origin, waypoint or destination, each re-planned:
        restoring a dropped agreement, departing when one is in force, diplomatic
        clearance, or sailing in waves within an agreement's limits."""
        out: list[str] = []

        def result(variant: PlanRequest, within: Catalogue = cat) -> Plan | None:
            return self._feasible(within, variant)

        for aid in sorted(req.dropped_agreements):
            restored = result(replace(req, dropped_agreements=req.dropped_agreements - {aid}))
            if restored is not None:
                out.append(f"restore {aid}: {_summary(restored)}")
        for agr in cat.agreements.values():
            if req.nation not in agr.parties or agr.id in req.dropped_agreements:
                continue
            if req.departure.date() < agr.in_force_from:
                shift = agr.in_force_from - req.departure.date()
                later = result(replace(req, departure=req.departure + shift))
                if later is not None:
                    out.append(
                        f"depart on or after {agr.in_force_from.isoformat()}, when {agr.id} "
                        f"is in force: {_summary(later)}"
                    )
        if not req.allow_clearance:
            cleared = result(replace(req, allow_clearance=True))
            if cleared is not None:
                out.append(
                    "allow_clearance: call by diplomatic clearance (request "
                    f"{req.clearance_notice_days} days ahead): {_summary(cleared)}"
                )
        out += self._waves(cat, req)
        return out

    def _waves(self, cat: Catalogue, req: PlanRequest) -> list[str]:
        """Split a group that an agreement's limits do not admit into waves that fit,
        each planned; a suggestion only when every wave has a plan."""
        counts = group_counts(req)
        breached: Agreement | None = None
        for agr in cat.agreements.values():
            if req.nation in agr.parties and limit_breach(agr, counts) is not None:
                breached = agr
                break
        if breached is None:
            return []
        waves = split_waves(req, breached)
        if len(waves) < 2:
            return []
        plans = [self._feasible(cat, replace(req, group=g, personnel=n)) for g, n in waves]
        if any(p is None for p in plans):
            return []
        parts = [
            f"wave {i}: {p.platform_label} ({_summary(p)})"
            for i, p in enumerate(plans, start=1)
            if p is not None
        ]
        return [f"sail in {len(waves)} waves within {breached.id}'s limits: " + "; ".join(parts)]

    # -------------------------------------------------------------- assemble
    def _leg_geometry(
        self,
        req: PlanRequest,
        a: Place,
        b: Place,
        closed: frozenset[str],
        air: AirPolicy | None = None,
    ) -> _Geometry:
        """A leg's length, passages, track and the passages' places along it, with
        ``closed`` shut and seasons left to the timeline (sea legs cached: they depend
        only on the key below); air legs in the airspace ``air`` opens."""
        if req.domain == "air":
            assert air is not None
            route = self._air_leg(a, b, air)
            if not route.feasible:  # pragma: no cover - the solver only picks reachable legs
                raise NoRouteError(self._no_air_route(a, b, air))
            return route.distance_nm, (), unwrap_array(route.xy), ()
        assert self.sea is not None
        key = _leg_key(req, a, b, closed)
        with self._cand_lock:
            hit = self._leg_cache.get(key)
        if hit is not None:
            return hit
        route = self.sea.route(
            a.ref,
            b.ref,
            closed=closed,
            ice_class=req.voyage_ice_class,
            size=req.size,
            seasons=False,
        )
        xy = unwrap_array(route.xy)
        xy.setflags(write=False)  # shared by every plan that sails this leg
        data = self._sea_data()
        out = (
            float(route.distance_nm),
            tuple(route.passages),
            xy,
            tuple(transits(data, xy, steps_nm=route.steps_nm)) if data is not None else (),
        )
        with self._cand_lock:
            self._leg_cache[key] = out
        return out

    def _leg_transits(
        self, req: PlanRequest, a: Place, b: Place, closed: frozenset[str]
    ) -> tuple[Transit, ...]:
        """:meth:`_leg_geometry`'s transits of a sea leg, kept on their own."""
        key = _leg_key(req, a, b, closed)
        with self._cand_lock:
            hit = self._transit_cache.get(key)
        if hit is None:
            hit = self._leg_geometry(req, a, b, closed)[3]
            with self._cand_lock:
                self._transit_cache[key] = hit
        return hit

    def _assemble(
        self,
        base: Plan,
        rules: CallRules,
        req: PlanRequest,
        solved: _Solved,
        fuel: GroupFuel,
        dwell: float,
    ) -> Plan:
        """The plan's legs and stops on the solver's timeline: each leg's passages with
        the times the group is in them, its wait (for a season, for notice with
        ``notice_from``) and why, and the fuel of every member on arrival. A leg that goes
        round seasonal water says why it does not wait for it."""
        places, sol, grants, ways = solved.places, solved.sol, solved.grants, solved.ways
        speed = fuel.speed
        fuel_svc = set(RESUPPLY[req.domain])
        legs: list[Leg] = []
        stops: list[Stop] = []
        notes: list[str] = []
        kept_out: set[str] = set()
        clock = req.departure
        reached = [(sol.sequence[0], clock)]  # each target, when the group may leave it
        sailed = 0.0
        seq = [places[i] for i in sol.sequence]
        for i, (a, b) in enumerate(itertools.pairwise(seq), start=1):
            ia, ib = sol.sequence[i - 1], sol.sequence[i]
            way = sol.ways[i - 1] if sol.ways else ways.shortest(ia, ib)
            d, passages, coords, found = ways.geometry(ia, ib, way)
            airspace: tuple[dict[str, Any], ...] = ()
            if ways.air is not None:
                route = self._air_leg(a, b, ways.air)
                airspace = tuple(describe_stretches(route, ways.air, sorted(self._visit(a, b))))
            hours = d / speed
            planned = (
                req.departure + dt.timedelta(hours=sol.departs[i - 1]) if sol.departs else clock
            )
            depart = max(clock, planned)
            grant = grants.get(b.key) if sol.stop_flags[i] else None
            notice = rules.notice(grant) if grant is not None else None
            why = ways.wait_reasons(found, clock, depart)
            if ways.seasonal and way != OPEN:
                on_way = {t.passage for t in found}
                seen = kept_out | on_way
                notes += ways.kept_out(ia, ib, clock, seen, taken=way)
                kept_out |= seen - on_way
            if sol.stages and sol.stages[i] > sol.stages[i - 1]:
                reached.append((ib, clock if grant is None else clock + dt.timedelta(hours=dwell)))
            arrive = depart + dt.timedelta(hours=hours)
            sailed += d
            state = fuel.state(sailed)
            if ia == ib:  # the call at a target just reached: no leg of its own, no wait
                arrive = clock
            else:
                legs.append(
                    Leg(
                        len(legs) + 1,
                        a,
                        b,
                        d,
                        hours,
                        passages,
                        state.lowest,
                        coords,
                        depart=depart,
                        arrive=arrive,
                        wait_h=(depart - clock).total_seconds() / 3600,
                        wait_reason="; ".join(why) or None,
                        transits=tuple(TimedTransit(tr, *tr.times(depart, speed)) for tr in found),
                        fuel=state,
                        airspace=airspace,
                    )
                )
            clock = arrive
            if grant is not None:
                begin, held = clock, None
                if notice and req.notice_from is not None:
                    begin = max(clock, req.notice_from + dt.timedelta(days=notice))
                    if begin > clock:
                        held = (
                            f"the call may begin {begin:%Y-%m-%d %H:%M}Z ({notice} days' notice "
                            f"from {req.notice_from:%Y-%m-%d})"
                        )
                leave = begin + dt.timedelta(hours=dwell)
                stops.append(
                    Stop(
                        index=len(stops) + 1,
                        place=b,
                        grant=grant,
                        services=tuple(s for s in grant.services if s in fuel_svc),
                        arrival=clock,
                        departure=leave,
                        fuel_on_arrival=state.lowest,
                        notice_days=notice,
                        request_by=begin - dt.timedelta(days=notice) if notice else None,
                        fuel=state,
                        wait_h=(begin - clock).total_seconds() / 3600,
                        wait_reason=held,
                    )
                )
                clock = leave
                sailed = 0.0
        if ways.seasonal:  # the natural route between targets, if the season shuts it
            used = {t.transit.passage for leg in legs for t in leg.transits}
            seen = kept_out | used
            for (ia, ready), (ib, _) in itertools.pairwise(reached):
                notes += ways.kept_out(ia, ib, ready, seen)
            kept_out |= seen - used
        return replace(
            base,
            feasible=True,
            legs=tuple(legs),
            stops=tuple(stops),
            warnings=tuple(notes),
            season_closed=tuple(sorted(kept_out)),
            air_policy=ways.air,
        )


WAYS_CACHE_BYTES = 1 << 30
"""What a planner keeps of leg matrices (:class:`_Ways`), at most."""


def _nbytes(arrays: tuple[np.ndarray, ...]) -> int:
    """The memory of a cache entry's arrays (each counted once: they may be shared)."""
    return max(1, sum({id(a): a.nbytes for a in arrays}.values()))


_Geometry = tuple[float, tuple[str, ...], np.ndarray, tuple[Transit, ...]]
"""A leg's length (nm), passages, track and the passages' places along it."""

SHARED_NEW_PLACES = 256
SHARED_NEW_SHARE = 0.25
"""Suggestions' agreement variants are solved in groups over the same places
(:meth:`Planner._shared`) while the ports they open together are at most this many, or
this share of the request's candidates if more: a group's legs are (candidates + new)^2."""
SUGGEST_SHARE = 0.75
"""The share of what is left of a request's time budget an infeasible plan's suggestions
may take: past it, those found so far are given and a warning says the rest were not
tried (a big catalogue has a variant for each of ~170 countries)."""
TRANSITS_KEPT = 65_536
"""Sea legs whose transits (:meth:`Planner._leg_transits`) are kept: a few hundred bytes
each, where the timed search of a big catalogue's suggestions asks for some 10,000 legs
20 times over."""
SEASON_HORIZON_DAYS = 400
"""How far ahead a leg's season is searched for an opening."""


SEASONAL_ROWS_CELLS = 65_536
"""Cells :func:`_seasonal_lengths` works on at a time (half a megabyte a temporary)."""
AIR_REFINE = 1.3
"""Air legs whose grid path is at most this many times the usable range are measured as
flown (pulled tight); longer ones cannot be flown even after tightening."""

OPEN, CLEAR, ROUND = 0, 1, 2
"""The ways of a sea leg: straight through all seasonal water; through seasonal routes
(the NSR) but clear of ice regions; round by water free of seasons."""


def _seasonal_lengths(
    free: np.ndarray, clear: np.ndarray, whole: np.ndarray
) -> tuple[np.ndarray, ...]:
    """:meth:`_Ways._lengths` of the three ways' blocks: a seasonal way counts where it
    is shorter than a freer one (by half a mile). Runs of rows on the kernel threads
    (candidates^2 cells: each temporary is megabytes)."""
    dist, whole_out, clear_out = (np.empty(free.shape) for _ in range(3))
    whole_on, clear_on = np.empty(free.shape, dtype=bool), np.empty(free.shape, dtype=bool)
    step = max(1, SEASONAL_ROWS_CELLS // max(free.shape[1], 1))

    def rows(first: int, stop: int) -> None:
        # a few rows at a time: the temporaries stay small and in the cache
        shorter = np.empty((min(step, stop - first), free.shape[1]))
        both = np.empty(shorter.shape, dtype=bool)
        for a in range(first, stop, step):
            z = min(a + step, stop)
            low, also = shorter[: z - a], both[: z - a]
            np.subtract(free[a:z], 0.5, out=low)
            c_on = np.less(clear[a:z], low, out=clear_on[a:z])
            w_on = np.less(whole[a:z], low, out=whole_on[a:z])
            np.subtract(clear[a:z], 0.5, out=low)
            np.greater_equal(whole[a:z], low, out=also)
            also &= c_on
            w_on &= ~also
            c, w, d = clear_out[a:z], whole_out[a:z], dist[a:z]
            c.fill(INF)
            np.copyto(c, clear[a:z], where=c_on)
            w.fill(INF)
            np.copyto(w, whole[a:z], where=w_on)
            np.minimum(w, c, out=d)
            np.minimum(d, free[a:z], out=d)

    run_split([functools.partial(rows, a, z) for a, z in row_runs(len(free), free.size)])
    return dist, whole_out, clear_out, free, whole_on, clear_on


class _Ways:
    """The ways of each leg of one solve (:data:`OPEN`, :data:`CLEAR`, :data:`ROUND`),
    kept only where shorter than a freer one, and when a bound way may start."""

    def __init__(
        self,
        planner: Planner,
        req: PlanRequest,
        places: list[Place],
        speed: float,
        *,
        air: AirPolicy | None = None,
        max_leg: float = INF,
    ):
        self.planner, self.req, self.places, self.speed = planner, req, places, speed
        self.air = air
        # air legs round closed airspace are measured as flown up to this length
        self.refine_nm = AIR_REFINE * max_leg
        data = planner._sea_data() if req.domain == "sea" else None
        self.seasons: Mapping[str, SeasonRule] = data.seasons if data is not None else {}
        self.ice = req.voyage_ice_class
        bound_ids = data.season_bound(self.ice) if data is not None else frozenset()
        regions = frozenset(p for p in bound_ids if data and data.by_id[p].kind == "ice_region")
        self.closures = (req.closed, req.closed | regions, req.closed | bound_ids)
        self.seasonal = bool(bound_ids)
        key = (
            tuple(p.key for p in places),
            self.closures,
            self.ice,
            # a ship's size only as the passages it does not fit (all it changes of the
            # legs): another ship that fits the same ones sails the same legs
            frozenset(p for p, _ in planner._avoided(req)),
            req.domain,
            air.key if air is not None else None,
            self.refine_nm if air is not None else None,
        )
        self.key = key
        with planner._cand_lock:
            hit = planner._ways_cache.get(key)
        if hit is None:
            hit = self._lengths(regions)
            with planner._cand_lock:
                planner._ways_cache[key] = hit
        self.dist, whole, clear, free, whole_on, clear_on = hit
        #: what a timed solve keeps of these legs (:attr:`routing.plan.solver.Clock.memo`)
        self.memo: dict[Any, np.ndarray] = {}
        if not self.seasonal:
            self.ways: tuple[Way, ...] = (Way(free),)
            return
        # the season-bound passages each bound way may sail and the way round avoids
        self._bound = {
            way: sorted(self.closures[ROUND] - self.closures[way]) for way in (OPEN, CLEAR)
        }
        self._rules = {way: [self.seasons.get(p) for p in ids] for way, ids in self._bound.items()}
        self._next_open: dict[str, np.ndarray] = {}
        self._leg_days_by: dict[int, np.ndarray] = {}
        self._blocks: dict[frozenset[str], np.ndarray] = {}
        self._dead_rows: dict[tuple[int, int, int, int], np.ndarray | None] = {}
        self.ways = (
            Way(
                whole,
                whole_on,
                self._depart_by(OPEN),
                self._ruled_out_by(OPEN),
                self._dead_by(OPEN),
            ),
            Way(
                clear,
                clear_on,
                self._depart_by(CLEAR),
                self._ruled_out_by(CLEAR),
                self._dead_by(CLEAR),
            ),
            Way(free),
        )

    def _lengths(self, regions: frozenset[str]) -> tuple[np.ndarray, ...]:
        """The shortest of the ways, each way's lengths (``inf`` where it is not shorter
        than a freer one), and where the two seasonal ways exist: read-only, shared by
        the plans of the same places."""
        planner, places, req = self.planner, self.places, self.req
        free = planner._matrix(
            places, req, self.closures[ROUND], air=self.air, refine_nm=self.refine_nm, shared=True
        )
        if not self.seasonal:
            none = np.zeros((0, 0), dtype=bool)
            out: tuple[np.ndarray, ...] = (free, free, free, free, none, none)
        else:
            ways = [OPEN, CLEAR] if regions else [OPEN]
            jobs = [
                functools.partial(planner._matrix, places, req, self.closures[w], shared=True)
                for w in ways
            ]
            # each derives from the way round's block on its own: side by side (each is
            # mostly work too small to split over the kernel threads)
            whole, *rest = run_alongside(jobs)
            out = _seasonal_lengths(free, rest[0] if rest else free, whole)
        for a in out:
            a.setflags(write=False)
        return out

    def shortest(self, i: int, j: int) -> int:
        """The way of the shortest length for ``i -> j`` (a free one on a tie)."""
        if not self.seasonal:
            return ROUND
        nm = [float(w.nm[i, j]) for w in self.ways]
        if not np.isfinite(min(nm)) or nm[ROUND] <= min(nm) + 1e-6:
            return ROUND
        return OPEN if nm[OPEN] <= nm[CLEAR] else CLEAR

    def geometry(self, i: int, j: int, way: int) -> _Geometry:
        """The leg ``i -> j`` sailed by ``way``."""
        return self.planner._leg_geometry(
            self.req, self.places[i], self.places[j], self._closed_by(way), self.air
        )

    def _closed_by(self, way: int) -> frozenset[str]:
        """The closures a leg sailed by ``way`` is measured under."""
        return self.closures[way if self.seasonal else ROUND]

    def _depart_by(self, way: int) -> Callable[[int, int, float], float]:
        return lambda i, j, t: self.depart(i, j, t, way)

    def _ruled_out_by(self, way: int) -> Callable[[int, int, float, float], bool]:
        return lambda i, j, t, latest: self.ruled_out(i, j, t, latest, way)

    def _dead_by(self, way: int) -> Callable[[int, float, float], np.ndarray | None]:
        return lambda i, t, latest: self.dead_from(i, t, latest, way)

    def dead_from(self, i: int, t: float, latest: float, way: int) -> np.ndarray | None:
        """Where a leg from ``i`` by ``way`` surely cannot start by ``latest`` when ready
        at ``t``, for every place at once (``None``: nowhere told). A passage shut on every
        day from ``t`` to ``latest`` plus a leg's length cannot be in season while the
        group is inside it on that leg; a leg whose way is shorter than the shortest with
        such passages shut too goes through one of them (every shortest way does), so it
        cannot start in time. Told from distance blocks (shared; the way round's when
        every bound passage is shut), not the legs' tracks: the passages shut longest
        first, then with each one shut a little less long, for the legs short enough."""
        if not np.isfinite(latest):
            return None
        first, last = self._day(t), self._day(latest)
        key = (way, i, first, last)
        if key in self._dead_rows:
            return self._dead_rows[key]
        spans = sorted(
            (
                (self._shut_for(p, rule, first), p)
                for p, rule in zip(self._bound[way], self._rules[way], strict=True)
                if rule is not None
            ),
            reverse=True,
        )
        # the days from ``first`` to the last a leg begun by ``latest`` may end on
        days = last - first + 1 + self._leg_days(way)[i]
        hit: np.ndarray | None = None
        shut: frozenset[str] = frozenset()
        for span, passage in spans:
            legs = days <= span
            if not legs.any():
                break
            shut |= {passage}
            dead = legs & (self.ways[way].nm[i] < self._without(way, shut)[i] - 0.5)
            hit = dead if hit is None else hit | dead
        self._dead_rows[key] = hit
        return hit

    def _without(self, way: int, shut: frozenset[str]) -> np.ndarray:
        """The places' distances with the passages ``shut`` closed too (shared)."""
        closed = self.closures[way] | shut
        hit = self._blocks.get(closed)
        if hit is None:
            if closed == self.closures[ROUND]:
                hit = self.ways[ROUND].nm
            else:
                hit = self.planner._matrix(self.places, self.req, closed, shared=True)
            self._blocks[closed] = hit
        return hit

    def _leg_days(self, way: int) -> np.ndarray:
        """Per leg by ``way``, the days it may end after the day it starts (at most)."""
        hit = self._leg_days_by.get(way)
        if hit is None:
            hours = np.nan_to_num(self.ways[way].nm / self.speed, posinf=1e9)
            hit = np.ceil(hours / 24).astype(np.int64)
            self._leg_days_by[way] = hit
        return hit

    def _day(self, hours: float) -> int:
        """The day ``hours`` after the departure falls on, counted from its date."""
        start = self.req.departure
        return ((start + dt.timedelta(hours=hours)).date() - start.date()).days

    def _shut_for(self, passage: str, rule: SeasonRule, first: int) -> int:
        """How many days ``passage`` is shut from the ``first`` day after the departure's
        date (0: open that day)."""
        start = self.req.departure.date()
        ahead = self._next_open.get(passage)
        if ahead is None:
            ahead = next_open_days(rule, start, SEASON_HORIZON_DAYS + 400, self.ice)
            self._next_open[passage] = ahead
        if 0 <= first < ahead.size - 1:
            return int(ahead[first])
        day = start + dt.timedelta(days=first)
        year = open_days(rule, day, 367, self.ice)
        return int(np.argmax(year)) if year.any() else 1 << 30

    def ruled_out(self, i: int, j: int, t: float, latest: float, way: int) -> bool:
        """True if the leg ``i -> j`` by ``way`` surely cannot start by ``latest`` when
        ready at ``t``, told without its track: such a way is kept only where it is
        shorter than the way round, so it goes through at least one of the season-bound
        passages the way round avoids; if every one of them is shut on every day from
        ``t`` to ``latest`` plus the leg's length, no start in time keeps all in season."""
        if not np.isfinite(latest):
            return False
        rules = [rule for rule in self._rules[way] if rule is not None]
        if not rules or len(rules) < len(self._rules[way]):
            return False
        hours = float(self.ways[way].nm[i, j]) / self.speed
        first = self._day(t)
        days = self._day(latest + hours) - first + 1
        bound = zip(self._bound[way], rules, strict=True)
        return all(days <= self._shut_for(p, rule, first) for p, rule in bound)

    def depart(self, i: int, j: int, t: float, way: int) -> float:
        """The earliest time (hours from departure) at or after ``t`` the leg ``i -> j``
        may start by ``way`` with every passage on it in season while the group is
        inside; ``inf`` if none within the horizon."""
        found = self.planner._leg_transits(
            self.req, self.places[i], self.places[j], self._closed_by(way)
        )
        zero = self.req.departure
        start = zero + dt.timedelta(hours=t)
        horizon = dt.timedelta(days=SEASON_HORIZON_DAYS)
        out = INF
        for _ in range(2 * len(found) + 2):  # each wait may shut another passage on the leg
            shut = next(self._shut(found, start), None)
            if shut is None:
                out = (start - zero).total_seconds() / 3600
                break
            _, rule, t_in, t_out = shut
            entry = earliest_entry(rule, t_in, t_out - t_in, self.ice, max_wait=horizon)
            if entry is None:
                break
            start += entry - t_in
        return out

    def _shut(
        self, found: Sequence[Transit], start: dt.datetime
    ) -> Iterator[tuple[Transit, SeasonRule, dt.datetime, dt.datetime]]:
        """The transits of a leg begun at ``start`` that would be in a shut season."""
        return shut_transits(found, self.seasons, start, self.speed, self.ice)

    def wait_reasons(
        self, found: Sequence[Transit], ready: dt.datetime, depart: dt.datetime
    ) -> list[str]:
        """Why the group waits from ``ready`` to ``depart`` before a leg through ``found``."""
        if depart <= ready + dt.timedelta(minutes=1):
            return []
        return [
            f"for {tr.name} ({season_text(rule, self.ice)}): entered "
            f"{tr.times(depart, self.speed)[0]:%Y-%m-%d}"
            for tr, rule, _, _ in self._shut(found, ready)
        ]

    def kept_out(
        self, i: int, j: int, ready: dt.datetime, seen: set[str], *, taken: int = ROUND
    ) -> list[str]:
        """Why the plan sails ``i -> j`` by ``taken`` rather than a shorter way through
        seasonal water shut on the days the group would be there: from the way round, the
        least bound shorter way (clear of ice regions first); from the way clear of ice
        regions, the way through them. ``seen``: passages already explained or sailed,
        left out; those explained here join it."""
        if not self.seasonal or taken == OPEN:
            return []
        way = CLEAR if taken == ROUND and np.isfinite(self.ways[CLEAR].nm[i, j]) else OPEN
        if not np.isfinite(self.ways[way].nm[i, j]):
            return []
        found = self.geometry(i, j, way)[3]
        hours = (ready - self.req.departure).total_seconds() / 3600
        start = self.depart(i, j, hours, way)
        at = self.places[i].name
        days = self.req.max_wait_days
        if not np.isfinite(start) or (start - hours) / 24 > days:
            instead = f"no wait of up to {days} days at {at} fits its season"
        else:
            until = self.req.departure + dt.timedelta(hours=start)
            instead = f"waiting at {at} until {until:%Y-%m-%d} " + (
                "would arrive later than going round"
                if self.req.objective == "min_time"
                else f"would begin the leg more than {days} days after the group could "
                "first be there"
            )
        out = []
        for tr, rule, entered, left in self._shut(found, ready):
            if tr.passage in seen:
                continue
            seen.add(tr.passage)
            out.append(
                f"{tr.name}: the group would be in it from {entered:%Y-%m-%d} to "
                f"{left:%Y-%m-%d}, but it is {season_text(rule, self.ice)} and {instead}, "
                f"so the plan keeps out of it ({tr.passage})"
            )
        return out


@dataclass
class _Screen:
    """Rules out variants of an infeasible sea plan (:mod:`routing.plan.screen`):
    what its solve measured, and the sea facilities it could not use, by grantor."""

    range: RangeScreen
    others: list[Facility]
    """The sea facilities with fuel the solve could not use (a variant may open them)."""
    by_grantor: dict[str, list[int]]
    """Indices into ``others`` by the nations that may open them."""
    make_timed: Callable[[], RangeScreen | None] | None = None
    """``range`` over the legs that could ever start in time under the plan's seasons
    (:func:`routing.plan.solver.sailable`), for variants under the same clock: the same
    ship at the same ``speed``, waiting no longer. Made when a variant passes ``range``
    (``None`` then if the clock is not what the plan fails on)."""
    speed: float = 0.0
    _near_by: dict[int, csr_matrix] = field(default_factory=dict)

    @cached_property
    def _timed(self) -> RangeScreen | None:
        return self.make_timed() if self.make_timed is not None else None

    @cached_property
    def _others_xy(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.array([f.lon for f in self.others], dtype=float),
            np.array([f.lat for f in self.others], dtype=float),
        )

    def _near(self, screen: RangeScreen) -> csr_matrix:
        """:meth:`RangeScreen.near_components` of the facilities a variant may open, for
        ``screen`` (``range`` or the timed one: their components differ), kept."""
        hit = self._near_by.get(id(screen))
        if hit is None:
            hit = self._near_by[id(screen)] = screen.near_components(*self._others_xy)
        return hit

    def may_do(self, req: PlanRequest, variant: PlanRequest, opens: Agreement | None) -> bool:
        """False if ``variant`` of ``req`` (the same places and closures; with ``opens``,
        that agreement in force too) surely has no plan either."""
        if (variant.closed, variant.waypoints, variant.departure) != (
            req.closed,
            req.waypoints,
            req.departure,
        ):
            return True
        same = (variant.size, variant.voyage_ice_class) == (req.size, req.voyage_ice_class)
        if not same and not (
            ShipSize.largest([req.size, variant.size]) == variant.size
            and weakest_ice_class([req.voyage_ice_class, variant.voyage_ice_class])
            == variant.voyage_ice_class
        ):
            return True  # legs the variant's ship may take that this one may not
        try:
            fuel = group_profile(variant.group, variant.speed_kn, variant.reserve)[0]
        except RelosError:
            return False
        if not self._may_do_on(self.range, req, fuel, same, opens):
            return False
        if same and fuel.speed == self.speed and variant.max_wait_days <= req.max_wait_days:
            timed = self._timed
            if timed is not None:
                return self._may_do_on(timed, req, fuel, same, opens)
        return True

    def _may_do_on(
        self,
        screen: RangeScreen,
        req: PlanRequest,
        fuel: GroupFuel,
        same: bool,
        opens: Agreement | None,
    ) -> bool:
        """:meth:`may_do` on the legs ``screen`` measured."""
        if opens is None:
            # A larger or weaker-iced ship has more passages shut: legs no shorter, but a
            # leg's way is picked with a 0.5 nm margin (_Ways._lengths), so up to 1 nm.
            return screen.range_may_do(fuel.stretch_nm + (0.0 if same else 1.0))
        if not same:
            return True
        if fuel.stretch_nm > screen.range_nm + 1e-9:
            return True
        if FUEL[req.domain] not in opens.services:
            return False
        parties = set(opens.parties) - {req.nation}
        rows = sorted(
            {i for p in parties for i in self.by_grantor.get(p, ()) if opens.covers(self.others[i])}
        )
        lon, lat = self._others_xy
        near_of = self._near(screen)
        ptr, ix = near_of.indptr, near_of.indices
        near = [ix[ptr[r] : ptr[r + 1]] for r in rows]
        owner = np.repeat(np.arange(len(rows)), [len(x) for x in near])
        comps = np.concatenate(near) if near else np.zeros(0, dtype=np.int64)
        return screen.opening_may_do(lon[rows], lat[rows], owner, comps)


@dataclass(eq=False)
class _Shared:
    """What a group of variants is solved over (:meth:`Planner._shared`): every facility
    that may be a stop in one of them, in the order candidates are asked in; and the
    ways of the legs among them once measured, for the group's next variant."""

    stops: tuple[Facility, ...]
    ways: dict[tuple[Any, ...], _Ways] = field(default_factory=dict)


@dataclass(frozen=True)
class _Solved:
    """A solver's itinerary with what the plan is assembled from."""

    places: list[Place]
    sol: Solution
    grants: dict[str, Grant]
    ways: _Ways


NATURAL_DETOUR = 1.15
"""A stop is on the natural route between two places when calling there adds at most
this factor to the shortest distance between them."""
DETOUR_WARN = 1.5
"""A suggestion whose plan is longer than this factor times the natural route says so."""


def _leg_key(req: PlanRequest, a: Place, b: Place, closed: frozenset[str]) -> tuple[Any, ...]:
    """What a sea leg's track (and its transits) depends on."""
    return (a.key, b.key, closed, req.voyage_ice_class, req.size)


def _by_grantor(facilities: Sequence[Facility]) -> dict[str, list[int]]:
    """The indices of ``facilities`` each nation may open (a grantor of), by nation."""
    by: dict[str, list[int]] = {}
    for i, f in enumerate(facilities):
        for g in f.grantors:
            by.setdefault(g, []).append(i)
    return by


def _places_of(
    targets: Sequence[Place],
    stops: Sequence[Facility],
    made: dict[str, Place] | None = None,
) -> tuple[list[Place], list[int]]:
    """The places of a solve (the targets, each once, then the facilities that may be
    stops) and the targets' indices among them. ``made``: places made before, by
    facility id, reused when of the same facility (and added to)."""
    places: list[Place] = []
    index: dict[str, int] = {}
    for p in targets:
        if p.key not in index:
            index[p.key] = len(places)
            places.append(p)
    made = {} if made is None else made
    for fac in stops:
        if fac.id not in index:
            index[fac.id] = len(places)
            place = made.get(fac.id)
            if place is None or place.facility is not fac:
                place = made[fac.id] = Place(fac.id, fac.point, fac.name, fac)
            places.append(place)
    return places, [index[p.key] for p in targets]


def _runway_need(req: PlanRequest) -> tuple[float, str] | None:
    """The longest take-off runway a member of an air group needs, and which member."""
    needs = [
        (m.platform.takeoff_runway_m, m.platform.name)
        for m in req.group
        if m.platform.domain == "air" and m.platform.takeoff_runway_m
    ]
    return max(needs) if needs else None


def _runway_short(fac: Facility | None, need: float) -> bool:
    """Whether ``fac``'s published runway is shorter than ``need`` (unknown: not short)."""
    length = fac.limits.get("runway_length_m") if fac is not None else None
    return length is not None and length < need


def _runway_text(fac: Facility | None, need: tuple[float, str]) -> str:
    assert fac is not None
    return (
        f"{fac.name}'s runway ({fac.limits['runway_length_m']:,.0f} m) is shorter than the "
        f"{need[1]} needs to take off ({need[0]:,.0f} m)"
    )


def _connected(dist: np.ndarray, a: int, b: int) -> bool:
    """Whether ``b`` can be reached from ``a`` through finite legs, however long."""
    reach = breadth_first_order(csr_matrix(np.isfinite(dist)), a, return_predecessors=False)
    return bool(np.isin(b, reach))


def _wait_warnings(plan: Plan) -> list[str]:
    """Each wait, where and why."""
    out = [
        f"wait {leg.wait_h / 24:.1f} days at {leg.start.name} before sailing "
        f"{leg.depart:%Y-%m-%d %H:%M}Z: {leg.wait_reason}"
        for leg in plan.legs
        if leg.wait_h > 0 and leg.depart is not None
    ]
    out += [
        f"wait {s.wait_h / 24:.1f} days at {s.place.name} on arrival: {s.wait_reason}"
        for s in plan.stops
        if s.wait_h > 0
    ]
    return out


def _arrivals(plan: Plan) -> list[tuple[Leg, dt.datetime]]:
    """Each leg with the time the group reaches its end (waits and dwell counted)."""
    return [(leg, leg.arrive or plan.request.departure) for leg in plan.legs]


def _call_warnings(plan: Plan, calls: Sequence[Call]) -> list[str]:
    """What a planner must act on or doubt: notice falling before departure, calls by
    clearance, a departure in the past, and the caveats of less-than-confirmed grants."""
    req = plan.request
    out: list[str] = []
    now = dt.datetime.now(dt.UTC)
    if req.departure < now:
        out.append(
            f"departure {req.departure:%Y-%m-%d %H:%M}Z is in the past: the plan uses the "
            "agreements in force on the dates it would have sailed"
        )
    visits: list[tuple[str, Grant, int | None, dt.datetime | None]] = [
        (s.place.name, s.grant, s.notice_days, s.request_by) for s in plan.stops
    ]
    visits += [
        (c.place.name, c.grant, c.notice_days, c.request_by)
        for c in calls
        if c.grant is not None and c.role != "origin"
    ]
    seen: set[str] = set()
    for name, grant, notice, request_by in visits:
        basis = grant.agreement or "diplomatic clearance"
        if grant.basis == "clearance":
            out.append(f"{name}: no logistics agreement; the call needs diplomatic clearance")
        if notice and request_by is not None and request_by < req.departure:
            out.append(
                f"{name}: {basis} needs {notice} days' notice of the call; request by "
                f"{request_by:%Y-%m-%d %H:%M}Z, before departure"
            )
        for caveat in grant.caveats:
            if caveat not in seen:
                seen.add(caveat)
                out.append(f"{name} ({grant.confidence.replace('_', ' ')}): {caveat}")
    return out


def _limit_note(cat: Catalogue, rules: CallRules, limited: Sequence[str]) -> str:
    """Why some candidate stops were left out: the group is over an agreement's limits."""
    if not limited:
        return ""
    breaches = sorted(
        {
            b
            for a in cat.agreements.values()
            if rules.req.nation in a.parties and (b := limit_breach(a, rules.counts)) is not None
        }
    )
    return f"; {len(limited)} stops are closed to the group because " + "; ".join(breaches)


def _summary(plan: Plan, natural_nm: float | None = None) -> str:
    """A plan in a few words, for suggestions: distance, days, stops and ETA; with the
    natural route's length, a detour of more than half of it is called out."""
    text = (
        f"{plan.distance_nm:,.0f} nm, {plan.duration_h / 24:.1f} days, {len(plan.stops)} stops, "
        f"ETA {plan.eta:%Y-%m-%d}"
    )
    if natural_nm and plan.distance_nm > DETOUR_WARN * natural_nm:
        text += (
            f" (a detour: {plan.distance_nm / natural_nm - 1:.0%} longer than the "
            f"{natural_nm:,.0f} nm direct route)"
        )
    return text


def split_waves(
    req: PlanRequest, agreement: Agreement
) -> list[tuple[tuple[Member, ...], int | None]]:
    """The group split into as few waves as ``agreement``'s limits need, units spread
    evenly; each wave with its share of the request's personnel (if it gave one)."""
    units = [m.platform for m in req.group for _ in range(m.count)]
    total = group_counts(req)
    n = 1
    for key, _, i in LIMITS:
        cap = agreement.limits.get(key)
        if cap and total[i] > cap:
            n = max(n, -(-total[i] // int(cap)))
    waves: list[list[Platform]] = [[] for _ in range(n)]
    for k, unit in enumerate(sorted(units, key=lambda p: (not p.warship, p.id))):
        waves[k % n].append(unit)
    out: list[tuple[tuple[Member, ...], int | None]] = []
    for wave in waves:
        members = tuple(
            Member(p, sum(1 for q in wave if q.id == p.id))
            for p in {p.id: p for p in wave}.values()
        )
        share = None
        if req.personnel is not None:
            share = -(-req.personnel * len(wave) // len(units))
        out.append((members, share))
    return out


__all__ = ["INF", "Leg", "Member", "Place", "Plan", "PlanRequest", "Planner", "Stop"]
