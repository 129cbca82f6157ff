"""Scenarios: named overrides on the baseline, applied without mutating it.

A scenario may set the date (the season), close passages and facilities, drop
agreements, add hypothetical facilities and agreements ("a new agreement with
Indonesia opening Sabang") and override platforms (a different ship, or a
different endurance). :meth:`Scenario.apply` turns a plan request into the
request the scenario describes; :meth:`Scenario.catalogue` the catalogue it
sees. Both leave the baseline untouched.

Derived catalogues are cached by the scenario's fingerprint
(:func:`scenario_catalogue`), so repeating a scenario costs what the baseline
costs. :class:`ScenarioSpec` is the scenario as plain values (the body of
``POST /scenarios``, a saved record, a CLI file); :func:`to_scenario` validates it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from threading import Lock
from typing import Any

from cachetools import LRUCache, cached
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from routing.air.rules import check_airspace_codes
from routing.catalogue.access import check_nation
from routing.catalogue.load import parse_agreement, parse_facility
from routing.catalogue.model import Agreement, Catalogue, Facility
from routing.catalogue.platforms import Platform
from routing.errors import (
    DataValidationError,
    InvalidInputError,
    RelosError,
    UnknownPlatformError,
    UnknownRecordError,
)
from routing.limits import MAX_HYPOTHETICAL, MAX_LIST, check_date
from routing.plan.request import Member, PlanRequest
from routing.sea.passages import SeaData, default_sea_data
from routing.vocab import Confidence, confidence_rank

#: Platform fields a scenario may override.
PLATFORM_OVERRIDE_FIELDS = ("endurance_nm", "at_speed_kn", "max_speed_kn", "ice_class")


@dataclass(frozen=True)
class Scenario:
    """Overrides on the baseline. The empty scenario is the baseline itself.

    Parameters
    ----------
    name
        A label for tables and maps.
    date
        Replaces the departure date (the time of day is kept): a change of season.
    closed, closed_facilities, dropped_agreements, closed_airspace, opened_airspace
        Added to the request's own (``closed_airspace``: states or territories whose
        airspace air plans must keep out of; ``opened_airspace``: states whose standing
        closures are lifted).
    added_facilities, added_agreements
        Hypothetical records, visible only under this scenario.
    allow_clearance, denied_countries
        Allow (or, ``False``, forbid) calls by diplomatic clearance, and the countries
        that refuse it.
    min_confidence
        Use no facility or agreement less certain than this.
    platform_overrides
        ``{platform_id: {"replace_with": other_id}}`` changes the ship or aircraft;
        ``{platform_id: {"endurance_nm": ..., "at_speed_kn": ..., ...}}`` changes
        its profile.
    """

    name: str = "baseline"
    date: dt.date | None = None
    closed: frozenset[str] = frozenset()
    closed_facilities: frozenset[str] = frozenset()
    dropped_agreements: frozenset[str] = frozenset()
    closed_airspace: frozenset[str] = frozenset()
    opened_airspace: frozenset[str] = frozenset()
    added_facilities: tuple[Facility, ...] = ()
    added_agreements: tuple[Agreement, ...] = ()
    platform_overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    allow_clearance: bool | None = None
    denied_countries: frozenset[str] = frozenset()
    min_confidence: str | None = None

    def fingerprint(self) -> str:
        """A content hash (the name excluded): equal scenarios share caches."""
        body = {
            "date": self.date.isoformat() if self.date else None,
            "closed": sorted(self.closed),
            "closed_facilities": sorted(self.closed_facilities),
            "dropped_agreements": sorted(self.dropped_agreements),
            "closed_airspace": sorted(self.closed_airspace),
            "opened_airspace": sorted(self.opened_airspace),
            "added_facilities": [f.model_dump(mode="json") for f in self.added_facilities],
            "added_agreements": [a.model_dump(mode="json") for a in self.added_agreements],
            "platform_overrides": {k: dict(v) for k, v in sorted(self.platform_overrides.items())},
            "allow_clearance": self.allow_clearance,
            "denied_countries": sorted(self.denied_countries),
            "min_confidence": self.min_confidence,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]

    def catalogue(self, base: Catalogue) -> Catalogue:
        """The catalogue this scenario sees: ``base`` plus its hypothetical records."""
        if not self.added_facilities and not self.added_agreements:
            return base
        return scenario_catalogue(base, self)

    def validate(self, base: Catalogue, platforms: Mapping[str, Platform]) -> None:
        """Check every id the scenario names; errors name the scenario field."""
        cat = self.catalogue(base)
        for fid in sorted(self.closed_facilities):
            if fid not in cat.facilities:
                raise cat.facility_names.unknown(
                    fid, field="closed_facilities", error=InvalidInputError
                )
        for aid in sorted(self.dropped_agreements):
            if aid not in cat.agreements:
                raise cat.agreement_names.unknown(
                    aid, field="dropped_agreements", error=InvalidInputError
                )
        clash = {f.id for f in self.added_facilities} & set(base.facilities)
        if clash:
            raise InvalidInputError(
                f"added facility ids already in the catalogue: {sorted(clash)}",
                field="added_facilities",
            )
        for agr in self.added_agreements:
            for fid in agr.only_facilities:
                if fid not in cat.facilities:
                    raise InvalidInputError(
                        f"agreement {agr.id!r} names unknown facility {fid!r}",
                        field="added_agreements",
                    )
        for pid, override in self.platform_overrides.items():
            if pid not in platforms and pid != "custom":
                raise InvalidInputError(f"unknown platform id {pid!r}", field="platform_overrides")
            self._override(platforms.get(pid), override, platforms)

    @staticmethod
    def _override(
        platform: Platform | None, override: Mapping[str, Any], platforms: Mapping[str, Platform]
    ) -> Platform | None:
        if "replace_with" in override:
            other = str(override["replace_with"])
            if other not in platforms:
                raise InvalidInputError(
                    f"unknown platform id {other!r}", field="platform_overrides"
                )
            return platforms[other]
        unknown = set(override) - set(PLATFORM_OVERRIDE_FIELDS)
        if unknown:
            raise InvalidInputError(
                f"cannot override {sorted(unknown)}; use replace_with or "
                f"{', '.join(PLATFORM_OVERRIDE_FIELDS)}",
                field="platform_overrides",
            )
        if platform is None:
            return None
        try:
            return Platform(**{**platform.model_dump(), **override})
        except ValueError as exc:
            raise InvalidInputError(str(exc), field="platform_overrides") from None

    def apply(self, req: PlanRequest, platforms: Mapping[str, Platform]) -> PlanRequest:
        """The request as this scenario describes it (``req`` is untouched)."""
        group = []
        for member in req.group:
            override = self.platform_overrides.get(member.platform.id)
            if override is None:
                group.append(member)
                continue
            try:
                changed = self._override(member.platform, override, platforms)
            except UnknownPlatformError as exc:  # pragma: no cover - validated earlier
                raise InvalidInputError(exc.message, field="platform_overrides") from None
            group.append(Member(changed or member.platform, member.count))
        departure = req.departure
        if self.date is not None:
            departure = dt.datetime.combine(self.date, departure.timetz())
        return replace(
            req,
            group=tuple(group),
            departure=departure,
            closed=req.closed | self.closed,
            closed_facilities=req.closed_facilities | self.closed_facilities,
            dropped_agreements=req.dropped_agreements | self.dropped_agreements,
            closed_airspace=req.closed_airspace | self.closed_airspace,
            opened_airspace=req.opened_airspace | self.opened_airspace,
            allow_clearance=(
                req.allow_clearance if self.allow_clearance is None else self.allow_clearance
            ),
            denied_countries=req.denied_countries | self.denied_countries,
            min_confidence=_stricter(req.min_confidence, self.min_confidence),
        )


def _stricter(a: str | None, b: str | None) -> str | None:
    """The stricter of two minimum confidence levels (``None``: no minimum)."""
    if a is None or b is None:
        return a or b
    return max(a, b, key=confidence_rank)


@cached(
    cache=LRUCache(maxsize=64),
    key=lambda base, scenario: (base.content_key(), scenario.fingerprint()),
    lock=Lock(),
)
def scenario_catalogue(base: Catalogue, scenario: Scenario) -> Catalogue:
    """``base`` with the scenario's added records, cached by (base, fingerprint)."""
    return base.with_additions(
        facilities=scenario.added_facilities, agreements=scenario.added_agreements
    )


# -- the scenario schema (HTTP body, CLI --file, saved records) ----------------------------

SCENARIO_EXAMPLE: dict[str, Any] = {
    "name": "Red Sea shut, RELOS lapsed",
    "date": "2027-02-01",
    "closed": ["suez", "bab-el-mandeb"],
    "closed_facilities": ["ru-vladivostok-naval-base"],
    "dropped_agreements": ["relos"],
    "added_facilities": [],
    "added_agreements": [],
    "platform_overrides": {"talwar": {"replace_with": "kolkata"}},
}


class ScenarioSpec(BaseModel):
    """A named set of overrides on the baseline (field names follow ``POST /plans``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SCENARIO_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200, description="A unique, readable name.")
    date: dt.date | None = Field(None, description="Replaces the departure date (the season).")
    closed: list[str] = Field(
        default_factory=list, max_length=MAX_LIST, description="Passages to close."
    )
    closed_facilities: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    dropped_agreements: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    closed_airspace: list[str] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="States (ISO3) or territories whose airspace is closed to air plans.",
    )
    opened_airspace: list[str] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="States (ISO3) whose standing airspace closures are lifted.",
    )
    added_facilities: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=MAX_HYPOTHETICAL,
        description="Hypothetical facilities: GeoJSON Features shaped like /facilities ones.",
    )
    added_agreements: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=MAX_HYPOTHETICAL,
        description="Hypothetical agreements shaped like /agreements ones (sources optional).",
    )
    allow_clearance: bool | None = Field(
        None, description="Allow (true) or forbid (false) calls by diplomatic clearance."
    )
    denied_countries: list[str] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="Countries (ISO3) that refuse diplomatic clearance.",
    )
    min_confidence: Confidence | None = Field(
        None, description="Use no facility or agreement less certain than this."
    )
    platform_overrides: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="{platform_id: {replace_with: id} or {endurance_nm, at_speed_kn, ...}}.",
    )

    @field_validator("date")
    @classmethod
    def _in_range(cls, value: dt.date | None) -> dt.date | None:
        return check_date(value)


HYPOTHETICAL_SOURCE = {"title": "hypothetical (scenario)", "url": "https://hypothetical.invalid/"}


def _hypothetical(record: Mapping[str, Any], *, kind: str) -> dict[str, Any]:
    """A user's hypothetical record: sources are optional, so give it a marker source."""
    out = dict(record)
    if kind == "facility":
        props = dict(out.get("properties") or {})
        props.setdefault("sources", [HYPOTHETICAL_SOURCE])
        props.setdefault("position_source", "hypothetical (scenario)")
        props.setdefault("position_precision_m", 1000)
        props.setdefault("region", "hypothetical")
        out["properties"] = props
    else:
        out.setdefault("sources", [HYPOTHETICAL_SOURCE])
        out.setdefault("signed", out.get("in_force_from"))
    return out


def to_scenario(
    spec: ScenarioSpec,
    catalogue: Catalogue,
    platforms: Mapping[str, Platform],
    sea: SeaData | None = None,
) -> Scenario:
    """The domain scenario for ``spec``, fully validated (errors name the field)."""
    facilities = []
    for i, rec in enumerate(spec.added_facilities):
        try:
            facilities.append(parse_facility(_hypothetical(rec, kind="facility"), where=f"#{i}"))
        except DataValidationError as exc:
            raise InvalidInputError(exc.message, field=f"added_facilities.{i}") from None
    agreements = []
    for i, rec in enumerate(spec.added_agreements):
        try:
            agreements.append(parse_agreement(_hypothetical(rec, kind="agreement"), where=f"#{i}"))
        except DataValidationError as exc:
            raise InvalidInputError(exc.message, field=f"added_agreements.{i}") from None
    scenario = Scenario(
        name=spec.name,
        date=spec.date,
        closed=(sea or default_sea_data()).check_passage_ids(spec.closed, field_name="closed"),
        closed_facilities=frozenset(
            catalogue.facility_names.canonical(f, field="closed_facilities")
            for f in spec.closed_facilities
        ),
        dropped_agreements=frozenset(
            catalogue.agreement_names.canonical(a, field="dropped_agreements")
            for a in spec.dropped_agreements
        ),
        closed_airspace=check_airspace_codes(spec.closed_airspace),
        opened_airspace=check_airspace_codes(spec.opened_airspace, field="opened_airspace"),
        added_facilities=tuple(facilities),
        added_agreements=tuple(agreements),
        platform_overrides={k: dict(v) for k, v in spec.platform_overrides.items()},
        allow_clearance=spec.allow_clearance,
        denied_countries=frozenset(
            check_nation(c, field=f"denied_countries.{i}")
            for i, c in enumerate(spec.denied_countries)
        ),
        min_confidence=spec.min_confidence,
    )
    scenario.validate(catalogue, platforms)
    return scenario


def with_ids(spec: ScenarioSpec, catalogue: Catalogue, sea: SeaData | None = None) -> ScenarioSpec:
    """``spec`` with the names it gives where ids are (``"Suez Canal"``, ``"India"``)
    turned into those ids: what a saved scenario keeps. Check it with
    :func:`to_scenario` first (a name of a hypothetical record it adds stays as given)."""
    data = sea or default_sea_data()

    def airspace(codes: list[str], field: str) -> list[str]:
        return [next(iter(check_airspace_codes([c], field=field))) for c in codes]

    return spec.model_copy(
        update={
            "closed": [data.passage_id(c, field="closed") for c in spec.closed],
            "closed_facilities": [
                catalogue.facility_names.canonical(f, field="closed_facilities")
                for f in spec.closed_facilities
            ],
            "dropped_agreements": [
                catalogue.agreement_names.canonical(a, field="dropped_agreements")
                for a in spec.dropped_agreements
            ],
            "closed_airspace": airspace(spec.closed_airspace, "closed_airspace"),
            "opened_airspace": airspace(spec.opened_airspace, "opened_airspace"),
            "denied_countries": [
                check_nation(c, field=f"denied_countries.{i}")
                for i, c in enumerate(spec.denied_countries)
            ],
        }
    )


SCENARIO_META = ("id", "owner", "version", "created_at", "updated_at")
"""Fields a saved scenario carries besides its spec."""


def resolve_scenarios(
    items: Sequence[int | Mapping[str, Any]],
    catalogue: Catalogue,
    platforms: Mapping[str, Platform],
    *,
    saved: Callable[[int], Mapping[str, Any]] | None = None,
    sea: SeaData | None = None,
) -> list[Scenario]:
    """Domain scenarios for saved ids (looked up with ``saved``) and inline specs.

    Errors name ``scenarios.<i>`` (and the field inside it): an unknown id is a
    bad reference in the request, not a missing page.
    """
    out: list[Scenario] = []
    for i, item in enumerate(items):
        where = f"scenarios.{i}"
        if isinstance(item, int) and not isinstance(item, bool):
            if saved is None:
                raise InvalidInputError("saved scenarios are not available", field=where)
            try:
                stored = saved(item)
            except UnknownRecordError:
                raise InvalidInputError(f"no saved scenario with id {item}", field=where) from None
            data = {k: v for k, v in stored.items() if k not in SCENARIO_META}
        elif isinstance(item, Mapping):
            data = dict(item)
        else:
            raise InvalidInputError("give a saved scenario id or a scenario object", field=where)
        try:
            spec = ScenarioSpec.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InvalidInputError(
                err["msg"], field=".".join([where, *(str(p) for p in err["loc"])])
            ) from None
        try:
            out.append(to_scenario(spec, catalogue, platforms, sea))
        except RelosError as exc:
            exc.field = f"{where}.{exc.field}" if exc.field else where
            raise
    return out
