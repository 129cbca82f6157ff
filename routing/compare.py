"""What-if comparison: one deployment (or route) under a baseline and N scenarios.

:func:`compare` plans the same request under each scenario and reports the
deltas against the baseline; :func:`critical` ranks the facilities,
agreements and passages a plan depends on by what their loss costs (extra
hours, or feasibility). Scenarios are values: nothing shared is mutated, and
repeated scenarios hit the planner's caches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from routing.errors import NoRouteError
from routing.planner import Plan, Planner, PlanRequest
from routing.scenario import Scenario
from routing.serialize import plan_json


@dataclass(frozen=True)
class Outcome:
    """A plan under one scenario."""

    scenario: Scenario
    plan: Plan


def compare(planner: Planner, req: PlanRequest, scenarios: Sequence[Scenario]) -> list[Outcome]:
    """The baseline (first) and each scenario's plan for ``req``."""
    base = Outcome(Scenario(name="baseline"), planner.plan(req))
    return [base, *(Outcome(s, planner.plan(req, scenario=s)) for s in scenarios)]


def _totals(plan: Plan) -> dict[str, float] | None:
    if not plan.feasible:
        return None
    return {
        "distance_nm": round(plan.distance_nm, 1),
        "duration_h": round(plan.duration_h, 1),
        "days": round(plan.duration_h / 24, 2),
        "stops": len(plan.stops),
    }


def delta(base: Plan, other: Plan) -> dict[str, float] | None:
    """``other`` minus ``base`` (distance, hours, stops); ``None`` unless both are feasible."""
    a, b = _totals(base), _totals(other)
    if a is None or b is None:
        return None
    return {
        "distance_nm": round(b["distance_nm"] - a["distance_nm"], 1),
        "duration_h": round(b["duration_h"] - a["duration_h"], 1),
        "days": round(b["days"] - a["days"], 2),
        "stops": int(b["stops"] - a["stops"]),
    }


def compare_json(outcomes: Sequence[Outcome], *, include_plans: bool = True) -> dict[str, Any]:
    """The ``POST /compare`` answer: a row per scenario, baseline first."""
    base = outcomes[0].plan
    base_stops = [s.place.key for s in base.stops]
    rows = []
    for out in outcomes:
        plan = out.plan
        stops = [s.place.key for s in plan.stops]
        row: dict[str, Any] = {
            "scenario": out.scenario.name,
            "feasible": plan.feasible,
            "reason": plan.reason,
            "suggestions": list(plan.suggestions),
            "totals": _totals(plan),
            "delta": delta(base, plan),
            "stops_used": stops,
            "stops_added": [s for s in stops if s not in base_stops],
            "stops_removed": [s for s in base_stops if s not in stops] if plan.feasible else [],
            "agreements_used": sorted({s.grant.agreement for s in plan.stops if s.grant.agreement}),
            "passages": list(plan.passages),
        }
        if include_plans:
            row["plan"] = plan_json(plan)
        rows.append(row)
    return {"baseline": rows[0], "results": rows}


@dataclass(frozen=True)
class Impact:
    """What losing one facility, agreement or passage costs a deployment."""

    kind: Literal["facility", "agreement", "passage"]
    id: str
    feasible: bool
    extra_h: float | None
    reason: str | None
    plan: Plan

    @property
    def sort_key(self) -> tuple[int, float]:
        """Infeasible first, then the largest extra time."""
        return (0 if not self.feasible else 1, -(self.extra_h or 0.0))


def critical(planner: Planner, req: PlanRequest) -> tuple[Plan, list[Impact]]:
    """The baseline plan and, ranked, the cost of losing each thing it relies on.

    Candidates are the stops it uses (closed), the agreements that open them
    (dropped) and the passages it traverses (closed). Losing anything else
    costs nothing, so it is not listed.
    """
    base = planner.plan(req)
    if not base.feasible:
        return base, []
    probes: list[tuple[Literal["facility", "agreement", "passage"], str, Scenario]] = []
    for stop in base.stops:
        probes.append(
            (
                "facility",
                stop.place.key,
                Scenario(
                    name=f"close {stop.place.key}", closed_facilities=frozenset({stop.place.key})
                ),
            )
        )
    for agr in sorted({a for s in base.stops for a in s.grant.agreements}):
        probes.append(
            ("agreement", agr, Scenario(name=f"drop {agr}", dropped_agreements=frozenset({agr})))
        )
    for passage in base.passages:
        probes.append(
            ("passage", passage, Scenario(name=f"close {passage}", closed=frozenset({passage})))
        )
    impacts = []
    for kind, ident, scn in probes:
        try:
            plan = planner.plan(req, scenario=scn)
        except NoRouteError as exc:
            plan = Plan(
                request=req,
                feasible=False,
                speed_kn=base.speed_kn,
                usable_range_nm=base.usable_range_nm,
                origin=base.origin,
                destination=base.destination,
                reason=exc.message,
            )
        extra = plan.duration_h - base.duration_h if plan.feasible else None
        impacts.append(Impact(kind, ident, plan.feasible, extra, plan.reason, plan))
    impacts.sort(key=lambda i: i.sort_key)
    return base, impacts


def critical_json(base: Plan, impacts: Sequence[Impact]) -> dict[str, Any]:
    """The ``POST /critical`` answer."""
    return {
        "baseline": {"feasible": base.feasible, "reason": base.reason, "totals": _totals(base)},
        "ranking": [
            {
                "rank": i,
                "kind": imp.kind,
                "id": imp.id,
                "feasible": imp.feasible,
                "extra_h": None if imp.extra_h is None else round(imp.extra_h, 1),
                "extra_days": None if imp.extra_h is None else round(imp.extra_h / 24, 2),
                "reason": imp.reason,
                "stops_used": [s.place.key for s in imp.plan.stops],
            }
            for i, imp in enumerate(impacts, start=1)
        ],
    }
