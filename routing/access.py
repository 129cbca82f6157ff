"""The access model: which facilities a nation may use, on what date, for which services.

A nation may use its own facilities (those it is sovereign over or operates),
and a partner's facility when an agreement between the two is in force on the
date, covers the facility's kind, and covers the service asked for. Every grant
names its basis: ``own``, or the agreement(s) that open the facility.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from routing.catalogue import Agreement, Catalogue, Facility
from routing.errors import InvalidInputError
from routing.scenario import Scenario
from routing.vocab import is_iso3


@dataclass(frozen=True)
class Grant:
    """Why ``nation`` may use ``facility``: its own, or by the listed agreements.

    ``services`` are the services the nation may draw there: for its own
    facility every service the facility offers; for a partner's, those the
    facility offers and some granting agreement covers.
    """

    facility: Facility
    nation: str
    basis: str  # "own" | "agreement"
    agreements: tuple[str, ...]
    services: tuple[str, ...]

    @property
    def agreement(self) -> str | None:
        """The first granting agreement (``None`` for the nation's own facility)."""
        return self.agreements[0] if self.agreements else None


def check_nation(code: str, *, field: str = "nation") -> str:
    """Upper-cased ISO3 code, or :class:`InvalidInputError` naming ``field``."""
    norm = code.strip().upper()
    if not is_iso3(norm):
        raise InvalidInputError(f"{code!r} is not an ISO 3166-1 alpha-3 country code", field=field)
    return norm


def agreements_in_force(
    catalogue: Catalogue,
    nation: str,
    day: dt.date,
    *,
    dropped: Iterable[str] = (),
) -> list[Agreement]:
    """Agreements to which ``nation`` is a party, in force on ``day``, not dropped."""
    dropped_set = frozenset(dropped)
    return [
        a
        for a in catalogue.agreements.values()
        if nation in a.parties and a.id not in dropped_set and a.in_force_on(day)
    ]


def grant_for(
    facility: Facility,
    nation: str,
    agreements: Iterable[Agreement],
    *,
    service: str | None = None,
) -> Grant | None:
    """The grant opening ``facility`` to ``nation`` under ``agreements``, or ``None``."""
    if nation in facility.grantors:
        if service is not None and service not in facility.services:
            return None
        return Grant(facility, nation, "own", (), tuple(facility.services))
    granting: list[str] = []
    services: set[str] = set()
    for agr in agreements:
        if not agr.covers(facility):
            continue
        if not (facility.grantors - {nation}) & set(agr.parties):
            continue
        covered = set(agr.services) & set(facility.services)
        if service is not None and service not in covered:
            continue
        if covered:
            granting.append(agr.id)
            services |= covered
    if not granting:
        return None
    ordered = tuple(s for s in facility.services if s in services)
    return Grant(facility, nation, "agreement", tuple(granting), ordered)


def usable_facilities(
    catalogue: Catalogue,
    nation: str,
    day: dt.date,
    *,
    service: str | None = None,
    scenario: Scenario | None = None,
) -> list[Grant]:
    """Every facility ``nation`` may use on ``day`` (for ``service``), with its grant.

    ``scenario`` adds hypothetical records, drops agreements and closes
    facilities; it is applied to a copy, never to ``catalogue``.
    """
    scn = scenario or Scenario()
    cat = scn.catalogue(catalogue)
    for fid in scn.closed_facilities:
        cat.facility(fid, field="closed_facilities")
    for aid in scn.dropped_agreements:
        cat.agreement(aid, field="dropped_agreements")
    in_force = agreements_in_force(cat, nation, day, dropped=scn.dropped_agreements)
    grants = []
    for fac in cat:
        if fac.id in scn.closed_facilities:
            continue
        grant = grant_for(fac, nation, in_force, service=service)
        if grant is not None:
            grants.append(grant)
    return grants
