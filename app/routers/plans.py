"""Deployment plans and platform profiles."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.deps import CatalogueDep, PlannerDep, PlatformsDep
from app.params import looks_like_point, parse_lonlat
from routing.access import check_nation
from routing.geo import LonLat
from routing.planner import Member, PlanRequest
from routing.platforms import Platform, get_platform
from routing.serialize import plan_json

router = APIRouter(tags=["plans"])


class PlatformSpec(BaseModel):
    """A custom platform given inline instead of a registry id."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("custom platform", min_length=1)
    domain: Literal["sea", "air"] = "sea"
    endurance_nm: float = Field(gt=0, le=100_000, description="Endurance at `at_speed_kn`.")
    at_speed_kn: float = Field(gt=0, le=1_500)
    max_speed_kn: float = Field(gt=0, le=1_500)
    warship: bool = True
    type: str = "custom"
    ice_class: str | None = None

    @model_validator(mode="after")
    def _speeds(self) -> PlatformSpec:
        if self.at_speed_kn > self.max_speed_kn:
            raise ValueError("at_speed_kn is above max_speed_kn")
        return self


PlatformRef = Annotated[
    str | PlatformSpec,
    Field(description="A platform id from GET /platforms, or an inline custom platform."),
]
PlaceRef = Annotated[
    str,
    Field(
        description="A facility id, or 'lon,lat' for a sea point.",
        examples=["in-mumbai-naval-dockyard"],
    ),
]


class GroupItem(BaseModel):
    """Ships (or aircraft) of one type in a task group."""

    model_config = ConfigDict(extra="forbid")

    platform: PlatformRef
    count: int = Field(1, ge=1, le=100)


class PlanBody(BaseModel):
    """A deployment to plan. Either `platform` or `group` is required."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nation": "IND",
                    "platform": "talwar",
                    "origin": "in-mumbai-naval-dockyard",
                    "destination": "ru-vladivostok-naval-base",
                    "departure": "2026-08-01T00:00:00Z",
                    "closed": ["suez"],
                }
            ]
        },
    )

    nation: str = Field(description="Deploying nation, ISO 3166-1 alpha-3.", examples=["IND"])
    platform: PlatformRef | None = None
    group: list[GroupItem] | None = Field(
        None, min_length=1, description="A task group instead of a single platform."
    )
    origin: PlaceRef
    destination: PlaceRef
    waypoints: list[PlaceRef] = Field(default_factory=list, max_length=20)
    departure: dt.datetime | None = Field(
        None, description="Departure time (ISO 8601, UTC if no offset); now when omitted."
    )
    speed_kn: float | None = Field(
        None, gt=0, description="Planned speed; the profile's if omitted."
    )
    reserve: float = Field(0.25, ge=0, lt=1, description="Fuel fraction left on arrival.")
    closed: list[str] = Field(default_factory=list, description="Closed passage ids.")
    dropped_agreements: list[str] = Field(default_factory=list)
    closed_facilities: list[str] = Field(default_factory=list)
    avoid_facilities: list[str] = Field(default_factory=list, description="Never stop here.")
    max_stops: int = Field(12, ge=0, le=40)
    objective: Literal["min_time", "min_stops", "min_distance"] = "min_time"
    dwell_h: float | None = Field(None, ge=0, le=24 * 14, description="Hours at each stop.")
    ice_class: str | None = Field(None, description="Ice class, e.g. 'Arc4', for the NSR season.")

    @model_validator(mode="after")
    def _one_of(self) -> PlanBody:
        if (self.platform is None) == (self.group is None):
            raise ValueError("give exactly one of 'platform' or 'group'")
        return self


def _platform(spec: str | PlatformSpec, registry: dict[str, Platform], field: str) -> Platform:
    if isinstance(spec, str):
        return get_platform(registry, spec, field=field)
    return Platform(id="custom", **spec.model_dump())


def _place(text: str, field: str) -> str | LonLat:
    return parse_lonlat(text, field=field) if looks_like_point(text) else text


def to_request(body: PlanBody, registry: dict[str, Platform]) -> PlanRequest:
    """The domain request for a validated body (errors name the body field)."""
    if body.group is not None:
        group = tuple(
            Member(_platform(item.platform, registry, f"group.{i}.platform"), item.count)
            for i, item in enumerate(body.group)
        )
    else:
        assert body.platform is not None
        group = (Member(_platform(body.platform, registry, "platform")),)
    departure = body.departure or dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    if departure.tzinfo is None:
        departure = departure.replace(tzinfo=dt.UTC)
    ice = body.ice_class or next(
        (m.platform.ice_class for m in group if m.platform.ice_class), None
    )
    return PlanRequest(
        nation=check_nation(body.nation),
        group=group,
        origin=_place(body.origin, "origin"),
        destination=_place(body.destination, "destination"),
        waypoints=tuple(_place(w, f"waypoints.{i}") for i, w in enumerate(body.waypoints)),
        departure=departure,
        speed_kn=body.speed_kn,
        reserve=body.reserve,
        closed=frozenset(body.closed),
        dropped_agreements=frozenset(body.dropped_agreements),
        closed_facilities=frozenset(body.closed_facilities),
        avoid_facilities=frozenset(body.avoid_facilities),
        max_stops=body.max_stops,
        objective=body.objective,
        dwell_h=body.dwell_h,
        ice_class=ice,
    )


def compute_plan(
    body: PlanBody, *, planner: Any, platforms: dict[str, Platform], versions: dict[str, str]
) -> dict[str, Any]:
    """Plan ``body`` and return the JSON answer (shared by /plans and /maps/plan)."""
    plan = planner.plan(to_request(body, platforms))
    out = plan_json(plan)
    out["versions"] = versions
    return out


@router.post("/plans", summary="Plan a deployment with resupply stops")
def create_plan(
    request: Request,
    planner: PlannerDep,
    platforms: PlatformsDep,
    body: Annotated[PlanBody, Body()],
    save: Annotated[
        bool,
        Query(description="Also save the plan; fetch it later at /plans/{id}.", examples=[True]),
    ] = False,
) -> dict[str, Any]:
    """The optimal plan, or `feasible: false` with the reason and what would fix it.

    With `save=true` the request and the answer are stored (with the catalogue and
    graph versions they were computed on) and `saved` gives the id and its address."""
    versions = request.app.state.versions
    out = compute_plan(body, planner=planner, platforms=platforms, versions=versions)
    if save:
        record = request.app.state.store.save_plan(
            request=body.model_dump(mode="json"),
            result=out,
            scenario_id=None,
            catalogue_version=versions["catalogue"],
            graph_version=versions["graph"],
        )
        out["saved"] = {"id": record["id"], "href": f"/plans/{record['id']}"}
    return out


@router.get("/platforms", summary="Platform profiles (ship classes and aircraft)")
def list_platforms(platforms: PlatformsDep) -> dict[str, Any]:
    """Every profile with its endurance, speeds and sources."""
    return {
        "count": len(platforms),
        "platforms": [p.model_dump(mode="json") for p in platforms.values()],
    }


@router.get("/platforms/{platform_id}", summary="One platform profile")
def get_platform_profile(
    platforms: PlatformsDep,
    catalogue: CatalogueDep,
    platform_id: Annotated[str, Path(description="Platform id.", examples=["talwar"])],
) -> dict[str, Any]:
    """One profile, with its usable range at its stated speed and the default reserve."""
    plat = get_platform(platforms, platform_id, field="id")
    body = plat.model_dump(mode="json")
    body["usable_range_nm"] = round(plat.usable_range(plat.at_speed_kn), 1)
    return body
