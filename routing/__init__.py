"""The planning core: catalogue, access model, sea graph and planners (no web framework).

Rooms: :mod:`routing.catalogue` (facilities, agreements, access, platforms),
:mod:`routing.sea` (land raster, passages, graph, router), :mod:`routing.plan`
(requests, scenarios, solver, planner, compare) and :mod:`routing.service` (the
use cases every front end calls). See ``docs/ARCHITECTURE.md``.

Scripting API (works in a notebook, no server needed)::

    from routing import Scenario, compare, critical, default_planner

    planner = default_planner()                      # shipped data, cached sea graph
    req = planner.request(nation="IND", platform="talwar",
                          origin="in-mumbai-naval-dockyard",
                          destination="ru-vladivostok-naval-base",
                          departure="2026-08-01")
    plan = planner.plan(req)
    plan.to_geodataframe()                            # legs and stops, EPSG:4326
    outcomes = compare(planner, req, [Scenario(name="Malacca shut",
                                               closed=frozenset({"malacca"}))])
"""

from routing.catalogue import Agreement, Catalogue, Facility
from routing.plan import (
    Impact,
    Member,
    Outcome,
    Plan,
    Planner,
    PlanRequest,
    PlanSpec,
    Scenario,
    compare,
    compare_json,
    critical,
    critical_json,
    plan_json,
)
from routing.service import (
    CompareSpec,
    RouteSpec,
    Services,
    default_planner,
    default_services,
    load_services,
    sea_router_for,
)

__all__ = [
    "Agreement",
    "Catalogue",
    "CompareSpec",
    "Facility",
    "Impact",
    "Member",
    "Outcome",
    "Plan",
    "PlanRequest",
    "PlanSpec",
    "Planner",
    "RouteSpec",
    "Scenario",
    "Services",
    "compare",
    "compare_json",
    "critical",
    "critical_json",
    "default_planner",
    "default_services",
    "load_services",
    "plan_json",
    "sea_router_for",
]
