"""Typed dependencies: the read-only state built in the app's lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.settings import Settings, get_settings
from routing.catalogue import Catalogue
from routing.errors import InvalidInputError
from routing.planner import Planner
from routing.platforms import Platform
from routing.router import SeaRouter


def get_catalogue(request: Request) -> Catalogue:
    """The catalogue loaded at start-up (read-only)."""
    catalogue: Catalogue = request.app.state.catalogue
    return catalogue


def get_platforms(request: Request) -> dict[str, Platform]:
    """The platform registry loaded at start-up (read-only)."""
    platforms: dict[str, Platform] = request.app.state.platforms
    return platforms


def get_planner(request: Request) -> Planner:
    """The deployment planner built at start-up."""
    planner: Planner = request.app.state.planner
    return planner


def get_sea_router(request: Request) -> SeaRouter:
    """The sea router built or loaded at start-up."""
    sea: SeaRouter | None = request.app.state.sea_router
    if sea is None:
        raise InvalidInputError("the sea graph is disabled (RELOS_LOAD_SEA_GRAPH=false)")
    return sea


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
PlatformsDep = Annotated[dict[str, Platform], Depends(get_platforms)]
PlannerDep = Annotated[Planner, Depends(get_planner)]
SeaRouterDep = Annotated[SeaRouter, Depends(get_sea_router)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
