"""The planning core: catalogue, access model, sea graph and planners (no web framework).

Scripting API (works in a notebook, no server needed)::

    from routing import Scenario, compare, critical, default_planner

    planner = default_planner()                      # shipped data, cached sea graph
    req = planner.request(nation="IND", platform="talwar",
                          origin="in-mumbai-naval-dockyard",
                          destination="ru-vladivostok-naval-base",
                          departure="2026-08-01")
    plan = planner.plan(req)
    outcomes = compare(planner, req, [Scenario(name="Malacca shut",
                                               closed=frozenset({"malacca"}))])
"""

from routing.catalogue import Agreement, Catalogue, Facility
from routing.compare import Impact, Outcome, compare, compare_json, critical, critical_json
from routing.planner import Member, Plan, Planner, PlanRequest
from routing.scenario import Scenario
from routing.serialize import plan_json
from routing.service import default_planner, sea_router_for

__all__ = [
    "Agreement",
    "Catalogue",
    "Facility",
    "Impact",
    "Member",
    "Outcome",
    "Plan",
    "PlanRequest",
    "Planner",
    "Scenario",
    "compare",
    "compare_json",
    "critical",
    "critical_json",
    "default_planner",
    "plan_json",
    "sea_router_for",
]
