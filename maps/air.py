"""Air routes and air plans on a map: the closed airspace shaded (standing closures in
red, states that would need a clearance the request does not allow in grey), the
states overflown and the clearances in the panel, refuelling stops as for any plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
from markupsafe import escape

from maps.base import AREA_PANE, HtmlTooltip, LatLng
from maps.draw import fmt_days, fmt_nm
from maps.templates import Key, Rows, styled
from routing.air.airspace import shipped_airspaces
from routing.air.report import shading

CLOSURE_COLOUR = "#c0392b"
NO_CLEARANCE_COLOUR = "#7f8c8d"
KEYS = (
    Key(CLOSURE_COLOUR, "airspace closed (standing or requested closure)", "patch"),
    Key(NO_CLEARANCE_COLOUR, "airspace needing a clearance not allowed", "patch"),
)


def draw_airspace(
    parent: folium.map.Layer | folium.Map,
    airspace: Mapping[str, Any] | None,
    *,
    visit: Sequence[str],
    bounds: Sequence[LatLng],
) -> int:
    """Shade the closed airspace of an air answer's ``airspace`` block near ``bounds``
    (under the flight, whose tooltip stays within reach); the number of units drawn."""
    if not airspace or not bounds:
        return 0
    lats = [p[0] for p in bounds]
    lons = [((p[1] + 180.0) % 360.0) - 180.0 for p in bounds]
    frame = (min(lons), min(lats), max(lons), max(lats))
    shaded = shading(
        shipped_airspaces(), airspace.get("closed_units") or [], visit=visit, bounds=frame
    )
    reasons = {str(c.get("unit")): str(c.get("reason")) for c in airspace.get("closed") or []}
    for feature in shaded["features"]:
        props = feature["properties"]
        closure = props["kind"] == "closure"
        tint = CLOSURE_COLOUR if closure else NO_CLEARANCE_COLOUR
        layer = folium.GeoJson(
            feature,
            style_function=lambda _f, c=tint: {
                "className": "relos-airspace",
                "color": c,
                "weight": 1,
                "fillColor": c,
                "fillOpacity": 0.25,
            },
            class_name="relos-airspace",
            pane=AREA_PANE,
        )
        why = reasons.get(props["unit"]) or (
            "closed" if closure else "needs a diplomatic clearance (not allowed)"
        )
        HtmlTooltip(escape(f"{props['name']} ({props['airspace']}): {why}")).add_to(layer)
        layer.add_to(parent)
    return len(shaded["features"])


def air_rows(item: Mapping[str, Any]) -> Rows:
    """Panel rows for an air route's properties or an air plan: the states overflown,
    the clearances needed and the closures that shaped it."""
    rows: Rows = []
    flown = item.get("overflies") or []
    if flown:
        rows.append(("overflies", " → ".join(str(c) for c in flown)))
    needed = item.get("clearances") or []
    if needed:
        parts = []
        for c in needed:
            text = f"{c.get('name')} ({c.get('airspace')})"
            if c.get("basis") == "visit":
                text += ": entered to call there"
            elif c.get("request_by"):
                text += f": ask by {str(c['request_by'])[:10]}"
            parts.append(text)
        rows.append(("clearances", "; ".join(parts)))
    airspace = item.get("airspace") or {}
    closed = airspace.get("closed") or []
    if closed:
        names = ", ".join(sorted({str(c.get("name")) for c in closed}))
        rows.append(("closed to the flight", styled(names, "relos-closed")))
    return rows


def route_rows(props: Mapping[str, Any]) -> Rows:
    """The figures of an air route for its panel."""
    rows: Rows = [
        ("from", str((props.get("origin") or {}).get("name", "–"))),
        ("to", str((props.get("destination") or {}).get("name", "–"))),
        ("nation", str(props.get("nation") or "–")),
        ("date", str(props.get("date") or "–")),
    ]
    if props.get("feasible"):
        rows.append(("distance", fmt_nm(props.get("distance_nm"))))
        rows.append(("great circle", fmt_nm(props.get("great_circle_nm"))))
        if props.get("duration_h") is not None:
            rows.append(("flight time", fmt_days(props.get("duration_h"))))
    else:
        rows.append(("no route", styled(str(props.get("reason") or ""), "relos-closed")))
    return rows + air_rows(props)
