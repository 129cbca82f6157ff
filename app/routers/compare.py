"""What-if comparison and criticality: one deployment under a baseline and N scenarios."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from app.answers import JSONAnswer
from app.deps import ComputeDep, StoreDep
from app.schemas import Comparison, Criticality
from routing.plan.request import PlanSpec
from routing.service import CompareSpec

router = APIRouter(tags=["what-if"])

CompareBody = CompareSpec
"""The body of ``POST /compare`` is the core's schema, unchanged."""


@router.post(
    "/compare",
    summary="Run one deployment or route under a baseline and N scenarios",
    response_model=None,
    responses={
        200: {
            "model": Comparison,
            "description": "A row per scenario, baseline first, with deltas against it.",
        }
    },
)
def post_compare(
    compute: ComputeDep, store: StoreDep, body: Annotated[CompareSpec, Body()]
) -> JSONAnswer:
    """A row per scenario (baseline first): `feasible`, `reason`, `totals`, and `delta`
    (distance_nm, duration_h, stops) against the baseline, with stops and passages used."""
    return compute.compare(body, saved=store.get_scenario)


@router.post(
    "/critical",
    summary="Rank what a deployment depends on by the cost of losing it",
    response_model=None,
    responses={
        200: {
            "model": Criticality,
            "description": "What the deployment relies on, ranked by the cost of its loss.",
        }
    },
)
def post_critical(compute: ComputeDep, body: Annotated[PlanSpec, Body()]) -> JSONAnswer:
    """Each stop (closed), agreement used (dropped) and passage traversed (closed), ranked:
    infeasible first, then by the extra time its loss costs."""
    return compute.critical(body)
