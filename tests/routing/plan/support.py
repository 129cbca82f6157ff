"""Shared helpers of the planner's tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from routing import Planner
from routing.catalogue.model import Catalogue
from routing.plan.planner import Plan, PlanRequest


@dataclass(frozen=True)
class Tried:
    """One variant an infeasible plan's suggestions planned: over which catalogue, the
    request, the places it shared with its group (``None``: its own) and its plan
    (``None``: infeasible)."""

    catalogue: Catalogue
    variant: PlanRequest
    among: Any
    plan: Plan | None


def record_variants(m: pytest.MonkeyPatch) -> list[Tried]:
    """Every variant planned from now on (through ``m``'s patch of the planner), as it
    is planned."""
    tried: list[Tried] = []
    feasible = Planner._feasible

    def recorded(
        self: Planner, cat: Catalogue, variant: PlanRequest, among: Any = None
    ) -> Plan | None:
        plan = feasible(self, cat, variant, among)
        tried.append(Tried(cat, variant, among, plan))
        return plan

    m.setattr(Planner, "_feasible", recorded)
    return tried


def shown(plan: Plan | None) -> Any:
    """What a planner reads of a plan: its distance, stops and their grants, ETA."""
    if plan is None:
        return None
    return (
        round(plan.distance_nm, 6),
        [(s.place.key, s.grant.basis, s.grant.agreements) for s in plan.stops],
        plan.eta,
        [(leg.start.key, leg.end.key, round(leg.distance_nm, 6)) for leg in plan.legs],
    )
