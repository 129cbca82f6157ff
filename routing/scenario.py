"""Scenarios: named overrides on the baseline, applied without mutating it.

A scenario may set the date (the season), close passages and facilities, drop
agreements, add hypothetical facilities and agreements ("a new agreement with
Indonesia opening Sabang") and override platforms (a different ship, or a
different endurance). :meth:`Scenario.apply` turns a plan request into the
request the scenario describes; :meth:`Scenario.catalogue` the catalogue it
sees. Both leave the baseline untouched.

Derived catalogues are cached by the scenario's fingerprint
(:func:`scenario_catalogue`), so repeating a scenario costs what the baseline
costs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from threading import Lock
from typing import TYPE_CHECKING, Any

from routing.catalogue import Agreement, Catalogue, Facility
from routing.errors import InvalidInputError, UnknownPlatformError
from routing.platforms import Platform

if TYPE_CHECKING:
    from routing.planner import PlanRequest

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
    closed, closed_facilities, dropped_agreements
        Added to the request's own.
    added_facilities, added_agreements
        Hypothetical records, visible only under this scenario.
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
    added_facilities: tuple[Facility, ...] = ()
    added_agreements: tuple[Agreement, ...] = ()
    platform_overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """A content hash (the name excluded): equal scenarios share caches."""
        body = {
            "date": self.date.isoformat() if self.date else None,
            "closed": sorted(self.closed),
            "closed_facilities": sorted(self.closed_facilities),
            "dropped_agreements": sorted(self.dropped_agreements),
            "added_facilities": [f.model_dump(mode="json") for f in self.added_facilities],
            "added_agreements": [a.model_dump(mode="json") for a in self.added_agreements],
            "platform_overrides": {k: dict(v) for k, v in sorted(self.platform_overrides.items())},
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
                raise InvalidInputError(f"unknown facility id {fid!r}", field="closed_facilities")
        for aid in sorted(self.dropped_agreements):
            if aid not in cat.agreements:
                raise InvalidInputError(f"unknown agreement id {aid!r}", field="dropped_agreements")
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
        from routing.planner import Member

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
        )


_CACHE: OrderedDict[tuple[str, str], Catalogue] = OrderedDict()
_CACHE_LOCK = Lock()
_CACHE_SIZE = 64


def scenario_catalogue(base: Catalogue, scenario: Scenario) -> Catalogue:
    """``base`` with the scenario's added records, cached by (base, fingerprint)."""
    key = (base.version(), scenario.fingerprint())
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    derived = base.with_additions(
        facilities=scenario.added_facilities, agreements=scenario.added_agreements
    )
    with _CACHE_LOCK:
        _CACHE[key] = derived
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return derived
