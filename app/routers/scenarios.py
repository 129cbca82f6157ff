"""Saved what-if scenarios: create, list, read, replace, delete.

A scenario is validated against the catalogue, the platform registry and the
passages (:func:`routing.plan.scenario.to_scenario`) before it is saved, so a
saved scenario is always usable. The store commits before an answer is sent;
its errors (unknown id, name taken) map to 404 and 409 in ``app/errors.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Response

from app.auth import AsPlanner
from app.deps import ServicesDep, StoreDep
from app.schemas import ScenarioPage, StoredScenario
from routing.errors import InvalidInputError, PreconditionRequiredError
from routing.limits import MAX_ID
from routing.plan.scenario import ScenarioSpec, to_scenario, with_ids

router = APIRouter(tags=["scenarios"])

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The version this write replaces, as the ETag of the GET gave it ("3"), or *.',
        examples=['"1"'],
    ),
]
ScenarioId = Annotated[
    int,
    Path(ge=1, le=MAX_ID, description="Saved scenario id (from POST /scenarios).", examples=[1]),
]


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
    caller: AsPlanner,
    response: Response,
    body: Annotated[ScenarioSpec, Body()],
) -> dict[str, Any]:
    """Validate the scenario against the catalogue and platforms, then save it (name unique)."""
    to_scenario(body, services.catalogue, services.platforms, services.sea_data)
    body = with_ids(body, services.catalogue, services.sea_data)
    saved = store.create_scenario(body.model_dump(mode="json"), caller.actor)
    response.headers["Location"] = f"/scenarios/{saved['id']}"
    response.headers["ETag"] = etag(saved)
    return saved


@router.get(
    "/scenarios",
    summary="Saved scenarios, oldest first",
    response_model=None,
    responses={200: {"model": ScenarioPage, "description": "A page of saved scenarios."}},
)
def list_scenarios(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.", examples=[100])] = 100,
    offset: Annotated[
        int, Query(ge=0, le=MAX_ID, description="Scenarios to skip.", examples=[0])
    ] = 0,
) -> dict[str, Any]:
    """Saved scenarios, oldest first, paged: `count` is how many are saved in all."""
    return {
        "count": store.count_scenarios(),
        "limit": limit,
        "offset": offset,
        "scenarios": store.list_scenarios(limit, offset),
    }


@router.get(
    "/scenarios/{scenario_id}",
    response_model=StoredScenario,
    summary="One saved scenario",
)
def get_scenario(store: StoreDep, scenario_id: ScenarioId, response: Response) -> dict[str, Any]:
    """The saved scenario with this id; its `ETag` is its version, for `If-Match`."""
    saved = store.get_scenario(scenario_id)
    response.headers["ETag"] = etag(saved)
    return saved


@router.put(
    "/scenarios/{scenario_id}",
    response_model=StoredScenario,
    summary="Replace a saved scenario",
    responses={
        409: {"description": "Another scenario has this name."},
        412: {"description": "The scenario changed since the version in If-Match."},
        428: {"description": "If-Match is missing."},
    },
)
def replace_scenario(
    store: StoreDep,
    services: ServicesDep,
    caller: AsPlanner,
    scenario_id: ScenarioId,
    body: Annotated[ScenarioSpec, Body()],
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Validate and replace the whole scenario, if it is still at the version named in
    `If-Match` (the `ETag` of the GET): a stale write gets 412, not a lost update. Its
    `version` goes up by one."""
    expected = expected_version(store, scenario_id, if_match)
    to_scenario(body, services.catalogue, services.platforms, services.sea_data)
    body = with_ids(body, services.catalogue, services.sea_data)
    saved = store.update_scenario(
        scenario_id, body.model_dump(mode="json"), expected=expected, actor=caller.actor
    )
    response.headers["ETag"] = etag(saved)
    return saved


@router.delete(
    "/scenarios/{scenario_id}",
    status_code=204,
    summary="Delete a saved scenario",
    responses={
        412: {"description": "The scenario changed since the version in If-Match."},
        428: {"description": "If-Match is missing."},
    },
)
def delete_scenario(
    store: StoreDep, caller: AsPlanner, scenario_id: ScenarioId, if_match: IfMatch = None
) -> None:
    """Delete the scenario if it is still at the version in `If-Match`; plans saved
    under it are kept."""
    expected = expected_version(store, scenario_id, if_match)
    store.delete_scenario(scenario_id, expected=expected, actor=caller.actor)


def etag(saved: dict[str, Any]) -> str:
    """A saved scenario's entity tag: its version, quoted."""
    return f'"{saved["version"]}"'


def expected_version(store: StoreDep, scenario_id: int, if_match: str | None) -> int | None:
    """The version ``If-Match`` names (``None`` for ``*``, any version); 428 without one."""
    if if_match is None:
        current = store.get_scenario(scenario_id)  # 404 before 428
        raise PreconditionRequiredError(
            "say which version this write replaces: send If-Match with the ETag of "
            f"GET /scenarios/{scenario_id} (now {etag(current)}), or * for any",
            field="If-Match",
        )
    tag = if_match.strip()
    if tag == "*":
        return None
    tag = tag.removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit()) or len(tag) > 18:
        raise InvalidInputError(
            f'If-Match must be a version like "3" or *, not {if_match[:40]!r}', field="If-Match"
        )
    return int(tag)
