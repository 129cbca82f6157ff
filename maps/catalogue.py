"""The catalogue on a map: facilities clustered, filterable by country, kind and agreement.

Input is the ``GET /facilities`` answer's features (plain GeoJSON dicts), optionally
with ``opened_by_agreements`` per facility (see :func:`facility_features`). Each
facet value (a country, a kind, an agreement) is an overlay in the layer control;
a facility shows when its country, its kind and one of its agreements are ticked.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from maps.base import Box, OfflineMarkerCluster, esc, finish, link, new_map, table
from maps.geometry import compact_frame
from routing.catalogue import BBox, Catalogue
from routing.geo import LonLat
from routing.query import Match, find_facilities, opened_by
from routing.vocab import country_name

KIND_LABELS = {"naval_base": "naval base", "port": "port", "airbase": "airbase"}
OWN = "own"
NONE = "none"


def facility_features(matches: Iterable[Match], catalogue: Catalogue) -> list[dict[str, Any]]:
    """Matches of :func:`routing.query.find_facilities` as the features a catalogue map draws.

    Each is the facility's GeoJSON Feature as ``GET /facilities`` returns it
    (``distance_nm`` and ``access`` when the query produced them), plus
    ``opened_by_agreements``: the agreements that can open the facility to others.
    """
    features = []
    for m in matches:
        extra: dict[str, Any] = {}
        if m.distance_nm is not None:
            extra["distance_nm"] = round(m.distance_nm, 1)
        if m.grant is not None:
            extra["access"] = {
                "basis": m.grant.basis,
                "agreement": m.grant.agreement,
                "agreements": list(m.grant.agreements),
                "services": list(m.grant.services),
            }
        extra["opened_by_agreements"] = sorted(
            a.id for a in catalogue.agreements.values() if opened_by(a, m.facility)
        )
        features.append(m.facility.feature(**extra))
    return features


def _agreement_facet(props: Mapping[str, Any]) -> list[str]:
    access = props.get("access")
    if access is not None:
        return [OWN] if access.get("basis") == OWN else list(access.get("agreements") or [NONE])
    return list(props.get("opened_by_agreements") or [NONE])


def _limit(key: str, value: float) -> tuple[str, str]:
    unit = " m" if key.endswith("_m") else ""
    label = key.removesuffix("_m").replace("_", " ")
    return esc(label), f"{value:g}{unit}"


def _popup(
    feature: Mapping[str, Any], *, usable_by: str | None, agreement_names: Mapping[str, str]
) -> str:
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"][:2]
    kind = KIND_LABELS.get(props["kind"], props["kind"])
    country = props["country"]
    parts = [
        '<div class="relos-popup">',
        f"<h4>{esc(props['name'])}</h4>",
        f'<div class="muted">{esc(kind)} · {esc(country_name(country))} ({esc(country)})'
        f" · <code>{esc(feature.get('id', ''))}</code></div>",
    ]
    access = props.get("access")
    if access is not None and usable_by:
        if access.get("basis") == OWN:
            parts.append(f"<p><b>{esc(usable_by)}'s own facility</b></p>")
        else:
            opened = ", ".join(
                f"<b>{esc(a)}</b>"
                + (f" ({esc(agreement_names[a])})" if a in agreement_names else "")
                for a in access.get("agreements", [])
            )
            parts.append(f"<p>Open to <b>{esc(usable_by)}</b> under {opened}</p>")
    elif props.get("opened_by_agreements"):
        opened = ", ".join(esc(a) for a in props["opened_by_agreements"])
        parts.append(f"<p>Can be opened by: {opened}</p>")
    rows: list[tuple[str, str]] = [("services", esc(", ".join(props.get("services", []))))]
    if access is not None and access.get("services"):
        rows.append(("granted", esc(", ".join(access["services"]))))
    rows.extend(_limit(k, float(v)) for k, v in sorted((props.get("limits") or {}).items()))
    if props.get("operator"):
        rows.append(("operator", esc(props["operator"])))
    if props.get("region"):
        rows.append(("region", esc(props["region"])))
    if props.get("distance_nm") is not None:
        rows.append(("distance", f"{props['distance_nm']:,.0f} nm"))
    precision = props.get("position_precision_m")
    where = f"{lat:.4f}, {lon:.4f}" + (f" (±{precision:g} m)" if precision else "")
    rows.append(("position", esc(where)))
    parts.append(table(rows))
    sources = props.get("sources") or []
    if sources:
        items = "".join(f"<li>{link(s['url'], s['title'])}</li>" for s in sources)
        parts.append(f"<div>Sources:<ul>{items}</ul></div>")
    parts.append("</div>")
    return "".join(parts)


class FacilityMarkers(MacroElement):
    """The facility markers, put in a cluster and filtered by the ticked facet overlays."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = relosMaps.facilities(
                {{ this._parent.get_name() }},
                {{ this.cluster.get_name() }},
                {{ this.records|tojson }},
                [
                {%- for f in this.facets %}
                    {layer: {{ f[0] }}, dim: {{ f[1]|tojson }}, value: {{ f[2]|tojson }}},
                {%- endfor %}
                ],
                {{ this.counter|tojson }}
            );
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        cluster: folium.map.Layer,
        records: list[dict[str, Any]],
        facets: list[tuple[str, str, str]],
        counter: str,
    ) -> None:
        super().__init__()
        self._name = "FacilityMarkers"
        self.cluster = cluster
        self.records = records
        self.facets = facets
        self.counter = counter


def render_catalogue(
    features: list[dict[str, Any]],
    *,
    title: str,
    online_tiles: bool = False,
    usable_by: str | None = None,
    date: str | None = None,
    agreement_names: Mapping[str, str] | None = None,
) -> folium.Map:
    """Facilities as clustered markers with country, kind and agreement layers.

    Parameters
    ----------
    features
        GeoJSON Point Features as ``GET /facilities`` returns them (see
        :func:`facility_features` to build them from a query).
    title
        Shown in the panel and as the page title.
    online_tiles
        Offer OpenStreetMap tiles (internet needed) as the base layer.
    usable_by
        The nation the query was made for: popups then say which agreement opens
        each facility to it (from each feature's ``access``).
    date
        The date of the access question, shown in the panel.
    agreement_names
        Agreement id -> name, to label agreements in popups.

    Returns
    -------
    folium.Map
        Render it with :func:`maps.to_html`.
    """
    names = dict(agreement_names or {})
    m = new_map(title=title, online_tiles=online_tiles, world_copy_jump=True)
    cluster = OfflineMarkerCluster(
        name=f"Facilities ({len(features)})",
        overlay=True,
        control=True,
        show=True,
        options={"maxClusterRadius": 40, "spiderfyOnMaxZoom": True},
    )
    cluster.add_to(m)

    records = []
    counts: dict[str, Counter[str]] = {
        "country": Counter(),
        "kind": Counter(),
        "agreement": Counter(),
    }
    for feature in features:
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        facets = {
            "country": [props["country"]],
            "kind": [props["kind"]],
            "agreement": _agreement_facet(props),
        }
        for dim, values in facets.items():
            counts[dim].update(values)
        records.append(
            {
                "id": feature.get("id"),
                "name": props["name"],
                "lat": lat,
                "lon": lon,
                "kind": props["kind"],
                "popup": _popup(feature, usable_by=usable_by, agreement_names=names),
                "facets": facets,
            }
        )

    for record, lon in zip(records, compact_frame([r["lon"] for r in records]), strict=True):
        record["lon"] = lon

    facet_layers: list[tuple[str, str, str]] = []
    for dim, counter in counts.items():
        for value in sorted(counter):
            label = _facet_label(dim, value, counter[value])
            group = folium.FeatureGroup(name=label, overlay=True, control=True, show=True)
            group.add_to(m)
            facet_layers.append((group.get_name(), dim, value))

    counter_selector = f"#{m.get_name()} .relos-shown"
    FacilityMarkers(
        cluster=cluster, records=records, facets=facet_layers, counter=counter_selector
    ).add_to(m)

    rows = [("shown", f'<span class="relos-shown">{len(features)} of {len(features)}</span>')]
    if usable_by:
        rows.append(("usable by", esc(usable_by)))
    if date:
        rows.append(("on", esc(date)))
    kinds = "<br>".join(
        f'<span class="relos-dot relos-kind-{esc(k)}"></span>{esc(label)}'
        for k, label in KIND_LABELS.items()
    )
    rows.append(("kinds", kinds))
    panel = (
        f"<h3>{esc(title)}</h3>{table(rows)}"
        '<div class="muted">Tick layers (top right) to filter by country, kind and agreement.</div>'
    )
    Box(panel, position="topleft", css_class="relos-panel").add_to(m)
    bounds = [(r["lat"], r["lon"]) for r in records]
    return finish(m, bounds=bounds)


def _facet_label(dim: str, value: str, count: int) -> str:
    if dim == "country":
        return f"Country: {country_name(value)} ({value}) ({count})"
    if dim == "kind":
        return f"Kind: {KIND_LABELS.get(value, value)} ({count})"
    if value == OWN:
        return f"Agreement: own facility ({count})"
    if value == NONE:
        return f"Agreement: none ({count})"
    return f"Agreement: {value} ({count})"


def catalogue_map(
    catalogue: Catalogue,
    *,
    countries: Iterable[str] = (),
    kind: str | None = None,
    service: str | None = None,
    agreement: str | None = None,
    usable_by: str | None = None,
    date: dt.date | None = None,
    bbox: BBox | None = None,
    near: LonLat | None = None,
    radius_nm: float | None = None,
    title: str | None = None,
    online_tiles: bool = False,
) -> folium.Map:
    """The map of a catalogue query: the filters of ``GET /facilities``, through
    :func:`routing.query.find_facilities`, rendered by :func:`render_catalogue`.

    ``date`` defaults to today (UTC) when ``usable_by`` is given. Filter errors are
    raised as the domain errors :func:`~routing.query.find_facilities` raises.
    """
    day = date or dt.datetime.now(dt.UTC).date()
    matches = find_facilities(
        catalogue,
        countries=countries,
        kind=kind,
        service=service,
        agreement=agreement,
        usable_by=usable_by,
        date=day,
        bbox=bbox,
        near=near,
        radius_nm=radius_nm,
    )
    nation = usable_by.strip().upper() if usable_by else None
    heading = title or f"{len(matches)} facilities" + (
        f" usable by {nation} on {day.isoformat()}" if nation else ""
    )
    return render_catalogue(
        facility_features(matches, catalogue),
        title=heading,
        online_tiles=online_tiles,
        usable_by=nation,
        date=day.isoformat() if nation else None,
        agreement_names={a.id: a.name for a in catalogue.agreements.values()},
    )
