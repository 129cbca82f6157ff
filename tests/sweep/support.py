"""Shared pieces of the sweep tests: a small real sweep, and a plan for one of its cases
asked the way ``POST /plans`` is asked."""

from __future__ import annotations

from typing import Any

from routing.plan.request import PlanSpec
from routing.sweep import Case, Sweep

SPEC: dict[str, Any] = {
    "name": "test sweep",
    "base": {"nation": "IND"},
    "scenarios": [
        {"name": "baseline"},
        {"name": "Red Sea shut", "closed": ["suez", "bab-el-mandeb"]},
        {"name": "no RELOS", "dropped_agreements": ["relos"]},
    ],
    "platforms": ["talwar", "kolkata"],
    "pairs": [
        ["in-mumbai-naval-dockyard", "ru-vladivostok-naval-base"],
        ["in-visakhapatnam-naval-dockyard", "fr-toulon-naval-base"],
        # an airbase: no ship leaves from it, so these cases are errors, not a crash
        ["in-hindon-afs", "au-hmas-stirling"],
    ],
    "dates": ["2026-08-01", "2027-01-15"],
}
"""3 scenarios x 2 platforms x 3 pairs x 2 dates = 36 cases: feasible ones, infeasible
ones (RELOS dropped; the Red Sea shut in January) and errors (an airbase origin)."""


def plan_body(sweep: Sweep, case: Case) -> PlanSpec:
    """The ``POST /plans`` body asking the question of ``case``: its scenario's closures
    and dropped agreements written into the request (the test scenarios change nothing
    else)."""
    spec = sweep.recipe.plan_spec(case)
    scenario = sweep.recipe.scenarios[case.scenario]
    assert set(scenario) <= {"name", "closed", "dropped_agreements"}
    return spec.model_copy(
        update={
            "closed": [*spec.closed, *scenario.get("closed", [])],
            "dropped_agreements": [
                *spec.dropped_agreements,
                *scenario.get("dropped_agreements", []),
            ],
        }
    )
