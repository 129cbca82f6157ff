"""Names where ids are, over HTTP: a planner's "Severomorsk", "Port Blair", "Suez Canal",
"India" are taken where ids are and answered with ids; an ambiguous name is a 422
listing the candidates, an unknown one a 4xx with "did you mean", naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

AUGUST = "2026-08-01T00:00:00Z"


def _error(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    (item,) = resp.json()["detail"]
    return dict(item)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/facilities/Severomorsk%20Naval%20Base", "ru-severomorsk-naval-base"),
        ("/facilities/vizag%20port", "in-visakhapatnam-port"),
        ("/facilities/Camp%20Lemonnier", "dj-djibouti-ambouli-airbase"),
        ("/agreements/LEMOA", "lemoa"),
        ("/agreements/India-Japan", "india-japan"),
        ("/platforms/Talwar-class%20frigate", "talwar"),
    ],
)
def test_records_by_name(client: TestClient, path: str, expected: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200, resp.text
    assert resp.json()["id"] == expected


@pytest.mark.parametrize(
    ("path", "status", "loc", "words"),
    [
        ("/facilities/Vladivostock", 404, ["path", "id"], ["did you mean", "ru-vladivostok-port"]),
        (
            "/facilities/Vladivostok",
            422,
            ["path", "id"],
            ["ru-vladivostok-naval-base", "ru-vladivostok-port", "ru-knevichi-air-base"],
        ),
        ("/agreements/lemao", 404, ["path", "id"], ["did you mean lemoa"]),
        ("/access?nation=Inida", 422, ["query", "nation"], ["did you mean IND"]),
        ("/access?nation=Korea", 422, ["query", "nation"], ["KOR", "PRK"]),
        ("/facilities?usable_by=Rusia&date=2026-06-01", 422, ["query", "usable_by"], ["RUS"]),
        (
            "/access?nation=IND&dropped_agreements=lemao",
            404,
            ["query", "dropped_agreements"],
            ["did you mean lemoa"],
        ),
        (
            "/routes?origin=Severomorsk&destination=Port%20Blair&closed=Sues",
            422,
            ["query", "closed"],
            ["did you mean suez"],
        ),
        (
            "/routes?origin=Vizag&destination=Port%20Blair",
            422,
            ["query", "origin"],
            ["in-visakhapatnam-naval-dockyard", "in-visakhapatnam-port"],
        ),
    ],
)
def test_unknown_and_ambiguous_names_over_http(
    client: TestClient, path: str, status: int, loc: list[str], words: list[str]
) -> None:
    item = _error(client.get(path), status)
    assert item["loc"] == loc
    for word in words:
        assert word in item["msg"]
    assert item["candidates"], item  # the ids a client can offer in a picker


def test_access_takes_names(client: TestClient) -> None:
    by_name = client.get(
        "/access",
        params={
            "nation": "India",
            "date": "2026-06-01",
            "dropped_agreements": "LEMOA",
            "closed_facilities": "Changi Naval Base",
        },
    )
    by_id = client.get(
        "/access",
        params={
            "nation": "IND",
            "date": "2026-06-01",
            "dropped_agreements": "lemoa",
            "closed_facilities": "sg-changi-naval-base",
        },
    )
    assert by_name.status_code == 200, by_name.text
    assert by_name.json() == by_id.json()
    assert "lemoa" not in by_name.json()["agreements_in_force"]


def test_route_by_names(client: TestClient) -> None:
    resp = client.get(
        "/routes",
        params={
            "origin": "Severomorsk",
            "destination": "Port Blair",
            "closed": "Suez Canal",
            "date": "2026-08-01",
        },
    )
    assert resp.status_code == 200, resp.text
    props = resp.json()["properties"]
    assert props["origin"]["id"] == "ru-severomorsk-naval-base"
    assert props["destination"]["id"] == "in-port-blair-naval-base"
    assert "suez" not in props["passages"]


def test_plan_by_names_with_avoid_dwell_and_ice_class(client: TestClient) -> None:
    body = {
        "nation": "India",
        "platform": "Talwar-class frigate",
        "origin": "Bombay Dockyard",
        "destination": "Vladivostok Naval Base",
        "departure": AUGUST,
        "avoid": ["Changi Naval Base", "Taiwan Strait"],
        "dwell_h": 6,
        "ice_class": "Arc4",
    }
    resp = client.post("/plans", json=body)
    assert resp.status_code == 200, resp.text
    plan = resp.json()
    assert plan["feasible"], plan["reason"]
    assert (plan["nation"], plan["origin"]["id"], plan["destination"]["id"]) == (
        "IND",
        "in-mumbai-naval-dockyard",
        "ru-vladivostok-naval-base",
    )
    assert "sg-changi-naval-base" not in [s["facility_id"] for s in plan["stops"]]
    assert "taiwan" not in plan["passages"]
    assert "taiwan" in plan["closed"]
    for stop in plan["stops"]:  # six hours at each stop, as asked
        assert stop["departure"] > stop["arrival"]


def test_impact_by_names(client: TestClient) -> None:
    body = {
        "nation": "India",
        "platform": "Talwar-class frigate",
        "agreements": ["LEMOA"],
        "origins": ["Bombay Dockyard"],
        "departure": AUGUST,
        "max_stops": 0,
    }
    resp = client.post("/impact", json=body)
    assert resp.status_code == 200, resp.text
    (row,) = resp.json()["agreements"]
    assert row["agreement"] == "lemoa" and "dj-djibouti-port" in row["stops_provided"]


@pytest.mark.parametrize(
    ("changes", "status", "loc", "words"),
    [
        ({"destination": "Vladivostok"}, 422, ["body", "destination"], ["ru-vladivostok-port"]),
        ({"origin": "Bombay Dockyrd"}, 404, ["body", "origin"], ["in-mumbai-naval-dockyard"]),
        ({"platform": "Talwr"}, 404, ["body", "platform"], ["did you mean talwar"]),
        ({"avoid": ["Sues"]}, 422, ["body", "avoid.0"], ["did you mean suez"]),
        ({"avoid": ["suez", "Vizag"]}, 422, ["body", "avoid.1"], ["in-visakhapatnam-port"]),
        ({"waypoints": ["Port Blare"]}, 404, ["body", "waypoints.0"], ["port-blair"]),
        ({"closed": ["Suez Canal", "Panam"]}, 422, ["body", "closed"], ["did you mean panama"]),
        ({"dropped_agreements": ["Relso"]}, 404, ["body", "dropped_agreements"], ["relos"]),
        ({"denied_countries": ["Pakistn"]}, 422, ["body", "denied_countries.0"], ["PAK"]),
    ],
)
def test_bad_names_in_a_plan_name_the_field(
    client: TestClient, changes: dict[str, Any], status: int, loc: list[str], words: list[str]
) -> None:
    body = {
        "nation": "IND",
        "platform": "talwar",
        "origin": "in-mumbai-naval-dockyard",
        "destination": "ru-vladivostok-naval-base",
        "departure": AUGUST,
        **changes,
    }
    item = _error(client.post("/plans", json=body), status)
    assert item["loc"] == loc
    for word in words:
        assert word in item["msg"]


def test_a_saved_scenario_keeps_ids(client: TestClient) -> None:
    body = {
        "name": "names become ids",
        "closed": ["Suez Canal", "Red Sea"],
        "closed_facilities": ["Changi Naval Base"],
        "dropped_agreements": ["LEMOA"],
        "denied_countries": ["Pakistan"],
    }
    resp = client.post("/scenarios", json=body)
    assert resp.status_code == 201, resp.text
    saved = resp.json()
    assert saved["closed"] == ["suez", "red-sea"]
    assert saved["closed_facilities"] == ["sg-changi-naval-base"]
    assert saved["dropped_agreements"] == ["lemoa"]
    assert saved["denied_countries"] == ["PAK"]
    item = _error(client.post("/scenarios", json={**body, "name": "x", "closed": ["Sues"]}), 422)
    assert item["loc"] == ["body", "closed"] and "did you mean suez" in item["msg"]
