"""Saved plans: list, read and delete what ``POST /plans?save=true`` stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from app import exports
from app.auth import AsPlanner
from app.deps import ComputeDep, StoreDep
from app.schemas import SavedPlan, SavedPlanPage
from routing.limits import MAX_ID

router = APIRouter(tags=["plans"])

PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="Saved plan id.", examples=[1])]


@router.get(
    "/plans/saved",
    summary="Saved plans, newest first",
    response_model=None,
    responses={200: {"model": SavedPlanPage, "description": "A page of saved plan summaries."}},
)
def list_saved_plans(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.", examples=[50])] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Plans to skip.", examples=[0])] = 0,
) -> dict[str, Any]:
    """Summaries (nation, origin, destination, feasible, totals, data versions), paged."""
    return {
        "count": store.count_plans(),
        "limit": limit,
        "offset": offset,
        "plans": store.list_plans(limit, offset),
    }


@router.get(
    "/plans/{plan_id}",
    summary="One saved plan (or its GPX, KML, RTZ... file)",
    response_model=None,
    responses=exports.responses(SavedPlan, "The saved request and answer, with versions."),
)
def get_saved_plan(
    fmt: exports.AskedFormat,
    compute: ComputeDep,
    store: StoreDep,
    plan_id: PlanId,
    download: exports.FileDownloadQ = False,
) -> Any:
    """The saved request and answer, with the catalogue and graph versions it was computed on.

    With `format`, the saved plan's answer as a file: the same file `POST /plans` gave
    when it was computed."""
    saved = store.get_plan(plan_id)
    if fmt is None:
        return saved
    return exports.file_answer(saved["result"], fmt, download=download, writer=compute.export)


@router.delete("/plans/{plan_id}", status_code=204, summary="Delete a saved plan")
def delete_saved_plan(store: StoreDep, caller: AsPlanner, plan_id: PlanId) -> None:
    """Delete the saved plan (yours, or anyone's as an admin)."""
    store.delete_plan(plan_id, actor=caller.actor)
