"""The use cases every front end calls: route, matrix, plan, compare, critical, access.

The HTTP routers (``app/routers``), the CLI (``app/cli.py``) and Python scripts
are thin adapters over :class:`Services`: they turn their input into the request
schemas defined in the core (:class:`~routing.plan.request.PlanSpec`,
:class:`RouteSpec`, :class:`CompareSpec`) and call a method here, so the same
question gets the same answer whichever way it is asked.

>>> from routing import default_services
>>> services = default_services()              # shipped data, cached sea graph
>>> plan = services.plan(PlanSpec(nation="IND", platform="talwar",
...                               origin="in-mumbai-naval-dockyard",
...                               destination="ru-vladivostok-naval-base",
...                               departure="2026-08-01T00:00:00Z"))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from routing.air.report import airspace_json, clearances, overflies
from routing.air.router import describe_stretches
from routing.air.rules import policy as air_policy
from routing.air.rules import shipped_rules
from routing.catalogue.access import agreements_in_force, check_nation, usable_facilities
from routing.catalogue.load import DEFAULT_AGREEMENTS, DEFAULT_FACILITIES, load_catalogue
from routing.catalogue.model import Catalogue, Facility
from routing.catalogue.platforms import (
    DEFAULT_PLATFORMS,
    Platform,
    get_platform,
    load_platforms,
)
from routing.errors import InvalidInputError, RelosError, ServiceUnavailableError
from routing.geo import LonLat, unwrap_array
from routing.limits import MAX_ID, MAX_LIST, MIN_SPEED_KN, check_date
from routing.memory import set_kernel_threads, set_numpy_hugepages
from routing.parse import looks_like_point, parse_lonlat
from routing.plan.compare import compare, compare_json, compare_routes, critical, critical_json
from routing.plan.impact import ImpactSpec, impact
from routing.plan.planner import Plan, Planner
from routing.plan.reach import ReachSpec
from routing.plan.request import PlanRequest, PlanSpec, build_request
from routing.plan.scenario import SCENARIO_EXAMPLE, Scenario, resolve_scenarios
from routing.plan.serialize import iso, plan_json
from routing.sea.graph import PortSite
from routing.sea.passages import SeaData, ShipSize, ice_warnings, load_sea_data
from routing.sea.router import Route, SeaRouter, load_sea_router
from routing.sea.timing import earliest_entry, season_text, shut_transits, transits
from routing.vocab import SEA_KINDS

DEFAULT_SPEED_KN = 14.0
MAX_MATRIX = 500
MAX_VIA = 20
MAX_SCENARIOS = 20


class RouteSpec(BaseModel):
    """A sea route to find: the parameters of ``GET /routes`` and ``relos route``."""

    model_config = ConfigDict(extra="forbid")

    origin: str = Field(examples=["ru-murmansk-port"])
    destination: str = Field(examples=["ru-vladivostok-naval-base"])
    closed: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    date: dt.date | None = None
    speed_kn: float = Field(DEFAULT_SPEED_KN, ge=MIN_SPEED_KN, le=60)
    via: list[str] = Field(default_factory=list, max_length=MAX_VIA)
    alternatives: int = Field(1, ge=1, le=5)
    ice_class: str | None = None
    platform: str | None = Field(
        None, description="A ship class id: its ice class, draught, beam and air draught apply."
    )
    draught_m: float | None = Field(None, gt=0, le=40)
    beam_m: float | None = Field(None, gt=0, le=120)
    air_draught_m: float | None = Field(None, gt=0, le=120)

    @field_validator("date")
    @classmethod
    def _in_range(cls, value: dt.date | None) -> dt.date | None:
        return check_date(value)


class AirRouteSpec(BaseModel):
    """A flight to find: the parameters of ``GET /air-routes`` and ``relos air-route``."""

    model_config = ConfigDict(extra="forbid")

    origin: str = Field(examples=["in-hindon-afs"])
    destination: str = Field(examples=["ru-levashovo-air-base"])
    nation: str | None = Field(
        None,
        description="Whose aircraft (ISO3); default: the country of the origin airbase.",
        examples=["IND"],
    )
    date: dt.date | None = Field(None, description="Day of the flight; default: today (UTC).")
    allow_clearance: bool = Field(
        False, description="Fly through third states' airspace by diplomatic clearance."
    )
    denied_countries: list[str] = Field(
        default_factory=list, max_length=MAX_LIST, description="States refusing clearance."
    )
    closed_airspace: list[str] = Field(
        default_factory=list, max_length=MAX_LIST, description="Airspace to close (ISO3)."
    )
    opened_airspace: list[str] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="States whose standing closures are lifted (ISO3).",
    )
    dropped_agreements: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    platform: str | None = Field(None, description="Aircraft id: duration at its cruise speed.")
    speed_kn: float | None = Field(None, ge=MIN_SPEED_KN, le=2000)

    @field_validator("date")
    @classmethod
    def _in_range(cls, value: dt.date | None) -> dt.date | None:
        return check_date(value)


class CompareSpec(BaseModel):
    """A deployment (`plan`, a /plans body) or a `route`, and the scenarios to run it under."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "plan": {
                        "nation": "IND",
                        "platform": "talwar",
                        "origin": "in-visakhapatnam-naval-dockyard",
                        "destination": "ru-severomorsk-naval-base",
                        "departure": "2026-08-01T00:00:00Z",
                    },
                    "scenarios": [SCENARIO_EXAMPLE, 1],
                }
            ]
        },
    )

    plan: PlanSpec | None = None
    route: RouteSpec | None = None
    scenarios: list[Annotated[int, Field(ge=1, le=MAX_ID)] | dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_SCENARIOS,
        description="Saved scenario ids or inline scenarios.",
    )
    include_plans: bool = Field(True, description="Include each full plan in the answer.")

    @model_validator(mode="after")
    def _one_of(self) -> CompareSpec:
        if (self.plan is None) == (self.route is None):
            raise ValueError("give exactly one of 'plan' or 'route'")
        return self


SavedScenarios = Callable[[int], Mapping[str, Any]]
"""Looks a saved scenario up by id (the store's ``get_scenario``)."""


@dataclass(frozen=True)
class Services:
    """The loaded data and engines, read-only, and the use cases over them."""

    catalogue: Catalogue
    platforms: Mapping[str, Platform]
    sea_data: SeaData
    sea: SeaRouter | None
    planner: Planner

    @property
    def versions(self) -> dict[str, str | None]:
        """Provenance recorded with every answer: catalogue and graph versions."""
        return {
            "catalogue": self.catalogue.version(),
            "graph": self.sea.graph_version if self.sea else None,
        }

    def require_sea(self) -> SeaRouter:
        """The sea router, or :class:`ServiceUnavailableError` when it is not loaded."""
        if self.sea is None:
            raise ServiceUnavailableError(
                "the sea graph is not loaded (RELOS_LOAD_SEA_GRAPH=false)"
            )
        return self.sea

    # -- routes ------------------------------------------------------------------------------

    def endpoint(self, text: str, field: str) -> str | LonLat:
        """A route end: a port or naval base (id or name), or a ``lon,lat`` sea point."""
        if looks_like_point(text):
            return parse_lonlat(text, field=field)
        fac = self.catalogue.facility(text, field=field, kinds=SEA_KINDS)
        if fac.kind not in SEA_KINDS:
            raise InvalidInputError(
                f"{fac.id} is an {fac.kind}, not a port or naval base", field=field
            )
        return fac.id

    def _closed(self, items: Sequence[str], field: str) -> list[str]:
        """Closed passages or closure groups, by id or name, as ids."""
        return [self.sea_data.passage_id(c, field=field) for c in items]

    def _via(self, items: Sequence[str]) -> list[str | LonLat]:
        self.require_sea()
        names = self.sea_data.passage_names
        out: list[str | LonLat] = []
        for raw in items:
            for item in (p.strip() for p in raw.split(";")):
                if not item:
                    continue
                passage = names.matches(item) if not looks_like_point(item) else []
                if len(passage) == 1 and passage[0] in self.sea_data.by_id:
                    out.append(passage[0])
                else:
                    out.append(self.endpoint(item, "via"))
        if len(out) > MAX_VIA:
            raise InvalidInputError(f"at most {MAX_VIA} via points", field="via")
        return out

    def ship(self, spec: RouteSpec) -> tuple[str | None, ShipSize]:
        """The ice class and dimensions a route is found for: the platform's, overridden
        by any given explicitly."""
        ice, size = spec.ice_class, ShipSize(spec.draught_m, spec.beam_m, spec.air_draught_m)
        if spec.platform is not None:
            plat = get_platform(dict(self.platforms), spec.platform, field="platform")
            if plat.domain != "sea":
                raise InvalidInputError(f"{plat.id} is an aircraft, not a ship", field="platform")
            ice = ice or plat.ice_class
            size = ShipSize(
                spec.draught_m or plat.draught_m,
                spec.beam_m or plat.beam_m,
                spec.air_draught_m or plat.air_draught_m,
            )
        return ice, size

    def route(self, spec: RouteSpec) -> dict[str, Any]:
        """The ``GET /routes`` answer: the route as a GeoJSON Feature with its alternatives.

        With a date, the route sails from midnight UTC that day at ``speed_kn``: each
        passage gets the times the ship is in it, and a route that would be in a seasonal
        passage or ice region on a day it is shut to the ship is routed around it, with a
        warning saying so (and from which day the passage would have been in season)."""
        sea = self.require_sea()
        ice, size = self.ship(spec)
        given = self._closed(spec.closed, "closed")
        closed = list(given)
        notes: list[str] = []
        for _ in range(len(self.sea_data.seasons) + 1):
            routes = sea.routes(
                self.endpoint(spec.origin, "origin"),
                self.endpoint(spec.destination, "destination"),
                alternatives=spec.alternatives,
                closed=closed,
                date=spec.date,
                ice_class=ice,
                size=size,
                via=self._via(spec.via),
            )
            late = self._out_of_season(routes[0], spec, ice)
            if late is None:
                break
            pid, note = late
            notes.append(note)
            closed.append(pid)
        first, *rest = (self.route_feature(r, spec, ice) for r in routes)
        first["properties"]["warnings"] = [*notes, *first["properties"]["warnings"]]
        first["properties"]["season_closed"] = [c for c in closed if c not in given]
        first["properties"]["alternatives"] = rest
        return first

    def _start(self, spec: RouteSpec) -> dt.datetime | None:
        if spec.date is None:
            return None
        return dt.datetime.combine(spec.date, dt.time(), tzinfo=dt.UTC)

    def _out_of_season(
        self, route: Route, spec: RouteSpec, ice: str | None
    ) -> tuple[str, str] | None:
        """The first seasonal passage or ice region the route is in on a day it is shut
        to the ship, with a sentence saying so; ``None`` when every transit is in season."""
        start = self._start(spec)
        if start is None:
            return None
        seasons = self.sea_data.seasons
        found = transits(
            self.sea_data, unwrap_array(route.xy), only=seasons, steps_nm=route.steps_nm
        )
        for tr, rule, t_in, t_out in shut_transits(found, seasons, start, spec.speed_kn, ice):
            later = earliest_entry(rule, t_in, t_out - t_in, ice, max_wait=dt.timedelta(days=366))
            after = f"; it would be in season if entered from {later:%Y-%m-%d}" if later else ""
            return tr.passage, (
                f"{tr.name}: at {spec.speed_kn:g} kn from {spec.date} the ship would be in it "
                f"from {t_in:%Y-%m-%d} to {t_out:%Y-%m-%d}, but it is "
                f"{season_text(rule, ice)}; routed around it ({tr.passage}){after}"
            )
        return None

    def _describe(self, ref: str) -> dict[str, Any]:
        if ref in self.catalogue.facilities:
            fac = self.catalogue.facilities[ref]
            return {"id": fac.id, "name": fac.name, "coordinates": [fac.lon, fac.lat]}
        lon, lat = (float(x) for x in ref.split(","))
        return {"id": None, "name": ref, "coordinates": [lon, lat]}

    def route_feature(
        self, route: Route, spec: RouteSpec, ice_class: str | None = None
    ) -> dict[str, Any]:
        """A route as the GeoJSON Feature ``GET /routes`` returns (with the ice rules it
        meets on its date in the ice regions it enters, as ``warnings``)."""
        track = unwrap_array(route.xy)
        found = transits(self.sea_data, track, steps_nm=route.steps_nm)
        regions = {
            t.passage: self.sea_data.by_id[t.passage] for t in found if t.kind == "ice_region"
        }.values()
        feature = route.to_geojson()
        props = feature["properties"]
        assert isinstance(props, dict)
        start = self._start(spec)
        timed = []
        days: dict[str, set[dt.date]] = {}
        for tr in found:
            item: dict[str, Any] = {
                "passage": tr.passage,
                "name": tr.name,
                "entered_nm": round(tr.enter_nm, 1),
                "left_nm": round(tr.exit_nm, 1),
            }
            if start is not None:
                t_in, t_out = tr.times(start, spec.speed_kn)
                item |= {"entered": iso(t_in), "left": iso(t_out)}
                days.setdefault(tr.passage, set()).update({t_in.date(), t_out.date()})
            timed.append(item)
        warnings: list[str] = []
        for region in regions:
            for day in sorted(days.get(region.id) or ({spec.date} if spec.date else set())):
                warnings += [w for w in ice_warnings([region], day, ice_class) if w not in warnings]
        props.update(
            {
                "origin": self._describe(route.origin),
                "destination": self._describe(route.destination),
                "distance_nm": round(route.distance_nm, 1),
                "duration_h": round(route.duration_h(spec.speed_kn), 1),
                "speed_kn": spec.speed_kn,
                "date": spec.date.isoformat() if spec.date else None,
                "transits": timed,
                "warnings": warnings,
            }
        )
        return feature

    def matrix(
        self,
        facilities: Sequence[str],
        *,
        closed: Sequence[str] = (),
        date: dt.date | None = None,
        ice_class: str | None = None,
    ) -> dict[str, Any]:
        """The ``POST /matrix`` answer: sea distances, ``None`` where cut off."""
        sea = self.require_sea()
        if len(facilities) > MAX_MATRIX:
            raise InvalidInputError(f"at most {MAX_MATRIX} facilities", field="facilities")
        facilities = [
            fid if looks_like_point(fid) else str(self.endpoint(fid, f"facilities.{i}"))
            for i, fid in enumerate(facilities)
        ]
        closed = self._closed(closed, "closed")
        m = sea.matrix(facilities, closed=closed, date=date, ice_class=ice_class)
        rounded = np.round(m, 1).astype(object)
        rounded[~np.isfinite(m)] = None
        return {
            "facilities": list(facilities),
            "closed": sorted(sea.effective_closures(closed, date=date, ice_class=ice_class)),
            "distance_nm": rounded.tolist(),
        }

    def passages(self) -> dict[str, Any]:
        """The ``GET /passages`` answer: each passage with its season rule and geometry."""
        out = []
        for p in self.sea_data.passages:
            season = self.sea_data.seasons.get(p.id)
            out.append(
                {
                    "id": p.id,
                    "name": p.name,
                    "kind": p.kind,
                    "seasonal": season is not None,
                    "season_rule": season.source if season else None,
                    "note": p.note,
                    "limits": dict(p.limits),
                    "ice_rules": [r.model_dump(mode="json", by_alias=True) for r in p.ice_rules],
                    "sources": [s.model_dump(exclude_none=True) for s in p.sources],
                    "geometry": p.geometry(),
                }
            )
        groups = [
            g.model_dump(mode="json", exclude_none=True) for g in self.sea_data.groups.values()
        ]
        return {"count": len(out), "passages": out, "closure_groups": groups}

    # -- air routes --------------------------------------------------------------------------

    def _air_end(self, text: str, field: str) -> tuple[LonLat, Facility | None, str]:
        if looks_like_point(text):
            p = parse_lonlat(text, field=field)
            return p, None, f"{p.lat:.3f}, {p.lon:.3f}"
        fac = self.catalogue.facility(text, field=field, kinds=("airbase",))
        if fac.kind != "airbase":
            raise InvalidInputError(f"{fac.id} is a {fac.kind}, not an airbase", field=field)
        return fac.point, fac, fac.name

    def air_route(self, spec: AirRouteSpec) -> dict[str, Any]:
        """The ``GET /air-routes`` answer: the shortest flight that stays in airspace open
        to the nation's military aircraft on the day, as a GeoJSON Feature, with the
        states overflown in order, the clearances needed and the closures in the way."""
        a, fa, name_a = self._air_end(spec.origin, "origin")
        b, fb, name_b = self._air_end(spec.destination, "destination")
        if spec.nation is None and fa is None:
            raise InvalidInputError("give the nation whose aircraft fly", field="nation")
        nation = check_nation(spec.nation or (fa.country if fa else ""))
        day = spec.date or dt.datetime.now(dt.UTC).date()
        dropped = [
            self.catalogue.agreement(aid, field=f"dropped_agreements.{i}").id
            for i, aid in enumerate(spec.dropped_agreements)
        ]
        air = air_policy(
            self.planner.air.airspaces,
            shipped_rules(),
            self.catalogue,
            nation=nation,
            day=day,
            allow_clearance=spec.allow_clearance,
            denied=[
                check_nation(c, field=f"denied_countries.{i}")
                for i, c in enumerate(spec.denied_countries)
            ],
            closed_airspace=spec.closed_airspace,
            opened_airspace=spec.opened_airspace,
            dropped=dropped,
        )
        speed = spec.speed_kn
        if spec.platform is not None:
            plat = get_platform(dict(self.platforms), spec.platform, field="platform")
            if plat.domain != "air":
                raise InvalidInputError(f"{plat.id} is a ship, not an aircraft", field="platform")
            speed = speed or plat.at_speed_kn
        visit = sorted({f.country for f in (fa, fb) if f is not None})
        mask = air.closed(visit)
        route = self.planner.air.route(a, b, mask)
        ends = {
            role: {
                "id": f.id if f else None,
                "name": name,
                "country": f.country if f else None,
                "coordinates": [p.lon, p.lat],
            }
            for role, f, name, p in (("origin", fa, name_a, a), ("destination", fb, name_b, b))
        }
        props: dict[str, Any] = {
            **ends,
            "nation": nation,
            "date": day.isoformat(),
            "feasible": route.feasible,
            "reason": None,
            "great_circle_nm": round(route.great_circle_nm, 1),
            "airspace": airspace_json(air),
        }
        if not route.feasible:
            props |= {
                "reason": self.planner.air.why_not(a, b, route, air, visit),
                "distance_nm": None,
                "blocked_by": [
                    {
                        "airspace": air.airspaces.units[u].sovereign,
                        "unit": air.airspaces.units[u].code,
                        "name": air.airspaces.units[u].name,
                        "reason": air.statuses[u].reason,
                    }
                    for u in route.blocked_by
                ],
                "overflies": [],
                "stretches": [],
                "clearances": [],
            }
            return {"type": "Feature", "geometry": None, "properties": props}
        stretches = describe_stretches(route, air, visit)
        depart = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        props |= {
            "distance_nm": round(route.distance_nm, 1),
            "detour_nm": round(route.distance_nm - route.great_circle_nm, 1),
            "speed_kn": speed,
            "duration_h": round(route.distance_nm / speed, 2) if speed else None,
            "overflies": overflies([stretches]),
            "stretches": stretches,
            "clearances": clearances([(1, depart, stretches)], air),
            "turns": np.round(route.turns, 4).tolist(),
        }
        geometry = {
            "type": "LineString",
            "coordinates": np.round(unwrap_array(route.xy), 4).tolist(),
        }
        return {"type": "Feature", "geometry": geometry, "properties": props}

    # -- plans -------------------------------------------------------------------------------

    def request(self, spec: PlanSpec) -> PlanRequest:
        """The domain request for ``spec``, names taken where ids are."""
        return build_request(spec, self.platforms, catalogue=self.catalogue, sea=self.sea_data)

    def plan(
        self, spec: PlanSpec, *, scenario: Scenario | None = None, suggest: bool = True
    ) -> Plan:
        """The optimal plan for ``spec`` (or why there is none; with ``suggest``, the
        checked suggestions that would make it feasible)."""
        return self.planner.plan(self.request(spec), scenario=scenario, suggest=suggest)

    def plan_json(self, spec: PlanSpec) -> dict[str, Any]:
        """The ``POST /plans`` answer, with the data versions it was computed on."""
        out = plan_json(self.plan(spec))
        out["versions"] = self.versions
        return out

    def scenarios(
        self, items: Sequence[int | Mapping[str, Any]], saved: SavedScenarios | None
    ) -> list[Scenario]:
        """Validated scenarios from saved ids and inline specs."""
        return resolve_scenarios(
            items, self.catalogue, self.platforms, saved=saved, sea=self.sea_data
        )

    def _one_scenario(
        self, item: int | Mapping[str, Any] | None, saved: SavedScenarios | None
    ) -> Scenario | None:
        """A request's one ``scenario`` (a saved id or inline), errors naming that field."""
        if item is None:
            return None
        try:
            (scenario,) = self.scenarios([item], saved)
        except RelosError as exc:  # one scenario here, not a list
            if exc.field and exc.field.startswith("scenarios.0"):
                exc.field = "scenario" + exc.field.removeprefix("scenarios.0")
            raise
        return scenario

    def compare(self, spec: CompareSpec, *, saved: SavedScenarios | None = None) -> dict[str, Any]:
        """The ``POST /compare`` answer: a row per scenario, baseline first."""
        scenarios = self.scenarios(spec.scenarios, saved)
        if spec.route is not None:
            r = spec.route
            ice, size = self.ship(r)
            return compare_routes(
                self.require_sea(),
                self.endpoint(r.origin, "route.origin"),
                self.endpoint(r.destination, "route.destination"),
                scenarios,
                closed=self._closed(r.closed, "route.closed"),
                date=r.date,
                speed_kn=r.speed_kn,
                ice_class=ice,
                size=size,
            )
        assert spec.plan is not None
        req = self.request(spec.plan)
        outcomes = compare(self.planner, req, scenarios)
        return compare_json(outcomes, include_plans=spec.include_plans)

    def reach(self, spec: ReachSpec, *, saved: SavedScenarios | None = None) -> dict[str, Any]:
        """The ``POST /reach`` answer: the sea area, lanes and facilities within reach."""
        self.require_sea()
        scenario = self._one_scenario(spec.scenario, saved)
        req = spec.request(self.catalogue, self.platforms, sea=self.sea_data)
        found = self.planner.reach(
            req, origins=spec.origins, days=spec.days, max_stops=spec.max_stops, scenario=scenario
        )
        out = found.json(frontier=None if spec.frontier == "none" else spec.frontier)
        out["versions"] = self.versions
        return out

    def impact(self, spec: ImpactSpec, *, saved: SavedScenarios | None = None) -> dict[str, Any]:
        """The ``POST /impact`` answer: the nation's agreements ranked by what each adds."""
        self.require_sea()
        scenario = self._one_scenario(spec.scenario, saved)
        req = spec.request(self.catalogue, self.platforms, sea=self.sea_data)
        found = impact(
            self.planner,
            req,
            agreements=spec.agreements,
            basis=spec.basis,
            origins=spec.origins,
            days=spec.days,
            max_stops=spec.max_stops,
            voyages=spec.voyages,
            scenario=scenario,
        )
        out = found.json(frontier=spec.frontier == "stops")
        out["versions"] = self.versions
        return out

    def critical(self, spec: PlanSpec) -> dict[str, Any]:
        """The ``POST /critical`` answer: what the deployment relies on, ranked."""
        base, impacts = critical(self.planner, self.request(spec))
        return critical_json(base, impacts)

    # -- access ------------------------------------------------------------------------------

    def access(
        self,
        nation: str,
        day: dt.date,
        *,
        service: str | None = None,
        kind: str | None = None,
        dropped_agreements: Sequence[str] = (),
        closed_facilities: Sequence[str] = (),
    ) -> dict[str, Any]:
        """The ``GET /access`` answer: every usable facility and the agreement opening it."""
        code = check_nation(nation)
        dropped_agreements = [
            self.catalogue.agreement(a, field="dropped_agreements").id for a in dropped_agreements
        ]
        grants = usable_facilities(
            self.catalogue,
            code,
            day,
            service=service,
            dropped_agreements=dropped_agreements,
            closed_facilities=closed_facilities,
        )
        if kind is not None:
            grants = [g for g in grants if g.facility.kind == kind]
        in_force = agreements_in_force(self.catalogue, code, day, dropped=dropped_agreements)
        return {
            "nation": code,
            "date": day.isoformat(),
            "service": service,
            "agreements_in_force": [a.id for a in in_force],
            "count": len(grants),
            "facilities": [
                {
                    "facility_id": g.facility.id,
                    "name": g.facility.name,
                    "country": g.facility.country,
                    "kind": g.facility.kind,
                    "coordinates": [g.facility.lon, g.facility.lat],
                    **g.json(),
                }
                for g in grants
            ],
        }


def sea_router_for(
    catalogue: Catalogue,
    *,
    cache_dir: Path | None = None,
    sea: SeaData | None = None,
    extend: bool = False,
) -> SeaRouter:
    """Build (first time) or load the sea graph joining every port and naval base (and
    the commercial ports, when the catalogue holds the layer); with ``extend``, a
    catalogue adding ports to a cached graph's has only those attached."""
    ports = [PortSite(f.id, f.lon, f.lat) for f in catalogue if f.kind in SEA_KINDS]
    return load_sea_router(ports, cache_dir=cache_dir, sea=sea, extend=extend)


def load_services(
    *,
    facilities: Path = DEFAULT_FACILITIES,
    agreements: Path = DEFAULT_AGREEMENTS,
    platforms: Path = DEFAULT_PLATFORMS,
    sea_dir: Path | None = None,
    cache_dir: Path | None = None,
    load_sea_graph: bool = True,
    extend_graph: bool = False,
    commercial_ports: Path | None = None,
    commercial_port_countries: Sequence[str] = (),
    commercial_port_services: Sequence[str] = (),
    numpy_hugepages: bool | None = None,
    kernel_threads: int | None = None,
) -> Services:
    """Load and validate the data, and build or load the sea graph (once per process).

    ``numpy_hugepages``: :func:`routing.memory.set_numpy_hugepages` for the process
    (``None``, the default: numpy left as it is; the service passes ``False``).
    ``kernel_threads``: :func:`routing.memory.set_kernel_threads` for the process
    (``None``, the default: as it is, the usable cores up to 4).

    ``extend_graph``: see :func:`sea_router_for`. ``commercial_ports``: the
    commercial-port layer file to merge into the catalogue (``None``, the default: left
    out); ``commercial_port_countries``: only its ports of these countries (ISO3);
    ``commercial_port_services``: services assumed at each of them. The
    sea graph joins every port of the catalogue, so the first start with the layer
    builds a new graph (see the README's "Big catalogues"), cached like the default one."""
    if numpy_hugepages is not None:
        set_numpy_hugepages(numpy_hugepages)
    if kernel_threads is not None:
        set_kernel_threads(kernel_threads)
    catalogue = load_catalogue(
        facilities,
        agreements,
        commercial_ports=commercial_ports,
        commercial_port_countries=commercial_port_countries,
        commercial_port_services=commercial_port_services,
    )
    registry = load_platforms(platforms)
    sea_data = load_sea_data(sea_dir)
    sea = (
        sea_router_for(catalogue, cache_dir=cache_dir, sea=sea_data, extend=extend_graph)
        if load_sea_graph
        else None
    )
    planner = Planner(catalogue, sea, platforms=registry, air_cache_dir=cache_dir)
    return Services(catalogue, registry, sea_data, sea, planner)


@lru_cache(maxsize=4)
def default_services(
    facilities: Path = DEFAULT_FACILITIES,
    agreements: Path = DEFAULT_AGREEMENTS,
    platforms: Path = DEFAULT_PLATFORMS,
    cache_dir: Path | None = None,
) -> Services:
    """Services over the shipped data and the cached graph (one per process and paths)."""
    return load_services(
        facilities=facilities, agreements=agreements, platforms=platforms, cache_dir=cache_dir
    )


def default_planner(
    facilities: Path = DEFAULT_FACILITIES,
    agreements: Path = DEFAULT_AGREEMENTS,
    platforms: Path = DEFAULT_PLATFORMS,
    cache_dir: Path | None = None,
) -> Planner:
    """The planner of :func:`default_services` (for scripts and notebooks)."""
    return default_services(facilities, agreements, platforms, cache_dir).planner
