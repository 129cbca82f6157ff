"""The FastAPI application: ``app.main:app``.

Heavy state (the catalogue, the sea graph) is built once in the lifespan and
is read-only afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from app import docs, errors, guard
from app.auth import Authenticator, require_viewer
from app.compute import Compute
from app.routers import (
    catalogue,
    compare,
    console,
    health,
    keys,
    maps,
    plans,
    platforms,
    reach,
    routes,
    saved_plans,
    scenarios,
    sweeps,
)
from app.security import SecurityHeaders
from app.settings import Settings, get_settings
from app.store import Store
from app.sweeps import SweepJobs
from app.workload import HeavyGate
from routing.service import Services, load_services
from routing.sweep import DataSource

log = logging.getLogger("relos")

DESCRIPTION = """
Facility access and deployment planning under India's logistics agreements
(RELOS with Russia, LEMOA with the United States, and others).

Coordinates are GeoJSON order (lon, lat), WGS84; distances in nautical miles
(`_nm`), speeds in knots (`_kn`).
"""


def data_paths(cfg: Settings) -> dict[str, Any]:
    """What :func:`routing.service.load_services` loads, as the settings name it."""
    assert cfg.facilities_path and cfg.agreements_path and cfg.platforms_path
    return {
        "facilities": cfg.facilities_path,
        "agreements": cfg.agreements_path,
        "platforms": cfg.platforms_path,
        "sea_dir": cfg.sea_dir,
        "cache_dir": cfg.cache_dir,
        "load_sea_graph": cfg.load_sea_graph,
        "extend_graph": cfg.extend_graph,
        "numpy_hugepages": cfg.numpy_hugepages,
        "kernel_threads": cfg.kernel_threads,
        "commercial_ports": cfg.commercial_ports_path if cfg.commercial_ports else None,
        "commercial_port_countries": cfg.commercial_port_countries,
        "commercial_port_services": cfg.commercial_port_services,
    }


def build_services(cfg: Settings) -> Services:
    """The data and engines the settings name, loaded and validated."""
    return load_services(**data_paths(cfg))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; ``settings`` defaults to the environment's."""
    cfg = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(cfg)
        app.state.services = services
        log.info(
            "catalogue %s: %d facilities; graph %s",
            services.versions["catalogue"],
            len(services.catalogue),
            services.versions["graph"],
        )
        app.state.compute = Compute(services, data_paths(cfg), cfg.compute_processes)
        app.state.store = Store.open(cfg.database_url)
        paths = data_paths(cfg)
        app.state.sweeps = SweepJobs(
            services,
            app.state.store,
            source=DataSource(
                facilities=paths["facilities"],
                agreements=paths["agreements"],
                platforms=paths["platforms"],
                sea_dir=paths["sea_dir"],
                cache_dir=paths["cache_dir"],
                commercial_ports=paths["commercial_ports"],
                commercial_port_countries=paths["commercial_port_countries"],
                commercial_port_services=paths["commercial_port_services"],
                numpy_hugepages=paths["numpy_hugepages"],
            ),
            folder=cfg.sweeps_dir,
            scheduler=cfg.dask_scheduler,
            workers=cfg.sweep_workers,
        )
        try:
            yield
        finally:
            app.state.sweeps.close()
            app.state.store.close()
            app.state.compute.close()

    app = FastAPI(
        title="RELOS planner",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from packaged assets by app.docs, not a CDN
        redoc_url=None,
    )
    app.state.settings = cfg
    app.state.auth = Authenticator(cfg)
    errors.register(app)
    guard.register(app, max_body_bytes=cfg.max_body_bytes)
    docs.register(app)
    app.add_middleware(SecurityHeaders)
    heavy = cfg.heavy_concurrency
    if cfg.compute_processes and heavy:
        heavy = max(heavy, cfg.compute_processes)  # one request per worker process at least
    app.add_middleware(HeavyGate, limit=heavy, budget_s=cfg.request_budget_s)
    app.include_router(health.router)
    app.include_router(keys.router)
    app.include_router(console.router)  # the page asks for a key itself; the API checks it
    viewer = [Depends(require_viewer)]
    for router in (
        catalogue.router,
        routes.router,
        scenarios.router,
        plans.router,
        saved_plans.router,
        platforms.router,
        compare.router,
        reach.router,
        sweeps.router,
        maps.router,
    ):
        app.include_router(router, dependencies=viewer)
    maps.mount_static(app)
    errors.document(app)
    return app


app = create_app()
