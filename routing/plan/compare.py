"""What-if comparison: one deployment (or route) under a baseline and N scenarios.

:func:`compare` plans the same request under each scenario and reports the
deltas against the baseline; :func:`critical` ranks the facilities,
agreements and passages a plan depends on by what their loss costs (extra
hours, or feasibility). Scenarios are values: nothing shared is mutated, and
repeated scenarios hit the planner's caches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from routing.budget import check
from routing.errors import NoRouteError
from routing.geo import LonLat
from routing.plan.planner import Plan, Planner, PlanRequest, SeaLegSource
from routing.plan.scenario import Scenario
from routing.plan.serialize import plan_json
from routing.sea.passages import ShipSize


@dataclass(frozen=True)
class Outcome:
    """A plan under one scenario."""

    scenario: Scenario
    plan: Plan


class Comparison(list[Outcome]):
    """The outcomes of :func:`compare`, baseline first: a list, that shows itself in a
    notebook (a row per scenario and the plans on one map) and reprs on one line."""

    def answer(self, *, include_plans: bool = True) -> dict[str, Any]:
        """The ``POST /compare`` answer (:func:`compare_json`)."""
        return compare_json(self, include_plans=include_plans)

    def __repr__(self) -> str:
        names = ", ".join(o.scenario.name for o in self)
        return f"<Comparison of {len(self)} plans: {names}>"

    def _repr_html_(self) -> str:
        from routing.display import compare_rows, html

        table = self.answer()
        base = self[0].plan if self else None
        title = f"Compared: {base.origin.name} -> {base.destination.name}" if base else "Compared"
        return html(title, compare_rows(table), "compare", table)


def compare(planner: Planner, req: PlanRequest, scenarios: Sequence[Scenario]) -> Comparison:
    """The baseline (first) and each scenario's plan for ``req``."""
    out = Comparison([Outcome(Scenario(name="baseline"), planner.plan(req))])
    for s in scenarios:
        check()
        out.append(Outcome(s, planner.plan(req, scenario=s)))
    return out


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
            "agreements_used": agreements_used(plan),
            "passages": list(plan.passages),
        }
        if include_plans:
            row["plan"] = plan_json(plan)
        rows.append(row)
    return {"baseline": rows[0], "results": rows}


def agreements_used(plan: Plan) -> list[str]:
    """The agreements a plan relies on: at its stops, and for its origin, waypoint and
    destination calls."""
    grants = [s.grant for s in plan.stops] + [c.grant for c in plan.calls if c.grant]
    return sorted({a for g in grants for a in g.agreements})


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

    Candidates are the stops it uses (closed), the agreements that open them or
    its origin, waypoints and destination (dropped), and the passages it traverses
    (closed). Losing anything else
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
    for agr in agreements_used(base):
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


def compare_routes(
    sea: SeaLegSource,
    origin: str | LonLat,
    destination: str | LonLat,
    scenarios: Sequence[Scenario],
    *,
    closed: Sequence[str] = (),
    date: dt.date | None = None,
    speed_kn: float,
    ice_class: str | None = None,
    size: ShipSize | None = None,
) -> dict[str, Any]:
    """One route under the baseline and each scenario (its date and closures): the
    ``POST /compare`` answer for a ``route``."""
    rows: list[dict[str, Any]] = []
    for scn in [Scenario(name="baseline"), *scenarios]:
        check()
        row: dict[str, Any] = {"scenario": scn.name, "feasible": True, "reason": None}
        try:
            route = sea.route(
                origin,
                destination,
                closed=frozenset([*closed, *scn.closed]),
                date=scn.date or date,
                ice_class=ice_class,
                size=size,
            )
        except NoRouteError as exc:
            row.update(
                feasible=False, reason=exc.message, totals=None, passages=[], closures=exc.closures
            )
        else:
            row["totals"] = {
                "distance_nm": round(route.distance_nm, 1),
                "duration_h": round(route.duration_h(speed_kn), 1),
                "stops": 0,
            }
            row["passages"] = list(route.passages)
            row["route"] = route.to_geojson()
        rows.append(row)
    base = rows[0]["totals"]
    for row in rows:
        t = row["totals"]
        row["delta"] = (
            None
            if base is None or t is None
            else {k: round(t[k] - base[k], 1) for k in ("distance_nm", "duration_h", "stops")}
        )
    return {"baseline": rows[0], "results": rows}
