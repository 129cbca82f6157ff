"""The access model: which facilities a nation may use, on what date, for which services.

A nation may use its own facilities (those it is sovereign over or operates),
and a partner's facility when an agreement between the two is in force on the
date, covers the facility's kind, and covers the service asked for. Every grant
names its basis: ``own``, or the agreement(s) that open the facility (the most
certain first), or ``clearance`` (a call by diplomatic clearance, with no
agreement: only where a plan asks for it). Every grant carries a ``confidence``
and the ``caveats`` behind it, taken from the facility and the agreement.

Commercial ports (the opt-in layer, kind ``commercial_port``) are never granted as
``own`` or by an agreement: they are called at by diplomatic clearance only, the
deploying nation's own commercial ports too (the layer models no domestic
arrangement), so they appear in no access list and a plan uses them only when its
request allows clearance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pycountry

from routing.catalogue.model import Agreement, Catalogue, Facility
from routing.errors import InvalidInputError
from routing.parse import Named, NameIndex
from routing.vocab import COMMERCIAL_PORT, confidence_rank, is_iso3


@dataclass(frozen=True)
class Grant:
    """Why ``nation`` may use ``facility``: its own, or by the listed agreements.

    ``services`` are the services the nation may draw there: for its own
    facility every service the facility offers; for a partner's, those the
    facility offers and some granting agreement covers.
    """

    facility: Facility
    nation: str
    basis: str  # "own" | "agreement" | "clearance"
    agreements: tuple[str, ...]
    services: tuple[str, ...]
    confidence: str = "confirmed"
    caveats: tuple[str, ...] = ()

    @property
    def agreement(self) -> str | None:
        """The first granting agreement (``None`` for the nation's own facility)."""
        return self.agreements[0] if self.agreements else None

    def json(self) -> dict[str, Any]:
        """Why the nation may use the facility, as the API reports it."""
        return {
            "basis": self.basis,
            "agreement": self.agreement,
            "agreements": list(self.agreements),
            "services": list(self.services),
            "confidence": self.confidence,
            "caveats": list(self.caveats),
        }


def combined_confidence(
    facility: Facility, agreements: Iterable[Agreement] = ()
) -> tuple[str, tuple[str, ...]]:
    """The weakest confidence of a facility and the agreement opening it, with all caveats."""
    levels = [facility.confidence, *(a.confidence for a in agreements)]
    caveats: list[str] = [*facility.caveats]
    for agr in agreements:
        caveats.extend(f"{agr.id}: {c}" for c in agr.caveats)
    return min(levels, key=confidence_rank), tuple(caveats)


def clearance_grant(facility: Facility, nation: str) -> Grant:
    """A call by diplomatic clearance: no agreement, every service the facility offers."""
    confidence, caveats = combined_confidence(facility)
    return Grant(facility, nation, "clearance", (), tuple(facility.services), confidence, caveats)


COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "RUS": ("Russia",),
    "GBR": ("UK", "Britain", "Great Britain"),
    "USA": ("US", "America"),
    "TUR": ("Turkey",),
}
"""Everyday names ISO 3166 does not give (it has "Russian Federation", "Türkiye")."""


@lru_cache(maxsize=1)
def country_names() -> NameIndex:
    """Countries by ISO 3166-1 alpha-3 code, alpha-2 code, name, official and common name."""
    return NameIndex(
        (
            Named(
                c.alpha_3,
                c.name,
                (
                    c.alpha_2,
                    *(getattr(c, k, None) or "" for k in ("official_name", "common_name")),
                    *COUNTRY_ALIASES.get(c.alpha_3, ()),
                ),
            )
            for c in pycountry.countries
        ),
        what="country",
        plural="countries",
        error=InvalidInputError,
        advice=": give an ISO 3166-1 alpha-3 code or a name",
    )


def check_nation(code: str, *, field: str = "nation") -> str:
    """The ISO3 code of a nation given by code (any case) or name (``"India"``,
    ``"South Korea"``), or :class:`InvalidInputError` naming ``field``."""
    norm = code.strip().upper()
    if is_iso3(norm):
        return norm
    return country_names().resolve(code, field=field)


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
    """The grant opening ``facility`` to ``nation`` under ``agreements``, or ``None``
    (always for a commercial port: those are clearance calls only)."""
    if facility.kind == COMMERCIAL_PORT:
        return None
    grantors = facility.grantors
    if nation in grantors:
        if service is not None and service not in facility.services:
            return None
        confidence, caveats = combined_confidence(facility)
        return Grant(facility, nation, "own", (), tuple(facility.services), confidence, caveats)
    granting: list[Agreement] = []
    services: set[str] = set()
    for agr in agreements:
        if grantors.isdisjoint(agr.parties) or not agr.covers(facility):
            continue  # (the nation is no grantor here: any party among them is another)
        covered = set(agr.services) & set(facility.services)
        if service is not None and service not in covered:
            continue
        if covered:
            granting.append(agr)
            services |= covered
    if not granting:
        return None
    granting.sort(key=lambda a: -confidence_rank(a.confidence))
    ordered = tuple(s for s in facility.services if s in services)
    confidence, caveats = combined_confidence(facility, granting[:1])
    return Grant(
        facility,
        nation,
        "agreement",
        tuple(a.id for a in granting),
        ordered,
        confidence,
        caveats,
    )


def usable_facilities(
    catalogue: Catalogue,
    nation: str,
    day: dt.date,
    *,
    service: str | None = None,
    dropped_agreements: Iterable[str] = (),
    closed_facilities: Iterable[str] = (),
) -> list[Grant]:
    """Every facility ``nation`` may use on ``day`` (for ``service``), with its grant.

    ``catalogue`` is the one the caller sees (a scenario's, with its hypothetical
    records); dropped agreements and closed facilities are arguments, never a
    change to it. Unknown ids raise errors naming the field.
    """
    closed = frozenset(
        catalogue.facility(f, field="closed_facilities").id for f in closed_facilities
    )
    dropped = frozenset(
        catalogue.agreement(a, field="dropped_agreements").id for a in dropped_agreements
    )
    in_force = agreements_in_force(catalogue, nation, day, dropped=dropped)
    grants = []
    for fac in catalogue:
        if fac.id in closed:
            continue
        grant = grant_for(fac, nation, in_force, service=service)
        if grant is not None:
            grants.append(grant)
    return grants
