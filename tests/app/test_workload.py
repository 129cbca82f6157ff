"""Heavy requests compute at most ``limit`` at a time per process; cheap ones never wait
for them (app/workload.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.workload import HeavyGate, is_heavy


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
        await gate({"type": "http", "method": method, "path": path}, None, None)

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
