"""Offline by construction: every asset is local, a standalone file carries everything."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import folium
import pytest
from folium.plugins import Fullscreen
from shapely.geometry import Point, shape

from maps import (
    OfflineAssetError,
    render_catalogue,
    render_layers,
    render_plan,
    render_route,
    to_html,
)
from maps.assets import LAND_PATH, asset_file, load_asset
from maps.catalogue import facility_features
from routing.catalogue.model import Catalogue
from routing.catalogue.query import find_facilities
from tests.maps import fixtures as fx

CDN_HINTS = ("cdn.", "cdnjs", "jsdelivr", "unpkg", "code.jquery", "bootstrapcdn", "googleapis")
SRC = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]*)\"", re.IGNORECASE)


@pytest.fixture(scope="module")
def maps(catalogue: Catalogue) -> dict[str, folium.Map]:
    features = facility_features(find_facilities(catalogue), catalogue)
    return {
        "catalogue": render_catalogue(features, title="All facilities"),
        "route": render_route(fx.mumbai_vladivostok_route(), passages=fx.PASSAGES),
        "plan": render_plan(fx.mumbai_vladivostok_plan(), passages=fx.PASSAGES),
        "layers": render_layers([("A", fx.mumbai_vladivostok_plan()), ("B", fx.pacific_route())]),
    }


@pytest.mark.parametrize("name", ["catalogue", "route", "plan", "layers"])
def test_standalone_page_needs_nothing_from_outside(maps: dict[str, folium.Map], name: str) -> None:
    page = to_html(maps[name], standalone=True)
    assert [u for u in SRC.findall(page) if not u.startswith("data:")] == []
    assert not [hint for hint in CDN_HINTS if hint in page]
    assert "var RELOS_LAND" in page  # the land basemap travels with the page
    if name == "catalogue":
        assert "L.MarkerClusterGroup" in page
    assert "leaflet-container" in page  # Leaflet's stylesheet is inlined
    assert "url(data:image/png;base64," in page  # with its images


@pytest.mark.parametrize("name", ["catalogue", "route", "plan", "layers"])
def test_served_page_loads_only_from_the_static_root(
    maps: dict[str, folium.Map], name: str
) -> None:
    page = to_html(maps[name], standalone=False, static_url="/relos/static")
    sources = SRC.findall(page)
    assert sources and all(u.startswith("/relos/static/") or u.startswith("data:") for u in sources)
    for url in sources:
        if url.startswith("/relos/static/"):
            assert load_asset(url.removeprefix("/relos/static/")) is not None, url
    assert not [hint for hint in CDN_HINTS if hint in page]


def test_online_tiles_only_when_asked() -> None:
    plan = fx.mumbai_vladivostok_plan()
    assert "tile.openstreetmap.org" not in to_html(render_plan(plan), standalone=True)
    online = to_html(render_plan(plan, online_tiles=True), standalone=True)
    assert "tile.openstreetmap.org" in online


def test_a_cdn_plugin_is_refused() -> None:
    m = render_plan(fx.mumbai_vladivostok_plan())
    Fullscreen().add_to(m)
    with pytest.raises(OfflineAssetError, match="https://"):
        to_html(m, standalone=True)
    with pytest.raises(OfflineAssetError, match="https://"):
        to_html(m, standalone=False)


def test_plan_page_is_small_enough_for_a_usb_stick() -> None:
    page = to_html(render_plan(fx.mumbai_vladivostok_plan()), standalone=True)
    assert len(page.encode()) < 2 * 1024 * 1024


def test_assets_cannot_reach_outside_their_bundles() -> None:
    assert asset_file("leaflet/leaflet.js") is not None
    assert asset_file("leaflet/../../../../../etc/passwd") is None
    assert asset_file("relos/../assets.py") is None
    assert asset_file("nowhere/leaflet.js") is None
    assert load_asset("leaflet/images/layers.png") is not None


def test_text_from_data_is_escaped(catalogue: Catalogue) -> None:
    feature = catalogue.facility("in-mumbai-naval-dockyard").feature()
    feature["properties"]["name"] = "<img src=x onerror=alert(1)>"
    page = to_html(render_catalogue([feature], title="<b>t</b>"), standalone=False)
    assert "<img src=x" not in page and "<b>t</b>" not in page


# ---------------------------------------------------------------- basemap


def test_land_basemap_is_compact_documented_and_right() -> None:
    assert LAND_PATH.stat().st_size < 1024 * 1024
    source = (LAND_PATH.parent / "SOURCE.md").read_text(encoding="utf-8")
    assert "Natural Earth" in source and "public domain" in source and "world-atlas" in source
    body = json.loads(LAND_PATH.read_text(encoding="utf-8"))
    land = shape(body["features"][0]["geometry"])
    assert land.geom_type == "MultiPolygon"
    for lon, lat in [(77.0, 18.0), (100.0, 60.0), (-100.0, 40.0), (175.0, 66.0), (0.0, -80.0)]:
        assert land.contains(Point(lon, lat)), (lon, lat)  # Deccan, Siberia, Chukotka...
    for lon, lat in [(70.0, -10.0), (-150.0, 30.0), (180.0, 0.0), (51.0, 42.0)]:
        assert not land.contains(Point(lon, lat)), (lon, lat)  # oceans, the Caspian
    assert land.distance(Point(72.42, -7.32)) < 0.05  # Diego Garcia survives simplification


def test_land_basemap_draws_no_band_round_the_world() -> None:
    body = json.loads(LAND_PATH.read_text(encoding="utf-8"))
    for polygon in body["features"][0]["geometry"]["coordinates"]:
        for ring in polygon:
            for a, b in itertools.pairwise(ring):
                # Only Antarctica's closing edge along the pole may run across the map.
                assert abs(a[0] - b[0]) <= 180 or a[1] == b[1] == -90.0, (a, b)


def test_build_land_is_the_documented_converter(tmp_path: Path) -> None:
    from maps.build_land import compact_land, split_antimeridian, topology_polygons

    # A tiny topology: one square from 178 E to 178 W, quantised and delta-encoded,
    # its ring jumping across the antimeridian as the spherical world-atlas rings do.
    topology = {
        "type": "Topology",
        "transform": {"scale": [1.0, 1.0], "translate": [-180.0, -90.0]},
        "objects": {
            "land": {
                "type": "GeometryCollection",
                "geometries": [{"type": "Polygon", "arcs": [[0]]}],
            }
        },
        "arcs": [
            [[358, 150], [0, 10], [2, 0], [-360, 0], [2, 0], [0, -10], [-2, 0], [360, 0], [-2, 0]]
        ],
    }
    polygons = topology_polygons(topology, "land")
    assert len(polygons) == 1
    pieces = split_antimeridian(polygons[0])
    assert len(pieces) == 2
    assert all(p.bounds[0] >= -180 and p.bounds[2] <= 180 for p in pieces)
    assert sum(p.area for p in pieces) == pytest.approx(40.0)
    out = compact_land(polygons, tolerance=0.0, min_area=0.0, digits=2)
    assert len(out["features"][0]["geometry"]["coordinates"]) == 2
