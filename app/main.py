"""The FastAPI application: ``app.main:app``.

Heavy state (the catalogue, the sea graph) is built once in the lifespan and
is read-only afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import errors
from app.routers import catalogue, compare, health, maps, plans, routes, scenarios
from app.settings import Settings, get_settings
from app.store import Store
from routing.planner import Planner
from routing.platforms import load_platforms
from routing.service import sea_router_for
from routing.validation import load_catalogue

log = logging.getLogger("relos")

DESCRIPTION = """
Facility access and deployment planning under India's logistics agreements
(RELOS with Russia, LEMOA with the United States, and others).

Coordinates are GeoJSON order (lon, lat), WGS84; distances in nautical miles
(`_nm`), speeds in knots (`_kn`).
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; ``settings`` defaults to the environment's."""
    cfg = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        cat = load_catalogue(cfg.facilities_path, cfg.agreements_path)
        app.state.catalogue = cat
        app.state.catalogue_version = cat.version()
        app.state.platforms = load_platforms(cfg.platforms_path)
        log.info("catalogue %s: %d facilities", app.state.catalogue_version, len(cat))
        sea = None
        if cfg.load_sea_graph:
            sea = sea_router_for(cat, cache_dir=cfg.cache_dir)
        app.state.sea_router = sea
        app.state.planner = Planner(cat, sea, platforms=app.state.platforms)
        app.state.versions = {
            "catalogue": app.state.catalogue_version,
            "graph": sea.graph_version if sea else None,
        }
        app.state.store = Store.open(cfg.database_url)
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(
        title="RELOS planner",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.dependency_overrides[get_settings] = lambda: cfg
    errors.register(app)
    app.include_router(health.router)
    app.include_router(catalogue.router)
    app.include_router(routes.router)
    app.include_router(scenarios.router)
    app.include_router(plans.router)
    app.include_router(compare.router)
    app.include_router(maps.router)
    maps.mount_static(app)
    return app


app = create_app()
