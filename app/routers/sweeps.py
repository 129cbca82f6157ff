"""Sweeps over HTTP: start one as a background job on Dask, follow it, fetch its rows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import FileResponse, Response

from app.auth import AsPlanner
from app.deps import StoreDep, SweepsDep
from app.schemas import SweepJob, SweepJobPage
from app.sweeps import results_csv
from routing.errors import ConflictError
from routing.limits import MAX_ID
from routing.sweep import SweepSpec

router = APIRouter(tags=["sweeps"])

SweepId = Annotated[int, Path(ge=1, le=MAX_ID, description="Sweep id.", examples=[1])]
JOB: dict[int | str, dict[str, Any]] = {
    200: {"model": SweepJob, "description": "The sweep job: status and progress."}
}


@router.post(
    "/sweeps",
    status_code=202,
    summary="Start a sweep of what-ifs as a background job",
    response_model=None,
    responses={202: {"model": SweepJob, "description": "The job, queued or running."}},
)
def start_sweep(
    jobs: SweepsDep, caller: AsPlanner, body: Annotated[SweepSpec, Body()]
) -> dict[str, Any]:
    """The product of `scenarios` x `platforms` x pairs x `dates` (plan cases) and of the
    `reach` block (reach cases) (the `relos sweep` spec as JSON), checked against the
    loaded data at once (a typo is a 4xx naming the field),
    then planned on the Dask cluster in the background. Follow it at `GET /sweeps/{id}`;
    its rows are at `GET /sweeps/{id}/results` once `status` is `done`. Needs the planner
    role."""
    return jobs.start(body, caller.actor)


@router.get(
    "/sweeps",
    summary="Sweep jobs, newest first",
    response_model=None,
    responses={200: {"model": SweepJobPage, "description": "A page of sweep jobs."}},
)
def list_sweeps(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.", examples=[50])] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Jobs to skip.", examples=[0])] = 0,
) -> dict[str, Any]:
    """Each job's status and progress (without its spec), paged."""
    return {
        "count": store.count_sweeps(),
        "limit": limit,
        "offset": offset,
        "sweeps": store.list_sweeps(limit, offset),
    }


@router.get("/sweeps/{sweep_id}", summary="One sweep job", response_model=None, responses=JOB)
def get_sweep(store: StoreDep, sweep_id: SweepId) -> dict[str, Any]:
    """`status` (`queued`, `running`, `done`, `failed`, or `interrupted` when its server
    stopped), `done` of `total` cases, `progress`, the spec, and when done a `summary`
    (per scenario and platform: cases, feasible share, median days)."""
    return store.get_sweep(sweep_id)


@router.post(
    "/sweeps/{sweep_id}/resume",
    status_code=202,
    summary="Resume a failed or interrupted sweep",
    response_model=None,
    responses={
        202: {"model": SweepJob, "description": "The job, running again."},
        409: {"description": "The sweep is running or done."},
    },
)
def resume_sweep(jobs: SweepsDep, caller: AsPlanner, sweep_id: SweepId) -> dict[str, Any]:
    """Runs the cases not finished yet (finished chunks are kept on disk); 409 when the
    job is running or done. Its owner or an admin."""
    return jobs.resume(sweep_id, caller.actor)


@router.get(
    "/sweeps/{sweep_id}/results",
    summary="A finished sweep's rows, as Parquet or CSV",
    response_model=None,
    responses={
        200: {
            "content": {"application/vnd.apache.parquet": {}, "text/csv": {}},
            "description": "One row per case.",
        },
        409: {"description": "The sweep is not done yet."},
    },
)
def sweep_results(
    store: StoreDep,
    jobs: SweepsDep,
    sweep_id: SweepId,
    format: Annotated[
        Literal["parquet", "csv"],
        Query(description="`parquet` (as pandas reads it) or `csv`.", examples=["parquet"]),
    ] = "parquet",
) -> Response:
    """One row per case: inputs, feasible, reason, distance_nm, days, stops, agreements
    used, passages (plan cases); area, lane share and facilities by stops (reach cases,
    `kind` `reach`); 409 until the sweep is done."""
    record = store.get_sweep(sweep_id)
    path = jobs.output(sweep_id)
    if record["status"] != "done" or not path.exists():
        raise ConflictError(
            f"sweep {sweep_id} is {record['status']} ({record['done']} of {record['total']} "
            "cases): results are ready when it is done",
            field="sweep_id",
        )
    name = f"relos-sweep-{sweep_id}"
    if format == "csv":
        return Response(
            results_csv(path),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return FileResponse(
        path, media_type="application/vnd.apache.parquet", filename=f"{name}.parquet"
    )
