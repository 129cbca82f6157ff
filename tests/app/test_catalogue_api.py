"""The catalogue API through HTTP: every endpoint, every filter, the bad inputs."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from routing.catalogue.model import Catalogue
from routing.geo import LonLat, geodesic_nm

RELOS_DAY = "2026-06-01"


def _ids(body: dict[str, Any]) -> set[str]:
    return {f["id"] for f in body["features"]}


def _error(resp: Any, status: int, field: str) -> str:
    assert resp.status_code == status, resp.text
    detail = resp.json()["detail"]
    assert any(field in [str(p) for p in item["loc"]] for item in detail), detail
    return " ".join(item["msg"] for item in detail)


def test_health_reports_loaded_data(client: TestClient, catalogue: Catalogue) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["facilities"] == len(catalogue)
    assert body["catalogue_version"] == catalogue.version()
    assert body["graph_version"]
    assert body["ports_not_connected"] == ["ru-kaspiysk-naval-base"], "only the Caspian base"


def test_facilities_returns_the_whole_catalogue(client: TestClient, catalogue: Catalogue) -> None:
    body = client.get("/facilities").json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == len(catalogue) >= 80
    assert _ids(body) == set(catalogue.facilities)
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Point"
    for key in ("name", "country", "kind", "services", "sources", "position_source", "region"):
        assert key in feature["properties"]


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("country=RUS", lambda p: p["country"] == "RUS"),
        ("country=IND,FRA", lambda p: p["country"] in {"IND", "FRA"}),
        ("kind=airbase", lambda p: p["kind"] == "airbase"),
        ("service=repairs", lambda p: "repairs" in p["services"]),
        (
            "country=RUS&kind=naval_base",
            lambda p: (p["country"], p["kind"]) == ("RUS", "naval_base"),
        ),
    ],
)
def test_attribute_filters(
    client: TestClient, catalogue: Catalogue, query: str, check: Any
) -> None:
    body = client.get(f"/facilities?{query}").json()
    assert body["numberMatched"] > 0
    assert all(check(f["properties"]) for f in body["features"])
    expected = {
        f.id for f in catalogue if check(f.model_dump(mode="json", exclude={"id", "lon", "lat"}))
    }
    assert _ids(body) == expected


def test_bbox_filter_keeps_only_points_inside(client: TestClient) -> None:
    body = client.get("/facilities?bbox=60,0,100,30").json()
    assert body["numberMatched"] > 10
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 60 <= lon <= 100 and 0 <= lat <= 30
    assert "in-mumbai-naval-dockyard" in _ids(body)


def test_bbox_across_the_antimeridian(client: TestClient, catalogue: Catalogue) -> None:
    body = client.get("/facilities?bbox=170,40,-170,70").json()
    expected = {f.id for f in catalogue if (f.lon >= 170 or f.lon <= -170) and 40 <= f.lat <= 70}
    assert _ids(body) == expected


def test_near_sorts_by_distance_and_radius_cuts(client: TestClient, catalogue: Catalogue) -> None:
    mumbai = catalogue.facility("in-mumbai-naval-dockyard")
    body = client.get(f"/facilities?near={mumbai.lon},{mumbai.lat}&radius_nm=400").json()
    dists = [f["properties"]["distance_nm"] for f in body["features"]]
    assert dists == sorted(dists) and dists[0] < 1
    assert body["features"][0]["id"] in {"in-mumbai-naval-dockyard", "in-jnpt-port"}
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert geodesic_nm(mumbai.point, LonLat(lon, lat)) <= 402
    inside = {f.id for f in catalogue if geodesic_nm(mumbai.point, f.point) <= 398}
    assert inside <= _ids(body)


def test_paging_walks_the_catalogue(client: TestClient, catalogue: Catalogue) -> None:
    seen: list[str] = []
    url = "/facilities?limit=25"
    while url:
        body = client.get(url).json()
        assert body["numberReturned"] <= 25
        seen += [f["id"] for f in body["features"]]
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        url = nxt[0] if nxt else ""
    assert seen == list(catalogue.facilities)


def test_usable_by_india_includes_own_and_relos_ports(client: TestClient) -> None:
    body = client.get(f"/facilities?usable_by=IND&date={RELOS_DAY}").json()
    ids = _ids(body)
    by_id = {f["id"]: f["properties"] for f in body["features"]}
    assert "in-mumbai-naval-dockyard" in ids
    assert by_id["in-mumbai-naval-dockyard"]["access"]["basis"] == "own"
    russian = [p for p in by_id.values() if p["country"] == "RUS"]
    assert russian and all("relos" in p["access"]["agreements"] for p in russian)


def test_usable_by_before_relos_excludes_russia(client: TestClient) -> None:
    body = client.get("/facilities?usable_by=IND&date=2024-06-01").json()
    assert body["numberMatched"] > 0
    assert not [f for f in body["features"] if f["properties"]["country"] == "RUS"]


def test_agreement_filter(client: TestClient) -> None:
    body = client.get("/facilities?agreement=relos").json()
    countries = {f["properties"]["country"] for f in body["features"]}
    assert "RUS" in countries and "IND" in countries
    assert "USA" not in countries and "FRA" not in countries
    to_india = client.get(f"/facilities?agreement=relos&usable_by=IND&date={RELOS_DAY}").json()
    assert to_india["features"]
    for f in to_india["features"]:
        assert "RUS" in [f["properties"]["country"], *f["properties"]["operated_by"]]


def test_get_facility(client: TestClient) -> None:
    body = client.get("/facilities/in-mumbai-naval-dockyard").json()
    assert body["id"] == "in-mumbai-naval-dockyard"
    assert body["properties"]["country"] == "IND"
    assert "relos" in body["properties"]["opened_by_agreements"]


def test_agreements_list_and_get(client: TestClient) -> None:
    body = client.get("/agreements").json()
    ids = {a["id"] for a in body["agreements"]}
    assert {"relos", "lemoa"} <= ids and body["count"] == len(ids) >= 10
    relos = client.get("/agreements/relos").json()
    assert relos["parties"] == ["IND", "RUS"] or set(relos["parties"]) == {"IND", "RUS"}
    assert relos["limits"]["max_warships"] == 5
    assert relos["limits"]["max_aircraft"] == 10
    assert relos["limits"]["max_personnel"] == 3000
    assert relos["facility_count"] >= 40
    only_rus = client.get("/agreements?party=RUS").json()
    assert {a["id"] for a in only_rus["agreements"]} == {"relos"}
    old = client.get("/agreements?in_force_on=2017-01-01").json()
    assert "lemoa" in {a["id"] for a in old["agreements"]}
    assert "relos" not in {a["id"] for a in old["agreements"]}


def test_access_names_the_agreement(client: TestClient) -> None:
    body = client.get(f"/access?nation=IND&date={RELOS_DAY}&service=fuel").json()
    assert body["nation"] == "IND" and body["date"] == RELOS_DAY
    assert "relos" in body["agreements_in_force"]
    for item in body["facilities"]:
        assert "fuel" in item["services"]
        if item["basis"] == "own":
            assert item["country"] == "IND" and item["agreement"] is None
        else:
            assert item["agreement"] in body["agreements_in_force"]
    assert any(i["agreement"] == "relos" for i in body["facilities"])
    assert any(i["agreement"] == "lemoa" for i in body["facilities"])


def test_access_for_russia_opens_indian_ports(client: TestClient) -> None:
    body = client.get(f"/access?nation=RUS&date={RELOS_DAY}&kind=port").json()
    indian = [i for i in body["facilities"] if i["country"] == "IND"]
    assert indian and all(i["agreement"] == "relos" for i in indian)
    assert not [i for i in body["facilities"] if i["country"] == "USA"]


def test_access_scenario_drops_agreement(client: TestClient) -> None:
    base = client.get(f"/access?nation=IND&date={RELOS_DAY}").json()
    dropped = client.get(f"/access?nation=IND&date={RELOS_DAY}&dropped_agreements=relos").json()
    assert dropped["count"] < base["count"]
    assert not [i for i in dropped["facilities"] if "relos" in i["agreements"]]
    again = client.get(f"/access?nation=IND&date={RELOS_DAY}").json()
    assert again["count"] == base["count"], "a scenario must not mutate shared state"


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/facilities/no-such-place", 404, "id"),
        ("/agreements/no-such-pact", 404, "id"),
        ("/facilities?country=XXX", 422, "country"),
        ("/facilities?country=atlantis", 422, "country"),  # neither a code nor a name
        ("/facilities?usable_by=ZZZ", 422, "usable_by"),
        ("/facilities?near=10,91", 422, "near"),
        ("/facilities?near=200,10", 422, "near"),
        ("/facilities?near=abc", 422, "near"),
        ("/facilities?bbox=10,10,20,10", 422, "bbox"),
        ("/facilities?bbox=10,10,10,20", 422, "bbox"),
        ("/facilities?bbox=1,2,3", 422, "bbox"),
        ("/facilities?service=teleport", 422, "service"),
        ("/facilities?kind=spaceport", 422, "kind"),
        ("/facilities?agreement=nope", 404, "agreement"),
        ("/facilities?radius_nm=100", 422, "radius_nm"),
        ("/facilities?near=72,18&radius_nm=-5", 422, "radius_nm"),
        ("/facilities?date=2026-06-01", 422, "date"),
        ("/facilities?usable_by=IND&date=2026-13-01", 422, "date"),
        ("/facilities?limit=0", 422, "limit"),
        ("/facilities?limit=100000", 422, "limit"),
        ("/access?nation=XX", 422, "nation"),
        ("/access", 422, "nation"),
        ("/access?nation=IND&service=teleport", 422, "service"),
        ("/access?nation=IND&dropped_agreements=nope", 404, "dropped_agreements"),
        ("/access?nation=IND&closed_facilities=nowhere", 404, "closed_facilities"),
        ("/agreements?party=QQQ", 422, "party"),
    ],
)
def test_bad_input_names_the_field(client: TestClient, url: str, status: int, field: str) -> None:
    message = _error(client.get(url), status, field)
    assert message


def test_openapi_documents_examples_on_every_parameter(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for op in ops.values():
            for param in op.get("parameters", []):
                assert param.get("description"), (path, param["name"])
                assert param.get("examples") or param["schema"].get("examples"), (
                    path,
                    param["name"],
                )
