"""Sea routes between facilities or sea points, distance matrices, and passages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field

from app.deps import CatalogueDep, SeaRouterDep
from app.params import looks_like_point, parse_lonlat, split_list
from routing.catalogue import Catalogue
from routing.errors import InvalidInputError
from routing.geo import LonLat
from routing.router import Route, SeaRouter
from routing.vocab import SEA_KINDS

router = APIRouter(tags=["routes"])

DEFAULT_SPEED_KN = 14.0
MAX_MATRIX = 500


def parse_endpoint(catalogue: Catalogue, text: str, field: str) -> str | LonLat:
    """A route end: a port or naval base id, or a ``lon,lat`` sea point (errors name ``field``)."""
    if looks_like_point(text):
        return parse_lonlat(text, field=field)
    fac = catalogue.facility(text, field=field)
    if fac.kind not in SEA_KINDS:
        raise InvalidInputError(f"{fac.id} is an {fac.kind}, not a port or naval base", field=field)
    return fac.id


def _via(catalogue: Catalogue, sea: SeaRouter, items: list[str]) -> list[str | LonLat]:
    passages = {p.id for p in sea.passages}
    out: list[str | LonLat] = []
    for raw in items:
        for item in (p.strip() for p in raw.split(";")):
            if not item:
                continue
            out.append(item if item in passages else parse_endpoint(catalogue, item, "via"))
    return out


def _describe(catalogue: Catalogue, ref: str) -> dict[str, Any]:
    if ref in catalogue.facilities:
        fac = catalogue.facilities[ref]
        return {"id": fac.id, "name": fac.name, "coordinates": [fac.lon, fac.lat]}
    lon, lat = (float(x) for x in ref.split(","))
    return {"id": None, "name": ref, "coordinates": [lon, lat]}


def route_feature(
    route: Route, catalogue: Catalogue, *, speed_kn: float, date: dt.date | None
) -> dict[str, Any]:
    """A route as the GeoJSON Feature that ``GET /routes`` returns."""
    feature = route.to_geojson()
    props = feature["properties"]
    assert isinstance(props, dict)
    props.update(
        {
            "origin": _describe(catalogue, route.origin),
            "destination": _describe(catalogue, route.destination),
            "distance_nm": round(route.distance_nm, 1),
            "duration_h": round(route.duration_h(speed_kn), 1),
            "speed_kn": speed_kn,
            "date": date.isoformat() if date else None,
        }
    )
    return feature


def compute_route(
    catalogue: Catalogue,
    sea: SeaRouter,
    *,
    origin: str,
    destination: str,
    closed: str | None = None,
    date: dt.date | None = None,
    speed_kn: float = DEFAULT_SPEED_KN,
    via: list[str] | None = None,
    alternatives: int = 1,
    ice_class: str | None = None,
) -> dict[str, Any]:
    """The ``GET /routes`` answer (shared with ``GET /maps/route``)."""
    routes = sea.routes(
        parse_endpoint(catalogue, origin, "origin"),
        parse_endpoint(catalogue, destination, "destination"),
        alternatives=alternatives,
        closed=split_list(closed),
        date=date,
        ice_class=ice_class,
        via=_via(catalogue, sea, via or []),
    )
    first, *rest = (route_feature(r, catalogue, speed_kn=speed_kn, date=date) for r in routes)
    first["properties"]["alternatives"] = rest
    return first


@router.get("/routes", summary="The shortest sea route, as a GeoJSON Feature")
def get_route(
    catalogue: CatalogueDep,
    sea: SeaRouterDep,
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
        float, Query(gt=0, le=60, description="Speed for duration_h.", examples=[14])
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
) -> dict[str, Any]:
    """Distance, duration at `speed_kn`, passages traversed and the track; alternatives
    (distinct routes, e.g. via Suez and via the Cape) in `properties.alternatives`."""
    return compute_route(
        catalogue,
        sea,
        origin=origin,
        destination=destination,
        closed=closed,
        date=date,
        speed_kn=speed_kn,
        via=via,
        alternatives=alternatives,
        ice_class=ice_class,
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
    closed: list[str] = Field(default_factory=list)
    date: dt.date | None = None
    ice_class: str | None = None


@router.post("/matrix", summary="Sea distances between facilities")
def post_matrix(
    catalogue: CatalogueDep, sea: SeaRouterDep, body: Annotated[MatrixBody, Body()]
) -> dict[str, Any]:
    """`distance_nm[i][j]` from `facilities[i]` to `facilities[j]`; `null` where cut off."""
    for i, fid in enumerate(body.facilities):
        parse_endpoint(catalogue, fid, f"facilities.{i}")
    matrix = sea.matrix(
        body.facilities, closed=body.closed, date=body.date, ice_class=body.ice_class
    )
    rounded = np.round(matrix, 1)
    return {
        "facilities": body.facilities,
        "closed": sorted(
            sea.effective_closures(body.closed, date=body.date, ice_class=body.ice_class)
        ),
        "distance_nm": [[None if not np.isfinite(v) else float(v) for v in row] for row in rounded],
    }


@router.get("/passages", summary="Named, closable passages")
def get_passages(sea: SeaRouterDep) -> dict[str, Any]:
    """Each passage with its kind, season rule and gate geometry."""
    from routing.passages import SEASONS

    out = []
    for p in sea.passages:
        geometry: dict[str, Any]
        if p.region is not None:
            geometry = {"type": "Polygon", "coordinates": [[list(xy) for xy in p.region]]}
        else:
            geometry = {
                "type": "MultiLineString",
                "coordinates": [[list(xy) for xy in gate] for gate in p.gates],
            }
        season = SEASONS.get(p.id)
        out.append(
            {
                "id": p.id,
                "name": p.name,
                "kind": p.kind,
                "seasonal": season is not None,
                "season_rule": season.source if season else None,
                "note": p.note,
                "geometry": geometry,
            }
        )
    return {"count": len(out), "passages": out}
