"""``POST /plans``: a deployment plan with resupply stops (a thin adapter over the core)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response

from app import exports
from app.answers import JSONAnswer
from app.auth import AsViewer, allowed
from app.deps import ComputeDep, ServicesDep, StoreDep
from app.schemas import PlanResult
from routing.plan.request import PlanSpec

router = APIRouter(tags=["plans"])

PlanBody = PlanSpec
"""The body of ``POST /plans`` is the core's request schema, unchanged."""


def create_plan(
    services: ServicesDep,
    compute: ComputeDep,
    store: StoreDep,
    caller: AsViewer,
    body: Annotated[PlanSpec, Body()],
    save: Annotated[
        bool,
        Query(description="Also save the plan; fetch it later at /plans/{id}.", examples=[True]),
    ] = False,
) -> JSONAnswer:
    """The optimal plan, or `feasible: false` with the reason and what would fix it.

    With `save=true` the request and the answer are stored (with the catalogue and
    graph versions they were computed on) and `saved` gives the id and its address;
    saving needs the planner role."""
    if save:
        allowed(caller, "planner")
    planned = compute.plan_json(body)
    if not save:
        return planned
    out = planned.data
    record = store.save_plan(
        request=body.model_dump(mode="json"),
        result=out,
        scenario_id=None,
        catalogue_version=services.catalogue.version(),
        graph_version=services.versions["graph"],
        actor=caller.actor,
    )
    out["saved"] = {"id": record["id"], "href": f"/plans/{record['id']}"}
    return JSONAnswer(out)


@router.post(
    "/plans",
    summary="Plan a deployment with resupply stops (as JSON, or a GPX, KML, RTZ... file)",
    response_model=None,
    operation_id="create_plan_plans_post",
    responses=exports.responses(
        PlanResult, "The plan, or feasible: false with the reason and what would fix it."
    ),
)
def create_plan_or_file(
    fmt: exports.AskedFormat,
    compute: ComputeDep,
    planned: Annotated[JSONAnswer, Depends(create_plan)],
    download: exports.FileDownloadQ = False,
) -> Response:
    """The optimal plan, or `feasible: false` with the reason and what would fix it.

    With `save=true` the request and the answer are stored (with the catalogue and
    graph versions they were computed on) and `saved` gives the id and its address;
    saving needs the planner role.

    With `format`, the plan as a file (an infeasible plan has none: 422 naming
    `format`): waypoints along each leg's sea route, stops named after their
    facilities, arrival and departure times where the format has a place for them."""
    if fmt is None:
        return planned
    return exports.file_answer(planned.data, fmt, download=download, writer=compute.export)
