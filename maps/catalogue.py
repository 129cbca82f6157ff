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
from urllib.parse import urlsplit

import folium
from branca.element import MacroElement
from folium.template import Template
from markupsafe import Markup

from maps.base import Box, OfflineMarkerCluster, finish, new_map, overlay
from maps.geometry import compact_frame
from maps.templates import Rows, confidence_label, layer_name, render, styled
from routing.catalogue.model import Catalogue
from routing.catalogue.query import Match, find_facilities, opened_by
from routing.geo import BBox, LonLat
from routing.vocab import country_name

KIND_LABELS = {
    "naval_base": "naval base",
    "port": "port",
    "airbase": "airbase",
    "commercial_port": "commercial port",
}
OWN = "own"
NONE = "none"


def facility_features(matches: Iterable[Match], catalogue: Catalogue) -> list[dict[str, Any]]:
    """Matches of :func:`routing.query.find_facilities` as the features a catalogue map draws.

    Each is the facility's GeoJSON Feature as ``GET /facilities`` returns it
    (``distance_nm`` and ``access`` when the query produced them), plus
    ``opened_by_agreements``: the agreements that can open the facility to others.
    The facility's ``confidence`` and ``caveats`` are in its properties; ``access``
    carries the grant's (the weakest of the facility and the agreement opening it).
    """
    return [
        m.feature(
            opened_by_agreements=sorted(
                a.id for a in catalogue.agreements.values() if opened_by(a, m.facility)
            )
        )
        for m in matches
    ]


def _agreement_facet(props: Mapping[str, Any]) -> list[str]:
    access = props.get("access")
    if access is not None:
        return [OWN] if access.get("basis") == OWN else list(access.get("agreements") or [NONE])
    return list(props.get("opened_by_agreements") or [NONE])


def _limit(key: str, value: float) -> tuple[str, str]:
    unit = " m" if key.endswith("_m") else ""
    label = key.removesuffix("_m").replace("_", " ")
    return label, f"{value:g}{unit}"


def _web_url(url: str) -> str | None:
    """``url`` if it is a web address to link to (http or https), else ``None``."""
    return url if urlsplit(url).scheme in ("http", "https") else None


def _doubt(
    props: Mapping[str, Any], access: Mapping[str, Any] | None
) -> tuple[str | None, list[str]]:
    """How sure the popup's answer is, as words (``None`` when confirmed), and why.

    With ``access`` (the popup answers whether a nation may use the facility) it is
    the grant's: the weakest of the facility and the agreement that opens it, with
    the caveats of both; else the facility's own.
    """
    source = access if access is not None and "confidence" in access else props
    level = confidence_label(source.get("confidence"))
    caveats = [str(c) for c in source.get("caveats") or []]
    return level, caveats


def _popup_rows(
    props: Mapping[str, Any],
    access: Mapping[str, Any] | None,
    *,
    lat: float,
    lon: float,
    confidence: str | None,
) -> Rows:
    rows: Rows = []
    if confidence is not None:
        rows.append(("confidence", styled(confidence, "relos-caveat")))
    rows.append(("services", ", ".join(props.get("services", []))))
    if access is not None and access.get("services"):
        rows.append(("granted", ", ".join(access["services"])))
    rows.extend(_limit(k, float(v)) for k, v in sorted((props.get("limits") or {}).items()))
    if props.get("operator"):
        rows.append(("operator", props["operator"]))
    if props.get("region"):
        rows.append(("region", props["region"]))
    if props.get("distance_nm") is not None:
        rows.append(("distance", f"{props['distance_nm']:,.0f} nm"))
    precision = props.get("position_precision_m")
    where = f"{lat:.4f}, {lon:.4f}" + (f" (±{precision:g} m)" if precision else "")
    rows.append(("position", where))
    return rows


def _popup(
    feature: Mapping[str, Any], *, usable_by: str | None, agreement_names: Mapping[str, str]
) -> Markup:
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"][:2]
    access = props.get("access")
    for_nation = access is not None and bool(usable_by)
    own = for_nation and access.get("basis") == OWN
    opening = access.get("agreements", []) if for_nation and not own else []
    confidence, caveats = _doubt(props, access if for_nation else None)
    return render(
        "facility_popup",
        name=props["name"],
        kind=KIND_LABELS.get(props["kind"], props["kind"]),
        country=props["country"],
        country_name=country_name(props["country"]),
        id=feature.get("id", ""),
        own_by=usable_by if own else None,
        open_to=usable_by if for_nation and not own else None,
        agreements=[(a, agreement_names.get(a)) for a in opening],
        opened_by=[] if for_nation else props.get("opened_by_agreements") or [],
        rows=_popup_rows(props, access, lat=lat, lon=lon, confidence=confidence),
        caveats=caveats,
        sources=[(_web_url(s["url"]), s["title"]) for s in props.get("sources") or []],
    )


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
        name=layer_name(f"Facilities ({len(features)})"),
        overlay=True,
        control=True,
        show=True,
        options={"maxClusterRadius": 40, "spiderfyOnMaxZoom": True},
    )
    cluster.add_to(m)
    records, counts = _records(features, usable_by=usable_by, agreement_names=names)
    FacilityMarkers(
        cluster=cluster,
        records=records,
        facets=_facet_layers(m, counts),
        counter=f"#{m.get_name()} .relos-shown",
    ).add_to(m)
    panel = render(
        "catalogue_panel",
        title=title,
        count=len(features),
        usable_by=usable_by,
        date=date,
        kinds=KIND_LABELS.items(),
    )
    Box(panel, position="topleft", css_class="relos-panel", label="Summary").add_to(m)
    return finish(m, bounds=[(r["lat"], r["lon"]) for r in records], by_query=True)


def _records(
    features: list[dict[str, Any]],
    *,
    usable_by: str | None,
    agreement_names: Mapping[str, str],
) -> tuple[list[dict[str, Any]], dict[str, Counter[str]]]:
    """What the map's script needs of each facility (in one longitude frame), and how
    many facilities have each country, kind and agreement."""
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
        popup = _popup(feature, usable_by=usable_by, agreement_names=agreement_names)
        records.append(
            {
                "id": feature.get("id"),
                "name": props["name"],
                "lat": lat,
                "lon": lon,
                "kind": props["kind"],
                "popup": str(popup),
                "facets": facets,
            }
        )
    for record, lon in zip(records, compact_frame([r["lon"] for r in records]), strict=True):
        record["lon"] = lon
    return records, counts


def _facet_layers(m: folium.Map, counts: dict[str, Counter[str]]) -> list[tuple[str, str, str]]:
    """An overlay for each facet value, as (layer variable, dimension, value)."""
    layers: list[tuple[str, str, str]] = []
    for dim, counter in counts.items():
        for value in sorted(counter):
            group = overlay(m, _facet_label(dim, value, counter[value]))
            layers.append((group.get_name(), dim, value))
    return layers


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
    include: Iterable[str] = (),
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
        include=include,
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
