"""``POST /reach`` and ``POST /impact``: where a nation's ships can get to, and what each
agreement adds to that."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from app.answers import JSONAnswer
from app.deps import ComputeDep, StoreDep
from app.schemas import ImpactResult, ReachResult
from routing.plan.impact import ImpactSpec
from routing.plan.reach import ReachSpec

router = APIRouter(tags=["reach"])


@router.post(
    "/reach",
    summary="The sea area, lanes and facilities a nation's ships can reach",
    response_model=None,
    responses={
        200: {
            "model": ReachResult,
            "description": "Reach by number of stops, the facilities within it, the frontier.",
        }
    },
)
def post_reach(
    compute: ComputeDep, store: StoreDep, body: Annotated[ReachSpec, Body()]
) -> JSONAnswer:
    """From the nation's naval bases (or `origins`), with at most `max_stops` resupply
    stops at facilities it may use for fuel on the day it arrives, and within `days` if
    given: the sea area (km^2) and share of the sea lanes within reach by number of
    stops, every facility within reach where a call may be made (fewest stops, earliest
    day, the stops on the way), those within reach that refuse the call and why, and
    the frontier as GeoJSON polygons (`frontier`: by `stops`, by `days`, or `none`)."""
    return compute.reach(body, saved=store.get_scenario)


@router.post(
    "/impact",
    summary="What each agreement adds: reach and standard voyages with and without it",
    response_model=None,
    responses={
        200: {
            "model": ImpactResult,
            "description": "The agreements ranked by what each adds.",
        }
    },
)
def post_impact(
    compute: ComputeDep, store: StoreDep, body: Annotated[ImpactSpec, Body()]
) -> JSONAnswer:
    """For each agreement (`agreements`, or every one of the nation's in force): the
    reach and the nation's standard voyages (`voyages` to give others) with it and
    without it (`basis`: `marginal`, all in force against all but it; `alone`, it only
    against none). Each row gives the sea area and lanes gained, the facilities gained,
    the days saved, the voyages it makes feasible and the stops it provides; rows are
    ranked by voyages made feasible, then area, facilities and days saved."""
    return compute.impact(body, saved=store.get_scenario)
