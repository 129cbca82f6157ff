"""Saved what-if scenarios: create, list, read, replace, delete.

A scenario is validated against the catalogue, the platform registry and the
passages (:func:`routing.plan.scenario.to_scenario`) before it is saved, so a
saved scenario is always usable. The store commits before an answer is sent;
its errors (unknown id, name taken) map to 404 and 409 in ``app/errors.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response
from pydantic import Field

from app.deps import ServicesDep, StoreDep
from routing.plan.scenario import ScenarioSpec, to_scenario

router = APIRouter(tags=["scenarios"])

ScenarioId = Annotated[
    int, Path(ge=1, description="Saved scenario id (from POST /scenarios).", examples=[1])
]


class StoredScenario(ScenarioSpec):
    """A saved scenario: its body plus id, version and timestamps (UTC)."""

    id: int = Field(description="Stable id, never reused.")
    version: int = Field(description="1 when created, +1 at each PUT.")
    created_at: dt.datetime
    updated_at: dt.datetime


# -- scenarios ---------------------------------------------------------------------------------


@router.post(
    "/scenarios",
    status_code=201,
    response_model=StoredScenario,
    summary="Save a scenario",
    responses={409: {"description": "A scenario with this name exists."}},
)
def create_scenario(
    store: StoreDep,
    services: ServicesDep,
    response: Response,
    body: Annotated[ScenarioSpec, Body()],
) -> dict[str, Any]:
    """Validate the scenario against the catalogue and platforms, then save it (name unique)."""
    to_scenario(body, services.catalogue, services.platforms, services.sea_data)
    saved = store.create_scenario(body.model_dump(mode="json"))
    response.headers["Location"] = f"/scenarios/{saved['id']}"
    return saved


@router.get("/scenarios", summary="Saved scenarios")
def list_scenarios(store: StoreDep) -> dict[str, Any]:
    """Every saved scenario, oldest first."""
    scenarios = store.list_scenarios()
    return {"count": len(scenarios), "scenarios": scenarios}


@router.get(
    "/scenarios/{scenario_id}",
    response_model=StoredScenario,
    summary="One saved scenario",
)
def get_scenario(store: StoreDep, scenario_id: ScenarioId) -> dict[str, Any]:
    """The saved scenario with this id."""
    return store.get_scenario(scenario_id)


@router.put(
    "/scenarios/{scenario_id}",
    response_model=StoredScenario,
    summary="Replace a saved scenario",
    responses={409: {"description": "Another scenario has this name."}},
)
def replace_scenario(
    store: StoreDep,
    services: ServicesDep,
    scenario_id: ScenarioId,
    body: Annotated[ScenarioSpec, Body()],
) -> dict[str, Any]:
    """Validate and replace the whole scenario; its `version` goes up by one."""
    to_scenario(body, services.catalogue, services.platforms, services.sea_data)
    return store.update_scenario(scenario_id, body.model_dump(mode="json"))


@router.delete(
    "/scenarios/{scenario_id}",
    status_code=204,
    summary="Delete a saved scenario",
)
def delete_scenario(store: StoreDep, scenario_id: ScenarioId) -> None:
    """Delete the scenario; plans saved under it are kept."""
    store.delete_scenario(scenario_id)
