"""Saved what-if scenarios (create, list, read, replace, delete) and saved plans.

A scenario is validated against the catalogue and the platform registry
(:func:`app.schemas.to_scenario`) before it is saved, so a saved scenario is
always usable. The store (``app.state.store``, an :class:`app.store.Store`)
commits before an answer is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request, Response
from pydantic import Field, ValidationError

from app.deps import CatalogueDep, PlatformsDep
from app.schemas import ScenarioBody, to_scenario
from app.store import SCENARIO_META, ConflictError, Store, UnknownRecordError
from routing.catalogue import Catalogue
from routing.errors import InvalidInputError, RelosError
from routing.platforms import Platform
from routing.scenario import Scenario

router = APIRouter()


def get_store(request: Request) -> Store:
    """The store opened at start-up."""
    store: Store | None = getattr(request.app.state, "store", None)
    if store is None:
        raise RuntimeError("the scenario store is not open (app.state.store)")
    return store


StoreDep = Annotated[Store, Depends(get_store)]
ScenarioId = Annotated[
    int, Path(ge=1, description="Saved scenario id (from POST /scenarios).", examples=[1])
]
PlanId = Annotated[int, Path(ge=1, description="Saved plan id.", examples=[1])]


class StoredScenario(ScenarioBody):
    """A saved scenario: its body plus id, version and timestamps (UTC)."""

    id: int = Field(description="Stable id, never reused.")
    version: int = Field(description="1 when created, +1 at each PUT.")
    created_at: dt.datetime
    updated_at: dt.datetime


@contextmanager
def _http_errors(*, path_param: str) -> Iterator[None]:
    """Store errors as HTTP answers of the usual ``{"detail": [...]}`` shape."""
    try:
        yield
    except UnknownRecordError as exc:
        raise HTTPException(
            404, detail=[{"loc": ["path", path_param], "msg": exc.message, "type": "not_found"}]
        ) from None
    except ConflictError as exc:
        raise HTTPException(
            409,
            detail=[{"loc": ["body", exc.field or "name"], "msg": exc.message, "type": "conflict"}],
        ) from None


# -- scenarios ---------------------------------------------------------------------------------


@router.post(
    "/scenarios",
    status_code=201,
    response_model=StoredScenario,
    tags=["scenarios"],
    summary="Save a scenario",
    responses={409: {"description": "A scenario with this name exists."}},
)
def create_scenario(
    store: StoreDep,
    catalogue: CatalogueDep,
    platforms: PlatformsDep,
    response: Response,
    body: Annotated[ScenarioBody, Body()],
) -> dict[str, Any]:
    """Validate the scenario against the catalogue and platforms, then save it (name unique)."""
    to_scenario(body, catalogue, platforms)
    with _http_errors(path_param="scenario_id"):
        saved = store.create_scenario(body.model_dump(mode="json"))
    response.headers["Location"] = f"/scenarios/{saved['id']}"
    return saved


@router.get("/scenarios", tags=["scenarios"], summary="Saved scenarios")
def list_scenarios(store: StoreDep) -> dict[str, Any]:
    """Every saved scenario, oldest first."""
    scenarios = store.list_scenarios()
    return {"count": len(scenarios), "scenarios": scenarios}


@router.get(
    "/scenarios/{scenario_id}",
    response_model=StoredScenario,
    tags=["scenarios"],
    summary="One saved scenario",
)
def get_scenario(store: StoreDep, scenario_id: ScenarioId) -> dict[str, Any]:
    """The saved scenario with this id."""
    with _http_errors(path_param="scenario_id"):
        return store.get_scenario(scenario_id)


@router.put(
    "/scenarios/{scenario_id}",
    response_model=StoredScenario,
    tags=["scenarios"],
    summary="Replace a saved scenario",
    responses={409: {"description": "Another scenario has this name."}},
)
def replace_scenario(
    store: StoreDep,
    catalogue: CatalogueDep,
    platforms: PlatformsDep,
    scenario_id: ScenarioId,
    body: Annotated[ScenarioBody, Body()],
) -> dict[str, Any]:
    """Validate and replace the whole scenario; its `version` goes up by one."""
    to_scenario(body, catalogue, platforms)
    with _http_errors(path_param="scenario_id"):
        return store.update_scenario(scenario_id, body.model_dump(mode="json"))


@router.delete(
    "/scenarios/{scenario_id}",
    status_code=204,
    tags=["scenarios"],
    summary="Delete a saved scenario",
)
def delete_scenario(store: StoreDep, scenario_id: ScenarioId) -> None:
    """Delete the scenario; plans saved under it are kept."""
    with _http_errors(path_param="scenario_id"):
        store.delete_scenario(scenario_id)


# -- saved plans -------------------------------------------------------------------------------


@router.get("/plans/saved", tags=["plans"], summary="Saved plans, newest first")
def list_saved_plans(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.", examples=[50])] = 50,
    offset: Annotated[int, Query(ge=0, description="Plans to skip.", examples=[0])] = 0,
) -> dict[str, Any]:
    """Summaries (nation, origin, destination, feasible, totals, data versions), paged."""
    return {
        "count": store.count_plans(),
        "limit": limit,
        "offset": offset,
        "plans": store.list_plans(limit, offset),
    }


@router.get("/plans/{plan_id}", tags=["plans"], summary="One saved plan")
def get_saved_plan(store: StoreDep, plan_id: PlanId) -> dict[str, Any]:
    """The saved request and answer, with the catalogue and graph versions it was computed on."""
    with _http_errors(path_param="plan_id"):
        return store.get_plan(plan_id)


@router.delete("/plans/{plan_id}", status_code=204, tags=["plans"], summary="Delete a saved plan")
def delete_saved_plan(store: StoreDep, plan_id: PlanId) -> None:
    """Delete the saved plan."""
    with _http_errors(path_param="plan_id"):
        store.delete_plan(plan_id)


# -- for POST /compare -------------------------------------------------------------------------


def resolve_scenarios(
    store: Store | None,
    items: Sequence[int | Mapping[str, Any]],
    catalogue: Catalogue,
    platforms: Mapping[str, Platform],
) -> list[Scenario]:
    """The domain scenarios for saved ids and inline ``ScenarioBody`` objects, each validated.

    Errors are 422s naming ``scenarios.<i>`` (and the field inside it): an
    unknown id is a bad reference in the request body, not a missing page.
    """
    out: list[Scenario] = []
    for i, item in enumerate(items):
        where = f"scenarios.{i}"
        if isinstance(item, int) and not isinstance(item, bool):
            if store is None:
                raise InvalidInputError("saved scenarios are not available", field=where)
            try:
                stored = store.get_scenario(item)
            except UnknownRecordError:
                raise InvalidInputError(f"no saved scenario with id {item}", field=where) from None
            data = {k: v for k, v in stored.items() if k not in SCENARIO_META}
        elif isinstance(item, Mapping):
            data = dict(item)
        else:
            raise InvalidInputError("give a saved scenario id or a scenario object", field=where)
        try:
            body = ScenarioBody.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InvalidInputError(
                err["msg"], field=".".join([where, *(str(p) for p in err["loc"])])
            ) from None
        try:
            out.append(to_scenario(body, catalogue, platforms))
        except RelosError as exc:
            exc.field = f"{where}.{exc.field}" if exc.field else where
            raise
    return out
