"""Catalogue search: the filters shared by ``GET /facilities`` and ``relos facilities``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from routing.catalogue.access import Grant, check_nation, usable_facilities
from routing.catalogue.model import Agreement, Catalogue, Facility
from routing.errors import InvalidInputError
from routing.geo import BBox, LonLat
from routing.vocab import HIDDEN_KINDS


@dataclass(frozen=True)
class Match:
    """A facility that passed the filters, with its distance and grant when asked for."""

    facility: Facility
    distance_nm: float | None = None
    grant: Grant | None = None

    def feature(self, **extra: Any) -> dict[str, Any]:
        """The facility as a GeoJSON Feature, with ``distance_nm`` and ``access`` (the
        grant) when the query produced them: the form ``GET /facilities`` returns."""
        if self.distance_nm is not None:
            extra["distance_nm"] = round(self.distance_nm, 1)
        if self.grant is not None:
            extra["access"] = self.grant.json()
        return self.facility.feature(**extra)


def opened_by(agreement: Agreement, facility: Facility) -> bool:
    """True when ``agreement`` can open ``facility`` to a party other than its own."""
    return (
        agreement.covers(facility)
        and bool(facility.grantors & set(agreement.parties))
        and bool(set(agreement.services) & set(facility.services))
    )


def find_facilities(
    catalogue: Catalogue,
    *,
    countries: Iterable[str] = (),
    kind: str | None = None,
    service: str | None = None,
    agreement: str | None = None,
    usable_by: str | None = None,
    date: dt.date | None = None,
    bbox: BBox | None = None,
    near: LonLat | None = None,
    radius_nm: float | None = None,
    include: Iterable[str] = (),
) -> list[Match]:
    """Facilities passing every given filter (filters combine with AND).

    Kinds the views hide (:data:`~routing.vocab.HIDDEN_KINDS`: the commercial-port
    layer's thousands of ports) are left out unless ``kind`` names one or ``include``
    lists it.

    With ``near`` the result is sorted by distance, otherwise by catalogue order.
    ``agreement`` keeps facilities that agreement opens; with ``usable_by`` too,
    only those it opens to that nation. ``date`` is required with ``usable_by``.
    Errors name the filter at fault (``country``, ``usable_by``, ``agreement``...).
    """
    wanted = {check_nation(c, field="country") for c in countries}
    included = set(include)
    unknown = sorted(included - HIDDEN_KINDS)
    if unknown:
        raise InvalidInputError(
            f"include: {', '.join(unknown)} is not a kind the views hide "
            f"({', '.join(sorted(HIDDEN_KINDS))})",
            field="include",
        )
    hidden = HIDDEN_KINDS - included - {kind}
    if radius_nm is not None and near is None:
        raise InvalidInputError("radius_nm needs near=lon,lat", field="radius_nm")
    opener = catalogue.agreement(agreement, field="agreement") if agreement else None
    grants: dict[str, Grant] | None = None
    if usable_by is not None:
        if date is None:
            raise InvalidInputError("usable_by needs a date", field="date")
        nation = check_nation(usable_by, field="usable_by")
        grants = {
            g.facility.id: g
            for g in usable_facilities(catalogue, nation, date, service=service)
            if opener is None or opener.id in g.agreements
        }
    spatial = catalogue.spatial_mask(bbox=bbox, near=near, radius_nm=radius_nm)
    out: list[Match] = []
    for fac in catalogue:
        if fac.id not in spatial:
            continue
        if wanted and fac.country not in wanted:
            continue
        if (kind is not None and fac.kind != kind) or fac.kind in hidden:
            continue
        if service is not None and service not in fac.services:
            continue
        if opener is not None and not opened_by(opener, fac):
            continue
        if grants is not None and fac.id not in grants:
            continue
        out.append(Match(fac, spatial[fac.id], grants.get(fac.id) if grants else None))
    if near is not None:
        out.sort(key=lambda m: (m.distance_nm or 0.0, m.facility.id))
    return out
