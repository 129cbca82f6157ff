"""``POST /reach`` and ``POST /maps/reach`` through the real app."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.app.checks import assert_names_field

BODY: dict[str, Any] = {
    "nation": "IND",
    "platform": "talwar",
    "departure": "2027-07-01T00:00:00Z",
    "max_stops": 1,
    "frontier": "none",
}


@pytest.fixture(scope="module")
def russia_in_the_indian_ocean(client: TestClient) -> dict[str, Any]:
    body = {
        "nation": "RUS",
        "platform": "udaloy",
        "origins": ["ru-vladivostok-naval-base"],
        "departure": "2027-07-01T00:00:00Z",
        "max_stops": 2,
        "frontier": "none",
    }
    with_relos = client.post("/reach", json=body)
    without = client.post("/reach", json={**body, "dropped_agreements": ["relos"]})
    assert with_relos.status_code == 200, with_relos.text
    assert without.status_code == 200, without.text
    return {"with": with_relos.json(), "without": without.json()}


def test_what_relos_gives_russian_ships_in_the_indian_ocean(
    russia_in_the_indian_ocean: dict[str, Any],
) -> None:
    got, lost = russia_in_the_indian_ocean["with"], russia_in_the_indian_ocean["without"]
    indian = [f for f in got["facilities"] if f["country"] == "IND"]
    assert indian and all(f["agreements"] == ["relos"] for f in indian)
    assert all(f["via"][0] == "ru-vladivostok-naval-base" for f in indian)
    assert not [f for f in lost["facilities"] if f["country"] == "IND"]
    refused = {r["id"]: r["reason"] for r in lost["refused"]}
    assert all("relos" in refused[f["id"]] for f in indian if f["id"] in refused)
    assert got["area_km2"] >= lost["area_km2"]
    assert "relos" in got["agreements_used"] and "relos" not in lost["agreements_used"]


def test_the_answer_has_the_documented_fields(client: TestClient) -> None:
    r = client.post("/reach", json={**BODY, "frontier": "stops"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert [b["stops"] for b in out["by_stops"]] == [0, 1]
    assert out["by_stops"][-1]["area_km2"] == out["area_km2"] > 0
    assert 0 < out["lane_share"] <= 1
    assert out["facilities"] and out["versions"]["graph"]
    first = out["facilities"][0]
    assert {"id", "stops", "days", "via", "basis", "agreements", "resupply"} <= set(first)
    assert out["frontier"]["type"] == "FeatureCollection"
    assert {f["geometry"]["type"] for f in out["frontier"]["features"]} == {"MultiPolygon"}
    schema = client.get("/openapi.json").json()
    assert "ReachResult" in schema["components"]["schemas"]


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"platform": "su-30mki"}, "platform", 422),
        ({"days": 0}, "days", 422),
        ({"max_stops": 13}, "max_stops", 422),
        ({"origins": ["in-mumbai-naval-dockyrd"]}, "origins.0", 404),
        ({"nation": "XXX"}, "nation", 422),
        ({"scenario": 999_999}, "scenario", 422),
        ({"closed": ["suezz"]}, "closed", 422),
        ({"frontier": "hexes"}, "frontier", 422),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(
    client: TestClient, change: dict[str, Any], field: str, status: int
) -> None:
    assert_names_field(client.post("/reach", json={**BODY, **change}), status, field)


def test_the_reach_map_downloads_as_one_file(client: TestClient) -> None:
    r = client.post("/maps/reach?download=true", json={**BODY, "frontier": "days"})
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    assert "relos-reach" in r.text and 'src="/static' not in r.text
    none = client.post("/maps/reach", json=BODY)
    assert none.status_code == 422 and "frontier" in none.text
