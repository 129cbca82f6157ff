"""Sea routes between facilities or sea points, distance matrices, and passages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from app import exports
from app.answers import JSONAnswer
from app.compute import Compute
from app.deps import ComputeDep, ServicesDep
from app.schemas import AirRouteFeature, DistanceMatrix, PassageList, RouteFeature
from routing.limits import MAX_LIST, MIN_SPEED_KN, check_date
from routing.parse import split_list
from routing.service import DEFAULT_SPEED_KN, MAX_MATRIX, AirRouteSpec, RouteSpec

router = APIRouter(tags=["routes"])


def get_route(
    compute: ComputeDep,
    origin: Annotated[
        str,
        Query(description="Facility id or 'lon,lat'.", examples=["ru-murmansk-port"]),
    ],
    destination: Annotated[
        str,
        Query(description="Facility id or 'lon,lat'.", examples=["ru-vladivostok-naval-base"]),
    ],
    closed: Annotated[
        str | None,
        Query(
            description="Closed passage ids, comma-separated (see /passages).", examples=["suez"]
        ),
    ] = None,
    date: Annotated[
        dt.date | None,
        Query(
            description="Voyage date: opens seasonal passages (the NSR) in season.",
            examples=["2026-08-15"],
        ),
    ] = None,
    speed_kn: Annotated[
        float, Query(ge=MIN_SPEED_KN, le=60, description="Speed for duration_h.", examples=[14])
    ] = DEFAULT_SPEED_KN,
    via: Annotated[
        list[str] | None,
        Query(
            description="Passages, facility ids or 'lon,lat' to pass in order (repeat, or ';').",
            examples=["suez"],
        ),
    ] = None,
    alternatives: Annotated[
        int, Query(ge=1, le=5, description="How many distinct routes.", examples=[2])
    ] = 1,
    ice_class: Annotated[
        str | None, Query(description="Ice class, e.g. Arc4 (NSR season).", examples=["Arc4"])
    ] = None,
    platform: Annotated[
        str | None,
        Query(
            description="Ship class id (see /platforms): its ice class, draught, beam and air "
            "draught decide which passages it may use.",
            examples=["vikramaditya"],
        ),
    ] = None,
    draught_m: Annotated[
        float | None, Query(gt=0, le=40, description="Ship's draught, m.", examples=[9.5])
    ] = None,
    beam_m: Annotated[
        float | None, Query(gt=0, le=120, description="Ship's beam, m.", examples=[30])
    ] = None,
    air_draught_m: Annotated[
        float | None,
        Query(gt=0, le=120, description="Ship's height above the water, m.", examples=[50]),
    ] = None,
) -> JSONAnswer:
    """Distance, duration at `speed_kn`, passages traversed and the track; alternatives
    (distinct routes, e.g. via Suez and via the Cape) in `properties.alternatives`."""
    spec = RouteSpec(
        origin=origin,
        destination=destination,
        closed=split_list(closed),
        date=date,
        speed_kn=speed_kn,
        via=via or [],
        alternatives=alternatives,
        ice_class=ice_class,
        platform=platform,
        draught_m=draught_m,
        beam_m=beam_m,
        air_draught_m=air_draught_m,
    )
    return compute.route(spec)


@router.get(
    "/routes",
    summary="The shortest sea route, as a GeoJSON Feature (or a GPX, KML, RTZ... file)",
    response_model=None,
    operation_id="get_route_routes_get",
    responses=exports.responses(
        RouteFeature, "The route as a GeoJSON Feature, with its alternatives."
    ),
)
async def get_route_or_file(
    fmt: exports.AskedFormat,
    compute: ComputeDep,
    routed: Annotated[JSONAnswer, Depends(get_route)],
    download: exports.FileDownloadQ = False,
) -> Response:
    """Distance, duration at `speed_kn`, passages traversed and the track; alternatives
    (distinct routes, e.g. via Suez and via the Cape) in `properties.alternatives`.

    With `format`, the route (not its alternatives) as a file: its waypoints follow the
    track, the ends are named, longitudes stay in -180..180 and lines are cut at the
    antimeridian."""
    return await _answer_or_file(routed, fmt, compute, download)


def get_air_route(
    compute: ComputeDep,
    origin: Annotated[
        str, Query(description="Airbase id or 'lon,lat'.", examples=["in-hindon-afs"])
    ],
    destination: Annotated[
        str, Query(description="Airbase id or 'lon,lat'.", examples=["ru-levashovo-air-base"])
    ],
    nation: Annotated[
        str | None,
        Query(
            description="Whose aircraft (ISO3); default: the origin's country.", examples=["IND"]
        ),
    ] = None,
    date: Annotated[
        dt.date | None,
        Query(
            description="Day of the flight (closures and agreements in force).",
            examples=["2026-12-01"],
        ),
    ] = None,
    allow_clearance: Annotated[
        bool,
        Query(
            description="Fly through third states' airspace by diplomatic clearance.",
            examples=[True],
        ),
    ] = False,
    denied_countries: Annotated[
        str | None,
        Query(description="States refusing clearance, comma-separated ISO3.", examples=["CHN"]),
    ] = None,
    closed_airspace: Annotated[
        str | None,
        Query(description="Airspace to close, comma-separated ISO3.", examples=["IRN"]),
    ] = None,
    opened_airspace: Annotated[
        str | None,
        Query(
            description="States whose standing closures to lift, comma-separated ISO3.",
            examples=["PAK"],
        ),
    ] = None,
    dropped_agreements: Annotated[
        str | None, Query(description="Agreements to drop, comma-separated.", examples=["relos"])
    ] = None,
    platform: Annotated[
        str | None,
        Query(description="Aircraft id: duration at its cruise speed.", examples=["il-76md"]),
    ] = None,
    speed_kn: Annotated[
        float | None,
        Query(ge=MIN_SPEED_KN, le=2000, description="Speed for duration_h.", examples=[420]),
    ] = None,
) -> JSONAnswer:
    """The flight keeps out of every state's airspace (land and 12 nm territorial sea) that
    is closed to the nation's military aircraft on the day: standing closures (Pakistan to
    India since April 2025, the EU and others to Russia since 2022), `closed_airspace`, and
    third states unless `allow_clearance`. Own and partner airspace (an agreement covering
    airspace in force: RELOS) and the states of the two ends are open. `overflies` lists
    the states flown over in order, `clearances` those needing permission; an infeasible
    answer names the closed airspace in the way (`blocked_by`)."""
    spec = AirRouteSpec(
        origin=origin,
        destination=destination,
        nation=nation,
        date=date,
        allow_clearance=allow_clearance,
        denied_countries=split_list(denied_countries),
        closed_airspace=split_list(closed_airspace),
        opened_airspace=split_list(opened_airspace),
        dropped_agreements=split_list(dropped_agreements),
        platform=platform,
        speed_kn=speed_kn,
    )
    return compute.air_route(spec)


@router.get(
    "/air-routes",
    summary="The shortest flight in open airspace, as a GeoJSON Feature (or a GPX, KML... file)",
    response_model=None,
    operation_id="get_air_route_air_routes_get",
    responses=exports.responses(
        AirRouteFeature, "The flight as a GeoJSON Feature (geometry null when infeasible)."
    ),
)
async def get_air_route_or_file(
    fmt: exports.AskedFormat,
    compute: ComputeDep,
    routed: Annotated[JSONAnswer, Depends(get_air_route)],
    download: exports.FileDownloadQ = False,
) -> Response:
    """The flight keeps out of every state's airspace (land and 12 nm territorial sea) that
    is closed to the nation's military aircraft on the day: standing closures (Pakistan to
    India since April 2025, the EU and others to Russia since 2022), `closed_airspace`, and
    third states unless `allow_clearance`. Own and partner airspace (an agreement covering
    airspace in force: RELOS) and the states of the two ends are open. `overflies` lists
    the states flown over in order, `clearances` those needing permission; an infeasible
    answer names the closed airspace in the way (`blocked_by`).

    With `format`, the flight as a file (GPX, KML, CSV, GeoPackage; RTZ is a ship's route
    format: 422 naming `format`; an infeasible flight has none)."""
    return await _answer_or_file(routed, fmt, compute, download)


async def _answer_or_file(
    routed: JSONAnswer, fmt: exports.AskedFile | None, compute: Compute, download: bool
) -> Response:
    """``routed`` as it is, or with ``fmt`` written as a file on a worker thread. (The
    endpoints are async: the answer is in hand from their dependency, so a JSON one goes
    out without a second hop to a worker thread, a tenth of a millisecond of ``GET
    /routes``.)"""
    if fmt is None:
        return routed
    return await run_in_threadpool(
        exports.file_answer, routed.data, fmt, download=download, writer=compute.export
    )


class MatrixBody(BaseModel):
    """Facilities to measure between, and the closures to measure under."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "facilities": ["in-mumbai-naval-dockyard", "ru-vladivostok-naval-base"],
                    "closed": ["suez"],
                    "date": "2026-08-15",
                }
            ]
        },
    )

    facilities: list[str] = Field(min_length=1, max_length=MAX_MATRIX)
    closed: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    date: dt.date | None = None
    ice_class: str | None = None

    @field_validator("date")
    @classmethod
    def _in_range(cls, value: dt.date | None) -> dt.date | None:
        return check_date(value)


@router.post(
    "/matrix",
    summary="Sea distances between facilities",
    response_model=None,
    responses={200: {"model": DistanceMatrix, "description": "The distance matrix."}},
)
def post_matrix(compute: ComputeDep, body: Annotated[MatrixBody, Body()]) -> JSONAnswer:
    """`distance_nm[i][j]` from `facilities[i]` to `facilities[j]`; `null` where cut off."""
    return compute.matrix(
        body.facilities, closed=body.closed, date=body.date, ice_class=body.ice_class
    )


@router.get(
    "/passages",
    summary="Named, closable passages",
    response_model=None,
    responses={200: {"model": PassageList, "description": "Every passage and closure group."}},
)
def get_passages(services: ServicesDep) -> dict[str, Any]:
    """Each passage with its kind, season rule, sources and gate geometry."""
    return services.passages()
