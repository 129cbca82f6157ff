"""Heavy work waits its turn; cheap requests do not wait behind it.

Route searches, plans, matrices, comparisons and maps hold the CPU (and, in Python,
the interpreter lock) for milliseconds to seconds. Run all at once in one process's
thread pool, they starve everything else: ``/health`` answered in 445 ms under a load
of 50 clients. This ASGI middleware lets at most ``limit`` heavy requests per process
compute at a time; the others wait on the event loop (holding no thread), so a cheap
request (``/health``, ``/facilities``, a saved scenario) always finds a thread and the
interpreter nearly free. Run one process per core (``relos serve --workers``) for the
machine's throughput.
"""

from __future__ import annotations

import asyncio
import time

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from routing.budget import budget

HEAVY = (
    ("POST", "/plans"),
    ("GET", "/routes"),
    ("POST", "/matrix"),
    ("POST", "/compare"),
    ("POST", "/critical"),
    ("GET", "/maps/"),
    ("POST", "/maps/"),
)
"""(method, path prefix) of the requests that compute; ``/plans/saved`` and
``/plans/{id}`` are reads (GET) and stay cheap."""


def is_heavy(method: str, path: str) -> bool:
    """Whether a request computes (a route, a plan, a map...)."""
    return any(method == m and path.startswith(p) for m, p in HEAVY)


class HeavyGate:
    """ASGI middleware: at most ``limit`` heavy requests compute at once (0: no limit),
    each within a time budget of ``budget_s`` seconds from its arrival (0: none), waiting
    included: a request whose budget ran out in the queue is answered 503 uncomputed, and
    one whose computation runs past it stops (see :mod:`routing.budget`)."""

    def __init__(self, app: ASGIApp, *, limit: int, budget_s: float = 0.0) -> None:
        self.app = app
        self.limit = limit
        self.budget_s = budget_s
        self._sem: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_heavy(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        arrived = time.monotonic()
        if self.limit <= 0:
            with budget(self.budget_s):
                await self.app(scope, receive, send)
            return
        if self._sem is None:  # made on the server's own event loop
            self._sem = asyncio.Semaphore(self.limit)
        async with self._sem:
            left = self.budget_s - (time.monotonic() - arrived) if self.budget_s else 0.0
            if self.budget_s and left <= 0:
                await _over_budget(scope, receive, send, self.budget_s)
                return
            with budget(left, of=self.budget_s):
                await self.app(scope, receive, send)


async def _over_budget(scope: Scope, receive: Receive, send: Send, seconds: float) -> None:
    msg = (
        f"the request waited past its time budget of {seconds:g} s (RELOS_REQUEST_BUDGET_S) "
        "behind other computations: try again, or later"
    )
    body = {"detail": [{"loc": ["budget"], "msg": msg, "type": "over_budget"}]}
    await JSONResponse(body, status_code=503, headers={"Retry-After": "5"})(scope, receive, send)
