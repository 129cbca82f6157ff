"""Reach on a map: the sea area within reach shaded by stops or days, the facilities
within reach coloured the same way, the origins, and the figures in the panel.

The input is the ``POST /reach`` answer (``routing.plan.reach.Reach.json``). Each band
of the frontier is its own layer (non-overlapping areas: the area first reached with
that many stops, or within that day band), darkest for the nearest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
from markupsafe import escape

from maps.base import AREA_PANE, PALETTE, HtmlPopup, HtmlTooltip, LatLng, colour, overlay
from maps.draw import end_marker, fmt_nm, named
from maps.geometry import compact_frame, shift_near
from maps.templates import Key, Rows, render

#: Fill colours of the bands, nearest first (ColorBrewer Blues, reversed).
BAND_COLOURS = ("#08306b", "#08519c", "#2171b5", "#4292c6", "#6baed6", "#9ecae1", "#c6dbef")
REFUSED_COLOUR = "#7f8c8d"
#: One colour per agreement on an impact map, in rank order (no red: red means closed);
#: beyond these, :func:`maps.base.colour` gives more.
IMPACT_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
    "#393b79",
    "#e7ba52",
)


def band_colour(index: int) -> str:
    """The fill of the ``index``-th band (the last colour for any beyond)."""
    return BAND_COLOURS[min(index, len(BAND_COLOURS) - 1)]


def _band_label(props: Mapping[str, Any]) -> str:
    if "stops" in props and props["stops"] is not None:
        n = int(props["stops"])
        head = "no stop" if n == 0 else f"{n} stop{'s' if n > 1 else ''}"
    else:
        head = f"within {props.get('days', 0):g} days"
    return f"{head}: {props.get('area_km2', 0) / 1e6:,.1f} M km²"


def frame_of(origins: Sequence[Mapping[str, Any]]) -> float:
    """The longitude a reach map is drawn about: the middle of its origins (taken across
    the antimeridian when they are on both sides of it)."""
    lons = compact_frame([float((o.get("coordinates") or (0.0, 0.0))[0]) for o in origins])
    return (min(lons) + max(lons)) / 2 if lons else 0.0


def in_frame(feature: Mapping[str, Any], ref: float) -> dict[str, Any]:
    """A (Multi)Polygon Feature with each polygon moved by whole turns to lie about ``ref``.

    The frontier is cut at the antimeridian; drawn about its origins, the pieces on the
    far side of it join up again beside them, and the view fits them tightly.
    """
    geom = feature.get("geometry") or {}
    kind = geom.get("type")
    polys = geom.get("coordinates") or []
    if kind == "Polygon":
        polys = [polys]
    elif kind != "MultiPolygon":
        return dict(feature)
    moved = []
    for poly in polys:
        lons = [float(c[0]) for c in (poly[0] if poly else [])]
        if not lons:
            continue
        middle = (min(lons) + max(lons)) / 2
        dlon = shift_near(middle, ref) - middle
        moved.append([[[float(c[0]) + dlon, float(c[1])] for c in ring] for ring in poly])
    return {**feature, "geometry": {"type": "MultiPolygon", "coordinates": moved}}


def draw_frontier(
    m: folium.Map, frontier: Mapping[str, Any] | None, *, ref: float = 0.0
) -> list[Key]:
    """Each band of the frontier as a layer, about longitude ``ref`` and under the
    facilities and origins; the legend keys."""
    keys: list[Key] = []
    for i, feature in enumerate((frontier or {}).get("features") or []):
        props = feature.get("properties") or {}
        label = _band_label(props)
        fill = band_colour(i)
        layer = folium.GeoJson(
            in_frame(feature, ref),
            style_function=lambda _f, c=fill: {
                "className": "relos-reach",
                "color": c,
                "weight": 0.5,
                "fillColor": c,
                "fillOpacity": 0.35,
            },
            class_name="relos-reach",
            pane=AREA_PANE,
        )
        HtmlTooltip(escape(label)).add_to(layer)
        group = overlay(m, f"Reach: {label.split(':')[0]}")
        layer.add_to(group)
        keys.append(Key(fill, label, "patch"))
    return keys


def _facility_rows(f: Mapping[str, Any], names: Mapping[str, str]) -> Rows:
    rows: Rows = [
        ("country", str(f.get("country", ""))),
        ("stops", str(f.get("stops", ""))),
        ("earliest", f"{float(f.get('days', 0)):.1f} days"),
        ("via", " → ".join(named(f.get("via"), names))),
        ("basis", str(f.get("basis", ""))),
    ]
    if f.get("agreements"):
        rows.append(("agreements", ", ".join(str(a) for a in f["agreements"])))
    rows.append(("resupply", "fuel here" if f.get("resupply") else "call only"))
    return rows


def facility_dot(
    parent: folium.map.Layer | folium.Map,
    f: Mapping[str, Any],
    *,
    fill: str,
    css_class: str,
    tip: str,
    ref: float,
) -> folium.CircleMarker | None:
    """A facility of a reach or impact answer as a round dot of ``fill``, with ``tip``
    as its tooltip, moved by whole turns to lie about longitude ``ref``; ``None`` (and
    nothing drawn) when it has no position."""
    lon, lat = f.get("coordinates") or (None, None)
    if lon is None or lat is None:
        return None
    marker = folium.CircleMarker(
        location=(float(lat), shift_near(float(lon), ref)),
        radius=6,
        color="#fff",
        weight=1.5,
        fill=True,
        fill_color=fill,
        fill_opacity=1.0,
        class_name=css_class,
    )
    HtmlTooltip(escape(tip)).add_to(marker)
    marker.add_to(parent)
    return marker


def draw_facilities(
    m: folium.Map,
    facilities: Sequence[Mapping[str, Any]],
    *,
    by: str,
    edges: Sequence[float],
    ref: float = 0.0,
) -> None:
    """The facilities within reach as dots coloured by their band (about ``ref``)."""
    group = overlay(m, "Facilities within reach")
    names = {str(f.get("id")): str(f.get("name") or f.get("id")) for f in facilities}
    for f in facilities:
        value = float(f.get("stops", 0) if by == "stops" else f.get("days", 0))
        band = next((i for i, e in enumerate(edges) if value <= e), len(edges) - 1)
        name = str(f.get("name") or f.get("id"))
        tip = f"{name}: {f.get('stops')} stop(s), {float(f.get('days', 0)):.1f} days"
        marker = facility_dot(
            group, f, fill=band_colour(max(band, 0)), css_class="relos-reached", tip=tip, ref=ref
        )
        if marker is not None:
            HtmlPopup(render("panel", title=name, rows=_facility_rows(f, names))).add_to(marker)


def draw_refused(m: folium.Map, refused: Sequence[Mapping[str, Any]], *, ref: float = 0.0) -> int:
    """Facilities within reach that refuse the call, as grey dots (hidden at first)."""
    group = overlay(m, "Within reach, no call", show=False)
    drawn = 0
    for r in refused:
        lon, lat = r.get("coordinates") or (None, None)
        if lon is None or lat is None:
            continue
        marker = folium.CircleMarker(
            location=(float(lat), shift_near(float(lon), ref)),
            radius=4,
            color=REFUSED_COLOUR,
            fill=True,
            fill_opacity=0.8,
            class_name="relos-refused",
        )
        HtmlTooltip(escape(f"{r.get('name') or r.get('id')}: {r.get('reason')}")).add_to(marker)
        marker.add_to(group)
        drawn += 1
    return drawn


def reach_rows(answer: Mapping[str, Any], *, names: Mapping[str, str] | None = None) -> Rows:
    """The panel's figures (passages closed by their ``names``)."""
    limits = answer.get("limits") or {}
    rows: Rows = [
        ("nation", str(answer.get("nation", ""))),
        ("platform", str(answer.get("platform", ""))),
        ("departure", str(answer.get("departure", ""))[:10]),
        ("from", ", ".join(str(o.get("name")) for o in answer.get("origins") or [])),
        ("range", f"{fmt_nm(answer.get('range_nm'))} at {answer.get('speed_kn')} kn"),
        (
            "limits",
            f"{limits.get('max_stops')} stops"
            + (f", {limits['days']:g} days" if limits.get("days") else ""),
        ),
        ("sea area", f"{float(answer.get('area_km2', 0)) / 1e6:,.1f} M km²"),
        ("sea lanes", f"{100 * float(answer.get('lane_share', 0)):.0f} % of the network"),
        ("facilities", str(len(answer.get("facilities") or []))),
    ]
    for band in answer.get("by_stops") or []:
        rows.append(
            (
                f"≤ {band['stops']} stops",
                f"{band['area_km2'] / 1e6:,.1f} M km², {band['facilities']} facilities",
            )
        )
    if answer.get("agreements_used"):
        rows.append(("agreements", ", ".join(str(a) for a in answer["agreements_used"])))
    if answer.get("closed"):
        rows.append(("closed", ", ".join(named(answer["closed"], names))))
    if answer.get("scenario") and answer["scenario"] != "baseline":
        rows.append(("scenario", str(answer["scenario"])))
    return rows


def frontier_edges(frontier: Mapping[str, Any] | None) -> tuple[str, list[float]]:
    """Whether the frontier is by stops or days, and its band edges."""
    feats = (frontier or {}).get("features") or []
    if feats and "days" in (feats[0].get("properties") or {}):
        return "days", [float(f["properties"]["days"]) for f in feats]
    return "stops", [float((f.get("properties") or {}).get("stops", 0)) for f in feats]


def draw_origins(
    m: folium.Map, origins: Sequence[Mapping[str, Any]], *, ref: float = 0.0
) -> list[LatLng]:
    """The origins as end markers (about ``ref``); their positions."""
    group = overlay(m, "Origins")
    out: list[LatLng] = []
    for o in origins:
        lon, lat = o.get("coordinates") or (0.0, 0.0)
        lon = shift_near(float(lon), ref)
        end_marker(
            group,
            lon=float(lon),
            lat=float(lat),
            role="origin",
            name=str(o.get("name")),
            facility_id=o.get("id"),
        )
        out.append((float(lat), float(lon)))
    return out


def frontier_bounds(frontier: Mapping[str, Any] | None, *, ref: float = 0.0) -> list[LatLng]:
    """The corners of the frontier's extent, drawn about longitude ``ref``."""
    import shapely.geometry

    boxes = [
        shapely.geometry.shape(in_frame(f, ref)["geometry"]).bounds
        for f in (frontier or {}).get("features") or []
        if f.get("geometry")
    ]
    boxes = [b for b in boxes if all(v == v for v in b)]  # not empty
    if not boxes:
        return []
    west = min(b[0] for b in boxes)
    south = min(b[1] for b in boxes)
    east = max(b[2] for b in boxes)
    north = max(b[3] for b in boxes)
    return [(south, west), (north, east)]


def draw_impact(m: folium.Map, answer: Mapping[str, Any]) -> tuple[list[Key], list[LatLng]]:
    """Each agreement's gained area and facilities as a layer (the first shown, the
    others listed in the layer control), drawn about the facilities gained; the legend
    keys and the extent."""
    keys: list[Key] = []
    bounds: list[LatLng] = []
    items = answer.get("agreements") or []
    ref = frame_of([f for item in items for f in item.get("facilities_gained") or []])
    for i, item in enumerate(answer.get("agreements") or []):
        tint = IMPACT_COLOURS[i] if i < len(IMPACT_COLOURS) else colour(i + len(PALETTE))
        label = f"{item['agreement']}: +{item['area_km2'] / 1e6:,.1f} M km², " + (
            f"+{len(item['facilities_gained'])} facilities"
        )
        group = overlay(m, f"{item['rank']}. {label}", show=i == 0)
        gained = item.get("gained")
        if gained and gained.get("geometry", {}).get("coordinates"):
            layer = folium.GeoJson(
                in_frame(gained, ref),
                style_function=lambda _f, c=tint: {
                    "className": "relos-gained",
                    "color": c,
                    "weight": 1,
                    "fillColor": c,
                    "fillOpacity": 0.4,
                },
                class_name="relos-gained",
                pane=AREA_PANE,
            )
            HtmlTooltip(escape(label)).add_to(layer)
            layer.add_to(group)
            bounds += frontier_bounds({"features": [gained]}, ref=ref)
        for f in item.get("facilities_gained") or []:
            text = f"{f['name']}: within reach only with {item['agreement']} ({f['days']} days)"
            facility_dot(group, f, fill=tint, css_class="relos-gained-facility", tip=text, ref=ref)
        keys.append(Key(tint, f"{item['rank']}. {label}", "patch"))
    return keys, bounds


def impact_rows(answer: Mapping[str, Any]) -> Rows:
    """The panel: the baseline and each agreement's gains, ranked."""
    base = answer.get("baseline") or {}
    limits = answer.get("limits") or {}
    rows: Rows = [
        ("nation", str(answer.get("nation", ""))),
        ("platform", str(answer.get("platform", ""))),
        ("departure", str(answer.get("departure", ""))[:10]),
        ("basis", str(answer.get("basis", ""))),
        ("limits", f"{limits.get('max_stops')} stops"),
        (
            "reach",
            f"{base.get('area_km2', 0) / 1e6:,.1f} M km², {base.get('facilities')} facilities",
        ),
    ]
    for item in answer.get("agreements") or []:
        made = item.get("voyages_made_feasible", 0)
        rows.append(
            (
                f"{item['rank']}. {item['agreement']}",
                f"+{item['area_km2'] / 1e6:,.1f} M km², +{len(item['facilities_gained'])} "
                f"facilities, {made} voyage{'s' if made != 1 else ''} made feasible",
            )
        )
    return rows
