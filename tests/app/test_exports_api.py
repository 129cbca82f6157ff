"""Exports over HTTP and from the CLI: the file, its media type and name, the errors.

Through the real app: ``GET /routes``, ``POST /plans`` and a saved plan's
``GET /plans/{id}`` with ``format=`` (or ``Accept``) answer the file, inline or, with
``download=true``, as an attachment; a saved plan exports exactly as it did live; an
unknown format or an infeasible plan is a 422 naming ``format``. ``relos plan`` and
``relos route`` write the file ``-o`` names, in the format of its extension.

``simplify_nm`` (``--simplify-nm``) thins the waypoints (default 1 nm, 0 keeps every
vertex); a negative or NaN one is a 422 naming it (exit code 2 in the CLI), before
anything is computed. A flight (a P-8I's plan, a ``GET /air-routes`` answer) exports as
GPX and KML with every vertex, and asking for its RTZ is a 422 naming ``format``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import gpxpy
import numpy as np
import pytest
import xmlschema
from fastapi.testclient import TestClient
from lxml import etree
from pyproj import Geod
from typer.testing import CliRunner

from app.cli import app as cli
from routing.export import MEDIA_TYPES, export

SCHEMAS = Path(__file__).resolve().parents[2] / "data" / "schemas"
RTZ = "{http://www.cirm.org/RTZ/1/0}"
PLAN: dict[str, Any] = {
    "nation": "IND",
    "platform": "talwar",
    "origin": "in-mumbai-naval-dockyard",
    "destination": "ru-vladivostok-naval-base",
    "departure": "2026-08-01T00:00:00Z",
}
ROUTE = {"origin": "ru-anadyr-port", "destination": "ru-provideniya-port"}
PACIFIC = {
    "origin": "ru-petropavlovsk-kamchatsky-port",
    "destination": "us-pearl-harbor-naval-station",
}
STEM = "relos-plan-in-mumbai-naval-dockyard-ru-vladivostok-naval-base"
FLIGHT: dict[str, Any] = {
    "nation": "IND",
    "platform": "p-8i",
    "origin": "in-arakkonam-ins-rajali",
    "destination": "ru-yelizovo-air-base",
    "allow_clearance": True,
    "denied_countries": ["CHN"],
    "departure": "2026-12-01T00:00:00Z",
}
KML = "{http://www.opengis.net/kml/2.2}"
GEOD = Geod(ellps="WGS84")


def nm(xy: Any) -> float:
    """Length of a lon/lat polyline on the WGS84 ellipsoid, nm."""
    a = np.asarray(xy, dtype=float)
    return float(GEOD.line_length(a[:, 0], a[:, 1])) / 1852.0


def rtz_points(data: bytes) -> np.ndarray:
    pos = etree.fromstring(data).findall(f".//{RTZ}waypoint/{RTZ}position")
    return np.array([(float(p.get("lon")), float(p.get("lat"))) for p in pos])


def test_a_route_as_gpx_inline_or_as_a_download(client: TestClient) -> None:
    r = client.get("/routes", params={**ROUTE, "format": "gpx"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/gpx+xml")
    assert r.headers["content-disposition"] == (
        'inline; filename="relos-route-ru-anadyr-port-ru-provideniya-port.gpx"'
    )
    gpx = gpxpy.parse(r.text)
    names = [w.name for w in gpx.waypoints]
    assert names == ["Port of Anadyr", "Port of Provideniya (Komsomolskaya Bay)"]
    assert all(-180 <= p.longitude <= 180 for p in gpx.routes[0].points)
    down = client.get("/routes", params={**ROUTE, "format": "kml", "download": "true"})
    assert down.headers["content-type"].startswith("application/vnd.google-earth.kml+xml")
    assert down.headers["content-disposition"].startswith('attachment; filename="relos-route-')
    assert down.headers["content-disposition"].endswith('.kml"')
    plain = client.get("/routes", params=ROUTE)
    assert plain.headers["content-type"] == "application/json"
    assert "content-disposition" not in plain.headers


def test_accept_chooses_the_format_unless_format_is_given(client: TestClient) -> None:
    r = client.get("/routes", params=ROUTE, headers={"Accept": "application/gpx+xml"})
    assert r.headers["content-type"].startswith("application/gpx+xml")
    prefer = "application/json;q=0.5, application/vnd.google-earth.kml+xml"
    r = client.get("/routes", params=ROUTE, headers={"Accept": prefer})
    assert r.headers["content-type"].startswith("application/vnd.google-earth.kml+xml")
    r = client.get("/routes", params={**ROUTE, "format": "json"}, headers={"Accept": prefer})
    assert r.headers["content-type"] == "application/json"
    r = client.get("/routes", params=ROUTE, headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.headers["content-type"] == "application/json"


def test_an_unknown_format_is_a_422_naming_format_and_the_choices(client: TestClient) -> None:
    r = client.get("/routes", params={**ROUTE, "format": "shp"})
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["loc"] == ["query", "format"]
    for choice in ("gpx", "kml", "csv", "gpkg", "rtz"):
        assert choice in item["msg"]
    before = client.get("/plans/saved").json()["count"]
    r = client.post("/plans", params={"format": "docx", "save": "true"}, json=PLAN)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "format"]
    assert client.get("/plans/saved").json()["count"] == before, "refused before saving"


def test_an_infeasible_plan_has_no_file(client: TestClient) -> None:
    body = {
        "nation": "IND",
        "platform": "talwar",
        "origin": "in-visakhapatnam-naval-dockyard",
        "destination": "ru-severomorsk-naval-base",
        "departure": "2026-02-01T00:00:00Z",
        "closed": ["suez"],
        "max_stops": 0,
    }
    r = client.post("/plans", params={"format": "gpx"}, json=body)
    assert r.status_code == 422, r.text
    (item,) = r.json()["detail"]
    assert item["loc"] == ["query", "format"] and "infeasible" in item["msg"]


def test_a_saved_plan_exports_as_it_did_live(client: TestClient) -> None:
    live = client.post("/plans", params={"format": "rtz", "download": "true"}, json=PLAN)
    assert live.status_code == 200, live.text
    assert live.headers["content-type"].startswith("application/xml")
    assert live.headers["content-disposition"] == f'attachment; filename="{STEM}.rtz"'
    xmlschema.XMLSchema(SCHEMAS / "rtz-1.0.xsd").validate(io.BytesIO(live.content))
    saved = client.post("/plans", params={"save": "true"}, json=PLAN)
    assert saved.status_code == 200, saved.text
    href = saved.json()["saved"]["href"]
    again = client.get(href, params={"format": "rtz", "download": "true"})
    assert again.status_code == 200
    assert again.headers["content-disposition"] == live.headers["content-disposition"]
    assert again.content == live.content
    gpkg = client.get(href, params={"format": "gpkg"})
    assert gpkg.headers["content-type"] == "application/geopackage+sqlite3"
    assert gpkg.content[:16] == b"SQLite format 3\x00"
    table = client.get(href, params={"format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    assert "Changi" in table.text
    assert client.get(href).json()["result"]["feasible"] is True


def test_the_openapi_document_lists_each_file_type(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, method in (("/routes", "get"), ("/plans", "post"), ("/plans/{plan_id}", "get")):
        op = spec["paths"][path][method]
        content = op["responses"]["200"]["content"]
        assert "$ref" in str(content["application/json"]["schema"])
        for media in (
            "application/gpx+xml",
            "application/vnd.google-earth.kml+xml",
            "text/csv",
            "application/geopackage+sqlite3",
            "application/xml",
        ):
            assert media in content, (path, media)
        params = {p["name"]: p for p in op["parameters"]}
        assert params["format"]["schema"]["anyOf"][0]["enum"] == [
            "json",
            "gpx",
            "kml",
            "csv",
            "gpkg",
            "rtz",
        ]
        assert "download" in params
        simplify = params["simplify_nm"]["schema"]["anyOf"][0]
        assert simplify["type"] == "number" and simplify["minimum"] == 0
    assert spec["paths"]["/routes"]["get"]["operationId"] == "get_route_routes_get"
    assert spec["paths"]["/plans"]["post"]["operationId"] == "create_plan_plans_post"


def test_the_cli_writes_the_file_its_extension_names(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "plan.rtz"
    ran = runner.invoke(
        cli,
        [
            "plan",
            "--nation",
            "IND",
            "--platform",
            "talwar",
            "--from",
            PLAN["origin"],
            "--to",
            PLAN["destination"],
            "--departure",
            "2026-08-01",
            "--json",
            "-o",
            str(out),
        ],
    )
    assert ran.exit_code == 0, ran.output
    xmlschema.XMLSchema(SCHEMAS / "rtz-1.0.xsd").validate(str(out))
    names = [w.get("name") for w in etree.parse(str(out)).iter(f"{RTZ}waypoint")]
    assert names[0].startswith("Naval Dockyard Mumbai") and names[-1].startswith("Vladivostok")
    route_out = tmp_path / "route.gpx"
    ran = runner.invoke(
        cli,
        ["route", "--from", ROUTE["origin"], "--to", ROUTE["destination"], "-o", str(route_out)],
    )
    assert ran.exit_code == 0, ran.output
    assert len(gpxpy.parse(route_out.read_text()).tracks[0].segments) == 2, "cut at 180"


@pytest.mark.parametrize("name", ["plan.shp", "plan"])
def test_the_cli_refuses_an_output_it_cannot_write_before_planning(
    tmp_path: Path, name: str
) -> None:
    ran = CliRunner().invoke(
        cli,
        [
            "route",
            "--from",
            ROUTE["origin"],
            "--to",
            ROUTE["destination"],
            "-o",
            str(tmp_path / name),
        ],
    )
    assert ran.exit_code == 2
    assert "gpx, kml, csv, gpkg, rtz" in ran.output
    assert not (tmp_path / name).exists()


def test_simplify_nm_thins_the_waypoints_or_keeps_them_all(client: TestClient) -> None:
    answer = client.get("/routes", params=PACIFIC)
    assert answer.status_code == 200, answer.text
    track = answer.json()["geometry"]["coordinates"]
    distance = answer.json()["properties"]["distance_nm"]
    thin = client.get("/routes", params={**PACIFIC, "format": "rtz"})
    whole = client.get("/routes", params={**PACIFIC, "format": "rtz", "simplify_nm": "0"})
    coarse = client.get("/routes", params={**PACIFIC, "format": "gpx", "simplify_nm": "2.5"})
    assert thin.status_code == whole.status_code == coarse.status_code == 200
    for r in (thin, whole):
        xmlschema.XMLSchema(SCHEMAS / "rtz-1.0.xsd").validate(io.BytesIO(r.content))
    assert len(rtz_points(whole.content)) == len(track)
    assert len(rtz_points(thin.content)) < len(track) / 4
    for xy in (rtz_points(thin.content), rtz_points(whole.content)):
        assert nm(xy) == pytest.approx(distance, rel=1.5e-3)
    points = gpxpy.parse(coarse.text).routes[0].points
    assert len(points) <= len(rtz_points(thin.content))
    assert thin.content == export(answer.json(), "rtz"), "the same file as from Python"


@pytest.mark.parametrize("bad", ["-1", "nan", "NaN", "inf", "21", "a mile", ""])
def test_a_bad_simplify_nm_is_a_422_naming_it_before_anything_is_saved(
    client: TestClient, bad: str
) -> None:
    r = client.get("/routes", params={**ROUTE, "format": "gpx", "simplify_nm": bad})
    assert r.status_code == 422, r.text
    (item,) = r.json()["detail"]
    assert item["loc"] == ["query", "simplify_nm"]
    assert "simplify_nm" in item["msg"]
    if bad != "-1":
        return
    before = client.get("/plans/saved").json()["count"]
    r = client.post(
        "/plans", params={"format": "rtz", "save": "true", "simplify_nm": bad}, json=PLAN
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "simplify_nm"]
    assert client.get("/plans/saved").json()["count"] == before, "refused before saving"


def test_a_flight_plan_exports_as_gpx_and_kml_and_its_rtz_is_a_422(client: TestClient) -> None:
    live = client.post("/plans", params={"format": "gpx", "save": "true"}, json=FLIGHT)
    assert live.status_code == 200, live.text
    (newest,) = client.get("/plans/saved", params={"limit": 1}).json()["plans"]
    plan_id = newest["id"]
    answer = client.get(f"/plans/{plan_id}").json()["result"]
    assert answer["platform"]["domain"] == "air" and answer["feasible"]
    names = [
        answer["origin"]["name"],
        *(s["name"] for s in answer["stops"]),
        answer["destination"]["name"],
    ]
    # GPX (gpxpy): the calls, the route through every vertex of every leg, as long as the plan
    gpx = gpxpy.parse(live.text)
    assert [w.name for w in gpx.waypoints] == names
    assert gpx.waypoints[0].type == "origin"
    (route,) = gpx.routes
    xy = np.array([(p.longitude, p.latitude) for p in route.points])
    vertices = [c for leg in answer["legs"] for c in leg["geometry"]["coordinates"]]
    assert len(xy) == len(vertices) - (len(answer["legs"]) - 1), "a flight is not thinned"
    assert nm(xy) == pytest.approx(answer["totals"]["distance_nm"], rel=5e-4)
    assert [p.name for p in route.points if p.type] == names
    again = client.get(f"/plans/{plan_id}", params={"format": "gpx", "simplify_nm": "5"})
    assert again.content == live.content, "simplify_nm leaves a flight whole"
    # KML (lxml): a line per leg, each as long as the leg; the calls as points
    kml = client.get(f"/plans/{plan_id}", params={"format": "kml"})
    assert kml.status_code == 200
    root = etree.fromstring(kml.content)
    marks = root.findall(f".//{KML}Placemark")
    lines = [m for m in marks if m.find(f".//{KML}LineString") is not None]
    assert len(lines) == len(answer["legs"])
    for mark, leg in zip(lines, answer["legs"], strict=True):
        text = mark.findtext(f".//{KML}coordinates")
        assert text is not None
        line = np.array([[float(v) for v in p.split(",")] for p in text.split()])
        assert nm(line) == pytest.approx(leg["distance_nm"], rel=5e-4)
    assert [m.findtext(f"{KML}name") for m in marks if m.find(f"{KML}Point") is not None] == names
    # RTZ is a ship's format
    rtz = client.get(f"/plans/{plan_id}", params={"format": "rtz"})
    assert rtz.status_code == 422
    (item,) = rtz.json()["detail"]
    assert item["loc"] == ["query", "format"] and "RTZ" in item["msg"]


def test_an_air_route_exports_as_gpx_and_kml_over_http(client: TestClient) -> None:
    params = {
        "origin": "in-hindon-afs",
        "destination": "ru-levashovo-air-base",
        "date": "2026-12-01",
    }
    r = client.get("/air-routes", params=params)
    assert r.status_code == 200, r.text
    feature = r.json()
    props = feature["properties"]
    asked = client.get("/air-routes", params={**params, "format": "gpx", "download": "true"})
    assert asked.status_code == 200, asked.text
    assert asked.headers["content-disposition"].startswith("attachment;")
    assert asked.content == export(feature, "gpx")
    gpx = gpxpy.parse(asked.text)
    assert [w.name for w in gpx.waypoints] == [
        props["origin"]["name"],
        props["destination"]["name"],
    ]
    xy = np.array([(p.longitude, p.latitude) for p in gpx.routes[0].points])
    assert len(xy) == len(feature["geometry"]["coordinates"])
    assert nm(xy) == pytest.approx(props["distance_nm"], rel=5e-4)
    kml = client.get("/air-routes", params=params, headers={"Accept": MEDIA_TYPES["kml"]})
    assert kml.status_code == 200
    assert len(etree.fromstring(kml.content).findall(f".//{KML}LineString")) >= 1
    rtz = client.get("/air-routes", params={**params, "format": "rtz"})
    assert rtz.status_code == 422
    assert rtz.json()["detail"][0]["loc"] == ["query", "format"]


def test_the_cli_thins_unless_told_not_to_and_refuses_a_bad_tolerance(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["route", "--from", PACIFIC["origin"], "--to", PACIFIC["destination"]]
    counts = {}
    for tolerance in ("1", "0"):
        out = tmp_path / f"route-{tolerance}.rtz"
        ran = runner.invoke(cli, [*base, "-o", str(out), "--simplify-nm", tolerance])
        assert ran.exit_code == 0, ran.output
        counts[tolerance] = len(rtz_points(out.read_bytes()))
    default = tmp_path / "route.rtz"
    assert runner.invoke(cli, [*base, "-o", str(default)]).exit_code == 0
    assert len(rtz_points(default.read_bytes())) == counts["1"] < counts["0"] / 4
    for bad in ("-1", "nan"):
        out = tmp_path / "bad.rtz"
        ran = runner.invoke(cli, [*base, "-o", str(out), "--simplify-nm", bad])
        assert ran.exit_code == 2, ran.output
        assert "simplify-nm" in ran.output
        assert not out.exists()
