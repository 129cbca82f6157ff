"""Catalogue endpoints: facilities, agreements and the access model."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request

from app.answers import JSONAnswer
from app.deps import CatalogueDep, ServicesDep, SettingsDep
from app.schemas import (
    AccessAnswer,
    AgreementInfo,
    AgreementList,
    FacilityCollection,
    FacilityDetail,
)
from routing.catalogue.access import check_nation
from routing.catalogue.model import Agreement, Catalogue
from routing.catalogue.query import find_facilities, opened_by
from routing.errors import InvalidInputError
from routing.parse import parse_bbox, parse_lonlat, split_list
from routing.vocab import Kind, Service

router = APIRouter(tags=["catalogue"])

NationQ = Annotated[
    str,
    Query(description="Deploying nation, ISO 3166-1 alpha-3.", examples=["IND"], min_length=3),
]
DateQ = Annotated[
    dt.date | None,
    Query(
        description="Date the access is wanted (YYYY-MM-DD); today (UTC) when omitted.",
        examples=["2026-06-01"],
    ),
]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _agreement_json(agreement: Agreement, catalogue: Catalogue) -> dict[str, Any]:
    body = agreement.model_dump(mode="json")
    body["facility_count"] = sum(1 for f in catalogue if opened_by(agreement, f))
    return body


@router.get(
    "/facilities",
    summary="Facilities as a GeoJSON FeatureCollection, filtered and paged",
    response_model=None,
    responses={
        200: {
            "model": FacilityCollection,
            "description": "A GeoJSON FeatureCollection with paging counts.",
        }
    },
)
def list_facilities(
    request: Request,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    country: Annotated[
        str | None,
        Query(description="ISO3 country codes, comma-separated.", examples=["RUS,IND"]),
    ] = None,
    kind: Annotated[Kind | None, Query(description="Facility kind.", examples=["port"])] = None,
    service: Annotated[
        Service | None, Query(description="A service the facility offers.", examples=["fuel"])
    ] = None,
    agreement: Annotated[
        str | None,
        Query(description="Only facilities this agreement opens.", examples=["relos"]),
    ] = None,
    usable_by: Annotated[
        str | None,
        Query(
            description="Only facilities this nation (ISO3) may use on `date`.", examples=["IND"]
        ),
    ] = None,
    date: DateQ = None,
    bbox: Annotated[
        str | None,
        Query(
            description="west,south,east,north in degrees; west > east crosses the antimeridian.",
            examples=["60,0,100,30"],
        ),
    ] = None,
    near: Annotated[
        str | None,
        Query(description="lon,lat: sort by distance from this point.", examples=["72.83,18.92"]),
    ] = None,
    radius_nm: Annotated[
        float | None,
        Query(
            gt=0, description="With `near`: only within this many nautical miles.", examples=[500]
        ),
    ] = None,
    include: Annotated[
        Literal["commercial_port"] | None,
        Query(
            description=(
                "Also list the kinds the catalogue views leave out: `commercial_port` (the "
                "opt-in commercial-port layer, called at by diplomatic clearance only). "
                "`kind=commercial_port` lists them alone."
            ),
            examples=["commercial_port"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, description="Page size.", examples=[100])] = 1000,
    offset: Annotated[int, Query(ge=0, description="Records to skip.", examples=[0])] = 0,
) -> JSONAnswer:
    """Filter the catalogue. Filters combine with AND. Commercial ports (a layer the
    service may load, `RELOS_COMMERCIAL_PORTS`) are listed only when asked for."""
    if limit > settings.max_page_size:
        raise InvalidInputError(f"at most {settings.max_page_size} per page", field="limit")
    if date is not None and usable_by is None:
        raise InvalidInputError("date is only used with usable_by", field="date")
    day = date or _today()
    matched = find_facilities(
        catalogue,
        countries=split_list(country),
        kind=kind,
        service=service,
        agreement=agreement,
        usable_by=usable_by,
        date=day,
        bbox=parse_bbox(bbox) if bbox is not None else None,
        near=parse_lonlat(near, field="near") if near is not None else None,
        radius_nm=radius_nm,
        include=[include] if include else (),
    )
    page = matched[offset : offset + limit]
    features = [m.feature() for m in page]
    body: dict[str, Any] = {
        "type": "FeatureCollection",
        "numberMatched": len(matched),
        "numberReturned": len(features),
        "features": features,
        "links": [],
    }
    if usable_by is not None:
        body["date"] = day.isoformat()
    if offset + limit < len(matched):
        nxt = request.url.include_query_params(offset=offset + limit, limit=limit)
        body["links"].append({"rel": "next", "href": str(nxt), "type": "application/geo+json"})
    return JSONAnswer(body)


@router.get(
    "/facilities/{facility_id}",
    summary="One facility as a GeoJSON Feature",
    response_model=None,
    responses={
        200: {
            "model": FacilityDetail,
            "description": "The facility, with the agreements that can open it to others.",
        }
    },
)
def get_facility(
    catalogue: CatalogueDep,
    facility_id: Annotated[
        str, Path(description="Facility id (slug).", examples=["ru-vladivostok-naval-base"])
    ],
) -> dict[str, Any]:
    """One facility, with the agreements that can open it to others."""
    fac = catalogue.facility(facility_id)
    opened = sorted(a.id for a in catalogue.agreements.values() if opened_by(a, fac))
    return fac.feature(opened_by_agreements=opened)


@router.get(
    "/agreements",
    summary="The agreements registry",
    response_model=None,
    responses={200: {"model": AgreementList, "description": "The agreements, filtered."}},
)
def list_agreements(
    catalogue: CatalogueDep,
    party: Annotated[
        str | None,
        Query(description="Only agreements this nation (ISO3) is party to.", examples=["IND"]),
    ] = None,
    in_force_on: Annotated[
        dt.date | None,
        Query(description="Only agreements in force on this date.", examples=["2026-06-01"]),
    ] = None,
) -> dict[str, Any]:
    """Every agreement, optionally filtered by party and date."""
    nation = check_nation(party, field="party") if party else None
    items = [
        _agreement_json(a, catalogue)
        for a in catalogue.agreements.values()
        if (nation is None or nation in a.parties)
        and (in_force_on is None or a.in_force_on(in_force_on))
    ]
    return {"count": len(items), "agreements": items}


@router.get(
    "/agreements/{agreement_id}",
    summary="One agreement",
    response_model=None,
    responses={
        200: {
            "model": AgreementInfo,
            "description": "The agreement, with the number of facilities it opens.",
        }
    },
)
def get_agreement(
    catalogue: CatalogueDep,
    agreement_id: Annotated[str, Path(description="Agreement id.", examples=["relos"])],
) -> dict[str, Any]:
    """One agreement with the number of facilities it opens."""
    return _agreement_json(catalogue.agreement(agreement_id), catalogue)


@router.get(
    "/access",
    summary="Facilities a nation may use on a date, and why",
    response_model=None,
    responses={
        200: {
            "model": AccessAnswer,
            "description": "Each usable facility with the basis of its use.",
        }
    },
)
def access(
    services: ServicesDep,
    nation: NationQ,
    date: DateQ = None,
    service: Annotated[
        Service | None, Query(description="Only where this service is granted.", examples=["fuel"])
    ] = None,
    kind: Annotated[Kind | None, Query(description="Facility kind.", examples=["port"])] = None,
    dropped_agreements: Annotated[
        str | None,
        Query(description="Agreement ids to treat as lapsed, comma-separated.", examples=["relos"]),
    ] = None,
    closed_facilities: Annotated[
        str | None,
        Query(
            description="Facility ids to treat as closed, comma-separated.",
            examples=["ru-vladivostok-naval-base"],
        ),
    ] = None,
) -> dict[str, Any]:
    """Each usable facility with the agreement that opens it (or ``own``)."""
    return services.access(
        nation,
        date or _today(),
        service=service,
        kind=kind,
        dropped_agreements=split_list(dropped_agreements),
        closed_facilities=split_list(closed_facilities),
    )
