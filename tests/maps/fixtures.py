"""Route and plan answers shaped exactly as CONTRACTS.md, built from real sea-lane waypoints.

Positions of facilities come from the shipped catalogue; the tracks follow the usual
shipping lanes (Ten Degree Channel, Malacca and Singapore Straits, South China Sea,
Taiwan Strait, Korea Strait; Tsugaru Strait and the North Pacific). Distances are
geodesic sums of the tracks, times follow from the speed, fuel from the range.

Every stop and call (origin, waypoint, destination) says on what basis it is made,
the notice it needs and how sure that is (``confidence`` and ``caveats``, from the
shipped catalogue, as the planner gives them); the plan's ``warnings`` carry the
caveat and notice lines the planner writes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from routing.catalogue.access import combined_confidence
from routing.catalogue.load import load_catalogue
from routing.catalogue.model import Catalogue
from routing.geo import LonLat, geodesic_nm

SPEED_KN = 14.0
RESERVE = 0.25
FULL_RANGE_NM = 4850.0
USABLE_RANGE_NM = FULL_RANGE_NM * (1 - RESERVE)
DWELL_H = 24.0
DEPARTURE = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
NATION = "IND"
#: The planner's default lead time of a diplomatic clearance request, days.
CLEARANCE_NOTICE_DAYS = 30
#: The agreement that opens a facility of each country to India in these plans.
AGREEMENT_BY_COUNTRY = {
    "SGP": "india-singapore",
    "VNM": "india-vietnam",
    "KOR": "india-south-korea",
    "RUS": "relos",
    "USA": "lemoa",
}

#: (to facility id, passages traversed, waypoints between the two ends)
MUMBAI_VLADIVOSTOK_LEGS: list[tuple[str, list[str], list[tuple[float, float]]]] = [
    (
        "in-port-blair-naval-base",
        [],
        [(72.4, 18.4), (73.2, 13.0), (76.0, 7.2), (80.0, 5.6), (86.0, 7.6), (91.5, 10.8)],
    ),
    (
        "sg-changi-naval-base",
        ["malacca", "singapore"],
        [(94.5, 7.0), (97.6, 5.6), (99.6, 3.9), (100.9, 2.7), (102.6, 1.7), (103.8, 1.2)],
    ),
    (
        "vn-cam-ranh-port",
        [],
        [(104.6, 1.5), (105.6, 3.2), (107.2, 6.6), (108.9, 10.1), (109.4, 11.7)],
    ),
    (
        "kr-busan-naval-base",
        ["taiwan"],
        [
            (110.0, 13.0),
            (113.6, 17.2),
            (117.4, 21.6),
            (119.4, 23.6),
            (120.6, 25.6),
            (123.2, 29.0),
            (126.2, 32.4),
            (128.6, 34.5),
        ],
    ),
    (
        "ru-vladivostok-naval-base",
        [],
        [(129.9, 35.9), (130.6, 38.2), (131.6, 41.4), (131.9, 42.7)],
    ),
]

#: Vladivostok -> Petropavlovsk -> Pearl Harbor, unwrapped past 180 degrees east.
PACIFIC_LEGS: list[tuple[str, list[str], list[tuple[float, float]]]] = [
    (
        "ru-petropavlovsk-kamchatsky-port",
        ["tsugaru"],
        [
            (133.2, 42.3),
            (137.5, 41.6),
            (139.8, 41.5),
            (141.3, 41.6),
            (144.0, 41.9),
            (150.0, 45.6),
            (155.5, 50.4),
            (158.9, 52.8),
        ],
    ),
    (
        "us-pearl-harbor-naval-station",
        [],
        [(162.0, 51.0), (170.0, 47.5), (178.0, 43.5), (186.0, 38.0), (194.0, 30.0), (201.5, 21.8)],
    ),
]

PASSAGES: list[dict[str, Any]] = [
    {
        "id": "malacca",
        "name": "Strait of Malacca",
        "kind": "strait",
        "seasonal": False,
        "geometry": {"type": "LineString", "coordinates": [[100.45, 3.25], [101.25, 2.35]]},
    },
    {
        "id": "singapore",
        "name": "Singapore Strait",
        "kind": "strait",
        "seasonal": False,
        "geometry": {"type": "LineString", "coordinates": [[103.75, 1.32], [103.75, 1.12]]},
    },
    {
        "id": "taiwan",
        "name": "Taiwan Strait",
        "kind": "strait",
        "seasonal": False,
        "geometry": {"type": "LineString", "coordinates": [[119.6, 25.4], [121.0, 24.9]]},
    },
    {
        "id": "suez",
        "name": "Suez Canal",
        "kind": "canal",
        "seasonal": False,
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[32.2, 29.9], [32.7, 29.9], [32.7, 31.3], [32.2, 31.3], [32.2, 29.9]]],
        },
    },
    {
        "id": "tsugaru",
        "name": "Tsugaru Strait",
        "kind": "strait",
        "seasonal": False,
        "geometry": {"type": "LineString", "coordinates": [[140.3, 41.75], [140.3, 41.2]]},
    },
    {
        "id": "bering",
        "name": "Bering Strait",
        "kind": "strait",
        "seasonal": True,
        "geometry": {"type": "LineString", "coordinates": [[-169.7, 66.0], [-168.1, 65.6]]},
    },
]


def _end(facility_id: str) -> dict[str, Any]:
    fac = load_catalogue().facility(facility_id)
    return {"id": fac.id, "name": fac.name, "coordinates": [fac.lon, fac.lat]}


def _grant(cat: Catalogue, facility_id: str, *, basis: str | None = None) -> dict[str, Any]:
    """On what basis India calls at a facility (own, the agreement of its country, or
    ``basis="clearance"``): the fields a plan's stops and calls share."""
    fac = cat.facility(facility_id)
    own = fac.country == NATION
    basis = basis or ("own" if own else "agreement")
    agreement = AGREEMENT_BY_COUNTRY.get(fac.country) if basis == "agreement" else None
    agreements = [cat.agreements[agreement]] if agreement else []
    confidence, caveats = combined_confidence(fac, agreements)
    notice = CLEARANCE_NOTICE_DAYS if basis == "clearance" else None
    if agreements:
        notice = int(agreements[0].limits.get("port_call_notice_days", 0)) or None
    return {
        "basis": basis,
        "agreement": agreement,
        "agreements": [agreement] if agreement else [],
        "confidence": confidence,
        "caveats": list(caveats),
        "notice_days": notice,
    }


def _call(
    cat: Catalogue, facility_id: str, *, when: dt.datetime, basis: str | None = None
) -> dict[str, Any]:
    """A call at an end or a waypoint as plan answers give it (see ``Call.json``)."""
    grant = _grant(cat, facility_id, basis=basis)
    notice = grant["notice_days"]
    return {
        **_end(facility_id),
        **grant,
        "time": _stamp(when),
        "request_by": _stamp(when - dt.timedelta(days=notice)) if notice else None,
    }


def _warnings(visits: Sequence[dict[str, Any]]) -> list[str]:
    """The planner's warnings for these stops and calls: clearance, notice due before
    departure, and each caveat once."""
    out: list[str] = []
    seen: set[str] = set()
    for visit in visits:
        name = visit["name"]
        if visit["basis"] == "clearance":
            out.append(f"{name}: no logistics agreement; the call needs diplomatic clearance")
        request_by = visit.get("request_by")
        if request_by and request_by < _stamp(DEPARTURE):
            basis = visit["agreement"] or "diplomatic clearance"
            when = request_by[:16].replace("T", " ")
            out.append(
                f"{name}: {basis} needs {visit['notice_days']} days' notice of the call; "
                f"request by {when}Z, before departure"
            )
        for caveat in visit["caveats"]:
            if caveat not in seen:
                seen.add(caveat)
                out.append(f"{name} ({visit['confidence'].replace('_', ' ')}): {caveat}")
    return out


def _unwrap_to(lon: float, ref: float) -> float:
    return lon + 360.0 * round((ref - lon) / 360.0)


def _track(
    start: list[float], waypoints: list[tuple[float, float]], end: list[float]
) -> list[list[float]]:
    coords = [[start[0], start[1]], *[[x, y] for x, y in waypoints]]
    coords.append([_unwrap_to(end[0], coords[-1][0]), end[1]])
    return coords


def _length_nm(coords: list[list[float]]) -> float:
    return sum(
        geodesic_nm(LonLat(a[0], a[1]), LonLat(b[0], b[1])) for a, b in itertools.pairwise(coords)
    )


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_plan(
    origin_id: str,
    legs: list[tuple[str, list[str], list[tuple[float, float]]]],
    *,
    waypoints: Sequence[str] = (),
    clearance: Sequence[str] = (),
) -> dict[str, Any]:
    """A feasible plan through ``legs``; every leg ends at a stop but the last, and
    those that end at one of ``waypoints`` (a call, no resupply). Facilities in
    ``clearance`` are called at by diplomatic clearance, not by agreement."""
    cat = load_catalogue()
    origin = _end(origin_id)
    at = origin["coordinates"]
    clock = DEPARTURE
    out_legs: list[dict[str, Any]] = []
    stops: list[dict[str, Any]] = []
    sailing = 0.0
    passages: list[str] = []
    prev = origin_id
    calls: list[dict[str, Any]] = []
    for i, (to, via, track) in enumerate(legs, start=1):
        end = _end(to)["coordinates"]
        coords = _track(at, track, end)
        dist = _length_nm(coords)
        hours = dist / SPEED_KN
        fuel = round(1.0 - dist / FULL_RANGE_NM, 2)
        sailing += hours
        clock += dt.timedelta(hours=hours)
        out_legs.append(
            {
                "index": i,
                "from": prev,
                "to": to,
                "distance_nm": round(dist, 1),
                "duration_h": round(hours, 1),
                "passages": via,
                "fuel_on_arrival": fuel,
                "geometry": {"type": "LineString", "coordinates": coords},
            }
        )
        passages += via
        basis = "clearance" if to in clearance else None
        if to in waypoints:
            calls.append(_call(cat, to, when=clock, basis=basis))
        elif i < len(legs):
            fac = cat.facility(to)
            grant = _grant(cat, to, basis=basis)
            notice = grant["notice_days"]
            stops.append(
                {
                    "index": len(stops) + 1,
                    "facility_id": fac.id,
                    "name": fac.name,
                    "country": fac.country,
                    "coordinates": [fac.lon, fac.lat],
                    **grant,
                    "services": [s for s in fac.services if s in ("fuel", "provisions", "water")],
                    "arrival": _stamp(clock),
                    "departure": _stamp(clock + dt.timedelta(hours=DWELL_H)),
                    "fuel_on_arrival": fuel,
                    "request_by": _stamp(clock - dt.timedelta(days=notice)) if notice else None,
                }
            )
            clock += dt.timedelta(hours=DWELL_H)
        at = coords[-1]
        prev = to
    total_nm = sum(leg["distance_nm"] for leg in out_legs)
    total_h = (clock - DEPARTURE).total_seconds() / 3600
    destination = _call(
        cat, legs[-1][0], when=clock, basis="clearance" if legs[-1][0] in clearance else None
    )
    origin = _call(cat, origin_id, when=DEPARTURE)
    return {
        "feasible": True,
        "reason": None,
        "suggestions": [],
        "warnings": _warnings([*stops, *calls, destination]),
        "nation": NATION,
        "platform": {"id": "talwar", "name": "Talwar-class frigate", "domain": "sea"},
        "speed_kn": SPEED_KN,
        "reserve": RESERVE,
        "usable_range_nm": USABLE_RANGE_NM,
        "objective": "min_time",
        "departure": _stamp(DEPARTURE),
        "legs": out_legs,
        "stops": stops,
        "totals": {
            "distance_nm": round(total_nm, 1),
            "duration_h": round(total_h, 1),
            "sailing_h": round(sailing, 1),
            "dwell_h": DWELL_H * len(stops),
            "stops": len(stops),
            "eta": _stamp(clock),
            "days": round(total_h / 24, 1),
        },
        "passages": passages,
        "origin": origin,
        "destination": destination,
        "waypoints": calls,
    }


def mumbai_vladivostok_plan() -> dict[str, Any]:
    """Mumbai to Vladivostok with four resupply stops (five legs).

    The destination call is by RELOS, whose entry into force is an assumed date:
    14 days' notice, and the agreement's caveats in the popup and the warnings.
    """
    return build_plan("in-mumbai-naval-dockyard", MUMBAI_VLADIVOSTOK_LEGS)


def waypoint_plan() -> dict[str, Any]:
    """Mumbai to Vladivostok calling at Changi as a waypoint (no resupply there) and at
    Cam Ranh by diplomatic clearance, not by the India-Vietnam agreement."""
    return build_plan(
        "in-mumbai-naval-dockyard",
        MUMBAI_VLADIVOSTOK_LEGS,
        waypoints=["sg-changi-naval-base"],
        clearance=["vn-cam-ranh-port"],
    )


def pacific_plan() -> dict[str, Any]:
    """Vladivostok to Pearl Harbor via Petropavlovsk: a stop and a ring by the antimeridian."""
    return build_plan("ru-vladivostok-naval-base", PACIFIC_LEGS)


#: The call fields of an end when the plan is infeasible: no basis.
NO_CALL: dict[str, Any] = {"basis": None, "agreement": None, "agreements": []}


def infeasible_plan() -> dict[str, Any]:
    """A plan the planner could not make: no legs, no stops, a reason and suggestions."""
    return {
        "feasible": False,
        "reason": (
            "No chain of usable facilities links Mumbai to Pearl Harbor within a usable "
            "range of 1,200 nm."
        ),
        "suggestions": [
            "Raise the usable range (a platform with longer endurance).",
            "Add the agreement 'lemoa' to open US facilities in the Pacific.",
        ],
        "nation": "IND",
        "platform": {"id": "saryu", "name": "Saryu-class patrol vessel", "domain": "sea"},
        "speed_kn": 14,
        "reserve": 0.25,
        "usable_range_nm": 1200.0,
        "objective": "min_time",
        "departure": "2026-08-01T00:00:00Z",
        "legs": [],
        "stops": [],
        "totals": None,
        "passages": [],
        "warnings": [],
        "origin": {**_end("in-mumbai-naval-dockyard"), **NO_CALL},
        "destination": {**_end("us-pearl-harbor-naval-station"), **NO_CALL},
        "waypoints": [],
    }


def route_from_plan(
    plan: dict[str, Any], *, closed: list[str], alternatives: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The through route of a plan's legs as a ``GET /routes`` Feature."""
    coords: list[list[float]] = []
    for leg in plan["legs"]:
        line = leg["geometry"]["coordinates"]
        coords += line if not coords else line[1:]
    dist = _length_nm(coords)
    props: dict[str, Any] = {
        "origin": plan["origin"],
        "destination": plan["destination"],
        "distance_nm": round(dist, 1),
        "duration_h": round(dist / SPEED_KN, 1),
        "speed_kn": SPEED_KN,
        "passages": plan["passages"],
        "closed": closed,
        "date": "2026-08-01",
    }
    if alternatives is not None:
        props["alternatives"] = alternatives
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": props,
    }


def mumbai_vladivostok_route() -> dict[str, Any]:
    """Mumbai to Vladivostok with Suez closed, and one alternative (Sunda and Lombok-free)."""
    plan = mumbai_vladivostok_plan()
    main = route_from_plan(plan, closed=["suez"])
    alt_coords = [
        [72.8667, 18.9667],
        [72.4, 18.4],
        [76.0, 7.2],
        [80.0, 5.6],
        [95.0, 2.0],
        [101.0, -5.0],
        [104.8, -6.6],
        [105.8, -5.9],
        [106.6, -5.3],
        [108.4, -3.6],
        [108.8, -1.5],
        [110.0, 3.0],
        [114.0, 10.0],
        [119.0, 17.0],
        [121.0, 20.5],
        [125.0, 25.0],
        [128.6, 34.5],
        [131.6, 41.4],
        [131.9222, 43.0775],
    ]
    alt_nm = _length_nm(alt_coords)
    alternative = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": alt_coords},
        "properties": {
            **{k: v for k, v in main["properties"].items() if k != "alternatives"},
            "distance_nm": round(alt_nm, 1),
            "duration_h": round(alt_nm / SPEED_KN, 1),
            "passages": ["sunda"],
        },
    }
    main["properties"]["alternatives"] = [alternative]
    return main


def pacific_route() -> dict[str, Any]:
    """Vladivostok, Petropavlovsk and on to Pearl Harbor, longitudes past 180 (unwrapped)."""
    return route_from_plan(pacific_plan(), closed=[])
