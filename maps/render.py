"""Routes, plans, and alternatives or scenarios side by side, as interactive maps.

Inputs are the JSON the API returns (CONTRACTS.md): a route is a GeoJSON Feature
(``GET /routes``), a plan a dict (``POST /plans``), passages the ``GET /passages``
list. Lines are drawn continuous across the antimeridian, and every marker, gate
and range ring is drawn in the frame of the line it belongs to. Panels and legends
are HTML from the templates of :mod:`maps.templates`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
from markupsafe import Markup

from maps.air import KEYS as AIR_KEYS
from maps.air import air_rows, draw_airspace
from maps.air import route_rows as air_route_rows
from maps.base import Box, LatLng, colour, finish, new_map, overlay
from maps.draw import (
    CLOSED,
    GATE,
    ORIGIN_COLOUR,
    WAYPOINT_COLOUR,
    draw_gates,
    draw_plan,
    draw_route,
    fmt_days,
    fmt_nm,
    fmt_number,
    fmt_time,
    is_plan,
    named,
    plan_rows,
    route_rows,
)
from maps.reach import (
    REFUSED_COLOUR,
    band_colour,
    draw_facilities,
    draw_frontier,
    draw_impact,
    draw_origins,
    draw_refused,
    frame_of,
    frontier_bounds,
    frontier_edges,
    impact_rows,
    reach_rows,
)
from maps.templates import Key, render
from routing.sea.passages import default_sea_data

Item = Mapping[str, Any]
ROLES = ("origin", "destination")

#: Legend keys of the origin and destination markers.
END_KEYS = (Key(ORIGIN_COLOUR, "origin", "square"), Key("#222", "destination", "square"))


def _panel(body: Markup) -> Box:
    return Box(body, position="topleft", css_class="relos-panel", label="Summary")


def _legend(keys: Sequence[Key]) -> Box:
    return Box(
        render("legend", keys=distinct(keys)),
        position="bottomright",
        css_class="relos-legend",
        label="Legend",
    )


def distinct(keys: Sequence[Key]) -> list[Key]:
    """The legend's keys, each once (the colours of tracks, scenarios and agreements are
    chosen so that no two meanings share colour and mark; see :func:`maps.base.colour`)."""
    out: list[Key] = []
    for key in keys:
        if key not in out:
            out.append(key)
    return out


def _passage_names(passages: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    """Passage id -> name: from ``passages`` (``GET /passages`` items), else the shipped
    sea data, so that no map shows a passage by its id."""
    names = {p.id: p.name for p in default_sea_data().passages}
    names.update({str(p["id"]): str(p.get("name") or p["id"]) for p in passages or [] if "id" in p})
    return names


def _route_title(route: Item) -> str:
    props = route.get("properties") or {}
    origin = (props.get("origin") or {}).get("name", "?")
    dest = (props.get("destination") or {}).get("name", "?")
    return f"Route: {origin} → {dest}"


def render_route(
    route: dict[str, Any],
    *,
    passages: list[dict[str, Any]] | None = None,
    online_tiles: bool = False,
    alternatives: bool = True,
    title: str | None = None,
) -> folium.Map:
    """A route: its track, origin and destination, the passages it goes through, closures.

    Parameters
    ----------
    route
        A ``GET /routes`` Feature (LineString, already unwrapped).
    passages
        ``GET /passages`` items; the gates of the passages the route traverses, and
        of those closed, are drawn when their geometry is given.
    online_tiles
        Offer OpenStreetMap tiles (internet needed) as the base layer.
    alternatives
        Also draw ``properties.alternatives``, each as its own toggleable layer.
    title
        Page and panel title (default: origin → destination).
    """
    props = route.get("properties") or {}
    names = _passage_names(passages)
    m = new_map(title=title or _route_title(route), online_tiles=online_tiles)
    coords, bounds = draw_route(
        overlay(m, "Route"), route, colour=colour(0), label="Route", names=names
    )
    alt_rows: list[dict[str, Any]] = []
    if alternatives:
        start = coords[0][0] if coords else None
        alt_rows, alt_bounds = _draw_alternatives(
            m, props.get("alternatives") or [], start=start, names=names
        )
        bounds += alt_bounds
    regions = set()
    if passages:
        lons = [c[0] for c in coords] or [0.0]
        regions = {
            str(p.get("id"))
            for p in passages
            if (p.get("geometry") or {}).get("type") in ("Polygon", "MultiPolygon")
        }
        bounds += draw_gates(
            overlay(m, "Passages"),
            passages,
            traversed=list(props.get("passages") or []),
            closed=list(props.get("closed") or []),
            frame=(min(lons), max(lons)),
        )
    panel = render(
        "route_panel",
        title=title or "Sea route",
        rows=route_rows(route, names=names),
        alternatives=alt_rows,
    )
    _panel(panel).add_to(m)
    alt_keys = [r["key"] for r in alt_rows]
    keys = _route_keys(props, alternatives=alt_keys, gates=bool(passages), regions=regions)
    _legend(keys).add_to(m)
    return finish(m, bounds=bounds, by_query=True)


def render_air_route(
    route: dict[str, Any], *, online_tiles: bool = False, title: str | None = None
) -> folium.Map:
    """An air route (``GET /air-routes``): its track through great-circle segments, the
    closed airspace around it shaded, and the states overflown and clearances needed in
    the panel; when infeasible, the two ends and the airspace in the way."""
    props = route.get("properties") or {}
    m = new_map(title=title or "Air " + _route_title(route).lower(), online_tiles=online_tiles)
    tint = colour(0)
    bounds: list[LatLng] = []
    if route.get("geometry"):
        _, bounds = draw_route(overlay(m, "Flight"), route, colour=tint, label="Flight")
    else:
        ends = [(props.get(role) or {}).get("coordinates") or (0.0, 0.0) for role in ROLES]
        # the two ends joined across the antimeridian if that is shorter, and fitted so
        _, bounds = draw_route(
            overlay(m, "Ends"),
            {
                "geometry": {"coordinates": [[float(x), float(y)] for x, y in ends]},
                "properties": props,
            },
            colour=tint,
            label="No route",
            dashed=True,
        )
    visit = [
        str(e.get("country"))
        for e in (props.get("origin"), props.get("destination"))
        if isinstance(e, Mapping) and e.get("country")
    ]
    drawn = draw_airspace(
        overlay(m, "Closed airspace"), props.get("airspace"), visit=visit, bounds=bounds
    )
    _panel(render("panel", title=title or "Air route", rows=air_route_rows(props))).add_to(m)
    keys = [Key(tint, "flight"), *END_KEYS, *(AIR_KEYS if drawn else ())]
    _legend(keys).add_to(m)
    return finish(m, bounds=bounds, by_query=True)


def render_reach(
    answer: dict[str, Any], *, online_tiles: bool = False, title: str | None = None
) -> folium.Map:
    """Reach (``POST /reach``): the area within reach shaded by stops or days (a layer
    per band), the facilities within reach coloured by band with their stops and days,
    those within reach that refuse the call (a hidden layer), the origins, and the
    figures in the panel."""
    heading = title or f"Reach: {answer.get('nation', '')} {answer.get('platform', '')}"
    m = new_map(title=heading, online_tiles=online_tiles)
    frontier = answer.get("frontier")
    origins = answer.get("origins") or []
    ref = frame_of(origins)
    keys = draw_frontier(m, frontier, ref=ref)
    by, edges = frontier_edges(frontier)
    draw_facilities(m, answer.get("facilities") or [], by=by, edges=edges or [0.0], ref=ref)
    refused = draw_refused(m, answer.get("refused") or [], ref=ref)
    bounds = frontier_bounds(frontier, ref=ref) + draw_origins(m, origins, ref=ref)
    rows = reach_rows(answer, names=_passage_names(None))
    _panel(render("panel", title=heading, rows=rows)).add_to(m)
    keys += [
        Key(ORIGIN_COLOUR, "origin", "square"),
        Key(band_colour(0), "facility within reach", "dot"),
    ]
    if refused:
        keys.append(Key(REFUSED_COLOUR, "within reach, no call (hidden layer)", "dot"))
    _legend(keys).add_to(m)
    return finish(m, bounds=bounds)


def render_impact(
    answer: dict[str, Any], *, online_tiles: bool = False, title: str | None = None
) -> folium.Map:
    """Agreement impact (``POST /impact``): for each agreement, ranked, the sea area and
    the facilities within reach only with it (a layer each, the first shown), and the
    ranking in the panel."""
    heading = title or f"What each agreement adds: {answer.get('nation', '')}"
    m = new_map(title=heading, online_tiles=online_tiles)
    keys, bounds = draw_impact(m, answer)
    _panel(render("panel", title=heading, rows=impact_rows(answer))).add_to(m)
    _legend(keys).add_to(m)
    return finish(m, bounds=bounds)


def _draw_alternatives(
    m: folium.Map,
    alternatives: Sequence[Item],
    *,
    start: float | None,
    names: Mapping[str, str],
) -> tuple[list[dict[str, Any]], list[LatLng]]:
    """Each alternative route as its own dashed layer; their panel rows and points to fit."""
    rows: list[dict[str, Any]] = []
    bounds: list[LatLng] = []
    for i, alt in enumerate(alternatives, start=1):
        ap = alt.get("properties") or {}
        via = ", ".join(named(ap.get("passages"), names)) or "open sea"
        name = f"Alternative {i} (via {via})"
        _, alt_bounds = draw_route(
            overlay(m, name),
            alt,
            colour=colour(i),
            ref_lon=start,
            class_name="relos-alt",
            dashed=True,
            ends=False,
            label=name,
            names=names,
        )
        bounds += alt_bounds
        rows.append(
            {
                "key": Key(colour(i), f"alternative {i}", "dashed"),
                "distance": fmt_nm(ap.get("distance_nm")),
                "duration": fmt_days(ap.get("duration_h")),
                "via": via,
            }
        )
    return rows, bounds


def _route_keys(
    props: Item, *, alternatives: Sequence[Key], gates: bool, regions: set[str]
) -> list[Key]:
    """The route map's legend: the route, each alternative in its colour, the ends, and
    when ``gates`` were drawn, the passages traversed (a line across a strait, an area
    for a region) and those closed."""
    keys = [Key(colour(0), "route"), *alternatives, *END_KEYS]
    if not gates:
        return keys
    traversed = set(props.get("passages") or [])
    closed = set(props.get("closed") or [])
    if traversed - regions:
        keys.append(Key(GATE, "passage traversed"))
    if traversed & regions:
        keys.append(Key(GATE, "passage region traversed (Arctic route, ice region)", "patch"))
    if closed - regions:
        keys.append(Key(CLOSED, "passage closed", "dotted"))
    if closed & regions:
        keys.append(Key(CLOSED, "passage region closed", "patch-dotted"))
    return keys


def _plan_title(plan: Item) -> str:
    origin = (plan.get("origin") or {}).get("name", "?")
    dest = (plan.get("destination") or {}).get("name", "?")
    return f"Plan: {origin} → {dest}"


def render_plan(
    plan: dict[str, Any],
    *,
    passages: list[dict[str, Any]] | None = None,
    online_tiles: bool = False,
    rings: bool = True,
    title: str | None = None,
) -> folium.Map:
    """A deployment plan: legs, numbered stops, waypoints, range rings, legend and summary.

    Popups of the stops, waypoints, origin and destination give the basis of each
    call (own facility, agreement or diplomatic clearance), its notice and, when less
    than confirmed, its confidence and caveats. The summary panel gives the call at
    the destination (and at a foreign origin and each waypoint) and the warnings.

    Parameters
    ----------
    plan
        A ``POST /plans`` answer. When infeasible, the panel gives the reason and
        the suggestions, and only the origin and destination are drawn.
    passages
        ``GET /passages`` items, to name the passages in the panel.
    online_tiles
        Offer OpenStreetMap tiles (internet needed) as the base layer.
    rings
        Draw the usable range (``usable_range_nm``, geodesic) from the origin and each stop.
    title
        Page and panel title (default: origin → destination).
    """
    names = _passage_names(passages)
    m = new_map(title=title or _plan_title(plan), online_tiles=online_tiles)
    tint = colour(0)
    group = overlay(m, "Plan")
    ring_group = overlay(m, "Usable range rings") if rings and plan.get("feasible", True) else None
    _, bounds = draw_plan(group, plan, colour=tint, rings=ring_group, label="Plan", names=names)
    heading = title or "Deployment plan"
    rows = plan_rows(plan, names=names)
    drawn = 0
    if (plan.get("platform") or {}).get("domain") == "air":
        visit = sorted(
            {str(s.get("country")) for s in plan.get("stops") or [] if s.get("country")}
            | {
                str(e.get("country"))
                for e in (plan.get("origin"), plan.get("destination"))
                if isinstance(e, Mapping) and e.get("country")
            }
        )
        drawn = draw_airspace(
            overlay(m, "Closed airspace"), plan.get("airspace"), visit=visit, bounds=bounds
        )
        rows = [r for r in rows if r[0] != "via"] + air_rows(plan)
    _panel(render("panel", title=heading, rows=rows)).add_to(m)
    keys = [Key(tint, "leg")] if plan.get("legs") else []
    if plan.get("stops"):
        keys.append(Key(tint, "numbered resupply stop", "dot"))
    if plan.get("waypoints"):
        keys.append(Key(WAYPOINT_COLOUR, "waypoint", "diamond"))
    keys += END_KEYS
    if ring_group is not None and plan.get("usable_range_nm"):
        label = f"usable range ({fmt_nm(plan['usable_range_nm'])}) from the origin and each stop"
        keys.append(Key(tint, label, "patch-dashed"))
    if drawn:
        keys += AIR_KEYS
    _legend(keys).add_to(m)
    return finish(m, bounds=bounds)


def _unwrap_item(item: Item) -> Item:
    """A compare entry (``{"scenario", "plan", ...}``) as its plan; others as they are."""
    inner = item.get("plan")
    return inner if isinstance(inner, Mapping) and "scenario" in item else item


def render_layers(
    items: list[tuple[str, dict[str, Any]]],
    *,
    title: str = "Alternatives",
    online_tiles: bool = False,
    rings: bool = False,
    passages: list[dict[str, Any]] | None = None,
) -> folium.Map:
    """Several routes or plans on one map, one toggleable layer and colour each.

    Parameters
    ----------
    items
        (name, route Feature or plan dict) pairs; a compare entry (with ``scenario``
        and ``plan``) is taken as its plan.
    title
        Page and panel title.
    online_tiles
        Offer OpenStreetMap tiles (internet needed) as the base layer.
    rings
        Also draw each plan's usable range rings (in the plan's layer, under the legs).
    passages
        ``GET /passages`` items, to name the passages in tooltips (default: the
        shipped sea data's names).
    """
    names = _passage_names(passages)
    m = new_map(title=title, online_tiles=online_tiles)
    bounds: list[LatLng] = []
    rows: list[dict[str, Any]] = []
    ref: float | None = None
    for i, (name, raw) in enumerate(items):
        item = _unwrap_item(raw)
        key = Key(colour(i), name)
        group = overlay(m, name)
        if is_plan(item):
            plan_rings = group if rings else None
            start, pts = draw_plan(
                group,
                item,
                colour=key.colour,
                rings=plan_rings,
                ref_lon=ref,
                label=name,
                names=names,
            )
            figures = _plan_figures(item)
        else:
            coords, pts = draw_route(
                group, item, colour=key.colour, ref_lon=ref, label=name, names=names
            )
            start = coords[0][0] if coords else None
            figures = _route_figures(item)
        ref = start if ref is None else ref
        bounds += pts
        rows.append({"key": key, **figures})
    _panel(render("layers_panel", title=title, rows=rows)).add_to(m)
    _legend([*(row["key"] for row in rows), *END_KEYS]).add_to(m)
    return finish(m, bounds=bounds)


def _plan_figures(plan: Item) -> dict[str, Any]:
    """A plan's figures for the side-by-side panel (the reason instead, when infeasible)."""
    totals = plan.get("totals") or {}
    feasible = bool(plan.get("feasible", True))
    return {
        "reason": None if feasible else plan.get("reason") or "infeasible",
        "distance": fmt_nm(totals.get("distance_nm")),
        "days": fmt_number(totals.get("days")),
        "stops": totals.get("stops", "–"),
        "eta": fmt_time(totals.get("eta")),
    }


def _route_figures(route: Item) -> dict[str, Any]:
    """A route's figures for the side-by-side panel (a route has no stops and no ETA)."""
    props = route.get("properties") or {}
    hours = props.get("duration_h")
    return {
        "reason": None,
        "distance": fmt_nm(props.get("distance_nm")),
        "days": fmt_number(hours / 24 if hours is not None else None),
        "stops": "–",
        "eta": None,
    }
