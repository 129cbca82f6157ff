"""Exports over HTTP and from the CLI: the file, its media type and name, the errors.

Through the real app: ``GET /routes``, ``POST /plans`` and a saved plan's
``GET /plans/{id}`` with ``format=`` (or ``Accept``) answer the file, inline or, with
``download=true``, as an attachment; a saved plan exports exactly as it did live; an
unknown format or an infeasible plan is a 422 naming ``format``. ``relos plan`` and
``relos route`` write the file ``-o`` names, in the format of its extension.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import gpxpy
import pytest
import xmlschema
from fastapi.testclient import TestClient
from lxml import etree
from typer.testing import CliRunner

from app.cli import app as cli

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
STEM = "relos-plan-in-mumbai-naval-dockyard-ru-vladivostok-naval-base"


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
