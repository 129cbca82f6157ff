"""Platform profiles (ship classes and aircraft) and the fuel model.

Fuel model
----------
A profile states its endurance ``E0`` (nautical miles) at its economical speed
``v0`` (``endurance_nm`` at ``at_speed_kn``) and, where published, further
points ``range_points`` (typically the range at or near full speed), and the
fuel it carries for itself in tonnes (``fuel_capacity_t``). The range at a
speed ``v``:

- **between published points**, a power law through the two neighbours
  (straight on a log-log plot): ``E(v) = E1 · (v / v1) ** k`` with
  ``k = ln(E2 / E1) / ln(v2 / v1)``; every published point is met exactly;
- **above the fastest published point** (up to ``max_speed_kn``), the cube law
  ``E(v) = E_last · (v_last / v) ** 2`` (resistance grows with v², so fuel per
  hour with v³); with a single published point the whole curve above ``v0`` is
  that law, and the profile says so (:attr:`Platform.curve_stand_in`);
- **below the economical speed** the range no longer grows: ``E(v) = E0``.
  A hull's fuel per mile falls with speed only until the hotel load (generators,
  pumps, people) dominates; published endurances are given at the speed where
  that happens, so nothing is promised beyond them.

Ships may not go faster than ``max_speed_kn``; aircraft likewise. Fuel burnt
per nautical mile is ``fuel_capacity_t / E(v)``. Figures that are estimates,
not published, are listed in ``stand_in`` and shown as such.

A reserve fraction (default 25 %) must remain on arrival, so the usable range
per leg is ``E(v) · (1 − reserve)``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from routing.catalogue.load import pydantic_reason
from routing.catalogue.model import Source
from routing.errors import DataValidationError, UnknownPlatformError
from routing.files import read_json
from routing.parse import Named, NameIndex
from routing.paths import SHIPPED_DATA_DIR

DEFAULT_PLATFORMS = SHIPPED_DATA_DIR / "platforms.json"
DEFAULT_RESERVE = 0.25

Domain = Literal["sea", "air"]
FUEL_FIELDS = ("endurance_nm", "range_points", "fuel_capacity_t", "carries_fuel_for_others_t")


class RangePoint(BaseModel):
    """A published range at a speed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    speed_kn: float = Field(gt=0, le=1_500)
    range_nm: float = Field(gt=0, le=100_000)


class Platform(BaseModel):
    """A ship class or aircraft type with its endurance and speeds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    nation: str | None = None
    domain: Domain = "sea"
    type: str = "custom"
    warship: bool = True
    endurance_nm: float = Field(gt=0, le=100_000)
    at_speed_kn: float = Field(gt=0, le=1_500)
    max_speed_kn: float = Field(gt=0, le=1_500)
    ice_class: str | None = None
    carries_fuel_for_others_t: float | None = Field(
        default=None, ge=0, description="Cargo fuel a tanker can pass to others, tonnes."
    )
    range_points: tuple[RangePoint, ...] = Field(
        default=(), description="Published ranges at other speeds than at_speed_kn."
    )
    fuel_capacity_t: float | None = Field(
        default=None, gt=0, le=20_000, description="Fuel carried for its own use, tonnes."
    )
    stand_in: tuple[str, ...] = Field(
        default=(), description="Fields whose values are estimates, not published figures."
    )
    complement: int | None = Field(
        default=None, ge=0, le=10_000, description="Typical personnel aboard (crew)."
    )
    draught_m: float | None = Field(default=None, gt=0, le=40, description="Full-load draught.")
    beam_m: float | None = Field(default=None, gt=0, le=120, description="Maximum beam.")
    air_draught_m: float | None = Field(
        default=None, gt=0, le=120, description="Height of the highest point above the water."
    )
    takeoff_runway_m: float | None = Field(
        default=None,
        gt=0,
        le=6_000,
        description="Aircraft: runway length needed to take off at the weight planned (m).",
    )
    sources: tuple[Source, ...] = ()
    notes: str | None = None

    @model_validator(mode="after")
    def _speeds(self) -> Platform:
        if self.at_speed_kn > self.max_speed_kn:
            raise ValueError("at_speed_kn is above max_speed_kn")
        points = self.curve
        speeds = [v for v, _ in points]
        if len(set(speeds)) != len(speeds):
            raise ValueError("range_points: two points at the same speed")
        if speeds[-1] > self.max_speed_kn:
            raise ValueError(f"range_points: {speeds[-1]} kn is above max_speed_kn")
        ranges = [e for _, e in points]
        if any(b >= a for a, b in itertools.pairwise(ranges)):
            raise ValueError("range_points: the range must fall as the speed rises")
        unknown = set(self.stand_in) - set(FUEL_FIELDS) - {"draught_m", "beam_m", "complement"}
        if unknown:
            raise ValueError(f"stand_in: not a figure of the profile: {sorted(unknown)}")
        return self

    @property
    def curve(self) -> tuple[tuple[float, float], ...]:
        """The published (speed kn, range nm) points, slowest first."""
        pts = [(self.at_speed_kn, self.endurance_nm)]
        pts += [(p.speed_kn, p.range_nm) for p in self.range_points]
        return tuple(sorted(pts))

    @property
    def curve_stand_in(self) -> bool:
        """True when the range above the economical speed rests on the cube law alone
        (one published point)."""
        return len(self.curve) < 2 and self.max_speed_kn > self.at_speed_kn

    @property
    def is_tanker(self) -> bool:
        """True for replenishment tankers (ships) and tanker aircraft."""
        return self.type in {"tanker", "tanker_aircraft"}

    def endurance_at(self, speed_kn: float) -> float:
        """Endurance in nautical miles at ``speed_kn`` with empty tanks on arrival
        (see the module docstring for the model)."""
        if speed_kn <= 0:
            raise ValueError("speed_kn must be positive")
        pts = self.curve
        if speed_kn <= pts[0][0]:
            return pts[0][1]
        for (v1, e1), (v2, e2) in itertools.pairwise(pts):
            if speed_kn <= v2:
                k = math.log(e2 / e1) / math.log(v2 / v1)
                return e1 * (speed_kn / v1) ** k
        v_last, e_last = pts[-1]
        return e_last * (v_last / speed_kn) ** 2

    def burn_t_per_nm(self, speed_kn: float) -> float | None:
        """Fuel burnt per nautical mile at ``speed_kn``, tonnes (``None`` without a
        fuel capacity)."""
        if self.fuel_capacity_t is None:
            return None
        return self.fuel_capacity_t / self.endurance_at(speed_kn)

    @property
    def economical_speed_kn(self) -> float:
        """The speed of the longest range: going slower gains nothing."""
        return self.curve[0][0]

    def fuel_model(self) -> dict[str, object]:
        """The curve as planners read it: published points, the range at a few speeds
        across the envelope, and what rests on estimates."""
        grid = sorted(
            {
                self.at_speed_kn,
                self.max_speed_kn,
                *(v for v, _ in self.curve),
                *(
                    round(self.at_speed_kn + f * (self.max_speed_kn - self.at_speed_kn))
                    for f in (0.25, 0.5, 0.75)
                ),
            }
        )
        stand_in = list(self.stand_in)
        if self.curve_stand_in:
            stand_in.append("range above at_speed_kn (cube law from one published point)")
        return {
            "published": [{"speed_kn": v, "range_nm": e} for v, e in self.curve],
            "economical_speed_kn": self.economical_speed_kn,
            "max_speed_kn": self.max_speed_kn,
            "range_nm_at": [
                {
                    "speed_kn": v,
                    "range_nm": round(self.endurance_at(v), 1),
                    "burn_t_per_nm": None if (b := self.burn_t_per_nm(v)) is None else round(b, 4),
                }
                for v in grid
            ],
            "fuel_capacity_t": self.fuel_capacity_t,
            "stand_in": stand_in,
            "model": (
                "power law between published points; cube law above the fastest; "
                "flat below the economical speed"
            ),
        }

    def usable_range(self, speed_kn: float, reserve: float = DEFAULT_RESERVE) -> float:
        """Longest leg at ``speed_kn`` that leaves ``reserve`` of the fuel on arrival."""
        return self.endurance_at(speed_kn) * (1.0 - reserve)


def load_platforms(path: Path = DEFAULT_PLATFORMS) -> dict[str, Platform]:
    """Read and validate the platform registry (a JSON list)."""
    doc = read_json(Path(path))
    if not isinstance(doc, list):
        raise DataValidationError(f"{Path(path).name}: expected a JSON list of platforms")
    out: dict[str, Platform] = {}
    for i, rec in enumerate(doc):
        label = f"record {rec.get('id')!r}" if isinstance(rec, dict) else f"record #{i}"
        try:
            plat = Platform(**rec)
        except (ValidationError, TypeError) as exc:
            reason = pydantic_reason(exc) if isinstance(exc, ValidationError) else str(exc)
            raise DataValidationError(f"{Path(path).name}: {label}: {reason}") from None
        if plat.id in out:
            raise DataValidationError(f"{Path(path).name}: duplicate platform id {plat.id!r}")
        if not plat.sources:
            raise DataValidationError(f"{Path(path).name}: {label}: sources must not be empty")
        out[plat.id] = plat
    return out


def get_platform(
    registry: Mapping[str, Platform], platform_id: str, *, field: str = "platform"
) -> Platform:
    """A platform by id or name (``"Talwar-class frigate"``, ``"Globemaster"``), or
    :class:`UnknownPlatformError` (or ``AmbiguousNameError``) naming ``field``."""
    plat = registry.get(platform_id)
    if plat is not None:
        return plat
    return registry[platform_names(registry).resolve(platform_id, field=field)]


def platform_names(registry: Mapping[str, Platform]) -> NameIndex:
    """The platforms of ``registry`` by id and name (their domain is the kind)."""
    return NameIndex(
        (Named(p.id, p.name, kind=p.domain) for p in registry.values()),
        what="platform",
        error=UnknownPlatformError,
    )
