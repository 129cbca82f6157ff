"""Shared pieces of the sweep tests: small real sweeps, and a plan or a reach for one of
their cases asked the way ``POST /plans`` or ``POST /reach`` is asked."""

from __future__ import annotations

from typing import Any

from routing.plan.reach import ReachSpec
from routing.plan.request import PlanSpec
from routing.sweep import Case, ReachCase, Sweep

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


REACH_SPEC: dict[str, Any] = {
    "name": "test reach sweep",
    "base": {"nation": "IND", "reserve": 0.25},
    "scenarios": [
        {"name": "baseline"},
        {"name": "no RELOS", "dropped_agreements": ["relos"]},
    ],
    "platforms": ["talwar"],
    "pairs": [["in-mumbai-naval-dockyard", "ru-vladivostok-naval-base"]],
    "dates": ["2027-01-15"],
    "reach": {
        # home: the nation's own naval bases; an airbase: no ship sails from it (an error)
        "origins": ["home", "in-mumbai-naval-dockyard", "in-hindon-afs"],
        "days": [None, 12],
        "max_stops": [1],
    },
}
"""2 plan cases (2 scenarios x 1 platform x 1 pair x 1 date) and 12 reach cases (2
scenarios x 1 nation x 1 platform x 3 origins x 2 day limits x 1 stop limit x 1 date),
4 of them errors."""


def reach_body(sweep: Sweep, case: ReachCase) -> ReachSpec:
    """The ``POST /reach`` body asking the question of ``case``, as a user would write
    it: the sweep's base fields and the case's values, its scenario inline."""
    base = {k: v for k, v in REACH_SPEC["base"].items() if k != "nation"}
    return ReachSpec.model_validate(
        {
            **base,
            "nation": case.nation,
            "platform": case.platform,
            "origins": list(case.origins),
            "departure": f"{case.departure.isoformat()}T00:00:00Z",
            "days": case.days,
            "max_stops": case.max_stops,
            "scenario": next(s for s in REACH_SPEC["scenarios"] if s["name"] == case.scenario),
            "frontier": "none",
        }
    )
