"""Heavy work waits its turn; cheap requests do not wait behind it.

Route searches, plans, matrices, comparisons and maps hold the CPU (and, in Python,
the interpreter lock) for milliseconds to seconds. Run all at once in one process's
thread pool, they starve everything else: ``/health`` answered in 445 ms under a load
of 50 clients. This ASGI middleware lets at most ``limit`` heavy requests per process
compute at a time; the others wait on the event loop (holding no thread), so a cheap
request (``/health``, ``/facilities``, a saved scenario) always finds a thread and the
interpreter nearly free. Run one process per core (``relos serve --workers``) for the
machine's throughput.

A heavy request whose client goes away (a closed tab, a script's timeout) stops
computing: the gate listens for the connection's end while the handler computes
and the computation's budget (``routing.budget``) stops at its next check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from routing.budget import budget

log = logging.getLogger("relos.workload")

HEAVY = (
    ("POST", "/plans"),
    ("GET", "/routes"),
    ("POST", "/matrix"),
    ("POST", "/compare"),
    ("POST", "/critical"),
    ("POST", "/reach"),
    ("POST", "/impact"),
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
            await self._run(scope, receive, send, self.budget_s, arrived)
            return
        if self._sem is None:  # made on the server's own event loop
            self._sem = asyncio.Semaphore(self.limit)
        async with self._sem:
            left = self.budget_s - (time.monotonic() - arrived) if self.budget_s else 0.0
            if self.budget_s and left <= 0:
                await _over_budget(scope, receive, send, self.budget_s)
                return
            await self._run(scope, receive, send, left, arrived)

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, left: float, arrived: float
    ) -> None:
        watch = Disconnect(scope, receive)
        try:
            with budget(left, of=self.budget_s, gone=watch.gone):
                await self.app(scope, watch.receive, watch.send(send))
        finally:
            await watch.close()
        if watch.gone.is_set() and not watch.finished:
            log.info(
                "%s %s: the client left after %.2f s; the computation stopped",
                scope["method"],
                scope["path"],
                time.monotonic() - arrived,
            )


class Disconnect:
    """Listens for the end of a request's connection while its handler computes.

    The handler reads the request body through :meth:`receive` as usual; once the body
    is read (at once, for a request without one), a task waits on the server's
    ``receive`` for ``http.disconnect`` and sets :attr:`gone`. A body is never read
    ahead of the handler, so the size guard still sees it first.
    """

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self._receive = receive
        self.gone = threading.Event()
        self.finished = False
        self._task: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[Message] = asyncio.Queue()
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0").strip() or b"0"
        if b"transfer-encoding" not in headers and length == b"0":
            self._start()

    def _start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._listen())

    async def _listen(self) -> None:
        while True:
            message = await self._receive()
            await self._queue.put(message)
            if message["type"] == "http.disconnect":
                self.gone.set()
                return

    async def receive(self) -> Message:
        """The request's next message, for the handler."""
        if self._task is None:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.gone.set()
            elif not message.get("more_body", False):
                self._start()
            return message
        if self.gone.is_set() and self._queue.empty():
            return {"type": "http.disconnect"}
        return await self._queue.get()

    def send(self, send: Send) -> Send:
        """``send``, noting when the whole answer has gone out."""

        async def sending(message: Message) -> None:
            await send(message)
            final = message["type"] == "http.response.body" and not message.get("more_body")
            if final and not self.gone.is_set():
                self.finished = True

        return sending

    async def close(self) -> None:
        """Stop listening (the answer is sent, or the handler failed)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def _over_budget(scope: Scope, receive: Receive, send: Send, seconds: float) -> None:
    msg = (
        f"the request waited past its time budget of {seconds:g} s (RELOS_REQUEST_BUDGET_S) "
        "behind other computations: try again, or later"
    )
    body = {"detail": [{"loc": ["budget"], "msg": msg, "type": "over_budget"}]}
    await JSONResponse(body, status_code=503, headers={"Retry-After": "5"})(scope, receive, send)
