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
from app.routers import catalogue, health
from app.settings import Settings, get_settings
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
        log.info("catalogue %s: %d facilities", app.state.catalogue_version, len(cat))
        yield

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
    return app


app = create_app()
