"""Heavy work in a pool of worker processes (``RELOS_COMPUTE_PROCESSES``): the same
answers as in-process, errors that keep their field, budgets that reach the worker.

One app computes in the request's thread (the default), one in a worker process; both
get the same requests over HTTP.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import LOCALHOST, LOOPBACK

PLAN = {
    "nation": "IND",
    "platform": "talwar",
    "origin": "in-mumbai-naval-dockyard",
    "destination": "ru-vladivostok-naval-base",
    "departure": "2027-08-01",
}
ROUTE = {"origin": "ru-murmansk-port", "destination": "ru-vladivostok-naval-base"}


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("pool") / "relos.sqlite"
    settings = Settings(database_url=f"sqlite:///{db}", compute_processes=1)
    with TestClient(create_app(settings), client=LOOPBACK, base_url=LOCALHOST) as c:
        yield c


def _same(pooled: TestClient, client: TestClient, method: str, path: str, **kw: Any) -> Any:
    here, there = client.request(method, path, **kw), pooled.request(method, path, **kw)
    assert (here.status_code, here.headers["content-type"]) == (
        there.status_code,
        there.headers["content-type"],
    )
    return here, there


def test_the_pool_gives_the_same_answers(pooled: TestClient, client: TestClient) -> None:
    here, there = _same(pooled, client, "POST", "/plans", json=PLAN)
    assert here.status_code == 200 and here.json()["feasible"]
    assert there.json() == here.json()
    here, there = _same(pooled, client, "GET", "/routes", params={**ROUTE, "alternatives": 2})
    assert there.json() == here.json()
    body = {"facilities": ["ru-murmansk-port", "in-mumbai-naval-dockyard"], "closed": ["suez"]}
    here, there = _same(pooled, client, "POST", "/matrix", json=body)
    assert there.json() == here.json()
    here, there = _same(pooled, client, "POST", "/critical", json=PLAN)
    assert there.json()["baseline"] == here.json()["baseline"]


def test_a_comparison_with_a_saved_scenario(pooled: TestClient, client: TestClient) -> None:
    saved = pooled.post("/scenarios", json={"name": "malacca shut", "closed": ["malacca"]})
    assert saved.status_code == 201
    sid = saved.json()["id"]
    resp = pooled.post("/compare", json={"plan": PLAN, "scenarios": [sid, {"name": "x"}]})
    assert resp.status_code == 200, resp.text
    rows = resp.json()["results"]
    assert [r["scenario"] for r in rows] == ["baseline", "malacca shut", "x"]
    body = {"plan": PLAN, "scenarios": [{"name": "y"}, 999999]}
    here, there = _same(pooled, client, "POST", "/compare", json=body)
    assert there.status_code == 422 and there.json() == here.json()
    assert "no saved scenario with id 999999" in there.json()["detail"][0]["msg"]


def test_answers_written_by_the_worker_are_saved_exported_and_drawn(
    pooled: TestClient, client: TestClient
) -> None:
    # the worker writes the JSON and the server passes the bytes on; what builds on
    # the answer (a saved plan, a file, a map) still reads it
    saved = pooled.post("/plans", params={"save": "true"}, json=PLAN)
    assert saved.status_code == 200, saved.text
    plan_id = saved.json()["saved"]["id"]
    again = pooled.get(f"/plans/{plan_id}")
    assert again.status_code == 200
    assert again.json()["result"]["totals"] == saved.json()["totals"]
    here, there = _same(pooled, client, "GET", "/routes", params={**ROUTE, "format": "gpx"})
    assert there.status_code == 200 and there.text == here.text
    page = pooled.post("/maps/plan", json=PLAN)
    stops = [s["name"] for s in saved.json()["stops"]]
    assert stops and all(name in page.text for name in stops)


def test_errors_from_the_worker_keep_their_field_and_details(pooled: TestClient) -> None:
    on_land = pooled.get("/routes", params={"origin": "77.2,28.6", "destination": "72.8,18.9"})
    assert on_land.status_code == 422
    (item,) = on_land.json()["detail"]
    assert item["type"] == "on_land" and item["loc"] == ["query", "origin"]
    assert len(item["nearest_sea"]) == 2 and item["distance_nm"] > 100
    bad = pooled.post("/plans", json={**PLAN, "destination": "nowhere"})
    assert bad.status_code == 404 and bad.json()["detail"][0]["loc"] == ["body", "destination"]


def test_maps_are_drawn_in_the_worker(pooled: TestClient) -> None:
    page = pooled.post("/maps/plan", json=PLAN)
    assert page.status_code == 200 and "leaflet" in page.text.lower()
    assert "Content-Security-Policy" in page.headers
    standalone = pooled.get("/maps/route", params={**ROUTE, "download": "true"})
    assert standalone.status_code == 200
    assert standalone.headers["content-disposition"].startswith("attachment;")
    assert 'src="/static/' not in standalone.text  # its assets are inside


def test_the_budget_reaches_the_worker(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/b.sqlite", compute_processes=1, request_budget_s=0.05
    )
    closures = ["suez", "bab-el-mandeb", "hormuz", "malacca", "gibraltar", "panama"]
    scenarios = [{"name": f"s{i}", "closed": closures[i : i + 3]} for i in range(4)]
    winter = {**PLAN, "destination": "ru-severomorsk-naval-base", "departure": "2027-01-01"}
    with TestClient(create_app(settings), client=LOOPBACK, base_url=LOCALHOST) as c:
        resp = c.post("/compare", json={"plan": winter, "scenarios": scenarios})
        assert resp.status_code == 503, resp.text[:300]
        assert resp.json()["detail"][0]["type"] == "over_budget"
        assert c.get("/health").status_code == 200


def test_workers_yield_the_cpu_to_the_server(pooled: TestClient) -> None:
    """With every core computing, the server process (cheap requests, sending answers)
    must still be scheduled first: its workers run at a lower priority."""
    assert pooled.get("/routes", params=ROUTE).status_code == 200
    pool = pooled.app.state.compute._pool  # type: ignore[attr-defined]
    workers = list(pool._processes)  # the executor's own processes, by pid
    assert workers
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert all(os.getpriority(os.PRIO_PROCESS, pid) > mine for pid in workers)
