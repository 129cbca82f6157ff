"""Platform profiles (ship classes and aircraft) and the fuel model.

Fuel model
----------
A profile states its endurance ``E0`` (nautical miles) at a speed ``v0``. Fuel
burnt per nautical mile grows with the square of speed (hull resistance grows
roughly with v², so fuel per hour with v³), hence the endurance at speed ``v``
is ``E(v) = E0 · (v0 / v)²``. Ships may not go faster than ``max_speed_kn``.
Aircraft fly their published ferry range at cruise speed; flying slower does
not stretch it (``E(v) = E0 · min(1, (v0 / v)²)``).

A reserve fraction (default 25 %) must remain on arrival, so the usable range
per leg is ``E(v) · (1 − reserve)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from routing.catalogue.load import pydantic_reason
from routing.catalogue.model import Source
from routing.errors import DataValidationError, UnknownPlatformError
from routing.files import read_json
from routing.paths import SHIPPED_DATA_DIR

DEFAULT_PLATFORMS = SHIPPED_DATA_DIR / "platforms.json"
DEFAULT_RESERVE = 0.25

Domain = Literal["sea", "air"]


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
    carries_fuel_for_others_t: float | None = Field(default=None, ge=0)
    complement: int | None = Field(
        default=None, ge=0, le=10_000, description="Typical personnel aboard (crew)."
    )
    draught_m: float | None = Field(default=None, gt=0, le=40, description="Full-load draught.")
    beam_m: float | None = Field(default=None, gt=0, le=120, description="Maximum beam.")
    air_draught_m: float | None = Field(
        default=None, gt=0, le=120, description="Height of the highest point above the water."
    )
    sources: tuple[Source, ...] = ()
    notes: str | None = None

    @model_validator(mode="after")
    def _speeds(self) -> Platform:
        if self.at_speed_kn > self.max_speed_kn:
            raise ValueError("at_speed_kn is above max_speed_kn")
        return self

    @property
    def is_tanker(self) -> bool:
        """True for replenishment tankers (ships) and tanker aircraft."""
        return self.type in {"tanker", "tanker_aircraft"}

    def endurance_at(self, speed_kn: float) -> float:
        """Endurance in nautical miles at ``speed_kn`` with empty tanks on arrival."""
        ratio = (self.at_speed_kn / speed_kn) ** 2
        if self.domain == "air":
            ratio = min(1.0, ratio)
        return self.endurance_nm * ratio

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
    registry: dict[str, Platform], platform_id: str, *, field: str = "platform"
) -> Platform:
    """A platform by id, or :class:`UnknownPlatformError` naming ``field``."""
    try:
        return registry[platform_id]
    except KeyError:
        raise UnknownPlatformError(f"unknown platform id {platform_id!r}", field=field) from None
