"""A sweep checked against the loaded data and expanded into its cases.

:func:`prepare` checks every id the spec names (facilities, platforms, passages,
agreements, nations) against the catalogue, the platform registry and the sea
data, with a "did you mean" where a known id is close, so a typo fails before
the first case is planned, not after an hour. It then expands the product in a
fixed order (scenario, platform, pair, date) into :class:`Case` values, then the
reach block's (scenario, nation, platform, origins, days, max_stops, date) into
:class:`ReachCase` values, each with a ``case_id`` that hashes everything the
case's answer depends on in the spec: resuming and de-duplicating go by that id.

A :class:`Recipe` is what a worker needs besides the cases to plan them: plain
values (the base, the scenarios and platform groups as JSON), small to send.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from routing.catalogue.access import check_nation
from routing.errors import (
    InvalidInputError,
    RelosError,
    UnknownAgreementError,
    UnknownFacilityError,
    UnknownPassageError,
    UnknownPlatformError,
)
from routing.parse import looks_like_point, parse_lonlat
from routing.plan.reach import ReachSpec
from routing.plan.request import PlanSpec, build_request
from routing.plan.scenario import Scenario, resolve_scenarios
from routing.service import Services
from routing.sweep.spec import (
    PRODUCT_FIELDS,
    REACH_FIELDS,
    REACH_NAMES,
    PlatformGroup,
    SweepSpec,
    error_field,
    origins_label,
    reach_factors,
)

CASE_FORMAT = "relos-sweep-case/1"
"""Hashed into every case id: a change in what a case means changes every id."""
REACH_FORMAT = "relos-sweep-reach/1"
"""Hashed into every reach case's id."""

PlatformRef = str | list[dict[str, Any]]
"""A platform id, or a task group's items as JSON (the ``group`` of ``POST /plans``)."""


@dataclass(frozen=True, slots=True)
class Case:
    """One what-if of a sweep: a plan under one scenario."""

    case_id: str
    scenario: str
    platform: str
    origin: str
    destination: str
    departure: dt.date

    @property
    def departure_time(self) -> dt.datetime:
        """Midnight UTC on the departure day."""
        return dt.datetime.combine(self.departure, dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class ReachCase:
    """One reach question of a sweep, under one scenario. ``origins`` are the facility
    ids sailed from; empty: the nation's own naval bases."""

    case_id: str
    scenario: str
    nation: str
    platform: str
    origins: tuple[str, ...]
    days: float | None
    max_stops: int
    departure: dt.date

    @property
    def departure_time(self) -> dt.datetime:
        """Midnight UTC on the departure day."""
        return dt.datetime.combine(self.departure, dt.time(), tzinfo=dt.UTC)

    @property
    def origin(self) -> str:
        """The origins as the ``origin`` column shows them (``home``, an id, ``a+b``)."""
        return origins_label(self.origins)


AnyCase = Case | ReachCase
"""A case of either kind."""


@dataclass(frozen=True)
class Recipe:
    """What turns a :class:`Case` into a plan request, as plain values.

    Parameters
    ----------
    nation
        The deploying nation (ISO3, upper case).
    base
        ``POST /plans`` fields every case shares, as JSON values.
    scenarios
        Each scenario by name, as its ``ScenarioSpec`` in JSON values.
    platforms
        Each platform label: the platform id, or the group's items (of plan and reach
        cases).
    reach_base
        ``POST /reach`` fields every reach case shares, as JSON values.
    """

    nation: str
    base: Mapping[str, Any]
    scenarios: Mapping[str, Mapping[str, Any]]
    platforms: Mapping[str, PlatformRef]
    reach_base: Mapping[str, Any] | None = None

    def plan_spec(self, case: Case) -> PlanSpec:
        """The ``POST /plans`` body of ``case`` (its scenario apart)."""
        ref = self.platforms[case.platform]
        body = {
            **self.base,
            "origin": case.origin,
            "destination": case.destination,
            "departure": case.departure_time,
            "platform" if isinstance(ref, str) else "group": ref,
        }
        return PlanSpec.model_validate(body)

    def reach_spec(self, case: ReachCase) -> ReachSpec:
        """The ``POST /reach`` body of ``case``, its scenario inline, no frontier."""
        ref = self.platforms[case.platform]
        body = {
            **(self.reach_base or {}),
            "nation": case.nation,
            "origins": list(case.origins),
            "departure": case.departure_time,
            "days": case.days,
            "max_stops": case.max_stops,
            "scenario": dict(self.scenarios[case.scenario]),
            "frontier": "none",
            "platform" if isinstance(ref, str) else "group": ref,
        }
        return ReachSpec.model_validate(body)

    def resolve(self, services: Services) -> dict[str, Scenario]:
        """The domain scenarios by name, validated against ``services``' data."""
        found = resolve_scenarios(
            [dict(s) for s in self.scenarios.values()],
            services.catalogue,
            services.platforms,
            sea=services.sea_data,
        )
        return dict(zip(self.scenarios, found, strict=True))


@dataclass(frozen=True)
class Sweep:
    """A checked sweep: its name, its recipe, its cases in order and the sizes of the
    lists whose product they are."""

    name: str
    recipe: Recipe
    cases: tuple[AnyCase, ...]
    factors: Mapping[str, int]
    reach_factors: Mapping[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """``"1,536 cases: 4 scenarios x 2 platforms x 16 pairs x 12 dates"``; with reach
        cases, ``"1,560 cases: 1,536 plans (...) + 24 reach (4 scenarios x ...)"``."""

        def product(factors: Mapping[str, int]) -> str:
            return " x ".join(
                f"{n:,} {k.removesuffix('s') if n == 1 else k}" for k, n in factors.items()
            )

        if not self.reach_factors:
            return f"{len(self.cases):,} cases: {product(self.factors)}"
        reach = math.prod(self.reach_factors.values())
        if not self.factors:
            return f"{reach:,} reach cases: {product(self.reach_factors)}"
        plans = math.prod(self.factors.values())
        return (
            f"{len(self.cases):,} cases: {plans:,} plans ({product(self.factors)}) + "
            f"{reach:,} reach ({product(self.reach_factors)})"
        )


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"; did you mean a, b?"`` naming the known ids closest to ``word``, or ``""``."""
    pool = list(known)
    near = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
    if not near:
        low = word.strip().lower()
        near = [k for k in pool if low and low in k][:3]
    return f"; did you mean {', '.join(near)}?" if near else ""


def _facility(
    services: Services, text: str, field: str, *, extra: frozenset[str], points: bool = True
) -> None:
    if points and looks_like_point(text):
        parse_lonlat(text, field=field)
        return
    if text in services.catalogue.facilities or text in extra:
        return
    hint = did_you_mean(text, [*services.catalogue.facilities, *extra])
    raise UnknownFacilityError(f"unknown facility id {text!r}{hint}", field=field)


def _platform(services: Services, pid: str, field: str) -> None:
    if pid not in services.platforms:
        hint = did_you_mean(pid, services.platforms)
        raise UnknownPlatformError(f"unknown platform id {pid!r}{hint}", field=field)


def _agreements(services: Services, ids: Sequence[str], field: str, extra: frozenset[str]) -> None:
    for i, aid in enumerate(ids):
        if aid in services.catalogue.agreements or aid in extra:
            continue
        known = [*services.catalogue.agreements, *extra]
        hint = did_you_mean(aid, known) or f" (known: {', '.join(sorted(known))})"
        raise UnknownAgreementError(f"unknown agreement id {aid!r}{hint}", field=f"{field}.{i}")


def _passages(services: Services, ids: Sequence[str], field: str) -> None:
    sea = services.sea_data
    for i, pid in enumerate(ids):
        try:
            sea.check_passage_ids([pid], field_name=f"{field}.{i}")
        except UnknownPassageError as exc:
            hint = did_you_mean(str(pid).strip().lower(), [*sea.passage_ids, *sea.groups])
            if hint and str(pid).strip().lower() not in sea.by_id:
                raise UnknownPassageError(
                    f"unknown passage {pid!r}{hint}", field=exc.field
                ) from None
            raise


def _prefixed(exc: RelosError, where: str) -> RelosError:
    exc.field = f"{where}.{exc.field}" if exc.field else where
    return exc


def _base(spec: SweepSpec, services: Services, extra: frozenset[str]) -> tuple[str, dict[str, Any]]:
    """The base as a checked ``PlanSpec`` without the product's fields: the nation and
    the fields set, as JSON values."""
    probe = next(iter(services.platforms))
    try:
        plan = PlanSpec.model_validate(
            {**spec.base, "platform": probe, "origin": "0,0", "destination": "0,0"}
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InvalidInputError(
            err["msg"].removeprefix("Value error, "), field=error_field(("base", *err["loc"]))
        ) from None
    try:
        req = build_request(plan, services.platforms)
    except RelosError as exc:
        raise _prefixed(exc, "base") from None
    _passages(services, plan.closed, "base.closed")
    _agreements(services, plan.dropped_agreements, "base.dropped_agreements", frozenset())
    for key in ("closed_facilities", "avoid_facilities", "waypoints"):
        for i, fid in enumerate(getattr(plan, key)):
            _facility(services, fid, f"base.{key}.{i}", extra=extra, points=key == "waypoints")
    body = plan.model_dump(mode="json", exclude_defaults=True, exclude=set(PRODUCT_FIELDS))
    return req.nation, {**body, "nation": req.nation}


def _scenarios(spec: SweepSpec, services: Services) -> dict[str, dict[str, Any]]:
    """Each scenario by name, its ids checked (with hints), then validated in full."""
    out: dict[str, dict[str, Any]] = {}
    for i, scn in enumerate(spec.scenarios):
        where = f"scenarios.{i}"
        facilities = frozenset(str(f.get("id")) for f in scn.added_facilities)
        agreements = frozenset(str(a.get("id")) for a in scn.added_agreements)
        _passages(services, scn.closed, f"{where}.closed")
        _agreements(services, scn.dropped_agreements, f"{where}.dropped_agreements", agreements)
        for j, fid in enumerate(scn.closed_facilities):
            _facility(
                services, fid, f"{where}.closed_facilities.{j}", extra=facilities, points=False
            )
        out[scn.name] = scn.model_dump(mode="json", exclude_defaults=True)
    resolve_scenarios(
        list(out.values()), services.catalogue, services.platforms, sea=services.sea_data
    )
    return out


def _platforms(
    entries: Sequence[PlatformGroup | str], services: Services, where: str = "platforms"
) -> dict[str, PlatformRef]:
    out: dict[str, PlatformRef] = {}
    for i, entry in enumerate(entries):
        if isinstance(entry, str):
            _platform(services, entry, f"{where}.{i}")
            out[entry] = entry
            continue
        for j, item in enumerate(entry.group):
            if isinstance(item.platform, str):
                _platform(services, item.platform, f"{where}.{i}.group.{j}.platform")
        out[entry.name] = [
            item.model_dump(mode="json", exclude_defaults=True) for item in entry.group
        ]
    return out


def _pairs(spec: SweepSpec, services: Services, extra: frozenset[str]) -> list[tuple[str, str]]:
    for i, pair in enumerate(spec.pairs):
        for j, fid in enumerate(pair):
            _facility(services, fid, f"pairs.{i}.{j}", extra=extra)
    for key in ("origins", "destinations"):
        for i, fid in enumerate(getattr(spec, key)):
            _facility(services, fid, f"{key}.{i}", extra=extra)
    return spec.pair_list()


def _digest(value: Any) -> str:
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def expand(
    recipe: Recipe, pairs: Sequence[tuple[str, str]], dates: Sequence[dt.date]
) -> list[Case]:
    """The cases in order: scenario, platform, pair, date (the last varies fastest).

    A case's id hashes the format, the nation and base, the scenario (name and
    content), the platform (label and content), the pair and the day."""
    days = [(d, d.isoformat()) for d in dates]
    out: list[Case] = []
    for sname, scenario in recipe.scenarios.items():
        for label, ref in recipe.platforms.items():
            head = _digest(
                {
                    "format": CASE_FORMAT,
                    "nation": recipe.nation,
                    "base": recipe.base,
                    "scenario": scenario,
                    "platform": [label, ref],
                }
            )
            for origin, destination in pairs:
                stem = f"{head}\x1f{origin}\x1f{destination}\x1f"
                for day, iso in days:
                    cid = hashlib.sha256((stem + iso).encode()).hexdigest()[:16]
                    out.append(Case(cid, sname, label, origin, destination, day))
    return out


def _reach_base(
    spec: SweepSpec, services: Services, extra: frozenset[str]
) -> tuple[list[str], dict[str, Any]]:
    """The reach cases' nations and shared ``POST /reach`` fields (the sweep base's that
    a reach question has, then ``reach.base``), checked, as JSON values."""
    block = spec.reach
    assert block is not None
    nations = [
        check_nation(n, field=f"reach.nations.{i}") for i, n in enumerate(block.nations)
    ] or [check_nation(str(spec.base["nation"]), field="base.nation")]
    inherited = {
        k: v for k, v in spec.base.items() if k in ReachSpec.model_fields and k not in REACH_FIELDS
    }
    body = {**inherited, **block.base}
    probe = next(iter(services.platforms))
    try:
        reach = ReachSpec.model_validate({**body, "nation": nations[0], "platform": probe})
    except ValidationError as exc:
        err = exc.errors()[0]
        top = str(err["loc"][0]) if err["loc"] else ""
        loc = ("reach", "base") if top in block.base or top not in inherited else ("base",)
        raise InvalidInputError(
            err["msg"].removeprefix("Value error, "), field=error_field((*loc, *err["loc"]))
        ) from None

    def named(key: str) -> str:
        return f"reach.base.{key}" if key in block.base else f"base.{key}"

    _passages(services, reach.closed, named("closed"))
    _agreements(services, reach.dropped_agreements, named("dropped_agreements"), frozenset())
    for key in ("closed_facilities", "avoid_facilities"):
        for i, fid in enumerate(getattr(reach, key)):
            _facility(services, fid, f"{named(key)}.{i}", extra=extra, points=False)
    for i, c in enumerate(reach.denied_countries):
        check_nation(c, field=f"{named('denied_countries')}.{i}")
    fields = reach.model_dump(mode="json", exclude_defaults=True, exclude=set(REACH_FIELDS))
    return nations, fields


def _reach_origins(
    spec: SweepSpec, services: Services, extra: frozenset[str]
) -> list[tuple[str, ...]]:
    assert spec.reach is not None
    for i, entry in enumerate(spec.reach.origins):
        if isinstance(entry, str):
            if entry != "home":
                _facility(services, entry, f"reach.origins.{i}", extra=extra, points=False)
            continue
        for j, fid in enumerate(entry):
            _facility(services, fid, f"reach.origins.{i}.{j}", extra=extra, points=False)
    return spec.reach.origin_list()


def expand_reach(
    recipe: Recipe,
    nations: Sequence[str],
    platforms: Sequence[str],
    origins: Sequence[tuple[str, ...]],
    days: Sequence[float | None],
    stops: Sequence[int],
    dates: Sequence[dt.date],
) -> list[ReachCase]:
    """The reach cases in order: scenario, nation, platform, origins, days, max_stops,
    date (the last varies fastest). A case's id hashes the format, the nation, the
    shared reach fields, the scenario (name and content), the platform (label and
    content), the origins, the limits and the day."""
    isos = [(d, d.isoformat()) for d in dates]
    out: list[ReachCase] = []
    for sname, scenario in recipe.scenarios.items():
        for nation in nations:
            for label in platforms:
                head = _digest(
                    {
                        "format": REACH_FORMAT,
                        "nation": nation,
                        "base": recipe.reach_base,
                        "scenario": scenario,
                        "platform": [label, recipe.platforms[label]],
                    }
                )
                for where in origins:
                    for limit in days:
                        for n in stops:
                            stem = f"{head}\x1f{'+'.join(where)}\x1f{limit}\x1f{n}\x1f"
                            for day, iso in isos:
                                cid = hashlib.sha256((stem + iso).encode()).hexdigest()[:16]
                                out.append(
                                    ReachCase(cid, sname, nation, label, where, limit, n, day)
                                )
    return out


def prepare(spec: SweepSpec, services: Services) -> Sweep:
    """The sweep ``spec`` describes, every id checked against ``services``' data."""
    added = frozenset(str(f.get("id")) for scn in spec.scenarios for f in scn.added_facilities)
    nation, base = _base(spec, services, added) if spec.has_plans else ("", {})
    scenarios = _scenarios(spec, services)
    platforms = _platforms(spec.platforms, services) if spec.has_plans else {}
    pairs = _pairs(spec, services, added) if spec.has_plans else []
    dates = spec.date_list() if spec.has_plans else []
    reach_base: dict[str, Any] | None = None
    reach_platforms: dict[str, PlatformRef] = {}
    if spec.reach is not None:
        nations, reach_base = _reach_base(spec, services, added)
        where = "reach.platforms" if spec.reach.platforms else "platforms"
        reach_platforms = _platforms(spec.reach_platforms(), services, where)
        for i, (label, ref) in enumerate(reach_platforms.items()):
            if platforms.get(label, ref) != ref:
                raise InvalidInputError(
                    f"the label {label!r} names another group in platforms; give it another name",
                    field=f"{where}.{i}",
                )
        origins = _reach_origins(spec, services, added)
    recipe = Recipe(
        nation=nation,
        base=base,
        scenarios=scenarios,
        platforms={**platforms, **reach_platforms},
        reach_base=reach_base,
    )
    cases: list[AnyCase] = []
    factors: dict[str, int] = {}
    if spec.has_plans:
        cases.extend(expand(recipe, pairs, dates))
        factors = {
            "scenarios": len(scenarios),
            "platforms": len(platforms),
            "pairs": len(pairs),
            "dates": len(dates),
        }
    reach: dict[str, int] = {}
    if spec.reach is not None:
        block = spec.reach
        cases.extend(
            expand_reach(
                recipe,
                nations,
                list(reach_platforms),
                origins,
                block.day_limits(),
                block.stop_limits(),
                spec.reach_dates(),
            )
        )
        reach = {REACH_NAMES.get(k, k): n for k, n in reach_factors(spec).items()}
        reach["nations"] = len(nations)
    return Sweep(spec.name, recipe, tuple(cases), factors, reach)
