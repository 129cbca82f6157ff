"""What an agreement adds: reach and standard voyages with it and without it.

"What does RELOS add for India's navy?" For each agreement (by default every agreement
of the nation in force on the departure date) :func:`impact` compares two worlds:

* ``marginal`` (the default): everything in force, against everything but this
  agreement: what would be lost if it lapsed;
* ``alone``: this agreement only, against no agreement at all: what it gives by itself.

Each comparison reports the reach gained (sea area by stop count, share of the sea
lanes, the area as polygons), the facilities gained (within reach only with it) and
the days it saves to those reachable either way, and, for a standard set of named
voyages (``data/voyages.json``, or the request's own), which become feasible, the days
saved and the stops it provides. Agreements are ranked by voyages made feasible, then
area gained, then facilities gained, then days saved on the voyages.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import shapely
import shapely.geometry
from pydantic import BaseModel, ConfigDict, Field

from routing.catalogue.access import agreements_in_force
from routing.catalogue.model import Catalogue
from routing.errors import DataValidationError, InvalidInputError
from routing.files import read_json
from routing.paths import SHIPPED_DATA_DIR
from routing.plan.planner import Plan, Planner
from routing.plan.reach import SIMPLIFY_DEG, Reach, ReachSpec
from routing.plan.request import PlanRequest

if TYPE_CHECKING:
    from routing.plan.scenario import Scenario

VOYAGES_FILE = SHIPPED_DATA_DIR / "voyages.json"
Basis = Literal["marginal", "alone"]


class Voyage(BaseModel):
    """A named voyage impact is measured on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    nation: str | None = Field(None, description="The deploying nation it is standard for.")
    name: str = Field(min_length=1)
    origin: str
    destination: str


class _VoyageFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    about: str = ""
    voyages: list[Voyage]


@functools.cache
def standard_voyages(path: Path = VOYAGES_FILE) -> tuple[Voyage, ...]:
    """The shipped standard voyages (validated once per process)."""
    try:
        return tuple(_VoyageFile.model_validate(read_json(path)).voyages)
    except ValueError as exc:
        raise DataValidationError(f"{path.name}: {exc}") from None


class ImpactSpec(ReachSpec):
    """An agreement-impact question (``POST /impact``): the reach fields, plus which
    agreements to weigh, how, and on which voyages."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nation": "IND",
                    "platform": "talwar",
                    "departure": "2027-07-01T00:00:00Z",
                    "max_stops": 2,
                    "agreements": ["relos", "lemoa"],
                }
            ]
        },
    )

    agreements: list[str] = Field(
        default_factory=list,
        max_length=40,
        description="Agreements to weigh; every one of the nation's in force when empty.",
    )
    basis: Basis = Field(
        "marginal",
        description=(
            "`marginal`: all in force against all but this one (what its loss costs); "
            "`alone`: this one only against none (what it gives by itself)."
        ),
    )
    voyages: list[Voyage] | None = Field(
        None, max_length=40, description="Voyages to measure; the nation's standard ones if null."
    )
    frontier: Literal["stops", "none"] = Field(
        "none", description="`stops`: with each agreement, the area it adds as polygons."
    )


@dataclass(frozen=True)
class VoyageOutcome:
    """A voyage with and without an agreement."""

    voyage: Voyage
    with_: Plan
    without: Plan

    def json(self, agreement: str) -> dict[str, Any]:
        """The voyage's row in an agreement's impact."""
        a, b = self.with_, self.without
        provided = [s.place.key for s in a.stops if agreement in s.grant.agreements]
        return {
            "id": self.voyage.id,
            "name": self.voyage.name,
            "feasible_with": a.feasible,
            "feasible_without": b.feasible,
            "becomes_feasible": a.feasible and not b.feasible,
            "days_with": round(a.duration_h / 24, 2) if a.feasible else None,
            "days_without": round(b.duration_h / 24, 2) if b.feasible else None,
            "days_saved": round((b.duration_h - a.duration_h) / 24, 2)
            if a.feasible and b.feasible
            else None,
            "stops_provided": provided,
            "reason_without": None if b.feasible else b.reason,
        }


@dataclass(frozen=True)
class AgreementImpact:
    """What one agreement adds (see the module docstring)."""

    agreement: str
    name: str
    with_: Reach
    without: Reach
    voyages: tuple[VoyageOutcome, ...]

    @property
    def area_gained_km2(self) -> float:
        """Sea area within reach only with the agreement."""
        return float(self.with_.area_km2 - self.without.area_km2)

    def facilities_gained(self) -> list[dict[str, Any]]:
        """Facilities within reach only with the agreement."""
        before = {f.facility.id for f in self.without.facilities}
        return [
            {
                "id": f.facility.id,
                "name": f.facility.name,
                "country": f.facility.country,
                "coordinates": [f.facility.lon, f.facility.lat],
                "stops": f.stops,
                "days": round(f.days, 2),
            }
            for f in self.with_.facilities
            if f.facility.id not in before
        ]

    def days_saved(self) -> list[dict[str, Any]]:
        """Facilities reachable either way, reached sooner with the agreement (most first)."""
        before = {f.facility.id: f for f in self.without.facilities}
        out = []
        for f in self.with_.facilities:
            old = before.get(f.facility.id)
            if old is not None and old.days - f.days > 0.01:
                out.append(
                    {
                        "id": f.facility.id,
                        "days_with": round(f.days, 2),
                        "days_without": round(old.days, 2),
                        "saved": round(old.days - f.days, 2),
                    }
                )
        return sorted(out, key=lambda r: -r["saved"])

    def gained_cells(self) -> np.ndarray:
        """Grid cells within reach only with the agreement."""
        return np.asarray(self.with_.cell_stops >= 0) & ~np.asarray(self.without.cell_stops >= 0)

    def score(self) -> tuple[float, ...]:
        """The ranking key (higher first)."""
        made = sum(1 for v in self.voyages if v.with_.feasible and not v.without.feasible)
        saved = sum(
            (v.without.duration_h - v.with_.duration_h) / 24
            for v in self.voyages
            if v.with_.feasible and v.without.feasible
        )
        return (made, round(self.area_gained_km2, -3), len(self.facilities_gained()), saved)

    def json(self, *, frontier: bool) -> dict[str, Any]:
        """The agreement's row in the ``POST /impact`` answer."""
        a, b = self.with_, self.without
        voyages = [v.json(self.agreement) for v in self.voyages]
        provided = sorted({s for v in voyages for s in v["stops_provided"]})
        out: dict[str, Any] = {
            "agreement": self.agreement,
            "name": self.name,
            "area_km2": round(self.area_gained_km2),
            "area_share": round(self.area_gained_km2 / a.area_km2, 4) if a.area_km2 else 0.0,
            "lane_share": round(a.bands[-1].lane_share - b.bands[-1].lane_share, 4),
            "by_stops": [
                {"stops": x.stops, "area_km2": round(x.area_km2 - y.area_km2)}
                for x, y in zip(a.bands, b.bands, strict=True)
            ],
            "facilities_gained": self.facilities_gained(),
            "days_saved": self.days_saved(),
            "voyages": voyages,
            "voyages_made_feasible": sum(1 for v in voyages if v["becomes_feasible"]),
            "stops_provided": provided,
            "reach_with": {"area_km2": round(a.area_km2), "facilities": len(a.facilities)},
            "reach_without": {"area_km2": round(b.area_km2), "facilities": len(b.facilities)},
        }
        if frontier:
            cells = self.gained_cells()
            geom: Any = shapely.MultiPolygon()
            if cells.any():
                geom = shapely.simplify(a.field_.area(cells), SIMPLIFY_DEG, preserve_topology=True)
            out["gained"] = {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(geom),
                "properties": {
                    "agreement": self.agreement,
                    "area_km2": round(float(a.field_.grid.area_km2[cells].sum())),
                },
            }
        return out


@dataclass(frozen=True)
class Impact:
    """The answer of :func:`impact`: agreements ranked by what they add."""

    request: PlanRequest
    basis: Basis
    baseline: Reach
    ranked: tuple[AgreementImpact, ...]

    def json(self, *, frontier: bool = False) -> dict[str, Any]:
        """The ``POST /impact`` answer."""
        base = self.baseline
        return {
            "nation": self.request.nation,
            "platform": base.platform_label,
            "departure": base.json(frontier=None)["departure"],
            "basis": self.basis,
            "limits": {"days": base.days, "max_stops": base.max_stops},
            "baseline": {
                "area_km2": round(base.area_km2),
                "lane_share": round(base.bands[-1].lane_share, 4),
                "facilities": len(base.facilities),
                "agreements_used": list(base.agreements_used),
            },
            "agreements": [
                {"rank": i + 1, **item.json(frontier=frontier)}
                for i, item in enumerate(self.ranked)
            ],
            "caveats": list(base.caveats),
        }


def _voyages(nation: str, given: Sequence[Voyage] | None) -> list[Voyage]:
    if given is not None:
        return list(given)
    return [v for v in standard_voyages() if v.nation == nation]


def impact(
    planner: Planner,
    req: PlanRequest,
    *,
    agreements: Sequence[str] = (),
    basis: Basis = "marginal",
    origins: Sequence[str] = (),
    days: float | None = None,
    max_stops: int = 3,
    voyages: Sequence[Voyage] | None = None,
    scenario: Scenario | None = None,
) -> Impact:
    """Rank ``agreements`` (the nation's in force on the departure date when empty) by
    what each adds to ``req``'s group (see the module docstring). ``req`` comes from
    :meth:`Planner.request` (its origin and destination unused)."""
    if basis not in ("marginal", "alone"):
        raise InvalidInputError("basis must be 'marginal' or 'alone'", field="basis")
    cat: Catalogue = scenario.catalogue(planner.catalogue) if scenario else planner.catalogue
    day = req.departure.date()
    own = [a.id for a in agreements_in_force(cat, req.nation, day, dropped=req.dropped_agreements)]
    named = [cat.agreement(aid, field=f"agreements.{i}").id for i, aid in enumerate(agreements)]
    chosen = list(dict.fromkeys(named)) or own  # names ("LEMOA") taken as ids
    for i, aid in enumerate(chosen):
        agr = cat.agreement(aid, field=f"agreements.{i}")
        if req.nation not in agr.parties:
            raise InvalidInputError(
                f"{aid} is between {' and '.join(agr.parties)}, not {req.nation}",
                field=f"agreements.{i}",
            )
    every = frozenset(a.id for a in cat.agreements.values() if req.nation in a.parties)
    trips = _voyages(req.nation, voyages)
    for i, v in enumerate(trips):
        for role in ("origin", "destination"):
            cat.facility(getattr(v, role), field=f"voyages.{i}.{role}")

    def world(dropped: frozenset[str]) -> tuple[Reach, list[Plan]]:
        variant = replace(req, dropped_agreements=req.dropped_agreements | dropped)
        found = planner.reach(
            variant, origins=origins, days=days, max_stops=max_stops, scenario=scenario
        )
        plans = [
            planner.plan(
                replace(variant, origin=v.origin, destination=v.destination),
                scenario=scenario,
                suggest=False,
            )
            for v in trips
        ]
        return found, plans

    base, base_plans = world(frozenset())
    none, none_plans = world(every) if basis == "alone" else (base, base_plans)
    out = []
    for aid in chosen:
        if basis == "marginal":
            w, wp = base, base_plans
            wo, wop = world(frozenset({aid}))
        else:
            w, wp = world(every - {aid})
            wo, wop = none, none_plans
        outcomes = tuple(VoyageOutcome(v, a, b) for v, a, b in zip(trips, wp, wop, strict=True))
        out.append(AgreementImpact(aid, cat.agreements[aid].name, w, wo, outcomes))
    out.sort(key=lambda x: x.score(), reverse=True)
    return Impact(req, basis, base, tuple(out))
