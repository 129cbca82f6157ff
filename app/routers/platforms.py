"""Platform profiles: ship classes and aircraft with their endurance and sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from app.deps import PlatformsDep
from app.schemas import PlatformDetail, PlatformList
from routing.catalogue.platforms import get_platform

router = APIRouter(tags=["plans"])


@router.get(
    "/platforms",
    summary="Platform profiles (ship classes and aircraft)",
    response_model=None,
    responses={200: {"model": PlatformList, "description": "Every platform profile."}},
)
def list_platforms(platforms: PlatformsDep) -> dict[str, Any]:
    """Every profile with its endurance, speeds and sources."""
    return {
        "count": len(platforms),
        "platforms": [p.model_dump(mode="json") for p in platforms.values()],
    }


@router.get(
    "/platforms/{platform_id}",
    summary="One platform profile",
    response_model=None,
    responses={
        200: {
            "model": PlatformDetail,
            "description": "The profile, with its usable range and fuel curve.",
        }
    },
)
def get_platform_profile(
    platforms: PlatformsDep,
    platform_id: Annotated[str, Path(description="Platform id.", examples=["talwar"])],
) -> dict[str, Any]:
    """One profile, with its usable range at its stated speed and the default reserve,
    and its fuel curve (``fuel_model``: published points, the range and burn at speeds
    across its envelope, and which figures are estimates)."""
    plat = get_platform(platforms, platform_id, field="id")
    body = plat.model_dump(mode="json")
    body["usable_range_nm"] = round(plat.usable_range(plat.at_speed_kn), 1)
    body["fuel_model"] = plat.fuel_model()
    return body
