"""Drawing routes and plans (CONTRACTS.md shapes) onto a map or a layer, and their figures.

Each ``draw_*`` function adds layers to ``parent`` (a map or a feature group) in one
longitude frame (see :mod:`maps.geometry`) and returns the (lat, lon) points the view
should fit. The ``*_rows`` functions give the figures shown in the summary panel.
Popups and tooltips are HTML from the templates of :mod:`maps.templates`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import folium
from markupsafe import Markup, escape

from maps.base import HtmlPopup, HtmlTooltip, LatLng, in_area_pane
from maps.geometry import Coords, chain, geodesic_ring, shift_coords, shift_into, shift_near
from maps.templates import Cell, Rows, code, confidence_label, render, styled

#: Red, dotted: closed (a passage, airspace); used for nothing else.
CLOSED = "#c0392b"
CLOSED_DASH = "2 6"
GATE = "#6c3483"
#: Dashes of alternative routes and of range rings.
ALT_DASH = "8 6"
RING_DASH = "6 5"
ORIGIN_COLOUR = "#1e8449"
WAYPOINT_COLOUR = "#b9770e"


# ---------------------------------------------------------------- formatting


def fmt_nm(value: float | None) -> str:
    """A distance in nautical miles, e.g. ``5,830 nm``."""
    return "–" if value is None else f"{value:,.0f} nm"


def fmt_days(hours: float | None) -> str:
    """A duration in days from hours, e.g. ``14.5 days``."""
    return "–" if hours is None else f"{hours / 24:,.1f} days"


def fmt_time(stamp: str | None) -> str:
    """An ISO 8601 UTC time as ``2026-08-08 06:18Z`` (text as given when not parseable)."""
    if not stamp:
        return "–"
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return when.strftime("%Y-%m-%d %H:%MZ")


def fmt_number(value: float | None, digits: int = 1) -> str:
    """A number with ``digits`` decimals, or a dash."""
    return "–" if value is None else f"{value:,.{digits}f}"


def fmt_fraction(value: float | None) -> str:
    """A fraction as a percentage, e.g. ``49 %``."""
    return "–" if value is None else f"{100 * value:.0f} %"


def is_plan(item: Mapping[str, Any]) -> bool:
    """True for a plan dict, False for a route Feature."""
    return "legs" in item or "feasible" in item


def as_latlng(coords: Coords) -> list[LatLng]:
    """GeoJSON-order positions as Leaflet's (lat, lon)."""
    return [(lat, lon) for lon, lat in coords]


@cache
def _shipped_facility_names() -> dict[str, str]:
    from routing.catalogue.load import load_catalogue

    return {f.id: f.name for f in load_catalogue()}


def facility_name(facility_id: str) -> str:
    """The name of a facility of the shipped catalogue given by id (the id if unknown), for
    answers that give an id alone (a compared route's ends)."""
    return _shipped_facility_names().get(facility_id, facility_id)


def named(ids: Sequence[Any] | None, names: Mapping[str, str] | None) -> list[str]:
    """Ids (of passages, facilities) as their names where ``names`` knows them."""
    return [(names or {}).get(str(i), str(i)) for i in ids or []]


# ---------------------------------------------------------------- markers


def end_marker(
    parent: folium.map.Layer | folium.Map,
    *,
    lon: float,
    lat: float,
    role: str,
    name: str,
    facility_id: str | None = None,
    call: Mapping[str, Any] | None = None,
) -> None:
    """The origin or destination: a square marker (green or black).

    With ``call`` (a plan's ``origin`` or ``destination``) the popup gives the basis
    of the call there, its notice and confidence (see :func:`call_rows`).
    """
    icon = folium.DivIcon(
        html='<div class="relos-sq"></div>',
        icon_size=(16, 16),
        icon_anchor=(8, 8),
        class_name=f"relos-end relos-{role}",
    )
    _call_marker(
        parent,
        icon=icon,
        lon=lon,
        lat=lat,
        label=f"{role.capitalize()}: {name}",
        facility_id=facility_id,
        call=call,
        role=role,
    )


def waypoint_marker(
    parent: folium.map.Layer | folium.Map,
    *,
    call: Mapping[str, Any],
    index: int,
    lon: float,
    lat: float,
    beside: bool = False,
) -> None:
    """A waypoint of a plan: a diamond, with the call there in its popup.

    ``beside``: a numbered stop is at the same place, so the diamond sits to its left
    rather than under it.
    """
    icon = folium.DivIcon(
        html=str(render("waypoint_icon")),
        icon_size=(16, 16),
        icon_anchor=(26, 8) if beside else (8, 8),
        class_name="relos-waypoint",
    )
    _call_marker(
        parent,
        icon=icon,
        lon=lon,
        lat=lat,
        label=f"Waypoint {index}: {call.get('name') or call.get('id') or 'at sea'}",
        facility_id=call.get("id"),
        call=call,
        role="waypoint",
    )


def _call_marker(
    parent: folium.map.Layer | folium.Map,
    *,
    icon: folium.DivIcon,
    lon: float,
    lat: float,
    label: str,
    facility_id: str | None,
    call: Mapping[str, Any] | None,
    role: str,
) -> None:
    """A marker at a place of call: its label as the tooltip, the call in its popup."""
    marker = folium.Marker(location=(lat, lon), icon=icon)
    HtmlTooltip(escape(label)).add_to(marker)
    popup = render(
        "end_popup",
        label=label,
        facility_id=facility_id,
        rows=call_rows(call, role=role) if call is not None else [],
        caveats=_caveats(call) if call is not None else [],
    )
    HtmlPopup(popup).add_to(marker)
    marker.add_to(parent)


def stop_marker(
    parent: folium.map.Layer | folium.Map,
    *,
    stop: Mapping[str, Any],
    lon: float,
    lat: float,
    colour: str,
) -> None:
    """A numbered resupply stop with its arrival time and fuel on arrival."""
    index = stop.get("index", "?")
    icon = folium.DivIcon(
        html=str(render("stop_icon", colour=colour, index=index)),
        icon_size=(22, 22),
        icon_anchor=(11, 11),
        class_name="relos-stop",
    )
    marker = folium.Marker(location=(lat, lon), icon=icon)
    name = stop.get("name") or stop.get("facility_id", "")
    tip = render(
        "stop_tooltip",
        index=index,
        name=name,
        arrival=fmt_time(stop.get("arrival")),
        fuel=fmt_fraction(stop.get("fuel_on_arrival")),
        confidence=confidence_label(stop.get("confidence")),
    )
    HtmlTooltip(tip).add_to(marker)
    popup = render(
        "stop_popup", index=index, name=name, rows=_stop_rows(stop), caveats=_caveats(stop)
    )
    HtmlPopup(popup).add_to(marker)
    marker.add_to(parent)


def _stop_rows(stop: Mapping[str, Any]) -> Rows:
    rows: Rows = [
        ("facility", code(stop.get("facility_id", ""))),
        ("country", str(stop.get("country", "–"))),
        ("access", access_cell(stop)),
        ("arrival", fmt_time(stop.get("arrival"))),
        ("departure", fmt_time(stop.get("departure"))),
        ("fuel on arrival", fmt_fraction(stop.get("fuel_on_arrival"))),
        ("services", ", ".join(stop.get("services") or []) or "–"),
    ]
    members = stop.get("fuel") or {}
    if len(members) > 1:
        rows.append(
            ("fuel by ship", ", ".join(f"{k} {fmt_fraction(v)}" for k, v in members.items()))
        )
    if stop.get("cargo_t") is not None:
        rows.append(("tanker cargo left", f"{fmt_number(stop['cargo_t'], 0)} t"))
    if wait := _wait_text(stop):
        rows.append(("waited", wait))
    return rows + _notice_rows(stop)


def _wait_text(item: Mapping[str, Any]) -> str | None:
    """A leg's or stop's wait (for a season, for notice) in days, with why."""
    hours = item.get("wait_h") or 0.0
    if hours <= 0:
        return None
    reason = item.get("wait_reason")
    return f"{fmt_days(hours)}" + (f" ({reason})" if reason else "")


# ---------------------------------------------------------------- calls


def access_cell(call: Mapping[str, Any]) -> Cell:
    """On what basis a stop or call is made: ``own facility``, ``agreement relos``
    (and the other agreements that would open it), or ``diplomatic clearance``."""
    basis = call.get("basis")
    if basis == "own":
        return "own facility"
    if basis == "clearance":
        return "diplomatic clearance"
    if basis is None and not call.get("agreement"):
        return "–"
    agreement = call.get("agreement") or "–"
    others = [str(a) for a in call.get("agreements") or [] if a != agreement]
    cell = Markup("agreement <b>{}</b>").format(agreement)
    if others:
        cell += Markup(" (also {})").format(", ".join(others))
    return cell


def _notice_rows(call: Mapping[str, Any]) -> Rows:
    """The notice a call needs, when to request it, and how sure its basis is."""
    rows: Rows = []
    if call.get("notice_days") is not None:
        rows.append(("notice", f"{call['notice_days']} days"))
    if call.get("request_by"):
        rows.append(("request by", fmt_time(call["request_by"])))
    level = confidence_label(call.get("confidence"))
    if level is not None:
        rows.append(("confidence", styled(level, "relos-caveat")))
    return rows


def _caveats(call: Mapping[str, Any]) -> list[str]:
    """The caveats of a stop or call that is less than confirmed."""
    if confidence_label(call.get("confidence")) is None:
        return []
    return [str(c) for c in call.get("caveats") or []]


def call_rows(call: Mapping[str, Any], *, role: str) -> Rows:
    """The rows of a plan's call at its origin, a waypoint or its destination: its
    basis, time, notice and confidence (none when the plan says nothing of a call,
    as when it is infeasible)."""
    if call.get("basis") is None and not call.get("time"):
        return []
    rows: Rows = [("access", access_cell(call) if call.get("basis") else "no port call")]
    if call.get("time"):
        rows.append(("departure" if role == "origin" else "arrival", fmt_time(call["time"])))
    return rows + _notice_rows(call)


def call_summary(call: Mapping[str, Any]) -> Cell | None:
    """A call in a few words for the summary panel, e.g. ``relos (14 days' notice,
    request by 2026-12-16 16:21Z) assumed date``; ``None`` when there is no call."""
    basis = call.get("basis")
    if basis is None:
        return None
    if basis == "own":
        what: Markup = Markup("own facility")
    elif basis == "clearance":
        what = Markup("diplomatic clearance")
    else:
        what = Markup("<b>{}</b>").format(call.get("agreement") or "agreement")
    terms = []
    if call.get("notice_days"):
        terms.append(f"{call['notice_days']} days' notice")
    if call.get("request_by"):
        terms.append(f"request by {fmt_time(call['request_by'])}")
    if terms:
        what += Markup(" ({})").format(", ".join(terms))
    level = confidence_label(call.get("confidence"))
    if level is not None:
        what += Markup(" ") + styled(level, "relos-caveat")
    return what


# ---------------------------------------------------------------- routes


def _span(coords: Coords) -> tuple[float, float]:
    lons = [c[0] for c in coords]
    return min(lons), max(lons)


def draw_route(
    parent: folium.map.Layer | folium.Map,
    route: Mapping[str, Any],
    *,
    colour: str,
    ref_lon: float | None = None,
    class_name: str = "relos-track",
    dashed: bool = False,
    ends: bool = True,
    label: str | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[Coords, list[LatLng]]:
    """A route Feature's track (and its origin and destination markers); ``names``
    gives the passages' names for its tooltip.

    Returns the track in the map's frame and the points to fit.
    """
    props = route.get("properties") or {}
    coords = chain([route["geometry"]["coordinates"]], start_near=ref_lon)[0]
    tip = render(
        "track_tooltip",
        title=label or "Route",
        route=None,
        distance=fmt_nm(props.get("distance_nm")),
        duration=fmt_days(props.get("duration_h")),
        fuel=None,
        passages=named(props.get("passages"), names),
        wait=None,
    )
    line = folium.PolyLine(
        as_latlng(coords),
        color=colour,
        weight=4 if not dashed else 3,
        opacity=0.9,
        dash_array=ALT_DASH if dashed else None,
        class_name=class_name,
    )
    HtmlTooltip(tip).add_to(line)
    line.add_to(parent)
    if ends and coords:
        for role, key, at in (
            ("origin", "origin", coords[0]),
            ("destination", "destination", coords[-1]),
        ):
            end = props.get(key) or {}
            if not isinstance(end, Mapping):  # a compare row names its ends by id only
                end = {"id": str(end), "name": facility_name(str(end))}
            lon, lat = (end.get("coordinates") or at)[:2]
            end_marker(
                parent,
                lon=shift_near(float(lon), at[0]),
                lat=float(lat),
                role=role,
                name=end.get("name") or end.get("id") or role,
                facility_id=end.get("id"),
            )
    return coords, as_latlng(coords)


def draw_gates(
    parent: folium.map.Layer | folium.Map,
    gates: Sequence[Mapping[str, Any]],
    *,
    traversed: Sequence[str],
    closed: Sequence[str],
    frame: tuple[float, float],
) -> list[LatLng]:
    """The gate or region of each traversed or closed passage.

    A gate (lines across a strait) is drawn as its lines; a region (the Northern Sea
    Route, an ice region) as the area it is, shaded under the track. Closed ones are red
    and dotted. Each is moved into the ``frame`` (west, east) of the track it belongs
    with. Returns the points of the traversed gates' lines (regions, and closed passages
    far off the route, are not for fitting the view).
    """
    drawn: list[LatLng] = []
    for gate in gates:
        pid = gate.get("id")
        if pid not in traversed and pid not in closed:
            continue
        geom = gate.get("geometry")
        if not geom:
            continue
        is_closed = pid in closed
        rings = _gate_lines(geom)
        if not rings:
            continue
        west, east = frame
        first_lon = rings[0][0][0]
        dlon = shift_into(first_lon, west, east) - first_lon
        name = gate.get("name") or pid
        tip = render("gate_tooltip", name=name, kind=gate.get("kind", "passage"), closed=is_closed)
        region = geom.get("type") in ("Polygon", "MultiPolygon")
        tint = CLOSED if is_closed else GATE
        for ring in rings:
            points = as_latlng(shift_coords(ring, dlon))
            if region:
                shape: folium.Polygon | folium.PolyLine = in_area_pane(
                    folium.Polygon(
                        points,
                        color=tint,
                        weight=1.5,
                        opacity=0.8,
                        dash_array=CLOSED_DASH if is_closed else None,
                        fill=True,
                        fill_color=tint,
                        fill_opacity=0.12,
                        class_name="relos-region-closed" if is_closed else "relos-region",
                    )
                )
            else:
                if not is_closed:
                    drawn += points
                shape = folium.PolyLine(
                    points,
                    color=tint,
                    weight=6 if is_closed else 5,
                    opacity=0.85,
                    dash_array=CLOSED_DASH if is_closed else None,
                    class_name="relos-gate-closed" if is_closed else "relos-gate",
                )
            HtmlTooltip(tip).add_to(shape)
            shape.add_to(parent)
        if is_closed:
            lon, lat = shift_coords(rings[0], dlon)[0]
            folium.Marker(
                location=(lat, lon),
                icon=folium.DivIcon(
                    html=str(escape(f"× {name} closed")),
                    icon_size=(160, 14),
                    icon_anchor=(-6, 7),
                    class_name="relos-gate-label",
                ),
                interactive=False,
            ).add_to(parent)
    return drawn


def _gate_lines(geometry: Mapping[str, Any]) -> list[Coords]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "LineString":
        parts = [coords]
    elif kind in ("Polygon", "MultiLineString"):
        parts = list(coords)
    elif kind == "MultiPolygon":
        parts = [ring for poly in coords for ring in poly]
    elif kind == "Point":
        parts = [[coords, coords]]
    else:
        return []
    return [chain([p])[0] for p in parts if p]


def route_rows(route: Mapping[str, Any], *, names: Mapping[str, str]) -> Rows:
    """The figures of a route for the panel (cells of text, or Markup for a styled one)."""
    props = route.get("properties") or {}
    origin = (props.get("origin") or {}).get("name", "–")
    dest = (props.get("destination") or {}).get("name", "–")
    rows: Rows = [
        ("from", str(origin)),
        ("to", str(dest)),
        ("distance", fmt_nm(props.get("distance_nm"))),
        ("duration", fmt_days(props.get("duration_h"))),
    ]
    if props.get("speed_kn") is not None:
        rows.append(("speed", f"{props['speed_kn']} kn"))
    if props.get("date"):
        rows.append(("date", str(props["date"])))
    passages = props.get("passages") or []
    rows.append(("via", ", ".join(names.get(p, p) for p in passages) or "open sea"))
    closed = props.get("closed") or []
    if closed:
        rows.append(("closed", styled(", ".join(names.get(p, p) for p in closed), "relos-closed")))
    return rows


# ---------------------------------------------------------------- plans


def draw_plan(
    parent: folium.map.Layer | folium.Map,
    plan: Mapping[str, Any],
    *,
    colour: str,
    rings: folium.map.Layer | folium.Map | None = None,
    ref_lon: float | None = None,
    label: str | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[float | None, list[LatLng]]:
    """A plan's legs, numbered stops, waypoints, origin and destination (each call's
    basis in its popup), and (into ``rings``) range rings, in the plan's colour and
    under the legs. ``names`` gives the passages' names for the legs' tooltips.

    Returns the origin's longitude in the map's frame and the points to fit.
    """
    origin = plan.get("origin") or {}
    dest = plan.get("destination") or {}
    legs = plan.get("legs") or []
    o_lon, o_lat = (float(v) for v in (origin.get("coordinates") or [0.0, 0.0])[:2])
    if ref_lon is not None:
        o_lon = shift_near(o_lon, ref_lon)
    tracks = chain([leg["geometry"]["coordinates"] for leg in legs], start_near=o_lon)
    points: list[LatLng] = [(o_lat, o_lon)]
    points += _draw_legs(parent, legs, tracks, colour=colour, name=label or "Plan", names=names)

    usable = plan.get("usable_range_nm")
    radius_nm = float(usable) if usable else 0.0
    ring_parent = rings if radius_nm else None
    if ring_parent is not None:
        _ring(
            ring_parent,
            lon=o_lon,
            lat=o_lat,
            radius_nm=radius_nm,
            colour=colour,
            label=f"Usable range from {origin.get('name', 'origin')}",
        )
    stop_points = _draw_stops(
        parent,
        plan.get("stops") or [],
        legs=legs,
        tracks=tracks,
        default_lon=o_lon,
        colour=colour,
        rings=ring_parent,
        radius_nm=radius_nm,
    )
    points += stop_points
    points += _draw_waypoints(
        parent,
        plan.get("waypoints") or [],
        legs=legs,
        tracks=tracks,
        default_lon=o_lon,
        stops_at={(round(lat, 4), round(lon, 4)) for lat, lon in stop_points},
    )

    last_lon = tracks[-1][-1][0] if tracks and tracks[-1] else o_lon
    points += _draw_ends(parent, origin, dest, origin_at=(o_lon, o_lat), dest_near=last_lon)
    return o_lon, points


def _draw_ends(
    parent: folium.map.Layer | folium.Map,
    origin: Mapping[str, Any],
    dest: Mapping[str, Any],
    *,
    origin_at: tuple[float, float],
    dest_near: float,
) -> list[LatLng]:
    """The origin marker at ``origin_at`` (lon, lat) and the destination's, if it has a
    position, moved near longitude ``dest_near``; the destination's point to fit."""
    o_lon, o_lat = origin_at
    end_marker(
        parent,
        lon=o_lon,
        lat=o_lat,
        role="origin",
        name=origin.get("name") or origin.get("id") or "origin",
        facility_id=origin.get("id"),
        call=origin,
    )
    if not dest.get("coordinates"):
        return []
    d_lon, d_lat = (float(v) for v in dest["coordinates"][:2])
    d_lon = shift_near(d_lon, dest_near)
    end_marker(
        parent,
        lon=d_lon,
        lat=d_lat,
        role="destination",
        name=dest.get("name") or dest.get("id") or "destination",
        facility_id=dest.get("id"),
        call=dest,
    )
    return [(d_lat, d_lon)]


def _draw_waypoints(
    parent: folium.map.Layer | folium.Map,
    waypoints: Sequence[Mapping[str, Any]],
    *,
    legs: Sequence[Mapping[str, Any]],
    tracks: Sequence[Coords],
    default_lon: float,
    stops_at: set[tuple[float, float]],
) -> list[LatLng]:
    """A marker at each waypoint, by the end of the leg that arrives there (a facility by
    its id, a point at sea by its name), beside a stop at the same place
    (``stops_at``: their rounded (lat, lon)); the points drawn."""
    arrivals = [
        (leg.get("to") or None, leg.get("to_name"), coords[-1][0])
        for leg, coords in zip(legs, tracks, strict=True)
        if coords
    ]
    all_lons = [c[0] for t in tracks for c in t] or [default_lon]
    west, east = min(all_lons), max(all_lons)
    points: list[LatLng] = []
    for index, call in enumerate(waypoints, start=1):
        if not call.get("coordinates"):
            continue
        lon, lat = (float(v) for v in call["coordinates"][:2])
        key = call.get("id") or None
        ref = next(
            (
                end
                for to, to_name, end in arrivals
                if to == key and (key is not None or to_name == call.get("name"))
            ),
            None,
        )
        lon = shift_near(lon, ref) if ref is not None else shift_into(lon, west, east)
        beside = (round(lat, 4), round(lon, 4)) in stops_at
        waypoint_marker(parent, call=call, index=index, lon=lon, lat=lat, beside=beside)
        points.append((lat, lon))
    return points


def _draw_legs(
    parent: folium.map.Layer | folium.Map,
    legs: Sequence[Mapping[str, Any]],
    tracks: Sequence[Coords],
    *,
    colour: str,
    name: str,
    names: Mapping[str, str] | None,
) -> list[LatLng]:
    """Each leg's track (``tracks``, in the map's frame) with its tooltip (passages by
    their ``names``); the points drawn."""
    points: list[LatLng] = []
    for leg, coords in zip(legs, tracks, strict=True):
        start = leg.get("from_name") or facility_name(str(leg.get("from", "")))
        end = leg.get("to_name") or facility_name(str(leg.get("to", "")))
        tip = render(
            "track_tooltip",
            title=f"{name}: leg {leg.get('index', '?')}",
            route=f"{start} → {end}",
            distance=fmt_nm(leg.get("distance_nm")),
            duration=fmt_days(leg.get("duration_h")),
            fuel=fmt_fraction(leg.get("fuel_on_arrival")),
            passages=named(leg.get("passages"), names),
            wait=_wait_text(leg),
        )
        line = folium.PolyLine(
            as_latlng(coords), color=colour, weight=4, opacity=0.9, class_name="relos-leg"
        )
        HtmlTooltip(tip).add_to(line)
        line.add_to(parent)
        points.extend(as_latlng(coords))
    return points


def _draw_stops(
    parent: folium.map.Layer | folium.Map,
    stops: Sequence[Mapping[str, Any]],
    *,
    legs: Sequence[Mapping[str, Any]],
    tracks: Sequence[Coords],
    default_lon: float,
    colour: str,
    rings: folium.map.Layer | folium.Map | None,
    radius_nm: float,
) -> list[LatLng]:
    """The numbered stops, each by the end of the leg that arrives there (and, into
    ``rings``, its range ring); the points drawn."""
    arrivals = [
        (leg.get("to"), coords[-1][0]) for leg, coords in zip(legs, tracks, strict=True) if coords
    ]
    all_lons = [c[0] for t in tracks for c in t] or [default_lon]
    west, east = min(all_lons), max(all_lons)
    points: list[LatLng] = []
    for stop in stops:
        lon, lat = (float(v) for v in stop["coordinates"][:2])
        ref = _arrival_lon(arrivals, stop.get("facility_id"))
        lon = shift_near(lon, ref) if ref is not None else shift_into(lon, west, east)
        stop_marker(parent, stop=stop, lon=lon, lat=lat, colour=colour)
        points.append((lat, lon))
        if rings is not None:
            _ring(
                rings,
                lon=lon,
                lat=lat,
                radius_nm=radius_nm,
                colour=colour,
                label=f"Usable range from stop {stop.get('index', '?')}",
            )
    return points


def _arrival_lon(arrivals: list[tuple[Any, float]], facility_id: Any) -> float | None:
    """The end longitude of the first leg not yet used that arrives at ``facility_id``."""
    for i, (to, lon) in enumerate(arrivals):
        if to == facility_id:
            del arrivals[i]
            return lon
    return None


def _ring(
    parent: folium.map.Layer | folium.Map,
    *,
    lon: float,
    lat: float,
    radius_nm: float,
    colour: str,
    label: str,
) -> None:
    """A geodesic circle of ``radius_nm`` about a point given in the map's frame, in the
    pane of areas (under the legs, whose tooltips stay within reach)."""
    natural = ((lon + 180.0) % 360.0) - 180.0
    ring = shift_coords(geodesic_ring(natural, lat, radius_nm), lon - natural)
    poly = folium.Polygon(
        as_latlng(ring),
        color=colour,
        weight=1.5,
        opacity=0.7,
        dash_array=RING_DASH,
        fill=True,
        fill_color=colour,
        fill_opacity=0.04,
        class_name="relos-ring",
        interactive=True,
    )
    HtmlTooltip(escape(f"{label}: {fmt_nm(radius_nm)}")).add_to(poly)
    in_area_pane(poly).add_to(parent)


def plan_rows(plan: Mapping[str, Any], *, names: Mapping[str, str]) -> Rows:
    """The figures of a plan for the panel (cells of text, or Markup for a styled one)."""
    totals = plan.get("totals") or {}
    platform = plan.get("platform") or {}
    origin = (plan.get("origin") or {}).get("name", "–")
    dest = (plan.get("destination") or {}).get("name", "–")
    rows: Rows = []
    if not plan.get("feasible", True):
        rows.append(("status", styled("infeasible", "relos-infeasible")))
        rows.append(("reason", styled(plan.get("reason") or "–", "relos-infeasible")))
        for tip in plan.get("suggestions") or []:
            rows.append(("try", str(tip)))
    rows.append(("from", str(origin)))
    rows += _call_rows(plan)
    rows.append(("to", str(dest)))
    dest_call = call_summary(plan.get("destination") or {})
    if dest_call is not None:
        rows.append(("destination call", dest_call))
    if platform:
        label = platform.get("name") or platform.get("label") or platform.get("id") or "–"
        rows.append(("platform", str(label)))
    if plan.get("nation"):
        rows.append(("nation", str(plan["nation"])))
    if plan.get("feasible", True):
        days = totals.get("days")
        rows += [
            ("distance", fmt_nm(totals.get("distance_nm"))),
            ("days", f"{days:,.1f}" if days is not None else fmt_days(totals.get("duration_h"))),
            ("stops", str(totals.get("stops", len(plan.get("stops") or [])))),
            ("departure", fmt_time(plan.get("departure"))),
            ("ETA", fmt_time(totals.get("eta"))),
        ]
        passages = plan.get("passages") or []
        rows.append(("via", ", ".join(names.get(p, p) for p in passages) or "open sea"))
    closed = plan.get("closed") or []
    if closed:
        rows.append(("closed", styled(", ".join(names.get(p, p) for p in closed), "relos-closed")))
    warnings = [str(w) for w in plan.get("warnings") or []]
    for warning in warnings:
        rows.append(("note", warning))
    for caveat in _unlisted_caveats(plan, warnings):
        rows.append(("caveat", styled(caveat, "relos-caveat")))
    if plan.get("speed_kn") is not None:
        rows.append(("speed", f"{plan['speed_kn']} kn"))
    if plan.get("usable_range_nm") is not None:
        reserve = plan.get("reserve")
        extra = f" (reserve {fmt_fraction(reserve)})" if reserve is not None else ""
        rows.append(("usable range", fmt_nm(plan["usable_range_nm"]) + extra))
    if plan.get("objective"):
        rows.append(("objective", str(plan["objective"]).replace("_", " ")))
    return rows


def _call_rows(plan: Mapping[str, Any]) -> Rows:
    """Panel rows of the calls between the ends: at a foreign origin, and each waypoint."""
    rows: Rows = []
    origin = plan.get("origin") or {}
    if origin.get("basis") not in (None, "own"):
        summary = call_summary(origin)
        if summary is not None:
            rows.append(("origin call", summary))
    for index, call in enumerate(plan.get("waypoints") or [], start=1):
        name = call.get("name") or call.get("id") or "at sea"
        summary = call_summary(call)
        cell = Markup("{}").format(name)
        if summary is not None:
            cell += Markup(": ") + summary
        rows.append((f"waypoint {index}", cell))
    return rows


def _unlisted_caveats(plan: Mapping[str, Any], warnings: Sequence[str]) -> list[str]:
    """Caveats of the plan's stops and calls that none of its warnings gives already,
    as ``name (confidence): caveat`` (the planner's warnings leave out the origin's)."""
    calls = [
        plan.get("origin") or {},
        *(plan.get("waypoints") or []),
        *(plan.get("stops") or []),
        plan.get("destination") or {},
    ]
    out: list[str] = []
    for call in calls:
        level = confidence_label(call.get("confidence"))
        for caveat in _caveats(call):
            line = f"{call.get('name') or call.get('id') or '–'} ({level}): {caveat}"
            if line not in out and not any(caveat in w for w in warnings):
                out.append(line)
    return out
