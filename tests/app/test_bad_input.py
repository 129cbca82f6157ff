"""Bad input gets a 4xx that names the field, never a 500, and never echoes more than an
excerpt of what was sent (issue 13: each case below once answered 500, or 200 after
storing 48 MB)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.guard import MAX_ECHO

BIG = 2**63  # one past the largest id SQLite and PostgreSQL can hold
PLAN = {
    "nation": "IND",
    "platform": "talwar",
    "origin": "in-mumbai-naval-dockyard",
    "destination": "om-duqm-port",
    "departure": "2027-01-01",
}
ROUTE = {"origin": "in-mumbai-naval-dockyard", "destination": "om-duqm-port"}


def _raw(body: str) -> dict[str, Any]:
    """A request with a JSON text Python's parser reads (NaN, lone surrogates)."""
    return {"content": body, "headers": {"content-type": "application/json"}}


CASES: list[tuple[str, str, str, dict[str, Any], int, list[Any]]] = [
    ("scenario id past 2^63", "GET", f"/scenarios/{BIG}", {}, 422, ["path", "scenario_id"]),
    ("plan id past 2^63", "GET", f"/plans/{BIG}", {}, 422, ["path", "plan_id"]),
    ("deleting one", "DELETE", f"/scenarios/{BIG}", {}, 422, ["path", "scenario_id"]),
    ("saved plans offset", "GET", f"/plans/saved?offset={BIG}", {}, 422, ["query", "offset"]),
    (
        "compare scenario id",
        "POST",
        "/compare",
        {"json": {"plan": PLAN, "scenarios": [BIG]}},
        422,
        ["body", "scenarios", 0],
    ),
    (
        "NaN speed",
        "POST",
        "/plans",
        _raw(json.dumps({**PLAN, "speed_kn": float("nan")})),
        422,
        ["body", "speed_kn"],
    ),
    (
        "Infinity reserve",
        "POST",
        "/plans",
        _raw(json.dumps({**PLAN, "reserve": float("inf")})),
        422,
        ["body", "reserve"],
    ),
    (
        "NaN deep in a scenario",
        "POST",
        "/compare",
        _raw(json.dumps({"plan": PLAN, "scenarios": [{"name": "x", "date": float("-inf")}]})),
        422,
        ["body", "scenarios", 0, "date"],
    ),
    (
        "speed 1e-300",
        "POST",
        "/plans",
        {"json": {**PLAN, "speed_kn": 1e-300}},
        422,
        ["body", "speed_kn"],
    ),
    (
        "departure 9999-12-31",
        "POST",
        "/plans",
        {"json": {**PLAN, "departure": "9999-12-31"}},
        422,
        ["body", "departure"],
    ),
    (
        "notice_from year 1",
        "POST",
        "/plans",
        {"json": {**PLAN, "notice_from": "0001-01-01T00:00:00Z"}},
        422,
        ["body", "notice_from"],
    ),
    (
        "route date 9999",
        "GET",
        "/routes?origin=in-mumbai-naval-dockyard&destination=om-duqm-port&date=9999-12-31",
        {},
        422,
        ["query", "date"],
    ),
    (
        "matrix date 9999",
        "POST",
        "/matrix",
        {"json": {"facilities": ["om-duqm-port"], "date": "9999-12-31"}},
        422,
        ["body", "date"],
    ),
    (
        "scenario date 9999",
        "POST",
        "/scenarios",
        {"json": {"name": "far", "date": "9999-01-01"}},
        422,
        ["body", "date"],
    ),
    (
        "lone surrogate in a name",
        "POST",
        "/scenarios",
        _raw('{"name": "shut \\ud800"}'),
        422,
        ["body", "name"],
    ),
    (
        "lone surrogate in a key",
        "POST",
        "/scenarios",
        _raw('{"name": "x", "platform_overrides": {"\\udfff": {}}}'),
        422,
        ["body", "platform_overrides"],
    ),
    (
        "a thousand closures",
        "POST",
        "/plans",
        {"json": {**PLAN, "closed": ["suez"] * 1000}},
        422,
        ["body", "closed"],
    ),
    (
        "a thousand vias",
        "GET",
        "/routes?origin=in-mumbai-naval-dockyard&destination=om-duqm-port&"
        + "&".join(["via=suez"] * 1000),
        {},
        422,
        ["query", "via"],
    ),
    (
        "a thousand hypothetical facilities",
        "POST",
        "/scenarios",
        {"json": {"name": "many", "added_facilities": [{}] * 1000}},
        422,
        ["body", "added_facilities"],
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "loc"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_bad_input_is_a_4xx_naming_the_field(
    client: TestClient, method: str, path: str, kwargs: dict[str, Any], status: int, loc: list[Any]
) -> None:
    r = client.request(method, path, **kwargs)
    assert r.status_code == status, r.text[:500]
    detail = r.json()["detail"]
    assert any(d["loc"][: len(loc)] == loc for d in detail), detail
    assert len(r.text) < 2_000


def test_a_body_over_the_limit_is_refused_before_it_is_stored(client: TestClient) -> None:
    before = client.get("/scenarios").json()["count"]
    r = client.post(
        "/scenarios",
        json={"name": "big", "closed": ["suez"], "added_facilities": [{"x": "y" * 2_000_000}]},
    )
    assert r.status_code == 413
    assert "1,048,576 bytes" in r.json()["detail"][0]["msg"]
    assert client.get("/scenarios").json()["count"] == before


def test_errors_echo_only_an_excerpt_of_the_input(client: TestClient) -> None:
    r = client.post("/scenarios", json={"name": "x" * 500_000})
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["loc"] == ["body", "name"] and item["type"] == "string_too_long"
    assert len(item["input"]) < MAX_ECHO + 40 and item["input"].endswith("(500,000 characters)")
    assert len(r.text) < 1_000


def test_a_compare_map_of_a_route_draws(client: TestClient) -> None:
    r = client.post(
        "/maps/compare",
        json={"route": ROUTE, "scenarios": [{"name": "Hormuz shut", "closed": ["hormuz"]}]},
    )
    assert r.status_code == 200 and "Hormuz shut" in r.text


def test_saved_scenarios_come_in_pages(client: TestClient) -> None:
    names = [f"paged {i} {id(client)}" for i in range(3)]
    for name in names:
        assert client.post("/scenarios", json={"name": name}).status_code == 201
    total = client.get("/scenarios?limit=1").json()["count"]
    seen = []
    for offset in range(total):
        page = client.get(f"/scenarios?limit=1&offset={offset}").json()
        assert page["count"] == total and page["limit"] == 1 and len(page["scenarios"]) == 1
        seen.append(page["scenarios"][0]["name"])
    assert seen[-3:] == names  # oldest first, each once
    assert client.get("/scenarios?limit=1001").status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "body", "filename"),
    [
        ("GET", "/maps/catalogue?usable_by=IND&date=2026-06-01", None, "relos-catalogue-ind.html"),
        (
            "GET",
            "/maps/route?origin=in-mumbai-naval-dockyard&destination=om-duqm-port",
            None,
            "relos-route-in-mumbai-naval-dockyard-om-duqm-port.html",
        ),
        ("POST", "/maps/plan", PLAN, "relos-plan-in-mumbai-naval-dockyard-om-duqm-port.html"),
        (
            "POST",
            "/maps/compare",
            {"route": ROUTE, "scenarios": [{"name": "Hormuz shut", "closed": ["hormuz"]}]},
            "relos-compare.html",
        ),
    ],
)
def test_every_map_downloads_as_one_file(
    client: TestClient, method: str, path: str, body: Any, filename: str
) -> None:
    """``download=true``: the standalone page (no /static links: it opens from a disk)
    with a filename to save it under."""
    sep = "&" if "?" in path else "?"
    r = client.request(method, f"{path}{sep}download=true", json=body)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert 'src="/static' not in r.text and 'href="/static' not in r.text
    assert "L.map(" in r.text or "L.map (" in r.text or "leaflet" in r.text.lower()
    served = client.request(method, path, json=body)
    assert "content-disposition" not in served.headers and "/static" in served.text
