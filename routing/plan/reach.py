"""Reach: where a nation's ships can get from their bases, with the facilities they may use.

"How far does this agreement extend India's reach?" A group leaves its origins (by
default the nation's own naval bases) on the departure date and may resupply, as a
plan would, only at facilities the nation may use for fuel on the day it arrives
(its own, those an agreement in force opens, or clearance calls when allowed). With
at most ``max_stops`` resupply stops and, if given, within ``days``, reach is

* the **stop chain**: the earliest time each usable facility can be left after a
  resupply, with how many stops it took (levels 0..N over the candidates' sea
  distances, each leg within the group's usable range, ``dwell_h`` at each stop);
* the **sea area**: every water cell of :class:`routing.sea.grid.SeaGrid` within
  sea distance of a departure point (an origin, or a stop left in time) of the range
  left for it (the full usable range, or less when the days run out); by number of
  stops, in km^2, with the earliest day each cell can be reached;
* the **sea lanes**: the share of the backbone's length so reached;
* the **facilities**: every port and naval base within reach where the nation may
  call (the destination rules of a plan: a berth, on the day it arrives), with the
  fewest stops and the earliest day, and the stops on the way;
* the **frontier**: the reached area as GeoJSON polygons, one per stop count (or
  day band), cumulative.

Reach is one way (going there, not coming back). Seasonal passages and ice regions
count as open only when open on every day of the window (the departure to the last
day reach is measured for), and are named in the caveats when open for part of it.
Aircraft reach is not modelled here: plan flights with ``/plans`` and ``/air-routes``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import shapely
import shapely.geometry
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from routing.catalogue.access import Grant
from routing.catalogue.model import Catalogue, Facility
from routing.catalogue.platforms import DEFAULT_RESERVE, Platform
from routing.errors import InvalidInputError
from routing.limits import MAX_ID, MAX_LIST, MAX_SPEED_KN, MIN_SPEED_KN, check_date
from routing.plan.calls import CALL_SERVICE, FUEL, CallRules, Place
from routing.plan.request import GroupItem, PlanRequest, PlanSpec, PlatformRef, build_request
from routing.sea.passages import SeaData
from routing.sea.timing import open_days, season_text
from routing.vocab import SEA_KINDS

if TYPE_CHECKING:
    from routing.sea.grid import ReachField

DEFAULT_MAX_STOPS = 3
MAX_REACH_STOPS = 12
MAX_REACH_DAYS = 365.0
DAY_BANDS = 6
"""How many day bands a frontier shaded by days has at most."""
SIMPLIFY_DEG = 0.02
"""Tolerance the frontier polygons are simplified with (about 2 km)."""
CAVEATS = (
    "Reach is one way: it shows where the group can get to, not where it can go and "
    "come back from.",
    "The area is counted in H3 cells of about 12,400 km^2 whose centre is at sea; "
    "coastal cells count whole. Sea distances off the lanes follow the grid (at most "
    "3.5 % longer than a straight line).",
    "Sea ice is modelled only in the Northern Sea Route, the Northwest Passage and the "
    "ice regions; water beyond 80 N and south of 66 S is left out.",
)


@dataclass(frozen=True)
class ReachedFacility:
    """A facility within reach where the nation may call."""

    facility: Facility
    stops: int
    """Fewest resupply stops to get there."""
    days: float
    """Earliest arrival, days after departure (any number of stops up to the limit)."""
    via: tuple[str, ...]
    """The origin and the stops of the earliest arrival, in order."""
    basis: str
    agreements: tuple[str, ...]
    resupply: bool
    """Whether the group may also take fuel there (a stop, not only a call)."""


@dataclass(frozen=True)
class Band:
    """What is within reach with at most ``stops`` resupply stops."""

    stops: int
    area_km2: float
    lane_nm: float
    lane_share: float
    facilities: int
    cells: np.ndarray = field(repr=False)
    """Which grid cells are reached (bool, the grid's order)."""


@dataclass(frozen=True)
class Reach:
    """The answer of :meth:`Planner.reach` (see the module docstring)."""

    request: PlanRequest
    scenario: str
    origins: tuple[Place, ...]
    range_nm: float
    speed_kn: float
    dwell_h: float
    days: float | None
    max_stops: int
    window_days: float
    closed: tuple[str, ...]
    bands: tuple[Band, ...]
    facilities: tuple[ReachedFacility, ...]
    refused: tuple[tuple[Facility, str], ...]
    """Facilities within reach where the nation may not call, and why."""
    cell_days: np.ndarray = field(repr=False)
    cell_stops: np.ndarray = field(repr=False)
    caveats: tuple[str, ...]
    field_: ReachField = field(repr=False)

    @property
    def area_km2(self) -> float:
        """The whole reached area."""
        return self.bands[-1].area_km2

    @property
    def agreements_used(self) -> tuple[str, ...]:
        """Agreements that open a reached facility."""
        return tuple(sorted({a for f in self.facilities for a in f.agreements}))

    def __repr__(self) -> str:
        return (
            f"<Reach {self.request.nation} {self.platform_label}: {self.area_km2:,.0f} km2, "
            f"{len(self.facilities)} facilities, {self.max_stops} stops>"
        )

    @property
    def platform_label(self) -> str:
        """The platform or group, as people write it."""
        return " + ".join(
            f"{m.count} x {m.platform.name}" if m.count > 1 else m.platform.name
            for m in self.request.group
        )

    def frontier(self, by: str = "stops") -> dict[str, Any]:
        """The reached area as a GeoJSON FeatureCollection of MultiPolygons that do not
        overlap: one per stop count (``by="stops"``: the area first reached with that
        many stops) or day band (``by="days"``: first reached within that many days,
        after the band before), each with its area and the area up to it."""
        grid = self.field_.grid
        if by == "stops":
            keys = self.cell_stops.astype(float)
            edges = [float(b.stops) for b in self.bands]
            name = "stops"
        elif by == "days":
            keys = self.cell_days
            finite = keys[np.isfinite(keys)]
            edges = day_edges(float(finite.max()) if finite.size else 0.0)
            name = "days"
        else:
            raise InvalidInputError("shade by 'stops' or 'days'", field="by")
        feats: list[dict[str, Any]] = []
        reached = np.isfinite(keys) & (keys >= 0)
        below = -np.inf
        total = 0.0
        for edge in edges:
            ring = reached & (keys > below) & (keys <= edge)
            below = edge
            area = float(grid.area_km2[ring].sum())
            total += area
            if not ring.any():
                continue
            geom: Any = shapely.simplify(
                self.field_.area(ring), SIMPLIFY_DEG, preserve_topology=True
            )
            props = {name: edge, "area_km2": round(area), "cumulative_area_km2": round(total)}
            if name == "stops":
                props[name] = int(edge)
            feats.append(
                {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": props}
            )
        return {"type": "FeatureCollection", "features": feats}

    def json(self, *, frontier: str | None = "stops") -> dict[str, Any]:
        """The ``POST /reach`` answer (``frontier``: ``stops``, ``days`` or ``None``)."""
        req = self.request
        total = self.bands[-1]
        out: dict[str, Any] = {
            "nation": req.nation,
            "platform": self.platform_label,
            "scenario": self.scenario,
            "departure": req.departure.isoformat().replace("+00:00", "Z"),
            "origins": [p.json() for p in self.origins],
            "limits": {"days": self.days, "max_stops": self.max_stops},
            "range_nm": round(self.range_nm, 1),
            "speed_kn": self.speed_kn,
            "dwell_h": self.dwell_h,
            "window_days": round(self.window_days, 1),
            "area_km2": round(total.area_km2),
            "lane_nm": round(total.lane_nm),
            "lane_share": round(total.lane_share, 4),
            "by_stops": [
                {
                    "stops": b.stops,
                    "area_km2": round(b.area_km2),
                    "lane_nm": round(b.lane_nm),
                    "lane_share": round(b.lane_share, 4),
                    "facilities": b.facilities,
                }
                for b in self.bands
            ],
            "facilities": [
                {
                    "id": f.facility.id,
                    "name": f.facility.name,
                    "country": f.facility.country,
                    "kind": f.facility.kind,
                    "coordinates": [f.facility.lon, f.facility.lat],
                    "stops": f.stops,
                    "days": round(f.days, 2),
                    "via": list(f.via),
                    "basis": f.basis,
                    "agreements": list(f.agreements),
                    "resupply": f.resupply,
                }
                for f in self.facilities
            ],
            "refused": [
                {"id": f.id, "name": f.name, "coordinates": [f.lon, f.lat], "reason": why}
                for f, why in self.refused
            ],
            "agreements_used": list(self.agreements_used),
            "closed": list(self.closed),
            "caveats": list(self.caveats),
        }
        if frontier is not None:
            out["frontier"] = self.frontier(frontier)
        return out


def day_edges(top: float) -> list[float]:
    """Round day thresholds covering ``0..top`` in at most :data:`DAY_BANDS` bands."""
    if top <= 0:
        return [0.0]
    raw = top / DAY_BANDS
    step = next(s for s in (1, 2, 5, 10, 15, 20, 30, 60, 90, 180, 365) if s >= raw)
    return [float(step * k) for k in range(1, math.ceil(top / step) + 1)]


class ReachSpec(BaseModel):
    """A reach question (``POST /reach``). Either `platform` or `group` is required."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nation": "IND",
                    "platform": "talwar",
                    "departure": "2027-03-01T00:00:00Z",
                    "max_stops": 2,
                    "days": 30,
                }
            ]
        },
    )

    nation: str = Field(description="Deploying nation, ISO 3166-1 alpha-3.", examples=["IND"])
    platform: PlatformRef | None = None
    group: list[GroupItem] | None = Field(
        None, min_length=1, description="A task group instead of a single platform."
    )
    origins: list[str] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="Facility ids to sail from; the nation's own naval bases when empty.",
    )
    departure: dt.datetime | None = Field(
        None, description="Departure time (ISO 8601, UTC if no offset); now when omitted."
    )
    days: float | None = Field(
        None, gt=0, le=MAX_REACH_DAYS, description="Only what can be reached within this."
    )
    max_stops: int = Field(
        DEFAULT_MAX_STOPS, ge=0, le=MAX_REACH_STOPS, description="Resupply stops at most."
    )
    speed_kn: float | None = Field(None, ge=MIN_SPEED_KN, le=MAX_SPEED_KN)
    reserve: float = Field(DEFAULT_RESERVE, ge=0, lt=1, description="Fuel fraction kept.")
    dwell_h: float | None = Field(None, ge=0, le=24 * 14, description="Hours at each stop.")
    closed: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    dropped_agreements: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    closed_facilities: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    avoid_facilities: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    ice_class: str | None = None
    personnel: int | None = Field(None, ge=0, le=100_000)
    allow_clearance: bool = False
    clearance_stops: bool = False
    denied_countries: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    min_confidence: Literal["confirmed", "assumed_date", "uncertain", "contested"] | None = None
    scenario: Annotated[int, Field(ge=1, le=MAX_ID)] | dict[str, Any] | None = Field(
        None, description="A saved scenario id or an inline scenario to apply."
    )
    frontier: Literal["stops", "days", "none"] = Field(
        "stops", description="Frontier polygons by stop count, by day band, or none."
    )

    @field_validator("departure")
    @classmethod
    def _in_range(cls, value: dt.datetime | None) -> dt.datetime | None:
        check_date(value, what="the time")
        return value

    @model_validator(mode="after")
    def _one_of(self) -> ReachSpec:
        if (self.platform is None) == (self.group is None):
            raise ValueError("give exactly one of 'platform' or 'group'")
        return self

    def request(
        self, cat: Catalogue, platforms: Mapping[str, Platform], *, sea: SeaData | None = None
    ) -> PlanRequest:
        """The plan request reach is computed for (its origin and destination unused;
        names are taken where ids are, as :func:`build_request` takes them)."""
        if self.origins:
            anchor = self.origins[0]
        else:
            homes = home_bases(cat, self.nation.upper())
            anchor = homes[0].id if homes else "0,0"
        shared = (set(PlanSpec.model_fields) & set(type(self).model_fields)) - {"max_stops"}
        fields = self.model_dump(include=shared, exclude_none=True)
        spec = PlanSpec.model_validate({**fields, "origin": anchor, "destination": anchor})
        return build_request(spec, platforms, catalogue=cat, sea=sea)


# -- the computation ----------------------------------------------------------------------


def home_bases(cat: Catalogue, nation: str) -> list[Facility]:
    """The nation's own naval bases (its territory, or operated by it)."""
    return [f for f in cat if f.kind == "naval_base" and nation in f.grantors]


Distances = Callable[[Sequence[Place], frozenset[str]], np.ndarray]
"""Sea distances (nm) between places with the given passages closed (the planner's)."""


def reach(
    rf: ReachField,
    req: PlanRequest,
    cat: Catalogue,
    *,
    candidates: Sequence[tuple[Facility, Grant]],
    distances: Distances,
    scenario: str,
    range_nm: float,
    speed_kn: float,
    dwell_h: float,
    origins: Sequence[str] = (),
    days: float | None = None,
    max_stops: int = DEFAULT_MAX_STOPS,
) -> Reach:
    """Reach of ``req``'s nation and group over ``cat`` (the request and catalogue with
    the scenario applied, as :meth:`Planner.reach` prepares them), its group sailing
    ``range_nm`` between resupplies at ``speed_kn``; ``candidates`` are the facilities
    it may take fuel at on the departure day. ``origins`` are facility ids (the
    nation's naval bases when empty); the request's origin and destination are unused."""
    if req.domain != "sea":
        raise InvalidInputError(
            "reach is computed for ships; plan flights with /plans or /air-routes",
            field="platform",
        )
    if days is not None and not 0 < days <= MAX_REACH_DAYS:
        raise InvalidInputError(f"days must be in (0, {MAX_REACH_DAYS:g}]", field="days")
    if not 0 <= max_stops <= MAX_REACH_STOPS:
        raise InvalidInputError(f"max_stops must be 0 to {MAX_REACH_STOPS}", field="max_stops")
    router = rf.router
    R, v, dwell = float(range_nm), float(speed_kn), float(dwell_h)
    limit_h = math.inf if days is None else days * 24.0
    rules = CallRules(cat, req)
    day0 = req.departure
    # origins
    if origins:
        starts = [
            cat.facility(o, field=f"origins.{i}", kinds=SEA_KINDS) for i, o in enumerate(origins)
        ]
    else:
        starts = home_bases(cat, req.nation)
        if not starts:
            raise InvalidInputError(
                f"{req.nation} has no naval base in the catalogue; give origins", field="origins"
            )
    start_places: list[Place] = []
    for i, fac in enumerate(starts):
        if fac.kind not in SEA_KINDS:
            raise InvalidInputError(
                f"{fac.id} is an {fac.kind}; ships need a port or naval base",
                field=f"origins.{i}" if origins else "origins",
            )
        if fac.id in router.connected_ports:
            start_places.append(Place(fac.id, fac.point, fac.name, fac))
    if not start_places:
        raise InvalidInputError("no origin is joined to the sea graph", field="origins")
    # the window, and the passages closed for it
    window = days if days is not None else (max_stops + 1) * (R / v + dwell) / 24.0
    closed, season_notes = _closures(router, req, day0.date(), window)
    # candidates for fuel, and every facility a call could be made at
    grants = {f.id: g for f, g in candidates if f.id in router.connected_ports}
    ports = [f for f in cat if f.kind in SEA_KINDS and f.id in router.connected_ports]
    index = {f.id: i for i, f in enumerate(ports)}
    for p in start_places:
        if p.key not in index:  # a hypothetical origin from a scenario
            index[p.key] = len(ports)
            ports.append(p.facility)  # type: ignore[arg-type]
    places = [Place(f.id, f.point, f.name, f) for f in ports]
    dist = distances(places, closed)
    n = len(places)
    cand = np.zeros(n, bool)
    for fid in grants:
        cand[index[fid]] = True
    # the stop chain: departure times from each source, level by level
    src_t = np.full(n, math.inf)
    chain: dict[int, tuple[int, ...]] = {}
    for p in start_places:
        src_t[index[p.key]] = 0.0
        chain[index[p.key]] = (index[p.key],)
    reach_d = np.where(dist <= R, dist, math.inf) / v  # hours of each leg within range
    levels: list[np.ndarray] = []  # sources (departure hours) of each band
    arrive_best = np.full(n, math.inf)
    arrive_from = np.full(n, -1)
    first_level = np.full(n, -1)
    for k in range(max_stops + 1):
        levels.append(src_t.copy())
        srcs = np.flatnonzero(np.isfinite(src_t))
        times = src_t[srcs, None] + reach_d[srcs]
        best = times.argmin(axis=0)
        arrive = times[best, np.arange(n)]
        arrive[arrive > limit_h] = math.inf
        newly = np.isfinite(arrive) & (first_level < 0)
        first_level[newly] = k
        better = arrive < arrive_best
        arrive_best[better] = arrive[better]
        arrive_from[better] = srcs[best[better]]
        if k == max_stops:
            break
        nxt = src_t.copy()
        for j in np.flatnonzero(cand & np.isfinite(arrive)).tolist():
            leave = arrive[j] + dwell
            if leave >= nxt[j] or leave >= limit_h:
                continue
            when = day0 + dt.timedelta(hours=float(arrive[j]))
            stop = places[j].facility
            assert stop is not None
            if rules.grant(stop, when.date(), FUEL["sea"], clearance=_clearance(req)) is None:
                continue  # the agreement has lapsed by then
            nxt[j] = leave
            chain[j] = (*chain[int(srcs[best[j]])], j)
        src_t = nxt
    # the area, band by band, from each band's sources and the range left to each
    used = np.flatnonzero(np.isfinite(levels[-1]))
    port_rows = [router.port_index(places[i].key) for i in used]
    rows = rf.rows(closed, port_rows)
    n_core = rf.n_core
    a_from, a_to, a_nm = rf.core_edges
    total_lane = float(a_nm.sum())
    bands: list[Band] = []
    cell_stops = np.full(rf.grid.n_cells, -1, np.int16)
    budgets_all = np.minimum(R, v * (limit_h - levels[-1][used]))
    for k, level in enumerate(levels):
        budget = np.full(len(used), -math.inf)
        on = np.isfinite(level[used])
        budget[on] = np.minimum(R, v * (limit_h - level[used][on]))
        left = (budget[:, None] - rows).max(axis=0) if len(used) else np.zeros(rows.shape[1])
        cells = left[n_core:] >= 0
        cell_stops[(cell_stops < 0) & cells] = k
        rem = np.maximum(left[:n_core], 0.0)
        lane = float(np.minimum(a_nm, rem[a_from] + rem[a_to]).sum())
        bands.append(
            Band(
                k,
                float(rf.grid.area_km2[cells].sum()),
                lane,
                lane / total_lane if total_lane else 0.0,
                0,
                cells,
            )
        )
    arrive_h = np.where(rows <= budgets_all[:, None], rows / v, math.inf)
    arrive_h = levels[-1][used][:, None] + arrive_h if len(used) else arrive_h
    cell_days = (arrive_h.min(axis=0)[n_core:] / 24.0) if len(used) else np.full(0, math.inf)
    # facilities where a call may be made on arrival
    reached: list[ReachedFacility] = []
    refused: list[tuple[Facility, str]] = []
    for j in np.flatnonzero(np.isfinite(arrive_best)).tolist():
        place = places[j]
        target = place.facility
        assert target is not None
        when = day0 + dt.timedelta(hours=float(arrive_best[j]))
        call = rules.call("destination", place, when, CALL_SERVICE["sea"])
        if isinstance(call, str):
            refused.append((target, call))
            continue
        src = int(arrive_from[j])
        via = tuple(places[i].key for i in chain.get(src, (src,)))
        grant = call.grant
        assert grant is not None
        reached.append(
            ReachedFacility(
                target,
                int(first_level[j]),
                float(arrive_best[j]) / 24.0,
                via,
                grant.basis,
                tuple(grant.agreements),
                bool(cand[j]),
            )
        )
    reached.sort(key=lambda f: (f.days, f.facility.id))
    counts = [sum(1 for f in reached if f.stops <= b.stops) for b in bands]
    bands = [
        Band(b.stops, b.area_km2, b.lane_nm, b.lane_share, c, b.cells)
        for b, c in zip(bands, counts, strict=True)
    ]
    caveats = [*CAVEATS, *season_notes]
    return Reach(
        request=req,
        scenario=scenario,
        origins=tuple(start_places),
        range_nm=R,
        speed_kn=v,
        dwell_h=dwell,
        days=days,
        max_stops=max_stops,
        window_days=window,
        closed=tuple(sorted(closed)),
        bands=tuple(bands),
        facilities=tuple(reached),
        refused=tuple(sorted(refused, key=lambda r: r[0].id)),
        cell_days=cell_days,
        cell_stops=cell_stops,
        caveats=tuple(caveats),
        field_=rf,
    )


def _clearance(req: PlanRequest) -> bool:
    return req.allow_clearance and req.clearance_stops


def _closures(
    router: Any, req: PlanRequest, day0: dt.date, window_days: float
) -> tuple[frozenset[str], list[str]]:
    """The passages closed for the whole window: the request's, those the group does not
    fit, and seasonal ones not open on every day of it (named in the notes when open
    for part of it)."""
    ice = req.voyage_ice_class
    closed = set(router.effective_closures(req.closed, size=req.size, seasons=False))
    notes: list[str] = []
    ndays = max(1, math.ceil(window_days) + 1)
    for pid, rule in router.sea.seasons.items():
        if pid in closed:
            continue
        open_ = open_days(rule, day0, ndays, ice)
        if open_.all():
            continue
        closed.add(pid)
        if open_.any():
            first = day0 + dt.timedelta(days=int(np.argmax(open_)))
            last = day0 + dt.timedelta(days=len(open_) - 1 - int(np.argmax(open_[::-1])))
            name = router.sea.by_id[pid].name
            notes.append(
                f"{name} is open only part of the window ({first.isoformat()} to "
                f"{last.isoformat()} of {day0.isoformat()} to "
                f"{(day0 + dt.timedelta(days=ndays - 1)).isoformat()}; "
                f"{season_text(rule, ice)}): reach counts it closed"
            )
    return frozenset(closed), notes
