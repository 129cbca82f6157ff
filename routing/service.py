"""Ready-made planner for scripts and notebooks: the shipped data and the cached graph.

>>> from routing import default_planner, Scenario
>>> planner = default_planner()
>>> req = planner.request(nation="IND", platform="talwar",
...                       origin="in-mumbai-naval-dockyard",
...                       destination="ru-vladivostok-naval-base", departure="2026-08-01")
>>> plan = planner.plan(req)
>>> plan.feasible, round(plan.distance_nm)
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from routing.catalogue import Catalogue
from routing.planner import Planner
from routing.platforms import DEFAULT_PLATFORMS, load_platforms
from routing.router import SeaRouter, load_sea_router
from routing.seagraph import PortSite
from routing.validation import DEFAULT_AGREEMENTS, DEFAULT_FACILITIES, load_catalogue
from routing.vocab import SEA_KINDS


def sea_router_for(catalogue: Catalogue, *, cache_dir: Path | None = None) -> SeaRouter:
    """Build (first time) or load the sea graph joining every port and naval base."""
    ports = [PortSite(f.id, f.lon, f.lat) for f in catalogue if f.kind in SEA_KINDS]
    return load_sea_router(ports, cache_dir=cache_dir)


@lru_cache(maxsize=4)
def default_planner(
    facilities: Path = DEFAULT_FACILITIES,
    agreements: Path = DEFAULT_AGREEMENTS,
    platforms: Path = DEFAULT_PLATFORMS,
    cache_dir: Path | None = None,
) -> Planner:
    """A planner over the shipped catalogue, platforms and sea graph (cached per process)."""
    catalogue = load_catalogue(facilities, agreements)
    return Planner(
        catalogue,
        sea_router_for(catalogue, cache_dir=cache_dir),
        platforms=load_platforms(platforms),
    )
