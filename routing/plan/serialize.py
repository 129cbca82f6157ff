"""JSON forms of routing results: the shapes the API returns and the maps render.

Kept beside the result types so the HTTP API, the CLI and notebooks emit the
same JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from routing.air.report import airspace_json, clearances, overflies
from routing.plan.calls import Call, Place
from routing.plan.fuel import FuelState
from routing.plan.planner import Leg, Plan, Stop, set_answer_writer


def iso(t: dt.datetime) -> str:
    """UTC ISO 8601 with a ``Z``."""
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _r(x: float, nd: int = 1) -> float:
    return round(float(x), nd)


def plan_json(plan: Plan) -> dict[str, Any]:
    """A plan as the ``POST /plans`` answer (see README: Plans)."""
    req = plan.request
    legs = [_leg_json(leg) for leg in plan.legs]
    stops = [_stop_json(s) for s in plan.stops]
    return {
        "scenario": plan.scenario,
        "feasible": plan.feasible,
        "reason": plan.reason,
        "suggestions": list(plan.suggestions),
        "warnings": list(plan.warnings),
        "nation": req.nation,
        "platform": {
            "label": plan.platform_label,
            "members": [
                {"id": m.platform.id, "name": m.platform.name, "count": m.count} for m in req.group
            ],
            "domain": req.domain,
        },
        "objective": req.objective,
        "speed_kn": _r(plan.speed_kn, 2),
        "reserve": req.reserve,
        "usable_range_nm": _r(plan.usable_range_nm),
        "range_basis": plan.range_basis,
        "departure": iso(req.departure),
        "closed": sorted(req.closed),
        "season_closed": list(plan.season_closed),
        "origin": _end(plan, "origin", plan.origin),
        "destination": _end(plan, "destination", plan.destination),
        "waypoints": [call_json(c) for c in plan.calls if c.role == "waypoint"],
        "legs": legs,
        "stops": stops,
        "totals": _totals(plan),
        "passages": list(plan.passages),
        "avoided_passages": [{"passage": p, "reason": why} for p, why in plan.avoided],
        "geojson": {"type": "FeatureCollection", "features": _features(plan, legs, stops)},
        "versions": plan.versions,
        **_air_json(plan),
    }


def _air_json(plan: Plan) -> dict[str, Any]:
    """Air plans: the states overflown in order, the clearances needed, the closures."""
    if plan.request.domain != "air" or plan.air_policy is None:
        return {}
    air = plan.air_policy
    return {
        "overflies": overflies(leg.airspace for leg in plan.legs),
        "clearances": clearances([(leg.index, leg.depart, leg.airspace) for leg in plan.legs], air),
        "airspace": airspace_json(air),
    }


def _leg_json(leg: Leg) -> dict[str, Any]:
    return {
        "index": leg.index,
        "from": leg.start.key if leg.start.facility else None,
        "to": leg.end.key if leg.end.facility else None,
        "from_name": leg.start.name,
        "to_name": leg.end.name,
        "distance_nm": _r(leg.distance_nm),
        "duration_h": _r(leg.duration_h),
        "passages": list(leg.passages),
        **(
            {"airspace": list(leg.airspace), "overflies": overflies([leg.airspace])}
            if leg.airspace
            else {}
        ),
        "fuel_on_arrival": _r(leg.fuel_on_arrival, 3),
        **_fuel_json(leg.fuel),
        "depart": iso(leg.depart) if leg.depart else None,
        "arrive": iso(leg.arrive) if leg.arrive else None,
        "wait_h": _r(leg.wait_h),
        "wait_reason": leg.wait_reason,
        "transits": [
            {
                "passage": t.transit.passage,
                "name": t.transit.name,
                "entered": iso(t.entered),
                "left": iso(t.left),
            }
            for t in leg.transits
        ],
        "geometry": {
            "type": "LineString",
            "coordinates": np.round(leg.coordinates, 4).tolist(),
        },
    }


def _stop_json(s: Stop) -> dict[str, Any]:
    return {
        "index": s.index,
        "facility_id": s.place.key,
        "name": s.place.name,
        "country": s.place.facility.country if s.place.facility else None,
        "coordinates": [s.place.point.lon, s.place.point.lat],
        **s.grant.json(),
        "services": list(s.services),
        "arrival": iso(s.arrival),
        "departure": iso(s.departure),
        "fuel_on_arrival": _r(s.fuel_on_arrival, 3),
        **_fuel_json(s.fuel),
        "notice_days": s.notice_days,
        "request_by": iso(s.request_by) if s.request_by else None,
        "wait_h": _r(s.wait_h),
        "wait_reason": s.wait_reason,
    }


def _fuel_json(state: FuelState | None) -> dict[str, Any]:
    """Each member's fuel (fraction of capacity) and the tanker cargo left (tonnes)."""
    if state is None:
        return {"fuel": None, "cargo_t": None}
    return {
        "fuel": {k: _r(v, 3) for k, v in state.members.items()},
        "cargo_t": None if state.cargo_t is None else _r(state.cargo_t, 0),
    }


def _end(plan: Plan, role: str, place: Place) -> dict[str, Any]:
    """The origin or destination with the basis of the call there (``basis`` is null
    for a bare sea point, and when the plan is infeasible)."""
    for call in plan.calls:
        if call.role == role:
            return call_json(call)
    return {**place.json(), **_no_grant()}


def _no_grant() -> dict[str, Any]:
    """The basis fields of a place with no call: a bare sea point, or an infeasible plan."""
    return {"basis": None, "agreement": None, "agreements": []}


def call_json(call: Call) -> dict[str, Any]:
    """A call at an end or waypoint: the place, the grant (no basis at a bare sea point),
    its time and the notice it needs."""
    grant = (
        call.grant.json() if call.grant else {"basis": None, "agreement": None, "agreements": []}
    )
    return {
        **call.place.json(),
        **grant,
        "time": iso(call.time),
        "notice_days": call.notice_days,
        "request_by": iso(call.request_by) if call.request_by else None,
    }


def _features(
    plan: Plan, legs: list[dict[str, Any]], stops: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Legs, stops, origin and destination as GeoJSON Features (``role`` says which)."""
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": leg["geometry"],
            "properties": {"role": "leg", **{k: v for k, v in leg.items() if k != "geometry"}},
        }
        for leg in legs
    ]
    features += [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": s["coordinates"]},
            "properties": {"role": "stop", **s},
        }
        for s in stops
    ]
    for role, place in (("origin", plan.origin), ("destination", plan.destination)):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [place.point.lon, place.point.lat]},
                "properties": {"role": role, **place.json()},
            }
        )
    return features


def _totals(plan: Plan) -> dict[str, Any] | None:
    if not plan.feasible:
        return None
    return {
        "distance_nm": _r(plan.distance_nm),
        "duration_h": _r(plan.duration_h),
        "sailing_h": _r(plan.sailing_h),
        "dwell_h": _r(plan.dwell_h),
        "wait_h": _r(plan.wait_h),
        "days": _r(plan.duration_h / 24, 2),
        "stops": len(plan.stops),
        "eta": iso(plan.eta),
    }


set_answer_writer(plan_json)
