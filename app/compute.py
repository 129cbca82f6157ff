"""Where heavy work runs: in the request's thread, or in a pool of worker processes.

Route searches, plans, matrices, comparisons and map pages hold the interpreter lock
for milliseconds to seconds (the sea router's Dijkstra runs in scipy's compiled code
without releasing it), so in the server's own process even a ``/health`` waits for
them. With ``RELOS_COMPUTE_PROCESSES=N`` (``relos serve --compute-processes``) they
run in N worker processes instead (``concurrent.futures.ProcessPoolExecutor``, each
loading the catalogue and sea graph once from the cache), and the server process only
parses, queues and answers. A request's time budget and the end of its connection
reach the worker: the deadline is passed along, and a shared flag per request slot is
raised when the client goes away, which :func:`routing.budget.check` reads there.

With 0 (the default for tests and the CLI) the work runs in the request's thread, as
before, with no pool to start.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, wait
from typing import Any

import orjson

from app.answers import Encoded, JSONAnswer, encode
from routing.budget import budget, remaining, was_gone
from routing.errors import UnknownRecordError
from routing.plan.impact import ImpactSpec
from routing.plan.reach import ReachSpec
from routing.service import AirRouteSpec, CompareSpec, RouteSpec, Services, load_services

#: Request slots per worker process: how many requests can be in the pool at once.
SLOTS_PER_PROCESS = 8
#: How much lower the worker processes' CPU priority is than the server's (``nice``).
WORKER_NICE = 10
#: How often a waiting request thread looks whether its client went away, seconds.
POLL_S = 0.05

_SERVICES: Services | None = None
_FLAGS: Any = None


def _start(paths: Mapping[str, Any], flags: Any) -> None:
    """A worker process's start: the data and engines, once; then a lower CPU priority,
    so that when heavy work fills every core the server process (cheap requests, and
    sending the answers) still gets one at once."""
    global _SERVICES, _FLAGS
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)
    _SERVICES = load_services(**paths)
    _FLAGS = flags


class _Flag:
    """A request slot's "client gone" flag, as the budget reads it."""

    def __init__(self, slot: int) -> None:
        self.slot = slot

    def is_set(self) -> bool:
        return bool(_FLAGS[self.slot])


def _run(
    fn: Callable[..., Any],
    args: Sequence[Any],
    kwargs: Mapping[str, Any],
    slot: int,
    seconds: float | None,
) -> Any:
    """In a worker: ``fn(services, *args, **kwargs)`` within the request's budget."""
    assert _SERVICES is not None, "the worker was not started by ComputePool"
    with budget(seconds, gone=_Flag(slot)):
        return fn(_SERVICES, *args, **kwargs)


def _run_encoded(
    fn: Callable[..., Any],
    args: Sequence[Any],
    kwargs: Mapping[str, Any],
    slot: int,
    seconds: float | None,
) -> Encoded:
    """In a worker: :func:`_run`'s answer written as JSON here, so that the server
    process only passes the bytes on (see :mod:`app.answers`)."""
    return Encoded(encode(_run(fn, args, kwargs, slot, seconds)))


class Compute:
    """Runs the heavy use cases for the HTTP layer (see the module docstring)."""

    def __init__(self, services: Services, paths: Mapping[str, Any], processes: int) -> None:
        self.services = services
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        if processes <= 0:
            return
        ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        slots = processes * SLOTS_PER_PROCESS
        self._flags = ctx.RawArray("b", slots)
        self._free: queue.Queue[int] = queue.Queue()
        for slot in range(slots):
            self._free.put(slot)
        self._pool = ProcessPoolExecutor(
            processes, mp_context=ctx, initializer=_start, initargs=(dict(paths), self._flags)
        )
        # start the workers (and their data) now, not on the first request
        for future in [self._pool.submit(_ready) for _ in range(processes)]:
            future.result()

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(services, *args, **kwargs)``: here, or in a worker when there is a pool
        (``fn`` a module-level function, its arguments and answer picklable)."""
        if self._pool is None:
            return fn(self.services, *args, **kwargs)
        return self._submit(_run, fn, args, kwargs)

    def answer(self, fn: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> JSONAnswer:
        """``fn(services, *args, **kwargs)`` as a JSON answer; from a worker, the bytes it
        wrote, which the server sends on without reading them."""
        if self._pool is None:
            return JSONAnswer(fn(self.services, *args, **kwargs))
        return JSONAnswer(self._submit(_run_encoded, fn, args, kwargs))

    def _submit(
        self, runner: Callable[..., Any], fn: Callable[..., Any], args: Any, kwargs: Any
    ) -> Any:
        assert self._pool is not None
        slot = self._free.get()
        self._flags[slot] = 0
        try:
            future = self._pool.submit(runner, fn, args, kwargs, slot, remaining())
            # (not result(timeout=...): a budget error is a TimeoutError too)
            while not wait([future], timeout=POLL_S).done:
                if was_gone():
                    self._flags[slot] = 1  # the worker stops at its next check
            return future.result()
        finally:
            self._free.put(slot)

    # -- the use cases ------------------------------------------------------------------------

    def route(self, spec: RouteSpec) -> JSONAnswer:
        """``Services.route``."""
        return self.answer(_route, spec)

    def air_route(self, spec: AirRouteSpec) -> JSONAnswer:
        """``Services.air_route``."""
        return self.answer(_air_route, spec)

    def matrix(self, facilities: Sequence[str], **kwargs: Any) -> JSONAnswer:
        """``Services.matrix``."""
        return self.answer(_matrix, list(facilities), **kwargs)

    def plan_json(self, spec: Any) -> JSONAnswer:
        """``Services.plan_json``."""
        return self.answer(_plan_json, spec)

    def compare(
        self, spec: CompareSpec, *, saved: Callable[[int], dict[str, Any]] | None
    ) -> JSONAnswer:
        """``Services.compare``; saved scenarios are read here and sent along."""
        found = _read_saved(spec.scenarios, saved)
        return self.answer(_compare, spec, found)

    def reach(
        self, spec: ReachSpec, *, saved: Callable[[int], dict[str, Any]] | None
    ) -> JSONAnswer:
        """``Services.reach``; a saved scenario is read here and sent along."""
        found = _read_saved([spec.scenario], saved)
        return self.answer(_reach, spec, found)

    def impact(
        self, spec: ImpactSpec, *, saved: Callable[[int], dict[str, Any]] | None
    ) -> JSONAnswer:
        """``Services.impact``; a saved scenario is read here and sent along."""
        found = _read_saved([spec.scenario], saved)
        return self.answer(_impact, spec, found)

    def critical(self, spec: Any) -> JSONAnswer:
        """``Services.critical``."""
        return self.answer(_critical, spec)

    def export(self, answer: Mapping[str, Any], fmt: str, *, simplify_nm: float) -> bytes:
        """``routing.export.export``: the file, written where heavy work runs (thinning a
        long voyage tests its new legs against the coastline, which a worker loads once)."""
        sent: Any = answer
        if self._pool is not None:
            sent = Encoded(encode(answer))
        out: bytes = self.run(_export, sent, fmt, simplify_nm)
        return out

    def map_page(self, kind: str, answer: Any, **options: Any) -> str:
        """The HTML page of a route, plan or comparison map (``maps.to_html`` options:
        ``standalone``, ``static_url``; and ``online_tiles``, ``title``)."""
        if self._pool is not None:  # JSON crosses to the worker faster than pickled dicts
            answer = Encoded(encode(answer))
        out: str = self.run(_map_page, kind, answer, **options)
        return out


def _ready(*_: Any) -> bool:
    return _SERVICES is not None


def _route(services: Services, spec: RouteSpec) -> dict[str, Any]:
    return services.route(spec)


def _air_route(services: Services, spec: AirRouteSpec) -> dict[str, Any]:
    return services.air_route(spec)


def _matrix(services: Services, facilities: list[str], **kwargs: Any) -> dict[str, Any]:
    return services.matrix(facilities, **kwargs)


def _plan_json(services: Services, spec: Any) -> dict[str, Any]:
    return services.plan_json(spec)


def _critical(services: Services, spec: Any) -> dict[str, Any]:
    return services.critical(spec)


def _export(_: Services, answer: Any, fmt: str, simplify_nm: float) -> bytes:
    from routing.export import export

    if isinstance(answer, Encoded):
        answer = orjson.loads(bytes(answer))
    return export(answer, fmt, simplify_nm=simplify_nm)


def _read_saved(
    items: Sequence[object], saved: Callable[[int], dict[str, Any]] | None
) -> dict[int, dict[str, Any]]:
    """The saved scenarios among ``items`` (ids), read in the server to send to the worker.

    An unknown id is left out: the worker says so, where the scenario is resolved."""
    found: dict[int, dict[str, Any]] = {}
    for item in items:
        if isinstance(item, int) and saved is not None:
            with contextlib.suppress(UnknownRecordError):
                found[item] = saved(item)
    return found


def _lookup(found: dict[int, dict[str, Any]]) -> Callable[[int], dict[str, Any]]:
    def saved(id: int) -> dict[str, Any]:
        if id not in found:
            raise UnknownRecordError(f"no saved scenario with id {id}", field="scenario_id")
        return found[id]

    return saved


def _compare(
    services: Services, spec: CompareSpec, found: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    return services.compare(spec, saved=_lookup(found))


def _impact(
    services: Services, spec: ImpactSpec, found: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    return services.impact(spec, saved=_lookup(found))


def _reach(services: Services, spec: ReachSpec, found: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return services.reach(spec, saved=_lookup(found))


def _map_page(
    services: Services,
    kind: str,
    answer: Any,
    *,
    online_tiles: bool,
    standalone: bool,
    static_url: str,
    title: str = "",
) -> str:
    from maps import (  # here: the server process itself draws no computed map
        render_air_route,
        render_impact,
        render_layers,
        render_plan,
        render_reach,
        render_route,
        to_html,
    )

    if isinstance(answer, Encoded):
        answer = orjson.loads(bytes(answer))
    passages = services.passages()["passages"] if services.sea is not None else None
    if kind == "route":
        m = render_route(answer, passages=passages, online_tiles=online_tiles)
    elif kind == "air-route":
        m = render_air_route(answer, online_tiles=online_tiles)
    elif kind == "plan":
        m = render_plan(answer, passages=passages, online_tiles=online_tiles)
    elif kind == "reach":
        m = render_reach(answer, online_tiles=online_tiles)
    elif kind == "impact":
        m = render_impact(answer, online_tiles=online_tiles)
    else:
        m = render_layers(answer, title=title, online_tiles=online_tiles)
    return to_html(m, standalone=standalone, static_url=static_url)
