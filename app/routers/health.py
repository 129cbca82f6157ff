"""Liveness and provenance."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from app.deps import CatalogueDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness, with the versions of the loaded data")
def health(request: Request, catalogue: CatalogueDep) -> dict[str, Any]:
    """``ok`` once the catalogue (and the sea graph) are loaded."""
    sea = getattr(request.app.state, "sea_router", None)
    graph = sea.describe() if sea is not None else None
    return {
        "status": "ok",
        "facilities": len(catalogue),
        "agreements": len(catalogue.agreements),
        "catalogue_version": request.app.state.catalogue_version,
        "graph_version": graph["graph_version"] if graph else None,
        "ports_not_connected": graph["ports_not_connected"] if graph else [],
        "graph": graph,
    }
