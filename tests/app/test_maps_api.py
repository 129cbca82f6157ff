"""The map endpoints through HTTP: HTML pages, the same filters and errors as their JSON twins,
and the offline assets they load."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.routers.maps import mount_static
from routing.catalogue.model import Catalogue

RELOS_DAY = "2026-06-01"
SCRIPTS = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"(/static/[^\"]+)\"")
PLAN_BODY: dict[str, Any] = {
    "nation": "IND",
    "platform": "talwar",
    "origin": "in-mumbai-naval-dockyard",
    "destination": "ru-vladivostok-naval-base",
    "departure": "2026-08-01T00:00:00Z",
    "closed": ["suez"],
}


@pytest.fixture(scope="module")
def api(client: TestClient) -> TestClient:
    """The real app's client."""
    return client


def _html(resp: Any) -> str:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/html")
    text: str = resp.text
    return text


def _error_fields(resp: Any, status: int) -> list[str]:
    assert resp.status_code == status, resp.text
    return [str(p) for item in resp.json()["detail"] for p in item["loc"]]


def test_catalogue_map_is_a_page_whose_assets_the_app_serves(api: TestClient) -> None:
    page = _html(api.get("/maps/catalogue"))
    assets = SCRIPTS.findall(page)
    assert "/static/leaflet/leaflet.js" in assets
    assert "/static/leaflet-markercluster/leaflet.markercluster.js" in assets
    assert "/static/basemap/land.js" in assets
    for url in assets:
        resp = api.get(url)
        assert resp.status_code == 200, url
        kind = "javascript" if url.endswith(".js") else "css"
        assert kind in resp.headers["content-type"], url
    assert "https://cdn" not in page


def test_catalogue_map_takes_the_facilities_filters(api: TestClient, catalogue: Catalogue) -> None:
    query = f"usable_by=IND&date={RELOS_DAY}&kind=naval_base"
    answer = api.get(f"/facilities?{query}").json()
    page = _html(api.get(f"/maps/catalogue?{query}"))
    assert f"<title>{answer['numberMatched']} facilities usable by IND on {RELOS_DAY}" in page
    for feature in answer["features"]:
        assert f'"id": "{feature["id"]}"' in page
    others = {f.id for f in catalogue if f.kind != "naval_base"}
    assert not [fid for fid in others if f'"id": "{fid}"' in page]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("country=XX", "country"),
        ("date=2026-06-01", "date"),
        ("bbox=1,2,3", "bbox"),
        ("agreement=nope", "agreement"),
        ("usable_by=ZZZ", "usable_by"),
        ("kind=castle", "kind"),
        ("tiles=google", "tiles"),
    ],
)
def test_catalogue_map_rejects_what_facilities_rejects(
    api: TestClient, query: str, field: str
) -> None:
    map_status = api.get(f"/maps/catalogue?{query}")
    assert field in _error_fields(map_status, 422 if field != "agreement" else 404)
    if field != "tiles":
        assert api.get(f"/facilities?{query}").status_code == map_status.status_code


def test_online_tiles_only_with_tiles_osm(api: TestClient) -> None:
    assert "tile.openstreetmap.org" not in _html(api.get("/maps/catalogue?country=OMN"))
    assert "tile.openstreetmap.org" in _html(api.get("/maps/catalogue?country=OMN&tiles=osm"))


def test_static_assets_are_served_and_nothing_else(api: TestClient) -> None:
    png = api.get("/static/leaflet/images/layers.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    land = api.get("/static/basemap/land.js")
    assert land.status_code == 200 and land.text.startswith("var RELOS_LAND = {")
    assert "max-age" in land.headers["cache-control"]
    # mounted once, however often asked (each app's maps router mounts it)
    app = api.app
    assert isinstance(app, FastAPI)
    mount_static(app)
    assert [getattr(r, "name", None) for r in app.router.routes].count("maps_static_asset") == 1
    for path in (
        "/static/leaflet/../../../pyproject.toml",
        "/static/relos/%2e%2e/assets.py",
        "/static/leaflet/nothing.js",
        "/static/secrets/leaflet.js",
    ):
        assert api.get(path).status_code == 404, path


def test_route_map_takes_the_routes_parameters(api: TestClient) -> None:
    query = "origin=in-mumbai-naval-dockyard&destination=ru-vladivostok-naval-base&closed=suez"
    route = api.get(f"/routes?{query}").json()
    page = _html(api.get(f"/maps/route?{query}"))
    assert f"{route['properties']['distance_nm']:,.0f} nm" in page
    assert "Suez Canal" in page
    assert (
        api.get("/maps/route?origin=nowhere&destination=ru-vladivostok-naval-base").status_code
        == 404
    )


def test_plan_map_takes_the_plans_body(api: TestClient) -> None:
    plan = api.post("/plans", json=PLAN_BODY).json()
    page = _html(api.post("/maps/plan", json=PLAN_BODY))
    for stop in plan["stops"]:
        assert stop["facility_id"] in page
    assert "usable range" in page
    bad = api.post("/maps/plan", json={**PLAN_BODY, "reserve": 2})
    assert "reserve" in _error_fields(bad, 422)


#: The request a map answered to a POST carries for its Save button.
REQUEST_BLOCK = re.compile(
    r'<script type="application/json" id="relos-request">(.*?)</script>', re.S
)


def _posted_request(page: str) -> dict[str, Any] | None:
    found = REQUEST_BLOCK.findall(page)
    assert len(found) <= 1
    return json.loads(found[0]) if found else None


def test_a_posted_map_carries_its_request_for_save_but_not_save_itself(api: TestClient) -> None:
    """The page answered to a POST carries the body as it came and the query to post it
    again with: the page's own, with ``download=true`` and without ``save``."""
    text = json.dumps(PLAN_BODY, indent=1)  # as the client wrote it, spaces and all
    saved = api.get("/plans/saved").json()["count"]
    resp = api.post(
        "/maps/plan?tiles=offline&save=true",
        content=text,
        headers={"Content-Type": "application/json"},
    )
    page = _html(resp)
    assert api.get("/plans/saved").json()["count"] == saved + 1
    request = _posted_request(page)
    assert request == {"method": "POST", "query": "tiles=offline&download=true", "body": text}
    # the data block is JSON, never run, and lies in the head, before the map's scripts
    assert page.index('id="relos-request"') < page.index("</head>")
    # the same request again, as Save sends it: the file, and no second saved plan
    again = api.post(
        f"/maps/plan?{request['query']}",
        content=request["body"],
        headers={"Content-Type": "application/json"},
    )
    assert again.status_code == 200, again.text
    assert again.headers["content-disposition"] == (
        'attachment; filename="relos-plan-in-mumbai-naval-dockyard-ru-vladivostok-naval-base.html"'
    )
    assert _posted_request(again.text) is None  # the file is the one to keep
    assert not SCRIPTS.findall(again.text)  # one standalone file
    assert api.get("/plans/saved").json()["count"] == saved + 1


def test_every_posted_map_carries_its_request_and_get_maps_do_not(api: TestClient) -> None:
    body = {
        "plan": {**PLAN_BODY, "closed": []},
        "scenarios": [{"name": "Suez shut </script>", "closed": ["suez"]}],
    }
    page = _html(api.post("/maps/compare", json=body))
    request = _posted_request(page)
    assert request is not None and json.loads(request["body"]) == body
    assert request["query"] == "download=true"
    assert "Suez shut </script>" not in page.split("</head>")[0]  # escaped in the block
    query = "origin=in-mumbai-naval-dockyard&destination=om-duqm-port"
    assert _posted_request(_html(api.get(f"/maps/route?{query}"))) is None
    assert _posted_request(_html(api.get("/maps/catalogue?country=OMN"))) is None


def test_map_endpoints_are_documented(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    catalogue = paths["/maps/catalogue"]["get"]
    names = {p["name"] for p in catalogue["parameters"]}
    assert {"country", "kind", "usable_by", "date", "bbox", "near", "tiles"} <= names
    assert "text/html" in catalogue["responses"]["200"]["content"]
    assert "post" in paths["/maps/plan"]
    assert {"origin", "destination", "closed"} <= {
        p["name"] for p in paths["/maps/route"]["get"]["parameters"]
    }
