"""A scenario: named overrides on the baseline (date, closures, dropped agreements).

A scenario is a value passed to the access model, the router and the planner;
applying one never mutates the shared catalogue or graph.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from routing.catalogue import Agreement, Catalogue, Facility


@dataclass(frozen=True)
class Scenario:
    """Overrides on the baseline. The empty scenario is the baseline itself."""

    name: str = "baseline"
    date: dt.date | None = None
    closed: frozenset[str] = frozenset()
    closed_facilities: frozenset[str] = frozenset()
    dropped_agreements: frozenset[str] = frozenset()
    added_facilities: tuple[Facility, ...] = ()
    added_agreements: tuple[Agreement, ...] = ()
    platform_overrides: tuple[tuple[str, float], ...] = field(default=())

    def catalogue(self, base: Catalogue) -> Catalogue:
        """The catalogue this scenario sees: ``base`` plus its hypothetical records."""
        if not self.added_facilities and not self.added_agreements:
            return base
        return base.with_additions(
            facilities=self.added_facilities, agreements=self.added_agreements
        )
