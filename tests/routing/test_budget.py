"""A share of a request's time budget (routing/budget.py)."""

from __future__ import annotations

import time

import pytest

from routing.budget import budget, check, share
from routing.errors import BudgetExceededError


def test_a_share_runs_out_before_the_whole_budget() -> None:
    """Work given half of what is left stops at that half, and says the share (not the
    request) ran out; the request then goes on under its own budget."""
    with budget(0.4):
        with share(0.5) as part:
            assert part is not None
            time.sleep(0.25)
            with pytest.raises(BudgetExceededError):
                check()
            assert part.ran_out()
        check()  # the whole budget has time left


def test_a_share_of_a_spent_budget_is_not_what_ran_out() -> None:
    """When the whole budget is spent too, the share says so: the caller re-raises."""
    with budget(0.05), share(0.5) as part:
        assert part is not None
        time.sleep(0.1)
        with pytest.raises(BudgetExceededError):
            check()
        assert not part.ran_out()


def test_no_budget_no_share() -> None:
    """Outside a request's budget (scripts, the CLI) nothing is cut short."""
    with share(0.5) as part:
        assert part is None
        check()
