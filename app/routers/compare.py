"""What-if comparison and criticality: one deployment under a baseline and N scenarios."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.deps import CatalogueDep, PlannerDep, PlatformsDep, get_sea_router
from app.routers.plans import PlanBody, to_request
from app.routers.routes import DEFAULT_SPEED_KN, parse_endpoint
from app.routers.scenarios import resolve_scenarios
from app.schemas import SCENARIO_EXAMPLE
from routing.compare import compare, compare_json, critical, critical_json
from routing.errors import NoRouteError
from routing.scenario import Scenario

router = APIRouter(tags=["what-if"])


class RouteSpec(BaseModel):
    """A route to compare instead of a deployment."""

    model_config = ConfigDict(extra="forbid")

    origin: str = Field(examples=["ru-murmansk-port"])
    destination: str = Field(examples=["ru-vladivostok-naval-base"])
    closed: list[str] = Field(default_factory=list)
    date: dt.date | None = None
    speed_kn: float = Field(DEFAULT_SPEED_KN, gt=0, le=60)
    ice_class: str | None = None


class CompareBody(BaseModel):
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

    plan: PlanBody | None = None
    route: RouteSpec | None = None
    scenarios: list[int | dict[str, Any]] = Field(
        min_length=1, max_length=20, description="Saved scenario ids or inline scenarios."
    )
    include_plans: bool = Field(True, description="Include each full plan in the answer.")

    @model_validator(mode="after")
    def _one_of(self) -> CompareBody:
        if (self.plan is None) == (self.route is None):
            raise ValueError("give exactly one of 'plan' or 'route'")
        return self


def _route_rows(request: Request, spec: RouteSpec, scenarios: list[Scenario]) -> dict[str, Any]:
    catalogue = request.app.state.catalogue
    sea = get_sea_router(request)
    base_date = spec.date
    origin = parse_endpoint(catalogue, spec.origin, "route.origin")
    dest = parse_endpoint(catalogue, spec.destination, "route.destination")
    rows: list[dict[str, Any]] = []
    for scn in [Scenario(name="baseline"), *scenarios]:
        date = scn.date or base_date
        row: dict[str, Any] = {"scenario": scn.name, "feasible": True, "reason": None}
        try:
            route = sea.route(
                origin,
                dest,
                closed=[*spec.closed, *scn.closed],
                date=date,
                ice_class=spec.ice_class,
            )
        except NoRouteError as exc:
            row.update(
                feasible=False, reason=exc.message, totals=None, passages=[], closures=exc.closures
            )
        else:
            row["totals"] = {
                "distance_nm": round(route.distance_nm, 1),
                "duration_h": round(route.duration_h(spec.speed_kn), 1),
                "stops": 0,
            }
            row["passages"] = list(route.passages)
            row["route"] = route.to_geojson()
        rows.append(row)
    base = rows[0]["totals"]
    for row in rows:
        t = row["totals"]
        row["delta"] = (
            None
            if base is None or t is None
            else {k: round(t[k] - base[k], 1) for k in ("distance_nm", "duration_h", "stops")}
        )
    return {"baseline": rows[0], "results": rows}


def run_compare(request: Request, body: CompareBody) -> dict[str, Any]:
    """The ``POST /compare`` answer (shared with ``POST /maps/compare``)."""
    state = request.app.state
    scenarios = resolve_scenarios(state.store, body.scenarios, state.catalogue, state.platforms)
    if body.route is not None:
        return _route_rows(request, body.route, scenarios)
    assert body.plan is not None
    req = to_request(body.plan, state.platforms)
    return compare_json(compare(state.planner, req, scenarios), include_plans=body.include_plans)


@router.post("/compare", summary="Run one deployment or route under a baseline and N scenarios")
def post_compare(request: Request, body: Annotated[CompareBody, Body()]) -> dict[str, Any]:
    """A row per scenario (baseline first): `feasible`, `reason`, `totals`, and `delta`
    (distance_nm, duration_h, stops) against the baseline, with stops and passages used."""
    return run_compare(request, body)


@router.post("/critical", summary="Rank what a deployment depends on by the cost of losing it")
def post_critical(
    planner: PlannerDep,
    platforms: PlatformsDep,
    catalogue: CatalogueDep,
    body: Annotated[PlanBody, Body()],
) -> dict[str, Any]:
    """Each stop (closed), agreement used (dropped) and passage traversed (closed), ranked:
    infeasible first, then by the extra time its loss costs."""
    base, impacts = critical(planner, to_request(body, platforms))
    return critical_json(base, impacts)
