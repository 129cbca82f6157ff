"""Liveness and provenance."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.deps import ServicesDep
from app.schemas import HealthStatus

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    summary="Liveness, with the versions of the loaded data",
    response_model=None,
    responses={
        200: {"model": HealthStatus, "description": "The service is up; the data it serves."}
    },
)
def health(services: ServicesDep) -> dict[str, Any]:
    """``ok`` once the catalogue (and the sea graph) are loaded."""
    catalogue = services.catalogue
    graph = services.sea.describe() if services.sea is not None else None
    return {
        "status": "ok",
        "facilities": len(catalogue),
        "agreements": len(catalogue.agreements),
        "catalogue_version": services.versions["catalogue"],
        "graph_version": graph["graph_version"] if graph else None,
        "ports_not_connected": graph["ports_not_connected"] if graph else [],
        "graph": graph,
    }
