"""What-ifs through HTTP: compare under saved and inline scenarios, criticality, saved plans."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

PLAN = {
    "nation": "IND",
    "platform": "talwar",
    "origin": "in-visakhapatnam-naval-dockyard",
    "destination": "ru-severomorsk-naval-base",
    "departure": "2026-08-01T00:00:00Z",
}


def _compare(client: TestClient, **body: Any) -> dict[str, Any]:
    resp = client.post("/compare", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_compare_with_a_saved_and_an_inline_scenario(client: TestClient) -> None:
    saved = client.post(
        "/scenarios",
        json={"name": "Red Sea shut (compare test)", "closed": ["suez", "bab-el-mandeb"]},
    )
    assert saved.status_code == 201, saved.text
    inline = {"name": "winter", "date": "2027-02-01"}
    body = _compare(client, plan=PLAN, scenarios=[saved.json()["id"], inline])
    names = [r["scenario"] for r in body["results"]]
    assert names == ["baseline", "Red Sea shut (compare test)", "winter"]
    base, red_sea, winter = body["results"]
    assert base["delta"] == {"distance_nm": 0, "duration_h": 0, "days": 0, "stops": 0}
    for row in body["results"]:
        assert set(row) >= {"scenario", "feasible", "reason", "totals", "delta", "passages"}
    assert "suez" in base["passages"]
    assert "suez" not in red_sea["passages"]
    if red_sea["feasible"]:
        assert red_sea["delta"]["distance_nm"] == pytest.approx(
            red_sea["totals"]["distance_nm"] - base["totals"]["distance_nm"], abs=0.2
        )
        assert red_sea["plan"]["stops"] and red_sea["stops_used"] != base["stops_used"]
    else:
        assert red_sea["reason"] and red_sea["delta"] is None
    assert winter["plan"]["departure"].startswith("2027-02-01")


def test_compare_a_route(client: TestClient) -> None:
    body = _compare(
        client,
        route={"origin": "ru-murmansk-port", "destination": "ru-vladivostok-naval-base"},
        scenarios=[
            {"name": "August", "date": "2026-08-15"},
            {
                "name": "everything shut",
                "closed": ["suez", "panama", "cape-of-good-hope", "cape-horn", "magellan"],
            },
        ],
    )
    base, august, shut = body["results"]
    assert "suez" in base["passages"] and "nsr" in august["passages"]
    assert august["delta"]["distance_nm"] < -3000
    assert shut["feasible"] is False and shut["reason"] and shut["delta"] is None


def test_critical_ranks_what_the_deployment_depends_on(client: TestClient) -> None:
    resp = client.post("/critical", json=PLAN)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    ranking = body["ranking"]
    assert body["baseline"]["feasible"] and ranking
    assert [r["rank"] for r in ranking] == list(range(1, len(ranking) + 1))
    infeasible = [r for r in ranking if not r["feasible"]]
    assert ranking[: len(infeasible)] == infeasible, "infeasible losses rank first"
    extra = [r["extra_h"] for r in ranking if r["feasible"]]
    assert extra == sorted(extra, reverse=True)
    assert {"facility", "passage"} <= {r["kind"] for r in ranking}


def test_save_a_plan_and_read_it_back(client: TestClient) -> None:
    resp = client.post("/plans?save=true", json=PLAN)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    saved = client.get(out["saved"]["href"])
    assert saved.status_code == 200, saved.text
    record = saved.json()
    assert record["result"]["totals"] == out["totals"]
    health = client.get("/health").json()
    assert record["catalogue_version"] == health["catalogue_version"]
    assert record["graph_version"] == health["graph_version"]
    listed = client.get("/plans/saved").json()
    assert out["saved"]["id"] in [p["id"] for p in listed["plans"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"plan": PLAN, "scenarios": [{"name": "x", "closed": ["atlantis"]}]}, "closed"),
        (
            {"plan": PLAN, "scenarios": [{"name": "x", "closed_facilities": ["nowhere"]}]},
            "closed_facilities",
        ),
        ({"plan": PLAN, "scenarios": [{"name": "x", "date": "01/02/2027"}]}, "date"),
        ({"plan": PLAN, "scenarios": [999999]}, "scenarios.0"),
        ({"plan": PLAN, "scenarios": []}, "scenarios"),
    ],
)
def test_bad_compare_requests_name_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    resp = client.post("/compare", json=body)
    assert resp.status_code == 422, resp.text
    locs = [".".join(str(p) for p in item["loc"]) for item in resp.json()["detail"]]
    assert any(field in loc for loc in locs), locs
