"""Request bodies shared by several routers: scenarios."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from routing.catalogue import Catalogue
from routing.errors import DataValidationError, InvalidInputError
from routing.passages import check_passage_ids
from routing.platforms import Platform
from routing.scenario import Scenario
from routing.validation import parse_agreement, parse_facility

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


class ScenarioBody(BaseModel):
    """A named set of overrides on the baseline (field names follow ``POST /plans``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SCENARIO_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200, description="A unique, readable name.")
    date: dt.date | None = Field(None, description="Replaces the departure date (the season).")
    closed: list[str] = Field(default_factory=list, description="Passages to close.")
    closed_facilities: list[str] = Field(default_factory=list)
    dropped_agreements: list[str] = Field(default_factory=list)
    added_facilities: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Hypothetical facilities: GeoJSON Features shaped like /facilities ones.",
    )
    added_agreements: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Hypothetical agreements shaped like /agreements ones (sources optional).",
    )
    platform_overrides: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="{platform_id: {replace_with: id} or {endurance_nm, at_speed_kn, ...}}.",
    )


def _hypothetical(record: Mapping[str, Any], *, kind: str) -> dict[str, Any]:
    """A user's hypothetical record: sources are optional, so give it a marker source."""
    out = dict(record)
    if kind == "facility":
        props = dict(out.get("properties") or {})
        props.setdefault(
            "sources",
            [{"title": "hypothetical (scenario)", "url": "https://hypothetical.invalid/"}],
        )
        props.setdefault("position_source", "hypothetical (scenario)")
        props.setdefault("position_precision_m", 1000)
        props.setdefault("region", "hypothetical")
        out["properties"] = props
    else:
        out.setdefault(
            "sources",
            [{"title": "hypothetical (scenario)", "url": "https://hypothetical.invalid/"}],
        )
        out.setdefault("signed", out.get("in_force_from"))
    return out


def to_scenario(
    body: ScenarioBody, catalogue: Catalogue, platforms: Mapping[str, Platform]
) -> Scenario:
    """The domain scenario for ``body``, fully validated (errors name the field; 422)."""
    facilities = []
    for i, rec in enumerate(body.added_facilities):
        try:
            facilities.append(parse_facility(_hypothetical(rec, kind="facility"), where=f"#{i}"))
        except DataValidationError as exc:
            raise InvalidInputError(exc.message, field=f"added_facilities.{i}") from None
    agreements = []
    for i, rec in enumerate(body.added_agreements):
        try:
            agreements.append(parse_agreement(_hypothetical(rec, kind="agreement"), where=f"#{i}"))
        except DataValidationError as exc:
            raise InvalidInputError(exc.message, field=f"added_agreements.{i}") from None
    scenario = Scenario(
        name=body.name,
        date=body.date,
        closed=check_passage_ids(body.closed, field_name="closed"),
        closed_facilities=frozenset(body.closed_facilities),
        dropped_agreements=frozenset(body.dropped_agreements),
        added_facilities=tuple(facilities),
        added_agreements=tuple(agreements),
        platform_overrides={k: dict(v) for k, v in body.platform_overrides.items()},
    )
    scenario.validate(catalogue, platforms)
    return scenario
