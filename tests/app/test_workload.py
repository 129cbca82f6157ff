"""Heavy requests compute at most ``limit`` at a time per process; cheap ones never wait
for them (app/workload.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.workload import HeavyGate, is_heavy
from tests.conftest import LOCALHOST, LOOPBACK


@pytest.mark.parametrize(
    ("method", "path", "heavy"),
    [
        ("POST", "/plans", True),
        ("GET", "/routes", True),
        ("POST", "/matrix", True),
        ("POST", "/compare", True),
        ("GET", "/maps/route", True),
        ("POST", "/maps/plan", True),
        ("GET", "/health", False),
        ("GET", "/facilities", False),
        ("GET", "/plans/saved", False),
        ("GET", "/plans/3", False),
        ("GET", "/scenarios/1", False),
        ("PUT", "/scenarios/1", False),
    ],
)
def test_what_counts_as_heavy(method: str, path: str, heavy: bool) -> None:
    assert is_heavy(method, path) is heavy


async def _connected() -> dict[str, Any]:
    """A client's messages: no body, and it stays connected."""
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def _ignore(message: Any) -> None:
    return None


def test_heavy_requests_take_turns_and_cheap_ones_pass() -> None:
    running = {"now": 0, "most": 0}
    release = asyncio.Event()
    served: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/health":
            served.append("health")
            return
        running["now"] += 1
        running["most"] = max(running["most"], running["now"])
        await release.wait()
        running["now"] -= 1
        served.append(scope["path"])

    gate = HeavyGate(app, limit=2)

    async def call(method: str, path: str) -> None:
        await gate({"type": "http", "method": method, "path": path}, _connected, _ignore)

    async def scenario() -> None:
        heavy = [asyncio.create_task(call("POST", "/plans")) for _ in range(5)]
        await asyncio.sleep(0.05)
        assert running["now"] == 2  # three wait, on the event loop
        await call("GET", "/health")  # answered while the heavy ones hold their turns
        assert served == ["health"]
        release.set()
        await asyncio.gather(*heavy)

    asyncio.run(scenario())
    assert running["most"] == 2 and served.count("/plans") == 5


def test_a_request_whose_budget_runs_out_in_the_queue_is_answered_503() -> None:
    async def slow(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(0.3)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    gate = HeavyGate(slow, limit=1, budget_s=0.1)

    async def call() -> list[dict]:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/plans", "headers": []}
        await gate(scope, _connected, send)
        return sent

    async def both() -> tuple[list[dict], list[dict]]:
        return await asyncio.gather(call(), call())  # type: ignore[return-value]

    first, second = asyncio.run(both())
    assert first[0]["status"] == 200
    assert second[0]["status"] == 503
    assert b"RELOS_REQUEST_BUDGET_S" in second[1]["body"]


def test_a_computation_past_its_budget_stops_with_503(tmp_path: Any) -> None:
    """The budget reaches the planner in the server's worker thread: a comparison of
    several scenarios stops between two of them."""
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    settings = Settings(database_url=f"sqlite:///{tmp_path}/b.sqlite", request_budget_s=0.001)
    plan = {
        "nation": "IND",
        "platform": "talwar",
        "origin": "in-mumbai-naval-dockyard",
        "destination": "om-duqm-port",
        "departure": "2027-01-01",
    }
    scenarios = [{"name": f"s{i}", "closed": ["hormuz"]} for i in range(3)]
    with TestClient(create_app(settings), client=LOOPBACK, base_url=LOCALHOST) as c:
        r = c.post("/compare", json={"plan": plan, "scenarios": scenarios})
        assert r.status_code == 503, r.text[:300]
        (item,) = r.json()["detail"]
        assert item["type"] == "over_budget" and "0.001 s" in item["msg"]
        assert c.get("/health").status_code == 200  # cheap requests have no budget


def test_suggestions_cut_short_by_the_budget_still_answer_the_plan(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An infeasible plan's suggestions re-plan many variants (one a country over a big
    catalogue). When they would take the request past its budget, the plan is answered
    all the same, infeasible with its reason, with the suggestions found in the share of
    the budget they may take and a warning that the others were not tried: not a 503
    that leaves the planner with nothing. Each variant is slowed here to what one costs
    over thousands of facilities."""
    import time

    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings
    from routing.budget import check
    from routing.plan.planner import Planner

    feasible = Planner._feasible

    def slow(self: Planner, *args: Any) -> Any:
        # as a variant's search does: a long computation that asks the clock as it goes
        # (one that slept through it whole could pass the request's budget before asking,
        # on a loaded machine)
        for _ in range(10):
            time.sleep(0.05)
            check()
        return feasible(self, *args)

    monkeypatch.setattr(Planner, "_feasible", slow)
    settings = Settings(database_url=f"sqlite:///{tmp_path}/b.sqlite", request_budget_s=2.5)
    body = {  # 6 variants planned, 5 suggestions, when nothing is slow
        "nation": "IND",
        "platform": "kamorta",
        "origin": "in-mumbai-naval-dockyard",
        "destination": "us-naval-base-san-diego",
        "departure": "2026-02-01",
        "closed": ["malacca", "sunda", "lombok"],
    }
    with TestClient(create_app(settings), client=LOOPBACK, base_url=LOCALHOST) as c:
        t0 = time.monotonic()
        r = c.post("/plans", json=body)
        took = time.monotonic() - t0
        assert r.status_code == 200, r.text[:300]
        plan = r.json()
        assert plan["feasible"] is False and plan["reason"]
        cut = [w for w in plan["warnings"] if w.startswith("suggestions cut short")]
        assert len(cut) == 1 and "RELOS_REQUEST_BUDGET_S" in cut[0]
        assert took < 2.5  # answered within the budget
    monkeypatch.setattr(Planner, "_feasible", feasible)
    with TestClient(create_app(settings), client=LOOPBACK, base_url=LOCALHOST) as c:
        whole = c.post("/plans", json=body).json()
    assert not any(w.startswith("suggestions cut short") for w in whole["warnings"])
    assert len(whole["suggestions"]) == 5
    assert set(plan["suggestions"]) < set(whole["suggestions"])
