"""Typed dependencies: the read-only state built in the app's lifespan.

They are ``async`` because they only read ``app.state``: FastAPI runs a plain ``def``
dependency in its thread pool, a hop to another thread and back for each one on every
request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.compute import Compute
from app.settings import Settings
from app.store import Store
from app.sweeps import SweepJobs
from routing.catalogue.model import Catalogue
from routing.catalogue.platforms import Platform
from routing.errors import ServiceUnavailableError
from routing.plan.planner import Planner
from routing.sea.router import SeaRouter
from routing.service import Services


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_services(request: Request) -> Services:
    """The use cases over the data loaded at start-up (read-only)."""
    return _services(request)


async def get_catalogue(request: Request) -> Catalogue:
    """The catalogue loaded at start-up (read-only)."""
    return _services(request).catalogue


async def get_platforms(request: Request) -> dict[str, Platform]:
    """The platform registry loaded at start-up (read-only)."""
    return dict(_services(request).platforms)


async def get_planner(request: Request) -> Planner:
    """The deployment planner built at start-up."""
    return _services(request).planner


async def get_sea_router(request: Request) -> SeaRouter:
    """The sea router; 503 when the service runs without it."""
    return _services(request).require_sea()


async def get_compute(request: Request) -> Compute:
    """Where heavy work runs (this thread, or the worker pool)."""
    compute: Compute = request.app.state.compute
    return compute


async def get_store(request: Request) -> Store:
    """The scenario and saved-plan store opened at start-up; 503 when it is not open."""
    store: Store | None = getattr(request.app.state, "store", None)
    if store is None:
        raise ServiceUnavailableError("the scenario store is not open")
    return store


async def get_app_settings(request: Request) -> Settings:
    """The settings this app was made with (``app.state.settings``).

    Not a ``dependency_overrides`` entry: with any override in place FastAPI rebuilds
    every dependency's signature analysis on every request (40 % of a cached route's
    time in the server)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_sweeps(request: Request) -> SweepJobs:
    """The sweep jobs of this server process."""
    jobs: SweepJobs | None = getattr(request.app.state, "sweeps", None)
    if jobs is None:
        raise ServiceUnavailableError("sweeps need the store and the sea graph, not loaded")
    return jobs


ServicesDep = Annotated[Services, Depends(get_services)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
PlatformsDep = Annotated[dict[str, Platform], Depends(get_platforms)]
PlannerDep = Annotated[Planner, Depends(get_planner)]
SeaRouterDep = Annotated[SeaRouter, Depends(get_sea_router)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
ComputeDep = Annotated[Compute, Depends(get_compute)]
SweepsDep = Annotated[SweepJobs, Depends(get_sweeps)]
