"""Exports read back by independent readers give the plan's waypoints and distances.

Each format is written from a real plan (Mumbai to Vladivostok, a Talwar, one stop at
Changi) or route, then read by a reader that shares no code with the writer: gpxpy for
GPX, lxml for KML and RTZ, GDAL (pyogrio) for KML and the GeoPackage, the csv module.
GPX and RTZ validate against their published XSDs (``data/schemas/``). Distances are
measured again on the WGS84 ellipsoid (pyproj) from the coordinates read back. Two
routes cross the antimeridian: Anadyr to Provideniya and Petropavlovsk to Pearl Harbor.

The tracks are thinned by default (``simplify_nm=1``): a thinned file is at most 0.1 %
shorter than the track (:data:`THINNED`, with the answer's rounding); ``simplify_nm=0``
keeps every vertex and the lengths agree within 0.05 %. A 12,910 nm voyage (an Udaloy,
Severomorsk to Vladivostok by Suez) keeps an eighth of its vertices, every new leg
checked against GSHHG's exact coastline (``roaring-landmask``, not the conservative
raster the thinning uses). A flight exports as GPX and KML, whole, and is no RTZ.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import gpxpy
import numpy as np
import pyogrio
import pytest
import shapely
import xmlschema
from lxml import etree
from pyproj import Geod

from routing import Services, default_services
from routing.errors import InfeasiblePlanError, InvalidInputError
from routing.export import FORMATS, MEDIA_TYPES, export, filename, format_for_path, voyage
from routing.plan.request import PlanSpec
from routing.service import AirRouteSpec, RouteSpec

SCHEMAS = Path(__file__).resolve().parents[2] / "data" / "schemas"
GEOD = Geod(ellps="WGS84")
METRES_PER_NM = 1852.0
KML = "{http://www.opengis.net/kml/2.2}"
RTZ = "{http://www.cirm.org/RTZ/1/0}"
THINNED = 1.5e-3
"""A thinned export's length against the answer's distance: at most 0.1 % shorter than
the track (``MAX_SHORTENING``), and the answer's rounding (coordinates to 4 decimals)."""
EARTH_RADIUS_NM = 6371.0088 / 1.852
PLAN = PlanSpec(
    nation="IND",
    platform="talwar",
    origin="in-mumbai-naval-dockyard",
    destination="ru-vladivostok-naval-base",
    departure="2026-08-01T00:00:00Z",  # type: ignore[arg-type]
)


@pytest.fixture(scope="module")
def services() -> Services:
    return default_services()


@pytest.fixture(scope="module")
def plan(services: Services) -> dict[str, Any]:
    answer = services.plan_json(PLAN)
    assert answer["feasible"] and len(answer["stops"]) >= 1
    return answer


@pytest.fixture(scope="module")
def long_voyage(services: Services) -> dict[str, Any]:
    """An Udaloy leaving Severomorsk on 14 November 2027 goes by Suez: 12,910 nm."""
    answer = services.plan_json(
        PlanSpec(
            nation="RUS",
            platform="udaloy",
            origin="ru-severomorsk-naval-base",
            destination="ru-vladivostok-naval-base",
            departure="2027-11-14T00:00:00Z",  # type: ignore[arg-type]
        )
    )
    assert answer["feasible"] and answer["totals"]["distance_nm"] > 12_000
    return answer


@pytest.fixture(scope="module")
def dateline(services: Services) -> dict[str, Any]:
    """Anadyr to Provideniya: 264 nm across the antimeridian."""
    return services.route(RouteSpec(origin="ru-anadyr-port", destination="ru-provideniya-port"))


@pytest.fixture(scope="module")
def pacific(services: Services) -> dict[str, Any]:
    return services.route(
        RouteSpec(
            origin="ru-petropavlovsk-kamchatsky-port", destination="us-pearl-harbor-naval-station"
        )
    )


def nm(lonlat: np.ndarray) -> float:
    """The length of a lon/lat polyline on the WGS84 ellipsoid, nm."""
    xy = np.asarray(lonlat, dtype=float)
    return float(GEOD.line_length(xy[:, 0], xy[:, 1])) / METRES_PER_NM


def names_in_order(plan: dict[str, Any]) -> list[str]:
    return [
        plan["origin"]["name"],
        *(s["name"] for s in plan["stops"]),
        plan["destination"]["name"],
    ]


def test_gpx_validates_and_gpxpy_reads_the_calls_route_and_legs(plan: dict[str, Any]) -> None:
    data = export(plan, "gpx")
    assert xmlschema.XMLSchema(SCHEMAS / "gpx-1.1.xsd").is_valid(io.BytesIO(data))
    gpx = gpxpy.parse(data.decode())
    assert [w.name for w in gpx.waypoints] == names_in_order(plan)
    assert [w.type for w in gpx.waypoints] == ["origin", "stop", "destination"]
    (route,) = gpx.routes
    points = np.array([(p.longitude, p.latitude) for p in route.points])
    named = [p.name for p in route.points if p.type]
    assert named == names_in_order(plan), "the calls are named waypoints of the route"
    total = plan["totals"]["distance_nm"]
    assert nm(points) == pytest.approx(total, rel=THINNED)
    # one track segment per leg, each as long as the leg
    segments = gpx.tracks[0].segments
    assert len(segments) == len(plan["legs"])
    for seg, leg in zip(segments, plan["legs"], strict=True):
        xy = np.array([(p.longitude, p.latitude) for p in seg.points])
        assert nm(xy) == pytest.approx(leg["distance_nm"], rel=THINNED)
        assert xy[0] == pytest.approx(leg["geometry"]["coordinates"][0], abs=1e-6)
        assert xy[-1] == pytest.approx(leg["geometry"]["coordinates"][-1], abs=1e-6)
    # the stop's arrival time is on its waypoint
    stop = gpx.waypoints[1]
    assert stop.time is not None
    assert stop.time.strftime("%Y-%m-%dT%H:%M:%SZ") == plan["stops"][0]["arrival"]


def test_rtz_validates_against_the_iec_61174_schema_and_follows_the_route(
    plan: dict[str, Any],
) -> None:
    data = export(plan, "rtz")
    schema = xmlschema.XMLSchema(SCHEMAS / "rtz-1.0.xsd")
    schema.validate(io.BytesIO(data))
    root = etree.fromstring(data)
    assert root.get("version") == "1.0"
    info = root.find(f"{RTZ}routeInfo")
    assert info is not None
    assert info.get("routeName") + ".rtz" == filename(plan, "rtz"), "ECDIS want name = file"
    assert info.get("vesselName") == plan["platform"]["label"]
    wps = root.findall(f"{RTZ}waypoints/{RTZ}waypoint")
    ids = [int(w.get("id")) for w in wps]
    assert ids == list(range(1, len(wps) + 1))
    xy = np.array(
        [
            (float(p.get("lon")), float(p.get("lat")))
            for p in (w.find(f"{RTZ}position") for w in wps)
            if p is not None
        ]
    )
    # thinned: fewer vertices of the legs, in order, as long as the plan
    coords = [c for leg in plan["legs"] for c in leg["geometry"]["coordinates"]]
    assert len(xy) < len(coords) / 4
    assert nm(xy) == pytest.approx(plan["totals"]["distance_nm"], rel=THINNED)
    # with simplify_nm=0: every vertex of every leg, the shared point at the stop once
    whole = etree.fromstring(export(plan, "rtz", simplify_nm=0)).findall(f".//{RTZ}position")
    every = np.array([(float(p.get("lon")), float(p.get("lat"))) for p in whole])
    assert len(every) == len(coords) - (len(plan["legs"]) - 1)
    assert nm(every) == pytest.approx(plan["totals"]["distance_nm"], rel=5e-4)
    assert all(any(np.allclose(p, q) for q in every) for p in xy), "no vertex made up"
    assert wps[0].get("name") == plan["origin"]["name"]
    assert wps[-1].get("name") == plan["destination"]["name"]
    assert plan["stops"][0]["name"] in [w.get("name") for w in wps[1:-1]]
    # every leg sails at the plan's speed on great circles (the default), and each leg of
    # the plan is named where it begins
    default = root.find(f"{RTZ}waypoints/{RTZ}defaultWaypoint/{RTZ}leg")
    assert default is not None and default.get("speedMax") == "14.0"
    assert default.get("geometryType") == "Orthodrome"
    starts = [w.find(f"{RTZ}leg") for w in wps if w.find(f"{RTZ}leg") is not None]
    assert [leg.get("legInfo") for leg in starts] == [
        f"{leg['from_name']} - {leg['to_name']}" for leg in plan["legs"]
    ]
    assert all(leg.get("speedMax") == "14.0" for leg in starts)
    # the calculated schedule: departure, the stop's arrival and departure, the ETA
    times = root.findall(f"{RTZ}schedules/{RTZ}schedule/{RTZ}calculated/{RTZ}sheduleElement")
    by_id = {int(t.get("waypointId")): t for t in times}
    stop_id = next(int(w.get("id")) for w in wps if w.get("name") == plan["stops"][0]["name"])
    assert by_id[stop_id].get("eta") == plan["stops"][0]["arrival"]
    assert by_id[stop_id].get("etd") == plan["stops"][0]["departure"]
    assert by_id[ids[-1]].get("eta") == plan["totals"]["eta"]
    assert by_id[1].get("etd") == plan["departure"]


def test_kml_read_by_lxml_and_by_gdal(plan: dict[str, Any], tmp_path: Path) -> None:
    data = export(plan, "kml")
    root = etree.fromstring(data)
    marks = root.findall(f".//{KML}Placemark")
    lines = [m for m in marks if m.find(f".//{KML}LineString") is not None]
    assert len(lines) == len(plan["legs"])
    for mark, leg in zip(lines, plan["legs"], strict=True):
        text = mark.findtext(f".//{KML}coordinates")
        assert text is not None
        xy = np.array([[float(v) for v in p.split(",")] for p in text.split()])
        assert nm(xy) == pytest.approx(leg["distance_nm"], rel=THINNED)
    points = [m.findtext(f"{KML}name") for m in marks if m.find(f"{KML}Point") is not None]
    assert points == names_in_order(plan)
    path = tmp_path / filename(plan, "kml")
    path.write_bytes(data)
    layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    assert layers == ["Legs", "Calls"]
    calls = gpd.read_file(path, layer="Calls", engine="pyogrio")
    assert list(calls["Name"]) == names_in_order(plan)


def test_csv_rows_give_the_legs_and_calls(plan: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(export(plan, "csv").decode())))
    legs = [r for r in rows if r["record"] == "leg"]
    calls = [r for r in rows if r["record"] != "leg"]
    assert [r["name"] for r in calls] == names_in_order(plan)
    assert [r["record"] for r in calls] == ["origin", "stop", "destination"]
    assert sum(float(r["distance_nm"]) for r in legs) == pytest.approx(
        plan["totals"]["distance_nm"], abs=0.1
    )
    assert calls[1]["arrival"] == plan["stops"][0]["arrival"]
    assert calls[1]["agreement"] == plan["stops"][0]["agreement"]
    assert legs[0]["to"] == plan["stops"][0]["facility_id"]


def test_geopackage_layers_read_by_gdal(plan: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "plan.gpkg"
    path.write_bytes(export(plan, "gpkg"))
    assert sorted(str(n) for n, _ in pyogrio.list_layers(path)) == ["calls", "legs"]
    legs = gpd.read_file(path, layer="legs", engine="pyogrio")
    calls = gpd.read_file(path, layer="calls", engine="pyogrio")
    assert legs.crs.to_epsg() == 4326
    for geom, leg in zip(legs.geometry, plan["legs"], strict=True):
        length = sum(nm(np.asarray(part.coords)) for part in geom.geoms)
        assert length == pytest.approx(leg["distance_nm"], rel=THINNED)
    assert list(calls["name"]) == names_in_order(plan)
    assert list(legs["distance_nm"]) == [leg["distance_nm"] for leg in plan["legs"]]


@pytest.mark.parametrize("which", ["dateline", "pacific"])
def test_a_route_across_the_antimeridian_is_cut_there_not_drawn_round_the_world(
    which: str, request: pytest.FixtureRequest
) -> None:
    route: dict[str, Any] = request.getfixturevalue(which)
    track = np.asarray(route["geometry"]["coordinates"])
    assert track[:, 0].max() > 180, "the answer's line is continuous across 180"
    distance = route["properties"]["distance_nm"]
    # GPX: the track in two segments, one ending at +180 and one starting at -180
    gpx = gpxpy.parse(export(route, "gpx").decode())
    segs = [np.array([(p.longitude, p.latitude) for p in s.points]) for s in gpx.tracks[0].segments]
    assert len(segs) == 2
    assert segs[0][-1][0] == 180.0 and segs[1][0][0] == -180.0
    assert segs[0][-1][1] == pytest.approx(segs[1][0][1])
    for seg in [*segs, np.array([(p.longitude, p.latitude) for p in gpx.routes[0].points])]:
        assert np.all(np.abs(seg[:, 0]) <= 180)
    for seg in segs:
        assert np.all(np.abs(np.diff(seg[:, 0])) < 10), "no line across the world"
    assert sum(nm(s) for s in segs) == pytest.approx(distance, rel=THINNED)
    # KML: a MultiGeometry of two LineStrings, read by GDAL as one leg
    root = etree.fromstring(export(route, "kml"))
    lines = root.findall(f".//{KML}MultiGeometry/{KML}LineString")
    assert len(lines) == 2
    for line in lines:
        text = line.findtext(f"{KML}coordinates")
        assert text is not None
        lons = np.array([float(p.split(",")[0]) for p in text.split()])
        assert np.all(np.abs(lons) <= 180) and np.all(np.abs(np.diff(lons)) < 10)
    # RTZ: valid, longitudes in range, the same length (the reader's geodesics cross 180)
    data = export(route, "rtz")
    xmlschema.XMLSchema(SCHEMAS / "rtz-1.0.xsd").validate(io.BytesIO(data))
    pos = etree.fromstring(data).findall(f".//{RTZ}position")
    xy = np.array([(float(p.get("lon")), float(p.get("lat"))) for p in pos])
    assert np.all(np.abs(xy[:, 0]) <= 180)
    assert nm(xy) == pytest.approx(distance, rel=THINNED)
    whole = etree.fromstring(export(route, "rtz", simplify_nm=0)).findall(f".//{RTZ}position")
    assert len(whole) == len(track) and len(pos) < len(track)


def test_what_cannot_be_exported_names_the_format(services: Services) -> None:
    with pytest.raises(InvalidInputError, match="gpx, kml, csv, gpkg, rtz") as unknown:
        export({"type": "Feature"}, "shp")
    assert unknown.value.field == "format"
    infeasible = services.plan(
        PlanSpec(
            nation="IND",
            platform="talwar",
            origin="in-visakhapatnam-naval-dockyard",
            destination="ru-severomorsk-naval-base",
            departure="2026-02-01T00:00:00Z",  # type: ignore[arg-type]
            closed=["suez"],
        ),
        suggest=False,
    ).answer()
    assert not infeasible["feasible"]
    with pytest.raises(InfeasiblePlanError, match="infeasible") as nothing:
        export(infeasible, "gpx")
    assert nothing.value.field == "format"
    assert format_for_path("out/plan.RTZ") == "rtz"
    with pytest.raises(InvalidInputError, match="extension"):
        format_for_path("plan")


def test_every_format_has_a_media_type_and_the_plan_object_exports_the_same(
    services: Services, plan: dict[str, Any]
) -> None:
    assert set(MEDIA_TYPES) == set(FORMATS)
    obj = services.plan(PLAN)
    assert obj.to_gpx().encode() == export(plan, "gpx")
    assert obj.to_rtz().encode() == export(plan, "rtz")
    assert obj.to_rtz(simplify_nm=0).encode() == export(plan, "rtz", simplify_nm=0)
    assert obj.to_kml(simplify_nm=2.5).encode() == export(plan, "kml", simplify_nm=2.5)
    assert obj.to_csv().encode() == export(plan, "csv")
    assert voyage(plan).distance_nm == plan["totals"]["distance_nm"]
    # a sea Route object exports through the same methods (routing.export.mixin)
    route = services.require_sea().route("ru-anadyr-port", "ru-provideniya-port")
    assert route.to_gpx().encode() == export(route.to_geojson(), "gpx")
    assert route.to_rtz(simplify_nm=0).encode() == export(route.to_geojson(), "rtz", simplify_nm=0)


def test_importing_the_core_does_not_import_the_writers() -> None:
    """Plan and Route carry the export methods; lxml, gpxpy and the land mask load on
    the first export."""
    code = (
        "import sys, routing.plan, routing.sea.router, routing.export.mixin\n"
        "heavy = {'lxml', 'gpxpy', 'geopandas', 'roaring_landmask', 'routing.export.writers'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- thinning ------------------------------------------------------------------------------


def _unit(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lo, la = np.radians(lon), np.radians(lat)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _ways(a: np.ndarray, b: np.ndarray, step_nm: float) -> np.ndarray:
    """Points (lon, lat) every ``step_nm`` along the great circle from ``a`` to ``b``,
    and as many along the straight line in lon/lat and the rhumb line."""
    ua, ub = _unit(*a), _unit(*b)
    angle = math.acos(min(1.0, float(ua @ ub)))
    t = np.linspace(0.0, 1.0, max(2, math.ceil(angle * EARTH_RADIUS_NM / step_nm)) + 1)
    great = (np.sin((1 - t) * angle)[:, None] * ua + np.sin(t * angle)[:, None] * ub) / math.sin(
        angle
    )
    glon = np.degrees(np.arctan2(great[:, 1], great[:, 0]))
    glat = np.degrees(np.arcsin(np.clip(great[:, 2], -1, 1)))
    lon = a[0] + t * (b[0] - a[0])
    y = np.log(np.tan(np.pi / 4 + np.radians([a[1], b[1]]) / 2))
    rhumb = np.degrees(2 * np.arctan(np.exp(y[0] + t * (y[1] - y[0]))) - np.pi / 2)
    lat = a[1] + t * (b[1] - a[1])
    return np.concatenate(
        [np.stack([glon, glat], 1), np.stack([lon, lat], 1), np.stack([lon, rhumb], 1)]
    )


def test_a_long_voyage_is_thinned_at_sea_within_a_mile_and_keeps_its_calls_and_gates(
    services: Services, long_voyage: dict[str, Any]
) -> None:
    from roaring_landmask import RoaringLandmask  # GSHHG's polygons: exact, 1.3 GB

    full = export(long_voyage, "rtz", simplify_nm=0)
    data = export(long_voyage, "rtz")
    schema = xmlschema.XMLSchema(SCHEMAS / "rtz-1.0.xsd")
    schema.validate(io.BytesIO(full))
    schema.validate(io.BytesIO(data))
    wps = etree.fromstring(data).findall(f"{RTZ}waypoints/{RTZ}waypoint")
    n_full = len(etree.fromstring(full).findall(f"{RTZ}waypoints/{RTZ}waypoint"))
    assert n_full > 1_300 and len(wps) < n_full / 6, (n_full, len(wps))
    pos = [w.find(f"{RTZ}position") for w in wps]
    xy = np.array([(float(p.get("lon")), float(p.get("lat"))) for p in pos if p is not None])
    assert nm(xy) == pytest.approx(long_voyage["totals"]["distance_nm"], rel=THINNED)
    named = [w.get("name") for w in wps if not str(w.get("name")).startswith("WP")]
    assert named == names_in_order(long_voyage)
    mask = RoaringLandmask.new()
    tolerance = 1.0
    sea = services.sea_data
    for leg in voyage(long_voyage, simplify_nm=tolerance).legs:
        track = np.asarray(
            next(g for g in long_voyage["legs"] if g["index"] == leg.index)["geometry"][
                "coordinates"
            ]
        )
        kept = [int(np.nonzero(np.all(np.isclose(track, p), axis=1))[0][0]) for p in leg.coords]
        assert kept == sorted(kept) and kept[0] == 0 and kept[-1] == len(track) - 1
        # where the track crosses a gate of its passages, the segment through it stays
        segments = shapely.linestrings(np.stack([track[:-1], track[1:]], axis=1))
        for pid in leg.passages:
            for gate in sea.by_id[pid].gate_lines:
                for i in np.nonzero(shapely.intersects(segments, gate))[0].tolist():
                    assert i in kept and i + 1 in kept, (pid, i)
        # each new leg: off land (GSHHG exact) drawn any way, and the vertices it replaces
        # within a mile of it
        for i, j in itertools.pairwise(kept):
            if j == i + 1:
                continue
            pts = _ways(track[i], track[j], 0.02)
            lon = (pts[:, 0] + 180) % 360 - 180
            assert not np.any(mask.contains_many(lon, pts[:, 1])), (leg.index, i, j)
            great = _ways(track[i], track[j], 0.5)[: len(pts) // 3]
            for k in range(i + 1, j):
                _, _, metres = GEOD.inv(
                    np.full(len(great), track[k][0]),
                    np.full(len(great), track[k][1]),
                    great[:, 0],
                    great[:, 1],
                )
                assert min(metres) / METRES_PER_NM <= tolerance + 0.05, (leg.index, k)


def test_the_tolerance_is_checked_and_names_its_field(plan: dict[str, Any]) -> None:
    for bad in (-1, float("nan"), float("inf"), 21, "a mile"):
        with pytest.raises(InvalidInputError, match="simplify_nm") as err:
            export(plan, "rtz", simplify_nm=bad)  # type: ignore[arg-type]
        assert err.value.field == "simplify_nm"
    coarse = etree.fromstring(export(plan, "rtz", simplify_nm=5)).findall(f".//{RTZ}position")
    fine = etree.fromstring(export(plan, "rtz", simplify_nm=0.2)).findall(f".//{RTZ}position")
    assert len(coarse) <= len(fine)


# -- flights -------------------------------------------------------------------------------


def test_a_flight_exports_whole_as_gpx_and_kml_and_is_no_rtz(services: Services) -> None:
    flight = services.air_route(
        AirRouteSpec(
            origin="in-hindon-afs",
            destination="ru-levashovo-air-base",
            date="2026-12-01",  # type: ignore[arg-type]
        )
    )
    props = flight["properties"]
    assert props["feasible"]
    track = np.asarray(flight["geometry"]["coordinates"])
    gpx = gpxpy.parse(export(flight, "gpx").decode())
    assert [w.name for w in gpx.waypoints] == [
        props["origin"]["name"],
        props["destination"]["name"],
    ]
    (route,) = gpx.routes
    points = np.array([(p.longitude, p.latitude) for p in route.points])
    assert len(points) == len(track), "a flight is not thinned"
    assert nm(points) == pytest.approx(props["distance_nm"], rel=5e-4)
    assert route.points[0].name == props["origin"]["name"]
    assert route.points[-1].name == props["destination"]["name"]
    root = etree.fromstring(export(flight, "kml"))
    (line,) = root.findall(f".//{KML}LineString")
    text = line.findtext(f"{KML}coordinates")
    assert text is not None
    xy = np.array([[float(v) for v in p.split(",")] for p in text.split()])
    assert nm(xy) == pytest.approx(props["distance_nm"], rel=5e-4)
    calls = [m.findtext(f"{KML}name") for m in root.iter(f"{KML}Placemark")][1:]
    assert calls == [props["origin"]["name"], props["destination"]["name"]]
    with pytest.raises(InvalidInputError, match="ship") as rtz:
        export(flight, "rtz")
    assert rtz.value.field == "format"
