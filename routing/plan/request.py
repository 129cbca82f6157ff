"""Plan requests: the one schema every front end fills in, and the one builder.

:class:`PlanSpec` is the request as plain values (ids, ``"lon,lat"`` strings, ISO
times), validated by pydantic: the body of ``POST /plans``, what ``relos plan``
assembles from its options and what :meth:`routing.plan.planner.Planner.request`
builds from keywords. :func:`build_request` turns it into the domain
:class:`PlanRequest` with platforms resolved; nothing else builds one, so the
HTTP API, the CLI and Python give the same plan for the same question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from routing.air.rules import check_airspace_codes
from routing.catalogue.access import check_nation
from routing.catalogue.model import Catalogue
from routing.catalogue.platforms import DEFAULT_RESERVE, Platform, RangePoint, get_platform
from routing.errors import InvalidInputError
from routing.geo import LonLat
from routing.limits import MAX_LIST, MAX_SPEED_KN, MIN_SPEED_KN, check_date
from routing.parse import looks_like_point, parse_lonlat, passage_or_facility
from routing.sea.passages import SeaData, ShipSize
from routing.vocab import SEA_KINDS, Confidence, weakest_ice_class

Objective = Literal["min_time", "min_stops", "min_distance"]
MAX_WAYPOINTS = 20
DEFAULT_CLEARANCE_NOTICE_DAYS = 30
"""Lead time assumed for a diplomatic clearance request (a planning figure; set per request)."""


class PlatformSpec(BaseModel):
    """A custom platform given inline instead of a registry id."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("custom platform", min_length=1)
    domain: Literal["sea", "air"] = "sea"
    endurance_nm: float = Field(gt=0, le=100_000, description="Endurance at `at_speed_kn`.")
    at_speed_kn: float = Field(ge=MIN_SPEED_KN, le=MAX_SPEED_KN)
    max_speed_kn: float = Field(ge=MIN_SPEED_KN, le=MAX_SPEED_KN)
    warship: bool = True
    type: str = "custom"
    ice_class: str | None = None
    complement: int | None = Field(None, ge=0, le=10_000, description="Personnel aboard.")
    draught_m: float | None = Field(None, gt=0, le=40, description="Full-load draught, m.")
    beam_m: float | None = Field(None, gt=0, le=120, description="Maximum beam, m.")
    air_draught_m: float | None = Field(None, gt=0, le=120, description="Air draught, m.")
    range_points: list[RangePoint] = Field(
        default_factory=list, description="Ranges at other speeds (e.g. at full speed)."
    )
    fuel_capacity_t: float | None = Field(
        None, gt=0, le=20_000, description="Own fuel, tonnes (needed to draw on a tanker)."
    )
    carries_fuel_for_others_t: float | None = Field(
        None, ge=0, description="A tanker's cargo fuel for others, tonnes."
    )

    @model_validator(mode="after")
    def _speeds(self) -> PlatformSpec:
        if self.at_speed_kn > self.max_speed_kn:
            raise ValueError("at_speed_kn is above max_speed_kn")
        return self


PlatformRef = Annotated[
    str | PlatformSpec,
    Field(description="A platform id from GET /platforms, or an inline custom platform."),
]
PlaceRef = Annotated[
    str,
    Field(
        description="A facility id, or 'lon,lat' for a sea point.",
        examples=["in-mumbai-naval-dockyard"],
    ),
]


class GroupItem(BaseModel):
    """Ships (or aircraft) of one type in a task group."""

    model_config = ConfigDict(extra="forbid")

    platform: PlatformRef
    count: int = Field(1, ge=1, le=100)


class PlanSpec(BaseModel):
    """A deployment to plan. Either `platform` or `group` is required."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nation": "IND",
                    "platform": "talwar",
                    "origin": "in-mumbai-naval-dockyard",
                    "destination": "ru-vladivostok-naval-base",
                    "departure": "2026-08-01T00:00:00Z",
                    "closed": ["suez"],
                }
            ]
        },
    )

    nation: str = Field(description="Deploying nation, ISO 3166-1 alpha-3.", examples=["IND"])
    platform: PlatformRef | None = None
    group: list[GroupItem] | None = Field(
        None, min_length=1, description="A task group instead of a single platform."
    )
    origin: PlaceRef
    destination: PlaceRef
    waypoints: list[PlaceRef] = Field(default_factory=list, max_length=MAX_WAYPOINTS)
    departure: dt.datetime | None = Field(
        None, description="Departure time (ISO 8601, UTC if no offset); now when omitted."
    )
    speed_kn: float | None = Field(
        None,
        ge=MIN_SPEED_KN,
        le=MAX_SPEED_KN,
        description="Planned speed; the profile's if omitted.",
    )
    reserve: float = Field(
        DEFAULT_RESERVE, ge=0, lt=1, description="Fuel fraction left on arrival."
    )
    closed: list[str] = Field(
        default_factory=list, max_length=MAX_LIST, description="Closed passage ids."
    )
    dropped_agreements: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    closed_facilities: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    closed_airspace: list[str] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description=(
            "Air plans: states (ISO 3166 alpha-3, every territory of theirs) or single "
            "territories whose airspace is closed to the flight, e.g. ['IRN']."
        ),
    )
    opened_airspace: list[str] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description=(
            "Air plans: states whose standing airspace closures are lifted (a what-if, "
            "e.g. ['PAK']); they are then open as any other state (agreement or clearance)."
        ),
    )
    avoid_facilities: list[str] = Field(
        default_factory=list, max_length=MAX_LIST, description="Never stop here."
    )
    avoid: list[str] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description=(
            "Passages, closure groups or facilities to keep out of, by id or name: a passage "
            "or group is closed (as in `closed`), a facility never stopped at (as in "
            "`avoid_facilities`)."
        ),
        examples=[["Suez", "Port of Djibouti"]],
    )
    max_stops: int = Field(12, ge=0, le=40)
    objective: Objective = "min_time"
    dwell_h: float | None = Field(None, ge=0, le=24 * 14, description="Hours at each stop.")
    ice_class: str | None = Field(
        None,
        description=(
            "Ice class for seasonal passages, e.g. 'Arc4'. Default: the weakest ice class "
            "of the group's platforms (a group sails as its weakest ship)."
        ),
    )
    personnel: int | None = Field(
        None,
        ge=0,
        le=100_000,
        description=(
            "Personnel in the group, counted against agreement limits (RELOS: 3,000). "
            "Default: the sum of the platforms' typical complements, where published."
        ),
    )
    allow_clearance: bool = Field(
        False,
        description=(
            "Allow calls by diplomatic clearance, with no logistics agreement, at the "
            "destination and waypoints (and at resupply stops with `clearance_stops`)."
        ),
    )
    clearance_stops: bool = Field(
        False, description="With `allow_clearance`: resupply stops may be clearance calls too."
    )
    clearance_notice_days: int = Field(
        DEFAULT_CLEARANCE_NOTICE_DAYS,
        ge=0,
        le=365,
        description="Lead time of a diplomatic clearance request, days.",
    )
    denied_countries: list[str] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="Countries (ISO3) that refuse clearance.",
    )
    min_confidence: Confidence | None = Field(
        None,
        description=(
            "Use no facility or agreement less certain than this: confirmed > assumed_date "
            "> uncertain > contested."
        ),
    )
    max_wait_days: int = Field(
        60,
        ge=0,
        le=365,
        description=(
            "How long the plan may hold the group for a seasonal passage or ice region: a "
            "leg through it must begin within this many days of the earliest the group "
            "could be at its start; beyond it the plan goes another way or is infeasible."
        ),
    )
    notice_from: dt.datetime | None = Field(
        None,
        description=(
            "When requests for calls can first be sent (ISO 8601). Given, a stop that "
            "needs more notice than that leaves time for is waited for (counted by "
            "min_time); omitted, notice is only reported (request_by)."
        ),
    )

    @field_validator("departure", "notice_from")
    @classmethod
    def _in_range(cls, value: dt.datetime | None) -> dt.datetime | None:
        check_date(value, what="the time")
        return value

    @model_validator(mode="after")
    def _one_of(self) -> PlanSpec:
        if (self.platform is None) == (self.group is None):
            raise ValueError("give exactly one of 'platform' or 'group'")
        return self


@dataclass(frozen=True)
class Member:
    """A platform in a task group, ``count`` ships or aircraft of it."""

    platform: Platform
    count: int = 1


@dataclass(frozen=True)
class PlanRequest:
    """Everything a plan depends on, platforms resolved. Field names follow :class:`PlanSpec`."""

    nation: str
    group: tuple[Member, ...]
    origin: str | LonLat
    destination: str | LonLat
    departure: dt.datetime
    waypoints: tuple[str | LonLat, ...] = ()
    speed_kn: float | None = None
    reserve: float = DEFAULT_RESERVE
    closed: frozenset[str] = frozenset()
    dropped_agreements: frozenset[str] = frozenset()
    closed_facilities: frozenset[str] = frozenset()
    closed_airspace: frozenset[str] = frozenset()
    opened_airspace: frozenset[str] = frozenset()
    avoid_facilities: frozenset[str] = frozenset()
    max_stops: int = 12
    objective: str = "min_time"
    dwell_h: float | None = None
    ice_class: str | None = None
    personnel: int | None = None
    allow_clearance: bool = False
    clearance_stops: bool = False
    clearance_notice_days: int = DEFAULT_CLEARANCE_NOTICE_DAYS
    denied_countries: frozenset[str] = frozenset()
    min_confidence: str | None = None
    max_wait_days: int = 60
    notice_from: dt.datetime | None = None

    @property
    def domain(self) -> str:
        """``sea`` or ``air``: every member of a group shares it."""
        return self.group[0].platform.domain

    @property
    def voyage_ice_class(self) -> str:
        """The ice class seasonal passages are judged for: the request's, else the
        weakest of the group's platforms (a group sails as its weakest ship)."""
        if self.ice_class:
            return self.ice_class
        return weakest_ice_class([m.platform.ice_class for m in self.group])

    @property
    def size(self) -> ShipSize:
        """The group's envelope (largest draught, beam, air draught) against passage limits."""
        return ShipSize.largest(
            ShipSize(m.platform.draught_m, m.platform.beam_m, m.platform.air_draught_m)
            for m in self.group
        )

    @property
    def head_count(self) -> int:
        """Personnel counted against agreement limits: the request's, else the sum of
        the platforms' complements (those published)."""
        if self.personnel is not None:
            return self.personnel
        return sum(m.count * (m.platform.complement or 0) for m in self.group)


def resolve_platform(
    ref: str | PlatformSpec, registry: Mapping[str, Platform], *, field: str
) -> Platform:
    """A registry platform by id, or an inline custom one (errors name ``field``)."""
    if isinstance(ref, str):
        return get_platform(dict(registry), ref, field=field)
    return Platform(id="custom", **ref.model_dump())


def parse_place(text: str, *, field: str) -> str | LonLat:
    """A facility id, or a validated ``lon,lat`` point (errors name ``field``)."""
    return parse_lonlat(text, field=field) if looks_like_point(text) else text


def now_utc_hour() -> dt.datetime:
    """The current UTC time, to the hour: the default departure."""
    return dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)


def build_request(
    spec: PlanSpec,
    platforms: Mapping[str, Platform],
    *,
    catalogue: Catalogue | None = None,
    sea: SeaData | None = None,
) -> PlanRequest:
    """The domain request for a validated spec: the only place one is built.

    With the ``catalogue`` (and ``sea`` data), names are taken where ids are: places,
    closed and avoided facilities and dropped agreements (``"Port Blair"``; a place
    among the facilities the group can use, ports and naval bases for ships), closed
    passages (``"Suez Canal"``) and ``avoid``, each turned into its id; an ambiguous
    name is an error listing the candidates. Nations and platforms are taken by name
    in any case."""
    if spec.group is not None:
        group = tuple(
            Member(
                resolve_platform(item.platform, platforms, field=f"group.{i}.platform"), item.count
            )
            for i, item in enumerate(spec.group)
        )
    else:
        assert spec.platform is not None
        group = (Member(resolve_platform(spec.platform, platforms, field="platform")),)
    departure = spec.departure or now_utc_hour()
    if departure.tzinfo is None:
        departure = departure.replace(tzinfo=dt.UTC)
    kinds = SEA_KINDS if group[0].platform.domain == "sea" else ("airbase",)
    ids = _Ids(catalogue, sea)
    avoided_passages, avoided_facilities = ids.avoid(spec.avoid, kinds)
    return PlanRequest(
        nation=check_nation(spec.nation),
        group=group,
        origin=ids.place(spec.origin, "origin", kinds),
        destination=ids.place(spec.destination, "destination", kinds),
        waypoints=tuple(
            ids.place(w, f"waypoints.{i}", kinds) for i, w in enumerate(spec.waypoints)
        ),
        departure=departure,
        speed_kn=spec.speed_kn,
        reserve=spec.reserve,
        closed=frozenset(ids.passages(spec.closed, "closed")) | avoided_passages,
        dropped_agreements=frozenset(
            ids.agreement(a, "dropped_agreements") for a in spec.dropped_agreements
        ),
        closed_facilities=frozenset(ids.facilities(spec.closed_facilities, "closed_facilities")),
        closed_airspace=check_airspace_codes(spec.closed_airspace)
        if spec.closed_airspace
        else frozenset(),
        opened_airspace=check_airspace_codes(spec.opened_airspace, field="opened_airspace")
        if spec.opened_airspace
        else frozenset(),
        avoid_facilities=frozenset(ids.facilities(spec.avoid_facilities, "avoid_facilities"))
        | avoided_facilities,
        max_stops=spec.max_stops,
        objective=spec.objective,
        dwell_h=spec.dwell_h,
        ice_class=spec.ice_class,
        personnel=spec.personnel,
        allow_clearance=spec.allow_clearance,
        clearance_stops=spec.clearance_stops,
        clearance_notice_days=spec.clearance_notice_days,
        denied_countries=frozenset(
            check_nation(c, field=f"denied_countries.{i}")
            for i, c in enumerate(spec.denied_countries)
        ),
        min_confidence=spec.min_confidence,
        max_wait_days=spec.max_wait_days,
        notice_from=_utc(spec.notice_from) if spec.notice_from else None,
    )


@dataclass(frozen=True)
class _Ids:
    """Names in a spec turned into ids (unchanged without the catalogue and sea data)."""

    catalogue: Catalogue | None
    sea: SeaData | None

    def place(self, text: str, field: str, kinds: Collection[str]) -> str | LonLat:
        if looks_like_point(text):
            return parse_lonlat(text, field=field)
        if self.catalogue is None:
            return text
        return self.catalogue.facility_names.canonical(text, field=field, kinds=kinds)

    def facilities(self, items: Sequence[str], field: str) -> list[str]:
        if self.catalogue is None:
            return list(items)
        names = self.catalogue.facility_names
        return [names.canonical(f, field=field) for f in items]

    def agreement(self, text: str, field: str) -> str:
        if self.catalogue is None:
            return text
        return self.catalogue.agreement_names.canonical(text, field=field)

    def passages(self, items: Sequence[str], field: str) -> list[str]:
        out = [c.strip().lower() for c in items]
        if self.sea is None:
            return out
        names = self.sea.passage_names
        return [
            c if c in names else names.canonical(raw, field=field)
            for raw, c in zip(items, out, strict=True)
        ]

    def avoid(
        self, items: Sequence[str], kinds: Collection[str]
    ) -> tuple[frozenset[str], frozenset[str]]:
        """``avoid`` as passages (and closure groups) to close and facilities to pass by."""
        if not items:
            return frozenset(), frozenset()
        if self.catalogue is None or self.sea is None:
            raise InvalidInputError(
                "avoid needs the catalogue and the sea data to tell passages from facilities",
                field="avoid",
            )
        passages, facilities = self.sea.passage_names, self.catalogue.facility_names
        closed: set[str] = set()
        skipped: set[str] = set()
        for i, raw in enumerate(items):
            is_passage, rid = passage_or_facility(
                raw, passages, facilities, field=f"avoid.{i}", kinds=kinds
            )
            (closed if is_passage else skipped).add(rid)
        return frozenset(closed), frozenset(skipped)


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)
