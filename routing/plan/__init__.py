"""The plan room: the request schema and its one builder, scenarios, the resupply
solver, the planner and its explanations, comparison and criticality."""

from routing.plan.compare import Impact, Outcome, compare, compare_json, critical, critical_json
from routing.plan.planner import Leg, Plan, Planner, Stop
from routing.plan.request import Member, PlanRequest, PlanSpec, build_request
from routing.plan.scenario import Scenario, ScenarioSpec
from routing.plan.serialize import plan_json

__all__ = [
    "Impact",
    "Leg",
    "Member",
    "Outcome",
    "Plan",
    "PlanRequest",
    "PlanSpec",
    "Planner",
    "Scenario",
    "ScenarioSpec",
    "Stop",
    "build_request",
    "compare",
    "compare_json",
    "critical",
    "critical_json",
    "plan_json",
]
