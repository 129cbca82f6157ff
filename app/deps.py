"""Typed dependencies: the read-only state built in the app's lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.compute import Compute
from app.settings import Settings, get_settings
from app.store import Store
from app.sweeps import SweepJobs
from routing.catalogue.model import Catalogue
from routing.catalogue.platforms import Platform
from routing.errors import ServiceUnavailableError
from routing.plan.planner import Planner
from routing.sea.router import SeaRouter
from routing.service import Services


def get_services(request: Request) -> Services:
    """The use cases over the data loaded at start-up (read-only)."""
    services: Services = request.app.state.services
    return services


def get_catalogue(request: Request) -> Catalogue:
    """The catalogue loaded at start-up (read-only)."""
    return get_services(request).catalogue


def get_platforms(request: Request) -> dict[str, Platform]:
    """The platform registry loaded at start-up (read-only)."""
    return dict(get_services(request).platforms)


def get_planner(request: Request) -> Planner:
    """The deployment planner built at start-up."""
    return get_services(request).planner


def get_sea_router(request: Request) -> SeaRouter:
    """The sea router; 503 when the service runs without it."""
    return get_services(request).require_sea()


def get_compute(request: Request) -> Compute:
    """Where heavy work runs (this thread, or the worker pool)."""
    compute: Compute = request.app.state.compute
    return compute


def get_store(request: Request) -> Store:
    """The scenario and saved-plan store opened at start-up; 503 when it is not open."""
    store: Store | None = getattr(request.app.state, "store", None)
    if store is None:
        raise ServiceUnavailableError("the scenario store is not open")
    return store


def get_sweeps(request: Request) -> SweepJobs:
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
SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
ComputeDep = Annotated[Compute, Depends(get_compute)]
SweepsDep = Annotated[SweepJobs, Depends(get_sweeps)]
