"""A plan or route answer read as a voyage: named calls, legs and their tracks.

Every export format is written from this one reading of the JSON answer
(:func:`routing.plan.serialize.plan_json`, or the ``GET /routes`` Feature), so a plan
computed now and the same plan saved and read back export to the same files.

Tracks in the answers are continuous across the antimeridian (a longitude may leave
[-180, 180] so the line never jumps); the files want longitudes in range, and a line
that crosses the antimeridian cut there (:meth:`Track.pieces`), or a reader draws it
the long way round the world.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from routing.errors import InfeasiblePlanError, InvalidInputError
from routing.geo import line_nm


def wrap_lon(lon: float) -> float:
    """A longitude in [-180, 180) (180 itself stays 180)."""
    if -180.0 <= lon <= 180.0:
        return lon
    return (lon + 180.0) % 360.0 - 180.0


@dataclass(frozen=True)
class Call:
    """A named place of the voyage: its origin, a resupply stop, a waypoint, its end."""

    role: str
    """``origin``, ``stop``, ``waypoint`` or ``destination``."""
    name: str
    id: str | None
    lon: float
    lat: float
    arrival: str | None = None
    departure: str | None = None
    agreement: str | None = None


@dataclass(frozen=True)
class Track:
    """One leg: from one call to the next, along the sea route (or the flight)."""

    index: int
    start: Call
    end: Call
    distance_nm: float
    duration_h: float | None
    depart: str | None
    arrive: str | None
    passages: tuple[str, ...]
    coords: np.ndarray
    """(n, 2) lon, lat, continuous across the antimeridian."""

    @property
    def name(self) -> str:
        """``start - end``, as people write a leg."""
        return f"{self.start.name} - {self.end.name}"

    def wrapped(self) -> np.ndarray:
        """The track with longitudes in [-180, 180]."""
        out = self.coords.copy()
        out[:, 0] = [wrap_lon(float(x)) for x in out[:, 0]]
        return out

    def pieces(self) -> list[np.ndarray]:
        """The track cut where it crosses the antimeridian, longitudes in [-180, 180]:
        each piece ends at +-180 and the next begins at the other side, at the latitude
        where the track crosses it."""
        xy = self.coords
        pieces: list[list[tuple[float, float]]] = [[(wrap_lon(xy[0, 0]), float(xy[0, 1]))]]
        for (x0, y0), (x1, y1) in zip(xy[:-1].tolist(), xy[1:].tolist(), strict=True):
            k0 = math.floor((x0 + 180.0) / 360.0)
            k1 = math.floor((x1 + 180.0) / 360.0)
            if k0 == k1 or x1 == x0:
                pieces[-1].append((wrap_lon(x1), y1))
                continue
            edge = -180.0 + 360.0 * max(k0, k1)
            lat = y0 + (edge - x0) / (x1 - x0) * (y1 - y0)
            east = x1 > x0
            pieces[-1].append((180.0 if east else -180.0, lat))
            pieces.append([(-180.0 if east else 180.0, lat), (wrap_lon(x1), y1)])
        return [np.asarray(p) for p in pieces if len(p) >= 2]


@dataclass(frozen=True)
class RoutePoint:
    """A navigational waypoint: a vertex of the track, named where it is a call."""

    lon: float
    lat: float
    name: str | None
    call: Call | None
    leg: Track | None
    """The leg that arrives here (``None`` for the first point)."""


@dataclass(frozen=True)
class Voyage:
    """A plan or a route, read from its answer for export."""

    kind: str
    """``plan`` or ``route``."""
    name: str
    stem: str
    """A file name without extension: ``relos-plan-<origin>-<destination>``."""
    domain: str
    speed_kn: float | None
    calls: tuple[Call, ...]
    legs: tuple[Track, ...]
    platform: str | None = None
    departure: str | None = None
    eta: str | None = None

    @property
    def distance_nm(self) -> float:
        """The whole voyage, as the answer gives it (the sum of its legs)."""
        return round(sum(leg.distance_nm for leg in self.legs), 1)

    def points(self) -> list[RoutePoint]:
        """The route's waypoints in order: every vertex of every leg's track, longitudes
        in [-180, 180], a leg's first vertex left out where it repeats the last of the
        leg before; the first and last vertex of each leg carry the name of the call."""
        out: list[RoutePoint] = []
        for leg in self.legs:
            xy = leg.wrapped()
            if not out or not _same(out[-1], xy[0]):
                # the voyage's first point, or a leg leaving from another point of the stop
                start = (float(xy[0, 0]), float(xy[0, 1]))
                out.append(RoutePoint(*start, leg.start.name, leg.start, leg if out else None))
            last = len(xy) - 1
            for i in range(1, len(xy)):
                call = leg.end if i == last else None
                out.append(
                    RoutePoint(
                        float(xy[i, 0]), float(xy[i, 1]), call.name if call else None, call, leg
                    )
                )
        return out


def _same(p: RoutePoint, xy: np.ndarray) -> bool:
    return abs(p.lon - float(xy[0])) < 1e-9 and abs(p.lat - float(xy[1])) < 1e-9


def slug(text: str) -> str:
    """Lower-case letters, digits and dashes, at most 80 characters (a file name)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def _end_id(end: Any) -> str:
    if isinstance(end, Mapping):
        return str(end.get("facility_id") or end.get("id") or "point")
    return str(end or "point")


def _call(role: str, item: Mapping[str, Any], *, time: str | None = None) -> Call:
    lon, lat = (float(v) for v in item["coordinates"])
    return Call(
        role=role,
        name=str(item.get("name") or item.get("id") or f"{lat:.4f}, {lon:.4f}"),
        id=item.get("facility_id") or item.get("id"),
        lon=wrap_lon(lon),
        lat=lat,
        arrival=item.get("arrival") or (time if role != "origin" else None),
        departure=item.get("departure") or (time if role == "origin" else None),
        agreement=item.get("agreement"),
    )


def is_plan(answer: Mapping[str, Any]) -> bool:
    """A ``POST /plans`` answer (or a saved plan's ``result``), not a route Feature."""
    return "legs" in answer and "feasible" in answer


def read(answer: Mapping[str, Any], *, fmt: str = "export") -> Voyage:
    """The voyage of a ``POST /plans`` answer or a ``GET /routes`` Feature.

    Raises
    ------
    InfeasiblePlanError
        A plan with no feasible route: nothing to export (names ``format``).
    InvalidInputError
        Anything else: not a plan or route answer.
    """
    if is_plan(answer):
        return _read_plan(answer, fmt)
    if answer.get("type") == "Feature" and isinstance(answer.get("properties"), Mapping):
        return _read_route(answer, fmt)
    raise InvalidInputError("not a plan or a route answer", field="format")


def _read_plan(plan: Mapping[str, Any], fmt: str) -> Voyage:
    if not plan.get("feasible") or not plan.get("legs"):
        raise InfeasiblePlanError(
            f"the plan is infeasible, so there is no route to export as {fmt}"
            + (f": {plan['reason']}" if plan.get("reason") else ""),
            field="format",
        )
    origin = _call("origin", plan["origin"], time=plan["origin"].get("time"))
    dest = _call("destination", plan["destination"], time=plan["destination"].get("time"))
    by_id: dict[str, Call] = {}
    middle: list[Call] = []
    for item in plan.get("stops") or []:
        middle.append(_call("stop", item))
    for item in plan.get("waypoints") or []:
        middle.append(_call("waypoint", item, time=item.get("time")))
    for c in middle:
        if c.id:
            by_id[c.id] = c
    legs: list[Track] = []
    start = origin
    n = len(plan["legs"])
    for i, leg in enumerate(plan["legs"]):
        end = dest if i == n - 1 else by_id.get(str(leg.get("to"))) or _point_call(leg, "stop")
        legs.append(
            Track(
                index=int(leg["index"]),
                start=start,
                end=end,
                distance_nm=float(leg["distance_nm"]),
                duration_h=leg.get("duration_h"),
                depart=leg.get("depart"),
                arrive=leg.get("arrive"),
                passages=tuple(leg.get("passages") or ()),
                coords=np.asarray(leg["geometry"]["coordinates"], dtype=float),
            )
        )
        start = end
    calls = [origin]
    for leg in legs[:-1]:
        calls.append(leg.end)
    calls.append(dest)
    o, d = _end_id(plan["origin"]), _end_id(plan["destination"])
    platform = (plan.get("platform") or {}).get("label")
    return Voyage(
        kind="plan",
        name=f"{origin.name} - {dest.name}",
        stem=f"relos-plan-{slug(o)}-{slug(d)}",
        domain=str((plan.get("platform") or {}).get("domain") or "sea"),
        speed_kn=plan.get("speed_kn"),
        calls=tuple(calls),
        legs=tuple(legs),
        platform=platform,
        departure=plan.get("departure"),
        eta=(plan.get("totals") or {}).get("eta"),
    )


def _point_call(leg: Mapping[str, Any], role: str) -> Call:
    x, y = leg["geometry"]["coordinates"][-1]
    return Call(
        role=role, name=str(leg.get("to_name") or "stop"), id=leg.get("to"), lon=wrap_lon(x), lat=y
    )


def _read_route(feature: Mapping[str, Any], fmt: str) -> Voyage:
    props = feature["properties"]
    geometry = feature.get("geometry")
    if not geometry or not geometry.get("coordinates"):
        raise InfeasiblePlanError(f"no route to export as {fmt}", field="format")
    coords = np.asarray(geometry["coordinates"], dtype=float)
    origin = _route_end("origin", props.get("origin"), coords[0])
    dest = _route_end("destination", props.get("destination"), coords[-1])
    speed = props.get("speed_kn")
    distance = float(props["distance_nm"])
    date = props.get("date")
    track = Track(
        index=1,
        start=origin,
        end=dest,
        distance_nm=distance,
        duration_h=props.get("duration_h"),
        depart=f"{date}T00:00:00Z" if date else None,
        arrive=None,
        passages=tuple(props.get("passages") or ()),
        coords=coords,
    )
    o, d = _end_id(props.get("origin")), _end_id(props.get("destination"))
    kind = "air-route" if "great_circle_nm" in props else "route"
    return Voyage(
        kind="route",
        name=f"{origin.name} - {dest.name}",
        stem=f"relos-{kind}-{slug(o)}-{slug(d)}",
        domain="air" if kind == "air-route" else "sea",
        speed_kn=speed,
        calls=(origin, dest),
        legs=(track,),
        departure=track.depart,
    )


def _route_end(role: str, end: Any, fallback: Sequence[float]) -> Call:
    if isinstance(end, Mapping) and end.get("coordinates"):
        return _call(role, end)
    x, y = float(fallback[0]), float(fallback[1])
    return Call(role=role, name=str(end or f"{y:.4f}, {x:.4f}"), id=None, lon=wrap_lon(x), lat=y)


def track_nm(coords: np.ndarray) -> float:
    """The length of a track on the WGS84 ellipsoid (nm), as the router measures it."""
    return float(line_nm(coords).sum()) if len(coords) > 1 else 0.0
