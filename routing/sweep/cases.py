"""A sweep checked against the loaded data and expanded into its cases.

:func:`prepare` checks every id the spec names (facilities, platforms, passages,
agreements, nations) against the catalogue, the platform registry and the sea
data, and takes a name or alias where an id is (``"Bombay Dockyard"``,
``"Suez Canal"``, ``"India"``), turning it into the id as ``POST /plans`` does
(:class:`routing.parse.NameIndex`): an ambiguous name is an error listing the
candidates, an unknown one gets a "did you mean", both naming the field, so a typo
fails before the first case is planned, not after an hour. It then expands the
product in a fixed order (scenario, platform, pair, date) into :class:`Case` values,
then the reach block's (scenario, nation, platform, origins, days, max_stops, date) into
:class:`ReachCase` values, each with a ``case_id`` that hashes everything the
case's answer depends on in the spec: resuming and de-duplicating go by that id.

A :class:`Recipe` is what a worker needs besides the cases to plan them: plain
values (the base, the scenarios and platform groups as JSON), small to send.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import ValidationError

from routing.catalogue.access import check_nation
from routing.catalogue.platforms import platform_names
from routing.errors import InvalidInputError, RelosError
from routing.parse import Named, NameIndex, looks_like_point, parse_lonlat, passage_or_facility
from routing.plan.reach import ReachSpec
from routing.plan.request import PlanSpec, build_request
from routing.plan.scenario import Scenario, resolve_scenarios
from routing.service import Services
from routing.sweep.spec import (
    HOME,
    PRODUCT_FIELDS,
    REACH_FIELDS,
    REACH_NAMES,
    PlatformGroup,
    SweepSpec,
    error_field,
    origins_label,
    reach_factors,
)
from routing.vocab import SEA_KINDS

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


@dataclass
class _Names:
    """The names a spec gives where ids are, turned into those ids as ``POST /plans``
    takes them (:class:`~routing.parse.NameIndex`: facilities, platforms, agreements,
    passages and closure groups, nations), errors naming the field: an ambiguous name
    lists the candidates, an unknown one gets a "did you mean". ``added``: the facility
    ids the scenarios add, taken as they are."""

    services: Services
    added: frozenset[str] = frozenset()

    @cached_property
    def platform_index(self) -> NameIndex:
        return platform_names(self.services.platforms)

    def one(
        self,
        index: NameIndex,
        text: str,
        field: str,
        *,
        extra: Collection[str] = (),
        kinds: Collection[str] | None = None,
    ) -> str:
        """The id ``text`` names in ``index`` (or ``text``, one of the ``extra`` ids)."""
        if text in index or text in extra:
            return text
        found = index.matches(text, kinds=kinds)
        if len(found) == 1:
            return found[0]
        if found:
            return index.resolve(text, field=field, kinds=kinds)  # ambiguous: raises
        near = index.suggest(text, kinds=kinds)
        if extra:
            others = NameIndex((Named(i, i) for i in extra), what=index.what, error=index.error)
            near = [*others.suggest(text, n=2), *near][:4]
        if near:
            hint = f"; did you mean {', '.join(near)}?"
        elif len(index.records) <= index.list_known:
            hint = f" (known: {', '.join(sorted([*index.records, *extra]))})"
        else:
            hint = ""
        raise index.error(
            f"unknown {index.what} id {text[:60]!r}{hint}", field=field, candidates=near
        )

    def facility(
        self,
        text: str,
        field: str,
        *,
        extra: Collection[str] | None = None,
        kinds: Collection[str] | None = None,
        points: bool = False,
    ) -> str:
        """A facility's id (or, with ``points``, a ``lon,lat`` point as given)."""
        if points and looks_like_point(text):
            parse_lonlat(text, field=field)
            return text
        index = self.services.catalogue.facility_names
        return self.one(
            index, text, field, extra=self.added if extra is None else extra, kinds=kinds
        )

    def facilities(
        self,
        items: Sequence[str],
        field: str,
        *,
        extra: Collection[str] | None = None,
        kinds: Collection[str] | None = None,
        points: bool = False,
    ) -> list[str]:
        """Each facility's id, the errors naming ``field.i``."""
        return [
            self.facility(t, f"{field}.{i}", extra=extra, kinds=kinds, points=points)
            for i, t in enumerate(items)
        ]

    def platform(self, text: str, field: str) -> str:
        """A platform's id."""
        return self.one(self.platform_index, text, field)

    def agreements(
        self, items: Sequence[str], field: str, extra: Collection[str] = ()
    ) -> list[str]:
        """Each agreement's id (``extra``: the ids a scenario adds)."""
        index = self.services.catalogue.agreement_names
        return [self.one(index, a, f"{field}.{i}", extra=extra) for i, a in enumerate(items)]

    def passages(self, items: Sequence[str], field: str) -> list[str]:
        """Each closable passage's or closure group's id."""
        sea = self.services.sea_data
        out: list[str] = []
        for i, raw in enumerate(items):
            where = f"{field}.{i}"
            pid = str(raw).strip().lower()
            if pid not in sea.passage_names:
                pid = self.one(sea.passage_names, str(raw), where)
            sea.check_passage_ids([pid], field_name=where)  # an ice region only warns
            out.append(pid)
        return out

    def nations(self, items: Sequence[str], field: str) -> list[str]:
        """Each nation's ISO3 code."""
        return [check_nation(c, field=f"{field}.{i}") for i, c in enumerate(items)]

    def avoid(self, items: Sequence[str], field: str, kinds: Collection[str] | None) -> list[str]:
        """Each passage's, closure group's or facility's id (as ``avoid`` takes them)."""
        passages = self.services.sea_data.passage_names
        facilities = self.services.catalogue.facility_names
        out: list[str] = []
        for i, raw in enumerate(items):
            _, rid = passage_or_facility(
                raw, passages, facilities, field=f"{field}.{i}", kinds=kinds, also=self.added
            )
            out.append(rid)
        return out


def _kinds(refs: Mapping[str, PlatformRef], services: Services) -> frozenset[str] | None:
    """The kinds of facility the platforms can use (ports and naval bases for ships,
    airbases for aircraft), among which a place's name is looked for; ``None`` without
    platforms."""
    kinds: set[str] = set()
    for ref in refs.values():
        first = ref if isinstance(ref, str) else ref[0]["platform"]
        domain = (
            services.platforms[first].domain
            if isinstance(first, str)
            else str(first.get("domain", "sea"))
        )
        kinds |= SEA_KINDS if domain == "sea" else {"airbase"}
    return frozenset(kinds) or None


def _prefixed(exc: RelosError, where: str) -> RelosError:
    exc.field = f"{where}.{exc.field}" if exc.field else where
    return exc


def _base(
    spec: SweepSpec, services: Services, names: _Names, kinds: Collection[str] | None
) -> tuple[str, dict[str, Any]]:
    """The base as a checked ``PlanSpec`` without the product's fields, names turned
    into ids: the nation and the fields set, as JSON values."""
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
        req = build_request(plan.model_copy(update={"avoid": []}), services.platforms)
    except RelosError as exc:
        raise _prefixed(exc, "base") from None
    plan = plan.model_copy(
        update={
            "closed": names.passages(plan.closed, "base.closed"),
            "dropped_agreements": names.agreements(
                plan.dropped_agreements, "base.dropped_agreements"
            ),
            "closed_facilities": names.facilities(plan.closed_facilities, "base.closed_facilities"),
            "avoid_facilities": names.facilities(plan.avoid_facilities, "base.avoid_facilities"),
            "waypoints": names.facilities(
                plan.waypoints, "base.waypoints", kinds=kinds, points=True
            ),
            "avoid": names.avoid(plan.avoid, "base.avoid", kinds),
            "denied_countries": names.nations(plan.denied_countries, "base.denied_countries"),
        }
    )
    body = plan.model_dump(mode="json", exclude_defaults=True, exclude=set(PRODUCT_FIELDS))
    return req.nation, {**body, "nation": req.nation}


def _scenarios(spec: SweepSpec, services: Services, names: _Names) -> dict[str, dict[str, Any]]:
    """Each scenario by name, names turned into ids (errors with hints), then validated
    in full."""
    out: dict[str, dict[str, Any]] = {}
    for i, scn in enumerate(spec.scenarios):
        where = f"scenarios.{i}"
        facilities = frozenset(str(f.get("id")) for f in scn.added_facilities)
        agreements = frozenset(str(a.get("id")) for a in scn.added_agreements)
        ids = scn.model_copy(
            update={
                "closed": names.passages(scn.closed, f"{where}.closed"),
                "dropped_agreements": names.agreements(
                    scn.dropped_agreements, f"{where}.dropped_agreements", agreements
                ),
                "closed_facilities": names.facilities(
                    scn.closed_facilities, f"{where}.closed_facilities", extra=facilities
                ),
                "denied_countries": names.nations(
                    scn.denied_countries, f"{where}.denied_countries"
                ),
            }
        )
        out[scn.name] = ids.model_dump(mode="json", exclude_defaults=True)
    resolve_scenarios(
        list(out.values()), services.catalogue, services.platforms, sea=services.sea_data
    )
    return out


def _platforms(
    entries: Sequence[PlatformGroup | str], names: _Names, where: str = "platforms"
) -> dict[str, PlatformRef]:
    """Each entry by its label (the platform's id, or the group's name), names turned
    into ids."""
    out: dict[str, PlatformRef] = {}
    for i, entry in enumerate(entries):
        ref: PlatformRef
        if isinstance(entry, str):
            label = ref = names.platform(entry, f"{where}.{i}")
        else:
            label, ref = entry.name, []
            for j, item in enumerate(entry.group):
                body = item.model_dump(mode="json", exclude_defaults=True)
                if isinstance(item.platform, str):
                    body["platform"] = names.platform(
                        item.platform, f"{where}.{i}.group.{j}.platform"
                    )
                ref.append(body)
        if label in out:
            raise InvalidInputError(
                f"platform entry {list(out).index(label)} has the same label {label!r}",
                field=f"{where}.{i}",
            )
        out[label] = ref
    return out


def _pairs(spec: SweepSpec, names: _Names, kinds: Collection[str] | None) -> list[tuple[str, str]]:
    """The origin-destination pairs (:meth:`SweepSpec.pair_list`) of the places' ids."""
    pairs: list[tuple[str, str]] = []
    for i, (origin, destination) in enumerate(spec.pairs):
        a = names.facility(origin, f"pairs.{i}.0", kinds=kinds, points=True)
        b = names.facility(destination, f"pairs.{i}.1", kinds=kinds, points=True)
        if a == b:
            raise InvalidInputError(f"origin and destination are both {a!r}", field=f"pairs.{i}")
        pairs.append((a, b))
    crossed = {
        key: names.facilities(getattr(spec, key), key, kinds=kinds, points=True)
        for key in ("origins", "destinations")
    }
    out = spec.model_copy(update={"pairs": pairs, **crossed}).pair_list()
    if not out:
        raise InvalidInputError(
            "every origin is also the only destination: no pair is left", field="destinations"
        )
    return out


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
    spec: SweepSpec, services: Services, names: _Names
) -> tuple[list[str], dict[str, Any]]:
    """The reach cases' nations and shared ``POST /reach`` fields (the sweep base's that
    a reach question has, then ``reach.base``), checked, names turned into ids, as JSON
    values."""
    block = spec.reach
    assert block is not None
    nations = names.nations(block.nations, "reach.nations") or [
        check_nation(str(spec.base["nation"]), field="base.nation")
    ]
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

    reach = reach.model_copy(
        update={
            "closed": names.passages(reach.closed, named("closed")),
            "dropped_agreements": names.agreements(
                reach.dropped_agreements, named("dropped_agreements")
            ),
            **{
                key: names.facilities(getattr(reach, key), named(key))
                for key in ("closed_facilities", "avoid_facilities")
            },
            "denied_countries": names.nations(reach.denied_countries, named("denied_countries")),
        }
    )
    fields = reach.model_dump(mode="json", exclude_defaults=True, exclude=set(REACH_FIELDS))
    return nations, fields


def _reach_origins(spec: SweepSpec, names: _Names) -> list[tuple[str, ...]]:
    """Each origins entry as the ids of the naval bases or ports sailed from (``()``:
    home), each once."""
    assert spec.reach is not None
    entries: list[str | list[str]] = []
    for i, entry in enumerate(spec.reach.origins):
        if isinstance(entry, str):
            is_home = entry == HOME
            entries.append(
                entry if is_home else names.facility(entry, f"reach.origins.{i}", kinds=SEA_KINDS)
            )
        else:
            entries.append(names.facilities(entry, f"reach.origins.{i}", kinds=SEA_KINDS))
    return spec.reach.model_copy(update={"origins": entries}).origin_list()


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
    """The sweep ``spec`` describes, every id checked against ``services``' data and
    every name given where an id is turned into that id (so a spec written with names
    has the case ids of the same spec written with ids)."""
    added = frozenset(str(f.get("id")) for scn in spec.scenarios for f in scn.added_facilities)
    names = _Names(services, added)
    platforms = _platforms(spec.platforms, names) if spec.has_plans else {}
    kinds = _kinds(platforms, services)
    nation, base = _base(spec, services, names, kinds) if spec.has_plans else ("", {})
    scenarios = _scenarios(spec, services, names)
    pairs = _pairs(spec, names, kinds) if spec.has_plans else []
    dates = spec.date_list() if spec.has_plans else []
    reach_base: dict[str, Any] | None = None
    reach_platforms: dict[str, PlatformRef] = {}
    if spec.reach is not None:
        nations, reach_base = _reach_base(spec, services, names)
        where = "reach.platforms" if spec.reach.platforms else "platforms"
        reach_platforms = _platforms(spec.reach_platforms(), names, where)
        for i, (label, ref) in enumerate(reach_platforms.items()):
            if platforms.get(label, ref) != ref:
                raise InvalidInputError(
                    f"the label {label!r} names another group in platforms; give it another name",
                    field=f"{where}.{i}",
                )
        origins = _reach_origins(spec, names)
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
        reach["origins"] = len(origins)
    return Sweep(spec.name, recipe, tuple(cases), factors, reach)
