"""A time budget for one request's computation, checked where the work loops.

Python cannot stop a thread from outside, so the long loops stop themselves: the
solver's search per label, the planner per suggestion it tries, a comparison per
scenario, the router per alternative call :func:`check`, which raises
:class:`~routing.errors.BudgetExceededError` once the budget set by :func:`budget`
(around one request: see ``app/workload.py``) has run out. Code called outside a
budget (scripts, the CLI, tests) is never stopped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from routing.errors import BudgetExceededError

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("relos_deadline", default=None)


@contextmanager
def budget(seconds: float | None, *, of: float | None = None) -> Iterator[None]:
    """Run the block with ``seconds`` to compute (``None`` or 0: no limit); ``of``: the
    whole budget, when part of it was spent before (waiting), for the message."""
    if not seconds:
        yield
        return
    token = _DEADLINE.set((time.monotonic() + seconds, of or seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check() -> None:
    """Raise ``BudgetExceededError`` if the current budget has run out."""
    limit = _DEADLINE.get()
    if limit is not None and time.monotonic() > limit[0]:
        raise BudgetExceededError(
            f"the computation ran past its time budget of {limit[1]:g} s "
            "(RELOS_REQUEST_BUDGET_S): ask for less (fewer alternatives, waypoints, "
            "scenarios or stops) or raise the budget",
            field="budget",
        )
