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
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

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
    """ASGI middleware: at most ``limit`` heavy requests compute at once (0: no limit)."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._sem: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.limit <= 0
            or scope["type"] != "http"
            or not is_heavy(scope["method"], scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        if self._sem is None:  # made on the server's own event loop
            self._sem = asyncio.Semaphore(self.limit)
        async with self._sem:
            await self.app(scope, receive, send)
