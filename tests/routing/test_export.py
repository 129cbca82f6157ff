"""Exports read back by independent readers give the plan's waypoints and distances.

Each format is written from a real plan (Mumbai to Vladivostok, a Talwar, one stop at
Changi) or route, then read by a reader that shares no code with the writer: gpxpy for
GPX, lxml for KML and RTZ, GDAL (pyogrio) for KML and the GeoPackage, the csv module.
GPX and RTZ validate against their published XSDs (``data/schemas/``). Distances are
measured again on the WGS84 ellipsoid (pyproj) from the coordinates read back. Two
routes cross the antimeridian: Anadyr to Provideniya and Petropavlovsk to Pearl Harbor.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import geopandas as gpd
import gpxpy
import numpy as np
import pyogrio
import pytest
import xmlschema
from lxml import etree
from pyproj import Geod

from routing import Services, default_services
from routing.errors import InfeasiblePlanError, InvalidInputError
from routing.export import FORMATS, MEDIA_TYPES, export, filename, format_for_path, voyage
from routing.plan.request import PlanSpec
from routing.service import RouteSpec

SCHEMAS = Path(__file__).resolve().parents[2] / "data" / "schemas"
GEOD = Geod(ellps="WGS84")
METRES_PER_NM = 1852.0
KML = "{http://www.opengis.net/kml/2.2}"
RTZ = "{http://www.cirm.org/RTZ/1/0}"
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
    assert nm(points) == pytest.approx(total, rel=5e-4)
    # one track segment per leg, each as long as the leg
    segments = gpx.tracks[0].segments
    assert len(segments) == len(plan["legs"])
    for seg, leg in zip(segments, plan["legs"], strict=True):
        xy = np.array([(p.longitude, p.latitude) for p in seg.points])
        assert nm(xy) == pytest.approx(leg["distance_nm"], rel=5e-4)
        assert xy[0] == pytest.approx(leg["geometry"]["coordinates"][0], abs=1e-6)
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
    # every vertex of every leg, the shared point at the stop once
    coords = [c for leg in plan["legs"] for c in leg["geometry"]["coordinates"]]
    assert len(xy) == len(coords) - (len(plan["legs"]) - 1)
    assert nm(xy) == pytest.approx(plan["totals"]["distance_nm"], rel=5e-4)
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
        assert nm(xy) == pytest.approx(leg["distance_nm"], rel=5e-4)
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
        assert length == pytest.approx(leg["distance_nm"], rel=5e-4)
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
    assert sum(nm(s) for s in segs) == pytest.approx(distance, rel=5e-4)
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
    assert nm(xy) == pytest.approx(distance, rel=5e-4)


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
    assert obj.to_csv().encode() == export(plan, "csv")
    assert voyage(plan).distance_nm == plan["totals"]["distance_nm"]
