"""Routes, plans, and alternatives or scenarios side by side, as interactive maps.

Inputs are the JSON the API returns (CONTRACTS.md): a route is a GeoJSON Feature
(``GET /routes``), a plan a dict (``POST /plans``), passages the ``GET /passages``
list. Lines are drawn continuous across the antimeridian, and every marker, gate
and range ring is drawn in the frame of the line it belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium

from maps.base import Box, LatLng, colour, esc, finish, new_map, overlay, table
from maps.draw import (
    CLOSED,
    GATE,
    ORIGIN_COLOUR,
    draw_gates,
    draw_plan,
    draw_route,
    fmt_days,
    fmt_nm,
    fmt_number,
    fmt_time,
    is_plan,
    plan_rows,
    route_rows,
)

Item = Mapping[str, Any]


def _swatch(colour_: str, label: str, *, dashed: bool = False) -> str:
    style = "dashed" if dashed else ""
    return f'<span class="relos-swatch {style}" style="color:{colour_}"></span>{esc(label)}'


def _legend(entries: Sequence[str]) -> Box:
    return Box("<br>".join(entries), position="bottomright", css_class="relos-legend")


def _stop_key(colour_: str) -> str:
    return f'<span class="relos-dot" style="background:{colour_}"></span>numbered resupply stop'


def _end_keys() -> list[str]:
    return [
        f'<span class="relos-dot" style="background:{ORIGIN_COLOUR};border-radius:0"></span>origin',
        '<span class="relos-dot" style="background:#222;border-radius:0"></span>destination',
    ]


def _passage_names(passages: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    return {str(p["id"]): str(p.get("name") or p["id"]) for p in passages or [] if "id" in p}


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
    heading = title or "Sea route"
    m = new_map(title=title or _route_title(route), online_tiles=online_tiles)
    main = overlay(m, "Route")
    coords, bounds = draw_route(main, route, colour=colour(0), label="Route")
    lons = [c[0] for c in coords] or [0.0]
    frame = (min(lons), max(lons))

    alt_rows: list[str] = []
    if alternatives:
        for i, alt in enumerate(props.get("alternatives") or [], start=1):
            ap = alt.get("properties") or {}
            via = ", ".join(names.get(p, p) for p in ap.get("passages") or []) or "open sea"
            name = f"Alternative {i} (via {via})"
            group = overlay(m, name)
            start = coords[0][0] if coords else None
            _, alt_bounds = draw_route(
                group,
                alt,
                colour=colour(i),
                ref_lon=start,
                class_name="relos-alt",
                dashed=True,
                ends=False,
                label=name,
            )
            bounds += alt_bounds
            alt_rows.append(
                f"<tr><td>{_swatch(colour(i), f'Alternative {i}', dashed=True)}</td>"
                f'<td class="num">{esc(fmt_nm(ap.get("distance_nm")))}</td>'
                f'<td class="num">{esc(fmt_days(ap.get("duration_h")))}</td>'
                f"<td>{esc(via)}</td></tr>"
            )

    gate_points: list[LatLng] = []
    if passages:
        gates = overlay(m, "Passages")
        gate_points = draw_gates(
            gates,
            passages,
            traversed=list(props.get("passages") or []),
            closed=list(props.get("closed") or []),
            frame=frame,
        )

    panel = f"<h3>{esc(heading)}</h3>{table(route_rows(route, names=names))}"
    if alt_rows:
        panel += (
            "<h3>Alternatives</h3><table><tr><th></th><th>distance</th><th>time</th>"
            f"<th>via</th></tr>{''.join(alt_rows)}</table>"
        )
    Box(panel, position="topleft", css_class="relos-panel").add_to(m)
    bounds += gate_points
    legend = [_swatch(colour(0), "route")]
    if alt_rows:
        legend.append(_swatch(colour(1), "alternative", dashed=True))
    legend += _end_keys()
    if passages:
        if props.get("passages"):
            legend.append(_swatch(GATE, "passage traversed"))
        if props.get("closed"):
            legend.append(_swatch(CLOSED, "passage closed", dashed=True))
    _legend(legend).add_to(m)
    return finish(m, bounds=bounds)


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
    """A deployment plan: legs, numbered stops, range rings, legend and summary panel.

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
    heading = title or "Deployment plan"
    m = new_map(title=title or _plan_title(plan), online_tiles=online_tiles)
    tint = colour(0)
    group = overlay(m, "Plan")
    ring_group = overlay(m, "Usable range rings") if rings and plan.get("feasible", True) else None
    _, bounds = draw_plan(group, plan, colour=tint, rings=ring_group, label="Plan")
    panel = f"<h3>{esc(heading)}</h3>{table(plan_rows(plan, names=names))}"
    Box(panel, position="topleft", css_class="relos-panel").add_to(m)
    legend = [_swatch(tint, "leg")] if plan.get("legs") else []
    if plan.get("stops"):
        legend.append(_stop_key(tint))
    legend += _end_keys()
    if ring_group is not None and plan.get("usable_range_nm"):
        legend.append(
            _swatch(tint, f"usable range ({fmt_nm(plan['usable_range_nm'])})", dashed=True)
        )
    _legend(legend).add_to(m)
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
        Also draw each plan's usable range rings (in the plan's layer).
    """
    m = new_map(title=title, online_tiles=online_tiles)
    bounds: list[LatLng] = []
    rows: list[str] = []
    legend: list[str] = []
    ref: float | None = None
    for i, (name, raw) in enumerate(items):
        item = _unwrap_item(raw)
        tint = colour(i)
        group = overlay(m, name)
        legend.append(_swatch(tint, name))
        if is_plan(item):
            start, pts = draw_plan(
                group, item, colour=tint, rings=group if rings else None, ref_lon=ref, label=name
            )
            totals = item.get("totals") or {}
            feasible = bool(item.get("feasible", True))
            reason = item.get("reason") or "infeasible"
            figures = (
                f'<td class="num">{esc(fmt_nm(totals.get("distance_nm")))}</td>'
                f'<td class="num">{esc(fmt_number(totals.get("days")))}</td>'
                f'<td class="num">{esc(totals.get("stops", "–"))}</td>'
                f'<td class="nowrap">{esc(fmt_time(totals.get("eta")))}</td>'
                if feasible
                else f'<td colspan="4" class="relos-infeasible">{esc(reason)}</td>'
            )
        else:
            coords, pts = draw_route(group, item, colour=tint, ref_lon=ref, label=name)
            start = coords[0][0] if coords else None
            props = item.get("properties") or {}
            hours = props.get("duration_h")
            figures = (
                f'<td class="num">{esc(fmt_nm(props.get("distance_nm")))}</td>'
                f'<td class="num">{esc(fmt_number(hours / 24 if hours is not None else None))}</td>'
                '<td class="num">–</td><td>–</td>'
            )
        ref = start if ref is None else ref
        bounds += pts
        rows.append(f"<tr><td>{_swatch(tint, name)}</td>{figures}</tr>")
    panel = (
        f"<h3>{esc(title)}</h3><table><tr><th></th><th>distance</th><th>days</th>"
        f"<th>stops</th><th>ETA</th></tr>{''.join(rows)}</table>"
    )
    Box(panel, position="topleft", css_class="relos-panel").add_to(m)
    _legend([*legend, *_end_keys()]).add_to(m)
    return finish(m, bounds=bounds)
