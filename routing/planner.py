"""The deployment planner: resupply stops within endurance, under the agreements in force.

Given a deploying nation, a platform (or a task group), an origin, a
destination, optional ordered waypoints and a departure time, the planner
returns the optimal plan whose resupply stops fall only at facilities the
nation may use, on the dates it arrives there, for fuel; each leg fits the
usable range (see :mod:`routing.platforms` for the fuel model). When no plan
exists the answer says why and what would make it feasible.

Ships sail the land-safe sea graph (:mod:`routing.router`) and call at ports and
naval bases; aircraft fly great-circle legs between airbases. The optimiser is
:func:`routing.solver.solve`; this module builds its inputs and explains its
output. Nothing here mutates the catalogue or the graph: closures, dropped
agreements and closed facilities are arguments.

Simplifications, stated so planners can judge them:

- The season (the Northern Sea Route's) is taken at the departure date for the
  whole voyage.
- A stop must be open to the nation at the time the plan arrives there; if an
  agreement lapses mid-voyage the stop is removed and the plan re-optimised.
- A task group's range is that of its shortest-legged ship, unless a tanker
  sails with it: the tanker then keeps the escorts topped up underway and the
  group's range is the tanker's own. Its speed is at most the slowest ship's
  maximum.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from routing.access import Grant, agreements_in_force, check_nation, grant_for
from routing.catalogue import Agreement, Catalogue, Facility
from routing.errors import InvalidInputError, NoRouteError, RelosError, UnknownPlatformError
from routing.geo import GEOD, METRES_PER_NM, LonLat, geodesic_nm_many, unwrap_array
from routing.platforms import DEFAULT_RESERVE, Platform
from routing.scenario import Scenario
from routing.solver import INF, OBJECTIVES, bottleneck, solve
from routing.vocab import SEA_KINDS

DEFAULT_DWELL_H = {"sea": 24.0, "air": 3.0}
RESUPPLY = {"sea": ("fuel", "provisions", "water"), "air": ("aviation_fuel", "maintenance")}
FUEL = {"sea": "fuel", "air": "aviation_fuel"}


class SeaLegSource(Protocol):
    """What the planner needs from the sea router."""

    port_ids: tuple[str, ...]

    def distance_matrix(
        self,
        *,
        closed: frozenset[str] = ...,
        date: dt.date | None = ...,
        ice_class: str | None = ...,
    ) -> np.ndarray: ...

    def route(
        self,
        origin: str | LonLat,
        destination: str | LonLat,
        *,
        closed: frozenset[str] = ...,
        date: dt.date | None = ...,
        ice_class: str | None = ...,
    ) -> Any: ...


@dataclass(frozen=True)
class Member:
    """A platform in a task group, ``count`` ships or aircraft of it."""

    platform: Platform
    count: int = 1


@dataclass(frozen=True)
class Place:
    """An origin, waypoint, destination or stop: a facility or a bare point."""

    key: str
    point: LonLat
    name: str
    facility: Facility | None = None

    @property
    def ref(self) -> str | LonLat:
        """What the router takes: the facility id, or the point."""
        return self.facility.id if self.facility is not None else self.point

    def json(self) -> dict[str, Any]:
        """The JSON form used in plan answers."""
        return {
            "id": self.facility.id if self.facility else None,
            "name": self.name,
            "coordinates": [self.point.lon, self.point.lat],
        }


@dataclass(frozen=True)
class PlanRequest:
    """Everything a plan depends on. Field names follow ``POST /plans``."""

    nation: str
    group: tuple[Member, ...]
    origin: str | LonLat
    destination: str | LonLat
    departure: dt.datetime
    waypoints: tuple[str | LonLat, ...] = ()
    speed_kn: float | None = None
    reserve: float = DEFAULT_RESERVE
    closed: frozenset[str] = frozenset()
    dropped_agreements: frozenset[str] = frozenset()
    closed_facilities: frozenset[str] = frozenset()
    avoid_facilities: frozenset[str] = frozenset()
    max_stops: int = 12
    objective: str = "min_time"
    dwell_h: float | None = None
    ice_class: str | None = None

    @property
    def domain(self) -> str:
        """``sea`` or ``air``: every member of a group shares it."""
        return self.group[0].platform.domain


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
    coordinates: np.ndarray  # (n, 2) lon/lat, continuous across the antimeridian


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


@dataclass(frozen=True)
class Plan:
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
        """Hours alongside at resupply stops."""
        return sum((s.departure - s.arrival).total_seconds() / 3600 for s in self.stops)

    @property
    def duration_h(self) -> float:
        """Departure to arrival, hours."""
        return self.sailing_h + self.dwell_h

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


def group_counts(group: Sequence[Member]) -> tuple[int, int]:
    """Warships and aircraft in a group: what agreement limits count."""
    warships = sum(m.count for m in group if m.platform.warship)
    aircraft = sum(m.count for m in group if m.platform.domain == "air")
    return warships, aircraft


def group_profile(group: Sequence[Member], speed_kn: float | None) -> tuple[Platform, float]:
    """The limiting platform of a group and the speed to plan at.

    Raises :class:`InvalidInputError` for an empty or mixed sea/air group, or a
    speed above the slowest member's maximum.
    """
    if not group:
        raise InvalidInputError("a plan needs a platform or a group", field="platform")
    if len({m.platform.domain for m in group}) > 1:
        raise InvalidInputError("a group cannot mix ships and aircraft", field="group")
    top = min(m.platform.max_speed_kn for m in group)
    tankers = [m.platform for m in group if m.platform.is_tanker]
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
    if tankers and len(group) > 1:
        limiting = min(tankers, key=lambda p: p.endurance_at(speed))
    else:
        limiting = min((m.platform for m in group), key=lambda p: p.endurance_at(speed))
    return limiting, speed


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
    ) -> None:
        self.catalogue = catalogue
        self.sea = sea
        self.platforms = platforms or {}
        self._sea_ports = tuple(f for f in catalogue if f.kind in SEA_KINDS)
        self._airbases = tuple(f for f in catalogue if f.kind == "airbase")
        self._port_pos = {pid: i for i, pid in enumerate(sea.port_ids)} if sea else {}
        self._cand_cache: dict[tuple[Any, ...], tuple[list[tuple[Facility, Grant]], list[str]]] = {}

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
        closed: Iterable[str] = (),
        dropped_agreements: Iterable[str] = (),
        closed_facilities: Iterable[str] = (),
        avoid_facilities: Iterable[str] = (),
        **options: Any,
    ) -> PlanRequest:
        """A :class:`PlanRequest` from plain values, for scripts and notebooks.

        ``platform`` and the members of ``group`` may be registry ids;
        ``departure`` an ISO date or datetime string (UTC); points ``(lon, lat)``.
        ``options`` are the other :class:`PlanRequest` fields (``speed_kn``,
        ``reserve``, ``max_stops``, ``objective``, ``dwell_h``, ``ice_class``).
        """

        def plat(p: str | Platform, field: str) -> Platform:
            if isinstance(p, Platform):
                return p
            if p not in self.platforms:
                raise UnknownPlatformError(f"unknown platform id {p!r}", field=field)
            return self.platforms[p]

        def place(p: str | LonLat | tuple[float, float]) -> str | LonLat:
            return p if isinstance(p, str) else LonLat(float(p[0]), float(p[1]))

        members = tuple(Member(plat(p, "group"), n) for p, n in group)
        if platform is not None:
            members = (Member(plat(platform, "platform")), *members)
        if isinstance(departure, str):
            departure = dt.datetime.fromisoformat(departure)
        if departure is None:
            departure = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
        elif not isinstance(departure, dt.datetime):
            departure = dt.datetime.combine(departure, dt.time())
        if departure.tzinfo is None:
            departure = departure.replace(tzinfo=dt.UTC)
        return PlanRequest(
            nation=check_nation(nation),
            group=members,
            origin=place(origin),
            destination=place(destination),
            departure=departure,
            waypoints=tuple(place(w) for w in waypoints),
            closed=frozenset(closed),
            dropped_agreements=frozenset(dropped_agreements),
            closed_facilities=frozenset(closed_facilities),
            avoid_facilities=frozenset(avoid_facilities),
            **options,
        )

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
    def _matrix(self, places: Sequence[Place], req: PlanRequest, cat: Catalogue) -> np.ndarray:
        pts = np.array([[p.point.lon, p.point.lat] for p in places])
        if req.domain == "air":
            n = len(places)
            ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
            d = geodesic_nm_many(pts[ii, 0], pts[ii, 1], pts[jj, 0], pts[jj, 1])
            return d.reshape(n, n)
        if self.sea is None:
            raise InvalidInputError("ship planning needs the sea graph", field="platform")
        date = req.departure.date()
        base = self.sea.distance_matrix(closed=req.closed, date=date, ice_class=req.ice_class)
        on_graph = [p.facility is not None and p.key in self._port_pos for p in places]
        idx = [self._port_pos[p.key] if ok else 0 for p, ok in zip(places, on_graph, strict=True)]
        out = np.array(base[np.ix_(idx, idx)], dtype=float)
        for i, ok in enumerate(on_graph):
            if ok:
                continue
            # A bare sea point (or a port the graph does not know): route to every place.
            for j, other in enumerate(places):
                if i == j:
                    out[i, j] = 0.0
                    continue
                out[i, j] = self._route_nm(places[i], other, req)
                out[j, i] = self._route_nm(other, places[i], req)
        return out

    def _route_nm(self, a: Place, b: Place, req: PlanRequest) -> float:
        assert self.sea is not None
        try:
            route = self.sea.route(
                a.ref, b.ref, closed=req.closed, date=req.departure.date(), ice_class=req.ice_class
            )
        except NoRouteError:
            return INF
        return float(route.distance_nm)

    # ------------------------------------------------------------ candidates
    def _candidates(
        self,
        cat: Catalogue,
        req: PlanRequest,
        agreements: Sequence[Agreement],
        warships: int,
        aircraft: int,
    ) -> tuple[list[tuple[Facility, Grant]], list[str]]:
        """Facilities the group may resupply at, and notes on those a limit excludes.

        Cached: the answer depends only on the key below.
        """
        key = (
            cat.version(),
            req.nation,
            req.domain,
            tuple(a.id for a in agreements),
            req.closed_facilities | req.avoid_facilities,
            warships,
            aircraft,
        )
        hit = self._cand_cache.get(key)
        if hit is not None:
            return hit
        fuel = FUEL[req.domain]
        pool = self._sea_ports if req.domain == "sea" else self._airbases
        extra = [
            f
            for f in cat
            if f.id not in self.catalogue.facilities
            and (f.kind in SEA_KINDS if req.domain == "sea" else f.kind == "airbase")
        ]
        out: list[tuple[Facility, Grant]] = []
        limited: list[str] = []
        for fac in (*pool, *extra):
            if fac.id in req.closed_facilities or fac.id in req.avoid_facilities:
                continue
            grant = grant_for(fac, req.nation, agreements, service=fuel)
            if grant is None:
                continue
            if grant.basis == "agreement":
                allowed = tuple(
                    a
                    for a in grant.agreements
                    if _within_limits(cat.agreements[a], warships, aircraft)
                )
                if not allowed:
                    limited.append(fac.id)
                    continue
                grant = replace(grant, agreements=allowed)
            out.append((fac, grant))
        if len(self._cand_cache) > 256:
            self._cand_cache.clear()
        self._cand_cache[key] = (out, limited)
        return out, limited

    # ------------------------------------------------------------------ plan
    def plan(self, req: PlanRequest, *, scenario: Scenario | None = None) -> Plan:
        """The optimal plan for ``req`` (under ``scenario``, if given)."""
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
        platform, speed = group_profile(req.group, req.speed_kn)
        usable = platform.usable_range(speed, req.reserve)
        domain = req.domain
        origin = self._place(cat, req.origin, field="origin", domain=domain)
        dest = self._place(cat, req.destination, field="destination", domain=domain)
        waypoints = [
            self._place(cat, w, field=f"waypoints.{i}", domain=domain)
            for i, w in enumerate(req.waypoints)
        ]
        warships, aircraft = group_counts(req.group)
        label = " + ".join(
            f"{m.count} x {m.platform.name}" if m.count > 1 else m.platform.name for m in req.group
        )
        base = Plan(
            request=req,
            feasible=False,
            speed_kn=speed,
            usable_range_nm=usable,
            origin=origin,
            destination=dest,
            platform_label=label,
            scenario=scn.name,
        )
        day = req.departure.date()
        agreements = agreements_in_force(cat, req.nation, day, dropped=req.dropped_agreements)
        dwell = DEFAULT_DWELL_H[domain] if req.dwell_h is None else req.dwell_h
        excluded: set[str] = set()
        for _ in range(8):  # re-plan if an agreement lapses before a stop is reached
            cands, limited = self._candidates(cat, req, agreements, warships, aircraft)
            cands = [(f, g) for f, g in cands if f.id not in excluded]
            try:
                result = self._solve(
                    cat, req, origin, dest, waypoints, cands, platform, speed, dwell
                )
            except NoRouteError as exc:
                return replace(
                    base,
                    reason=exc.message,
                    suggestions=tuple(f"reopen {c}" for c in exc.closures),
                )
            if isinstance(result, str):
                suggestions = self._suggest(
                    cat, req, (origin, dest, waypoints), platform, speed, dwell, limited
                )
                return replace(base, reason=result, suggestions=tuple(suggestions))
            plan = self._assemble(base, cat, req, result, platform, speed, dwell)
            lapsed = [
                s.place.key
                for s in plan.stops
                if s.grant.basis == "agreement"
                and not any(
                    cat.agreements[a].in_force_on(s.arrival.date()) for a in s.grant.agreements
                )
            ]
            if not lapsed:
                return plan
            excluded.update(lapsed)
        return replace(base, reason="agreements lapse during the voyage at every candidate stop")

    def _solve(
        self,
        cat: Catalogue,
        req: PlanRequest,
        origin: Place,
        dest: Place,
        waypoints: Sequence[Place],
        cands: Sequence[tuple[Facility, Grant]],
        platform: Platform,
        speed: float,
        dwell: float,
        *,
        max_stops: int | None = None,
    ) -> tuple[list[Place], np.ndarray, Any, dict[str, Grant]] | str:
        """Solve; a string is the reason when there is no plan."""
        usable = platform.usable_range(speed, req.reserve)
        targets = [origin, *waypoints, dest]
        places: list[Place] = []
        index: dict[str, int] = {}
        for p in targets:
            if p.key not in index:
                index[p.key] = len(places)
                places.append(p)
        grants: dict[str, Grant] = {}
        for fac, grant in cands:
            grants[fac.id] = grant
            if fac.id not in index:
                index[fac.id] = len(places)
                places.append(Place(fac.id, fac.point, fac.name, fac))
        dist = self._matrix(places, req, cat)
        stop_ok = np.array([p.key in grants for p in places])
        tix = [index[p.key] for p in targets]
        for a, b in itertools.pairwise(tix):
            if not np.isfinite(dist[a, b]) and not (
                np.isfinite(dist[a]).any() and np.isfinite(dist[:, b]).any()
            ):
                raise NoRouteError(
                    f"no sea route from {places[a].name} to {places[b].name} under these closures",
                    closures=sorted(req.closed),
                )
        limit = req.max_stops if max_stops is None else max_stops
        sol = solve(
            dist,
            tix,
            stop_ok,
            max_leg=usable,
            max_stops=limit,
            objective=req.objective,
            speed=speed,
            dwell=dwell,
        )
        if sol is not None:
            return places, dist, sol, grants
        return self._explain(places, dist, tix, stop_ok, usable, speed, req)

    def _explain(
        self,
        places: Sequence[Place],
        dist: np.ndarray,
        tix: Sequence[int],
        stop_ok: np.ndarray,
        usable: float,
        speed: float,
        req: PlanRequest,
    ) -> str:
        worst, worst_leg = 0.0, (tix[0], tix[-1])
        for a, b in itertools.pairwise(tix):
            value, path = bottleneck(dist, a, b, stop_ok)
            if not path:
                return (
                    f"no sea route from {places[a].name} to {places[b].name} under these closures"
                )
            if value > worst:
                legs = list(itertools.pairwise(path))
                worst = value
                worst_leg = max(legs, key=lambda ab: dist[ab[0], ab[1]])
        if worst > usable:
            a, b = worst_leg
            return (
                f"every route needs a leg of at least {worst:,.0f} nm: the shortest leg out of "
                f"{places[a].name} towards {places[b].name} under these closures is "
                f"{worst:,.0f} nm; usable range is {usable:,.0f} nm at {speed:g} kn "
                f"with a {req.reserve:.0%} reserve"
            )
        return (
            f"every leg fits the {usable:,.0f} nm usable range, but the voyage needs more than "
            f"max_stops={req.max_stops} resupply stops"
        )

    def _feasible(
        self,
        cat: Catalogue,
        req: PlanRequest,
        agreements: Sequence[Agreement],
        places: tuple[Place, Place, Sequence[Place]],
        dwell: float,
    ) -> bool:
        """Whether ``req`` (a variant of the user's request) has a plan."""
        origin, dest, waypoints = places
        try:
            platform, speed = group_profile(req.group, req.speed_kn)
            warships, aircraft = group_counts(req.group)
            cands, _ = self._candidates(cat, req, agreements, warships, aircraft)
            result = self._solve(cat, req, origin, dest, waypoints, cands, platform, speed, dwell)
        except RelosError:
            return False
        return not isinstance(result, str)

    def _suggest(
        self,
        cat: Catalogue,
        req: PlanRequest,
        places: tuple[Place, Place, Sequence[Place]],
        platform: Platform,
        speed: float,
        dwell: float,
        limited: Sequence[str],
    ) -> list[str]:
        """What would make an infeasible plan feasible, each checked by re-planning."""
        out: list[str] = []
        day = req.departure.date()
        in_force = agreements_in_force(cat, req.nation, day, dropped=req.dropped_agreements)

        def works(variant: PlanRequest, agreements: Sequence[Agreement] = in_force) -> bool:
            return self._feasible(cat, variant, agreements, places, dwell)

        if req.max_stops < 40 and works(replace(req, max_stops=40)):
            out.append(f"allow more than {req.max_stops} stops (max_stops)")
        if platform.domain == "sea":  # a lower speed stretches a ship's range
            for factor in (0.9, 0.8, 0.7, 0.6, 0.5):
                slower = round(speed * factor, 1)
                if slower >= 3 and works(replace(req, speed_kn=slower)):
                    rng = platform.usable_range(slower, req.reserve)
                    out.append(f"sail at {slower:g} kn (usable range {rng:,.0f} nm)")
                    break
        for reserve in (0.2, 0.15, 0.1):
            if reserve < req.reserve and works(replace(req, reserve=reserve)):
                out.append(f"accept a {reserve:.0%} fuel reserve on arrival")
                break
        for agr in cat.agreements.values():  # dropped, lapsed or future agreements
            if req.nation not in agr.parties or agr in in_force:
                continue
            variant = replace(req, dropped_agreements=req.dropped_agreements - {agr.id})
            if works(variant, [*in_force, agr]):
                how = (
                    "restore" if agr.id in req.dropped_agreements else "an agreement in force like"
                )
                out.append(f"{how} {agr.id} ({agr.name})")
        partners = {p for a in in_force for p in a.parties}
        for country in sorted({f.country for f in cat} - partners - {req.nation}):
            hypo = Agreement(
                id=f"hypothetical-{country.lower()}",
                name=f"hypothetical agreement with {country}",
                parties=(req.nation, country),
                signed=day,
                in_force_from=day,
                services=(FUEL[req.domain], "provisions", "water"),
            )
            if self._feasible(
                cat.with_additions(agreements=[hypo]), req, [*in_force, hypo], places, dwell
            ):
                opened = [f.id for f in cat if f.country == country]
                out.append(
                    f"a logistics agreement with {country} (would open {', '.join(opened[:3])})"
                )
        if not any(m.platform.is_tanker for m in req.group):
            tankers = sorted(
                (
                    p
                    for p in self.platforms.values()
                    if p.is_tanker and p.domain == req.domain and p.nation == req.nation
                ),
                key=lambda p: -p.endurance_nm,
            )
            for tanker in tankers:
                if works(replace(req, group=(*req.group, Member(tanker)))):
                    out.append(f"add a tanker to the group, e.g. {tanker.id} ({tanker.name})")
                    break
        if limited:
            out.append(
                "sail in smaller groups: agreement limits exclude " + ", ".join(sorted(limited)[:5])
            )
        for passage in sorted(req.closed):
            if works(replace(req, closed=req.closed - {passage})):
                out.append(f"reopen {passage}")
        return out

    # -------------------------------------------------------------- assemble
    def _leg_geometry(
        self, req: PlanRequest, a: Place, b: Place
    ) -> tuple[float, tuple[str, ...], np.ndarray]:
        if req.domain == "air":
            npts = max(
                2, int(GEOD.inv(a.point.lon, a.point.lat, b.point.lon, b.point.lat)[2] / 50_000)
            )
            mid = GEOD.npts(a.point.lon, a.point.lat, b.point.lon, b.point.lat, npts)
            line = np.array([a.point, *mid, b.point], dtype=float)
            dist = GEOD.inv(a.point.lon, a.point.lat, b.point.lon, b.point.lat)[2] / METRES_PER_NM
            return float(dist), (), unwrap_array(line)
        assert self.sea is not None
        route = self.sea.route(
            a.ref, b.ref, closed=req.closed, date=req.departure.date(), ice_class=req.ice_class
        )
        return (
            float(route.distance_nm),
            tuple(route.passages),
            unwrap_array(np.asarray(route.coordinates, dtype=float)),
        )

    def _assemble(
        self,
        base: Plan,
        cat: Catalogue,
        req: PlanRequest,
        solved: tuple[list[Place], np.ndarray, Any, dict[str, Grant]],
        platform: Platform,
        speed: float,
        dwell: float,
    ) -> Plan:
        places, _dist, sol, grants = solved
        full = platform.endurance_at(speed)
        fuel_svc = set(RESUPPLY[req.domain])
        legs: list[Leg] = []
        stops: list[Stop] = []
        warnings: list[str] = []
        clock = req.departure
        tank = 1.0
        seq = [places[i] for i in sol.sequence]
        for i, (a, b) in enumerate(itertools.pairwise(seq), start=1):
            d, passages, coords = self._leg_geometry(req, a, b)
            hours = d / speed
            tank -= d / full
            clock += dt.timedelta(hours=hours)
            legs.append(Leg(i, a, b, d, hours, passages, max(tank, 0.0), coords))
            if sol.stop_flags[i]:
                grant = grants[b.key]
                notice = None
                request_by = None
                if grant.basis == "agreement":
                    notices = [
                        int(cat.agreements[x].limits.get("port_call_notice_days", 0))
                        for x in grant.agreements
                    ]
                    notice = min(notices) or None
                    if notice:
                        request_by = clock - dt.timedelta(days=notice)
                        if request_by < req.departure:
                            warnings.append(
                                f"{b.name}: {grant.agreement} needs {notice} days' notice of the "
                                f"call; request by {request_by:%Y-%m-%d %H:%M}Z, before departure"
                            )
                leave = clock + dt.timedelta(hours=dwell)
                stops.append(
                    Stop(
                        index=len(stops) + 1,
                        place=b,
                        grant=grant,
                        services=tuple(s for s in grant.services if s in fuel_svc),
                        arrival=clock,
                        departure=leave,
                        fuel_on_arrival=max(tank, 0.0),
                        notice_days=notice,
                        request_by=request_by,
                    )
                )
                clock = leave
                tank = 1.0
        return replace(
            base, feasible=True, legs=tuple(legs), stops=tuple(stops), warnings=tuple(warnings)
        )


def _within_limits(agreement: Agreement, warships: int, aircraft: int) -> bool:
    limits = agreement.limits
    if "max_warships" in limits and warships > limits["max_warships"]:
        return False
    return not ("max_aircraft" in limits and aircraft > limits["max_aircraft"])


__all__ = ["INF", "Leg", "Member", "Place", "Plan", "PlanRequest", "Planner", "Stop"]
