"""The sweep file: a batch of what-ifs as the product of its lists.

A :class:`SweepSpec` names the defaults every case shares (``base``: any
``POST /plans`` field but the ones the product sets), and the lists whose
product are the cases: ``scenarios`` x ``platforms`` x origin-destination pairs
(``pairs``, and/or ``origins`` x ``destinations``) x ``dates``. It is read from
YAML or JSON (:func:`load_spec`) and checked for shape and size here, without
the catalogue; :func:`routing.sweep.cases.prepare` checks its ids against the
loaded data and expands it.

Errors are :class:`~routing.errors.InvalidInputError` naming the field as a path
into the file (``dates.end``, ``platforms.1.group.0.count``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
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
from routing.plan.request import GroupItem
from routing.plan.scenario import ScenarioSpec

MAX_CASES = 1_000_000
"""The most cases one sweep may have (split a larger batch into several sweeps)."""

PRODUCT_FIELDS = ("platform", "group", "origin", "destination", "departure")
"""Plan fields each case sets from the product: never in ``base``."""

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


class SweepSpec(BaseModel):
    """A batch of what-ifs: the product of scenarios, platforms, pairs and dates."""

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
        min_length=1, description="Platform ids, or {name, group: [{platform, count}]}."
    )
    pairs: list[tuple[str, str]] = Field(
        default_factory=list, description="[origin, destination] pairs (facility ids or lon,lat)."
    )
    origins: list[str] = Field(default_factory=list, description="Crossed with destinations.")
    destinations: list[str] = Field(default_factory=list, description="Crossed with origins.")
    dates: Dates = Field(
        description="Departure days (midnight UTC): a list, or {start, end, every_days}."
    )

    @field_validator("dates")
    @classmethod
    def _dates_in_range(cls, value: list[dt.date] | DateRange) -> list[dt.date] | DateRange:
        if isinstance(value, list):
            for day in value:
                check_date(day)
        return value

    def date_list(self) -> list[dt.date]:
        """The departure days, in the file's order, each once."""
        days = self.dates.days() if isinstance(self.dates, DateRange) else self.dates
        return list(dict.fromkeys(days))

    def pair_list(self) -> list[tuple[str, str]]:
        """``pairs`` then ``origins`` x ``destinations`` (leaving out a place paired with
        itself), each pair once, in order."""
        crossed = ((o, d) for o in self.origins for d in self.destinations if o != d)
        return list(dict.fromkeys([*self.pairs, *crossed]))

    def platform_labels(self) -> list[str]:
        """Each platform entry's label in the results: its id, or its group's name."""
        return [p if isinstance(p, str) else p.name for p in self.platforms]


def check_shape(spec: SweepSpec) -> None:
    """What the schema cannot say: pairs given, names unique, no scenario date, no
    product field in ``base``, and at most :data:`MAX_CASES` cases."""
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
    labels: dict[str, int] = {}
    for i, label in enumerate(spec.platform_labels()):
        if label in labels:
            raise InvalidInputError(
                f"platform entry {labels[label]} has the same label {label!r}",
                field=f"platforms.{i}",
            )
        labels[label] = i
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
    if not spec.pairs and not spec.origins:
        raise InvalidInputError("give pairs, or origins and destinations", field="pairs")
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
    factors = {
        "scenarios": len(spec.scenarios),
        "platforms": len(spec.platforms),
        "pairs" if spec.pairs else "origins": len(pairs),
        "dates": len(spec.date_list()),
    }
    total = 1
    for n in factors.values():
        total *= n
    if total > MAX_CASES:
        widest = max(factors, key=lambda k: factors[k])
        product = " x ".join(
            f"{n:,} {('pairs' if k == 'origins' else k).removesuffix('s' if n == 1 else '')}"
            for k, n in factors.items()
        )
        raise InvalidInputError(
            f"the sweep has {total:,} cases ({product}), more than the {MAX_CASES:,} one "
            "sweep may have; split it into several sweeps",
            field=widest,
        )


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
