"""A time budget for one request's computation, checked where the work loops.

Python cannot stop a thread from outside, so the long loops stop themselves: the
solver's search per label, the planner per suggestion it tries, a comparison per
scenario, the router per alternative call :func:`check`, which raises
:class:`~routing.errors.BudgetExceededError` once the budget set by :func:`budget`
(around one request: see ``app/workload.py``) has run out, or once the request's
client has gone away (``gone``, set by the server when the connection closes).
Code called outside a budget (scripts, the CLI, tests) is never stopped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from routing.errors import BudgetExceededError


class Flag(Protocol):
    """Something set when the request's client has gone (a ``threading.Event``, or a
    flag shared with a worker process)."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class _Budget:
    deadline: float
    seconds: float
    gone: Flag | None


_BUDGET: ContextVar[_Budget | None] = ContextVar("relos_budget", default=None)


@contextmanager
def budget(
    seconds: float | None, *, of: float | None = None, gone: Flag | None = None
) -> Iterator[None]:
    """Run the block with ``seconds`` to compute (``None`` or 0: no limit) and until
    ``gone`` is set (the client went away); ``of``: the whole budget, when part of it was
    spent before (waiting), for the message."""
    if not seconds and gone is None:
        yield
        return
    deadline = time.monotonic() + seconds if seconds else math.inf
    token = _BUDGET.set(_Budget(deadline, of or seconds or 0.0, gone))
    try:
        yield
    finally:
        _BUDGET.reset(token)


@dataclass(frozen=True, slots=True)
class Share:
    """Part of a budget (:func:`share`)."""

    whole: _Budget

    def ran_out(self) -> bool:
        """Whether the share is what ran out: the whole budget has time left and its
        client is still there (so the work it stopped may be reported as cut short)."""
        whole = self.whole
        gone = whole.gone is not None and whole.gone.is_set()
        return not gone and time.monotonic() <= whole.deadline


@contextmanager
def share(fraction: float) -> Iterator[Share | None]:
    """Run the block with ``fraction`` of what is left of the current budget, the same
    client watched; its :class:`Share` (``None`` outside a budget, where nothing stops).
    For work that may be cut short and said so (an infeasible plan's suggestions) rather
    than fail the whole request."""
    whole = _BUDGET.get()
    if whole is None or whole.deadline == math.inf:
        yield None
        return
    now = time.monotonic()
    deadline = now + fraction * max(whole.deadline - now, 0.0)
    token = _BUDGET.set(_Budget(deadline, whole.seconds, whole.gone))
    try:
        yield Share(whole)
    finally:
        _BUDGET.reset(token)


def remaining() -> float | None:
    """Seconds left in the current budget (``None``: no limit), to hand to another
    process that computes for this request."""
    limit = _BUDGET.get()
    if limit is None or limit.deadline == math.inf:
        return None
    return max(limit.deadline - time.monotonic(), 1e-3)


def was_gone() -> bool:
    """Whether the current request's client has gone away."""
    limit = _BUDGET.get()
    return bool(limit is not None and limit.gone is not None and limit.gone.is_set())


def check() -> None:
    """Raise ``BudgetExceededError`` if the current budget has run out or its client left."""
    limit = _BUDGET.get()
    if limit is None:
        return
    if limit.gone is not None and limit.gone.is_set():
        raise BudgetExceededError(
            "the client closed the connection: the computation stopped", field="budget"
        )
    if time.monotonic() > limit.deadline:
        raise BudgetExceededError(
            f"the computation ran past its time budget of {limit.seconds:g} s "
            "(RELOS_REQUEST_BUDGET_S): ask for less (fewer alternatives, waypoints, "
            "scenarios or stops) or raise the budget",
            field="budget",
        )
