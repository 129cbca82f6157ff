"""The sweep file: a batch of what-ifs as the product of its lists.

A :class:`SweepSpec` names the defaults every case shares (``base``: any
``POST /plans`` field but the ones the product sets), and the lists whose
product are the cases: ``scenarios`` x ``platforms`` x origin-destination pairs
(``pairs``, and/or ``origins`` x ``destinations``) x ``dates``; and, in its
``reach`` block (:class:`ReachBlock`), reach cases: scenarios x nations x
platforms x origins x day limits x stop limits x dates. It is read from YAML or
JSON (:func:`load_spec`) and checked for shape and size here, without the
catalogue; :func:`routing.sweep.cases.prepare` checks its ids against the loaded
data and expands it.

Errors are :class:`~routing.errors.InvalidInputError` naming the field as a path
into the file (``dates.end``, ``platforms.1.group.0.count``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from routing.errors import InvalidInputError
from routing.limits import check_date
from routing.plan.reach import DEFAULT_MAX_STOPS, MAX_REACH_DAYS, MAX_REACH_STOPS
from routing.plan.request import GroupItem
from routing.plan.scenario import ScenarioSpec

MAX_CASES = 1_000_000
"""The most cases one sweep may have (split a larger batch into several sweeps)."""

PRODUCT_FIELDS = ("platform", "group", "origin", "destination", "departure")
"""Plan fields each case sets from the product: never in ``base``."""

REACH_FIELDS = (
    "nation",
    "platform",
    "group",
    "origins",
    "departure",
    "days",
    "max_stops",
    "scenario",
    "frontier",
)
"""Reach fields each reach case sets from its block's product (or that a row has no
use for, ``frontier``): never in ``reach.base``."""

HOME = "home"
"""The origins entry for the nation's own naval bases (``POST /reach`` without origins)."""

SWEEP_EXAMPLE: dict[str, Any] = {
    "name": "Indian ports to partner bases",
    "base": {"nation": "IND", "reserve": 0.25},
    "scenarios": [
        {"name": "baseline"},
        {"name": "Red Sea shut", "closed": ["suez", "bab-el-mandeb"]},
        {"name": "no RELOS", "dropped_agreements": ["relos"]},
    ],
    "platforms": ["talwar", "kolkata"],
    "origins": ["in-mumbai-naval-dockyard", "in-visakhapatnam-naval-dockyard"],
    "destinations": ["ru-vladivostok-naval-base", "fr-toulon-naval-base"],
    "dates": {"start": "2026-01-01", "end": "2026-12-01", "every_months": 1},
}


class DateRange(BaseModel):
    """Departure days from ``start`` to ``end`` (both included), every N days or months."""

    model_config = ConfigDict(extra="forbid")

    start: dt.date
    end: dt.date
    every_days: int | None = Field(None, ge=1, le=3660, description="Days between departures.")
    every_months: int | None = Field(
        None, ge=1, le=120, description="Months between departures (same day of the month)."
    )

    @field_validator("start")
    @classmethod
    def _start_in_range(cls, value: dt.date) -> dt.date:
        check_date(value)
        return value

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        check_date(value)
        start = info.data.get("start")
        if start is not None and value < start:
            raise ValueError(f"end {value} is before start {start}")
        return value

    @field_validator("every_months")
    @classmethod
    def _one_step(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("every_days") is not None:
            raise ValueError("give every_days or every_months, not both")
        return value

    def days(self) -> list[dt.date]:
        """The departure days, in order (every day when no step is given)."""
        if self.every_months is None:
            step = dt.timedelta(days=self.every_days or 1)
            n = (self.end - self.start) // step + 1
            return [self.start + i * step for i in range(n)]
        out: list[dt.date] = []
        k = 0
        while True:
            month = self.start.month - 1 + k * self.every_months
            year = self.start.year + month // 12
            month = month % 12 + 1
            day = min(self.start.day, calendar.monthrange(year, month)[1])
            when = dt.date(year, month, day)
            if when > self.end:
                return out
            out.append(when)
            k += 1


class PlatformGroup(BaseModel):
    """A named task group, planned as one case (the ``group`` of ``POST /plans``)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="The label in the results.")
    group: list[GroupItem] = Field(min_length=1, max_length=20)


def _date_kind(value: Any) -> str:
    return "<range>" if isinstance(value, dict | DateRange) else "<list>"


def _platform_kind(value: Any) -> str:
    return "<group>" if isinstance(value, dict | PlatformGroup) else "<id>"


DateList = Annotated[list[dt.date], Field(min_length=1)]
Dates = Annotated[
    Annotated[DateList, Tag("<list>")] | Annotated[DateRange, Tag("<range>")],
    Discriminator(_date_kind),
]
PlatformEntry = Annotated[
    Annotated[str, Tag("<id>")] | Annotated[PlatformGroup, Tag("<group>")],
    Discriminator(_platform_kind),
]
UNION_TAGS = frozenset({"<list>", "<range>", "<id>", "<group>"})
"""Names pydantic puts in error locations for the branch of a union; not fields."""


ReachDays = Annotated[float, Field(gt=0, le=MAX_REACH_DAYS)]
OriginsEntry = str | Annotated[list[str], Field(min_length=1, max_length=100)]


class ReachBlock(BaseModel):
    """Reach cases: the product of the sweep's scenarios x ``nations`` x ``platforms`` x
    ``origins`` x ``days`` x ``max_stops`` x ``dates``, each the ``POST /reach``
    question under that scenario. Lists left out take the sweep's (``platforms``,
    ``dates``) or ``POST /reach``'s defaults."""

    model_config = ConfigDict(extra="forbid")

    base: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Defaults of every reach case, on top of the sweep's base fields a reach "
            "question has (speed_kn, reserve, dwell_h, closed, dropped_agreements, "
            "allow_clearance, ...); not the ones the product sets."
        ),
    )
    nations: list[str] = Field(
        default_factory=list,
        max_length=300,
        description="Deploying nations (ISO3 or name). Default: the base's nation.",
    )
    platforms: list[PlatformEntry] = Field(
        default_factory=list, description="As the sweep's platforms. Default: the sweep's."
    )
    origins: list[OriginsEntry] = Field(
        default_factory=lambda: list[OriginsEntry]([HOME]),
        min_length=1,
        description=(
            "Each a case: a facility id (or name), a list of them sailed from together, or 'home' "
            "(the nation's own naval bases). Default: [home]."
        ),
    )
    days: list[ReachDays | None] = Field(
        default_factory=lambda: list[float | None]([None]),
        min_length=1,
        description="Day limits (null: none, only the stops limit). Default: [null].",
    )
    max_stops: list[Annotated[int, Field(ge=0, le=MAX_REACH_STOPS)]] = Field(
        default_factory=lambda: [DEFAULT_MAX_STOPS],
        min_length=1,
        description=f"Resupply stop limits. Default: [{DEFAULT_MAX_STOPS}].",
    )
    dates: Dates | None = Field(None, description="As the sweep's dates. Default: the sweep's.")

    @field_validator("dates")
    @classmethod
    def _dates_in_range(cls, value: list[dt.date] | DateRange | None) -> Any:
        if isinstance(value, list):
            for day in value:
                check_date(day)
        return value

    def origin_list(self) -> list[tuple[str, ...]]:
        """Each origins entry as the ids sailed from (``()``: home bases), each once."""
        out = [() if o == HOME else (o,) if isinstance(o, str) else tuple(o) for o in self.origins]
        return list(dict.fromkeys(out))

    def day_limits(self) -> list[float | None]:
        """The day limits, each once."""
        return list(dict.fromkeys(self.days))

    def stop_limits(self) -> list[int]:
        """The stop limits, each once."""
        return list(dict.fromkeys(self.max_stops))


def origins_label(origins: tuple[str, ...]) -> str:
    """A reach case's origins as its ``origin`` column shows them: ``home``, the id, or
    the ids joined with ``+``."""
    return "+".join(origins) if origins else HOME


def unique_dates(dates: list[dt.date] | DateRange) -> list[dt.date]:
    """Departure days in the file's order, each once."""
    return list(dict.fromkeys(dates.days() if isinstance(dates, DateRange) else dates))


class SweepSpec(BaseModel):
    """A batch of what-ifs: the product of scenarios, platforms, pairs and dates (plans),
    and of the ``reach`` block's lists (reach)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SWEEP_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200, description="A readable name.")
    base: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Defaults of every case: any POST /plans field (nation, speed_kn, reserve, "
            "closed, allow_clearance, ...) but platform, group, origin, destination and "
            "departure, which the product sets."
        ),
    )
    scenarios: list[ScenarioSpec] = Field(
        default_factory=lambda: [ScenarioSpec(name="baseline")],
        min_length=1,
        description="Inline scenarios; {name: baseline} changes nothing. Default: baseline.",
    )
    platforms: list[PlatformEntry] = Field(
        default_factory=list,
        description="Platform ids (or names), or {name, group: [{platform, count}]}.",
    )
    pairs: list[tuple[str, str]] = Field(
        default_factory=list,
        description="[origin, destination] pairs (facility ids or names, or lon,lat).",
    )
    origins: list[str] = Field(default_factory=list, description="Crossed with destinations.")
    destinations: list[str] = Field(default_factory=list, description="Crossed with origins.")
    dates: Dates | None = Field(
        None, description="Departure days (midnight UTC): a list, or {start, end, every_days}."
    )
    reach: ReachBlock | None = Field(
        None,
        description=(
            "Reach cases: scenarios x nations x platforms x origins x days x max_stops x "
            "dates, each a POST /reach question."
        ),
    )

    @field_validator("dates")
    @classmethod
    def _dates_in_range(cls, value: list[dt.date] | DateRange | None) -> Any:
        if isinstance(value, list):
            for day in value:
                check_date(day)
        return value

    @property
    def has_plans(self) -> bool:
        """Whether the spec asks for plan cases (pairs, or origins and destinations)."""
        return bool(self.pairs or self.origins or self.destinations)

    def date_list(self) -> list[dt.date]:
        """The departure days, in the file's order, each once."""
        return unique_dates(self.dates) if self.dates is not None else []

    def reach_platforms(self) -> list[PlatformGroup | str]:
        """The reach block's platform entries (the sweep's when it gives none)."""
        assert self.reach is not None
        return list(self.reach.platforms or self.platforms)

    def reach_dates(self) -> list[dt.date]:
        """The reach cases' departure days (the sweep's when the block gives none)."""
        assert self.reach is not None
        dates = self.reach.dates if self.reach.dates is not None else self.dates
        return unique_dates(dates) if dates is not None else []

    def pair_list(self) -> list[tuple[str, str]]:
        """``pairs`` then ``origins`` x ``destinations`` (leaving out a place paired with
        itself), each pair once, in order."""
        crossed = ((o, d) for o in self.origins for d in self.destinations if o != d)
        return list(dict.fromkeys([*self.pairs, *crossed]))

    def platform_labels(self) -> list[str]:
        """Each platform entry's label in the results: its id, or its group's name."""
        return labels(self.platforms)


def labels(entries: list[PlatformGroup | str]) -> list[str]:
    """Each platform entry's label in the results: its id, or its group's name."""
    return [p if isinstance(p, str) else p.name for p in entries]


def _unique_labels(entries: list[PlatformGroup | str], where: str) -> None:
    seen: dict[str, int] = {}
    for i, label in enumerate(labels(entries)):
        if label in seen:
            raise InvalidInputError(
                f"platform entry {seen[label]} has the same label {label!r}",
                field=f"{where}.{i}",
            )
        seen[label] = i


def _too_many(parts: list[dict[str, int]], names: dict[str, str]) -> None:
    """Refuse products (plan cases, reach cases) over :data:`MAX_CASES` in all, naming
    the longest list."""
    totals = [math.prod(p.values()) for p in parts]
    total = sum(totals)
    if total <= MAX_CASES:
        return
    factors = {k: n for p in parts for k, n in p.items()}
    widest = max(factors, key=lambda k: factors[k])
    product = " + ".join(
        " x ".join(
            f"{n:,} {names.get(k, k).removesuffix('s' if n == 1 else '')}" for k, n in p.items()
        )
        for p, t in zip(parts, totals, strict=True)
        if t
    )
    raise InvalidInputError(
        f"the sweep has {total:,} cases ({product}), more than the {MAX_CASES:,} one "
        "sweep may have; split it into several sweeps",
        field=widest,
    )


REACH_NAMES = {
    "reach.nations": "nations",
    "reach.platforms": "platforms",
    "reach.origins": "origins",
    "reach.days": "day limits",
    "reach.max_stops": "stop limits",
    "reach.dates": "dates",
}
"""How a reach factor is called in a message (its key is the field it comes from)."""


def reach_factors(spec: SweepSpec) -> dict[str, int]:
    """The sizes of the lists whose product are the reach cases, by field."""
    block = spec.reach
    assert block is not None
    return {
        "scenarios": len(spec.scenarios),
        "reach.nations": len(block.nations) or 1,
        "reach.platforms" if block.platforms else "platforms": len(spec.reach_platforms()),
        "reach.origins": len(block.origin_list()),
        "reach.days": len(block.day_limits()),
        "reach.max_stops": len(block.stop_limits()),
        "reach.dates" if block.dates is not None else "dates": len(spec.reach_dates()),
    }


def _check_reach(spec: SweepSpec) -> None:
    """The reach block's shape: nothing the product sets in its base, platforms,
    dates and a nation given (here or in the sweep), labels unique."""
    block = spec.reach
    assert block is not None
    for key in REACH_FIELDS:
        if key in block.base:
            raise InvalidInputError(
                f"{key} is set per case by the reach block (nations, platforms, origins, "
                "days, max_stops, dates, the sweep's scenarios); it cannot be in reach.base",
                field=f"reach.base.{key}",
            )
    if not spec.reach_platforms():
        raise InvalidInputError(
            "give the platforms whose reach to compute, here or in the sweep's platforms",
            field="reach.platforms",
        )
    _unique_labels(spec.reach_platforms(), "reach.platforms" if block.platforms else "platforms")
    if not spec.reach_dates():
        raise InvalidInputError(
            "give the departure days, here or in the sweep's dates", field="reach.dates"
        )
    if not block.nations and "nation" not in spec.base:
        raise InvalidInputError(
            "give the nations whose reach to compute, or a nation in base",
            field="reach.nations",
        )


def _check_plans(spec: SweepSpec) -> dict[str, int]:
    """The plan part's shape; the sizes of the lists whose product are its cases."""
    if not spec.platforms:
        raise InvalidInputError(
            "give at least 1 platform (an id, or {name, group}) for the plan cases",
            field="platforms",
        )
    if spec.dates is None:
        raise InvalidInputError("give the departure days of the plan cases", field="dates")
    _unique_labels(spec.platforms, "platforms")
    for i, (origin, destination) in enumerate(spec.pairs):
        if origin == destination:
            raise InvalidInputError(
                f"origin and destination are both {origin!r}", field=f"pairs.{i}"
            )
    if bool(spec.origins) != bool(spec.destinations):
        missing = "destinations" if spec.origins else "origins"
        raise InvalidInputError(
            f"origins and destinations are crossed: give {missing} too", field=missing
        )
    if len(spec.origins) * len(spec.destinations) > MAX_CASES:
        raise InvalidInputError(
            f"{len(spec.origins):,} origins x {len(spec.destinations):,} destinations is "
            f"more than the {MAX_CASES:,} cases one sweep may have",
            field="origins",
        )
    pairs = spec.pair_list()
    if not pairs:
        raise InvalidInputError(
            "every origin is also the only destination: no pair is left", field="destinations"
        )
    return {
        "scenarios": len(spec.scenarios),
        "platforms": len(spec.platforms),
        "pairs" if spec.pairs else "origins": len(pairs),
        "dates": len(spec.date_list()),
    }


def check_shape(spec: SweepSpec) -> None:
    """What the schema cannot say: cases asked for (pairs, or a reach block), names
    unique, no scenario date, no product field in ``base`` or ``reach.base``, and at
    most :data:`MAX_CASES` cases."""
    for key in PRODUCT_FIELDS:
        if key in spec.base:
            raise InvalidInputError(
                f"{key} is set per case by the sweep (platforms, pairs or origins and "
                "destinations, dates); it cannot be in base",
                field=f"base.{key}",
            )
    seen: dict[str, int] = {}
    for i, scn in enumerate(spec.scenarios):
        if scn.name in seen:
            raise InvalidInputError(
                f"scenario {seen[scn.name]} is also named {scn.name!r}", field=f"scenarios.{i}.name"
            )
        seen[scn.name] = i
        if scn.date is not None:
            raise InvalidInputError(
                "a scenario date would replace every departure of the sweep; put the days in dates",
                field=f"scenarios.{i}.date",
            )
    if not spec.has_plans and spec.reach is None:
        raise InvalidInputError(
            "give pairs, or origins and destinations (or a reach block)", field="pairs"
        )
    parts = [_check_plans(spec)] if spec.has_plans else []
    if spec.reach is not None:
        _check_reach(spec)
        parts.append(reach_factors(spec))
    _too_many(parts, {"origins": "pairs", **REACH_NAMES})


def error_field(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a dotted path into the file (union branches left out)."""
    return ".".join(str(p) for p in loc if p not in UNION_TAGS)


def parse_spec(data: Any) -> SweepSpec:
    """A checked spec from parsed YAML or JSON; :class:`InvalidInputError` naming the
    field otherwise."""
    if not isinstance(data, dict):
        raise InvalidInputError(
            "a sweep spec is a mapping with name, platforms, pairs or origins and "
            "destinations, and dates",
            field="spec",
        )
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InvalidInputError(
            err["msg"].removeprefix("Value error, "), field=error_field(err["loc"]) or "spec"
        ) from None
    check_shape(spec)
    return spec


def load_spec(path: Path) -> SweepSpec:
    """The spec in a YAML or JSON file (``.json``: JSON; anything else: YAML, which
    reads JSON too)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}", field="spec") from None
    try:
        data = json.loads(text) if Path(path).suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"not valid JSON: {exc}", field="spec") from None
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"not valid YAML: {exc}", field="spec") from None
    return parse_spec(data)
