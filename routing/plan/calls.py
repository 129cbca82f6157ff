"""Port calls: on what basis a deploying group may use a facility on a given day.

Every place a plan touches in another nation's territory is a port call (a landing,
for aircraft): the resupply stops, and also the origin (when foreign), each waypoint
and the destination. A call is allowed when the facility is the nation's own, or an
agreement in force that day opens it for the service the call needs (fuel at a stop;
berthing at a ship's destination or waypoint; any service for an aircraft's landing),
within the agreement's group limits (warships, aircraft, personnel at once) and the
request's minimum confidence, or, when the request allows it, by diplomatic
clearance. :class:`CallRules` answers that for one request; when it says no, it says
why, naming what is missing ("Severomorsk Naval Base is opened to IND only by relos,
which is not in force on 2024-08-21").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from routing.catalogue.access import (
    Grant,
    agreements_in_force,
    clearance_grant,
    grant_for,
)
from routing.catalogue.model import Agreement, Catalogue, Facility
from routing.geo import LonLat
from routing.plan.request import PlanRequest
from routing.vocab import COMMERCIAL_PORT, confidence_rank

FUEL = {"sea": "fuel", "air": "aviation_fuel"}
"""The service a resupply stop needs."""
CALL_SERVICE: dict[str, str | None] = {"sea": "berthing", "air": None}
"""The service an end call needs: a berth for ships; any granted service (a landing) for
aircraft."""


@dataclass(frozen=True)
class Place:
    """An origin, waypoint, destination or stop: a facility or a bare point."""

    key: str
    point: LonLat
    name: str
    facility: Facility | None = None

    @property
    def ref(self) -> str | LonLat:
        """What the router takes: the facility id, or the point."""
        return self.facility.id if self.facility is not None else self.point

    def json(self) -> dict[str, Any]:
        """The JSON form used in plan answers."""
        return {
            "id": self.facility.id if self.facility else None,
            "name": self.name,
            "coordinates": [self.point.lon, self.point.lat],
        }


@dataclass(frozen=True)
class Call:
    """A call at an end or a waypoint: when, on what basis, and the notice it needs.

    ``grant`` is ``None`` at a bare sea point (no call). ``request_by`` is when the
    call (or the clearance) must be requested, given ``notice_days``.
    """

    role: str  # "origin" | "waypoint" | "destination"
    place: Place
    time: dt.datetime
    grant: Grant | None
    notice_days: int | None = None
    request_by: dt.datetime | None = None


def group_counts(req: PlanRequest) -> tuple[int, int, int]:
    """Warships, aircraft and personnel in the group: what agreement limits count."""
    warships = sum(m.count for m in req.group if m.platform.warship)
    aircraft = sum(m.count for m in req.group if m.platform.domain == "air")
    return warships, aircraft, req.head_count


LIMITS = (
    ("max_warships", "warships", 0),
    ("max_aircraft", "aircraft", 1),
    ("max_personnel", "personnel", 2),
)


def limit_breach(agreement: Agreement, counts: tuple[int, int, int]) -> str | None:
    """Why a group is over one of ``agreement``'s limits, or ``None`` when it is within."""
    for key, what, i in LIMITS:
        if key in agreement.limits and counts[i] > agreement.limits[key]:
            return (
                f"{agreement.id} allows at most {int(agreement.limits[key]):,} {what} at once; "
                f"the group has {counts[i]:,}"
            )
    return None


class CallRules:
    """Who may call where, for one request: agreements by date, limits, confidence, clearance."""

    def __init__(self, cat: Catalogue, req: PlanRequest) -> None:
        self.cat = cat
        self.req = req
        self.counts = group_counts(req)
        self._by_day: dict[dt.date, list[Agreement]] = {}
        self._admitting: dict[dt.date, list[Agreement]] = {}

    def agreements_on(self, day: dt.date) -> list[Agreement]:
        """The nation's agreements in force on ``day``, not dropped, certain enough."""
        hit = self._by_day.get(day)
        if hit is None:
            hit = [
                a
                for a in agreements_in_force(
                    self.cat, self.req.nation, day, dropped=self.req.dropped_agreements
                )
                if self._certain(a.confidence)
            ]
            self._by_day[day] = hit
        return hit

    def admitting(self, day: dt.date) -> list[Agreement]:
        """:meth:`agreements_on` ``day`` whose limits the group is within: those a call
        may rest on (all a grant reads of the group's size)."""
        hit = self._admitting.get(day)
        if hit is None:  # asked for thousands of facilities a day
            hit = [a for a in self.agreements_on(day) if limit_breach(a, self.counts) is None]
            self._admitting[day] = hit
        return hit

    def _certain(self, level: str) -> bool:
        floor = self.req.min_confidence
        return floor is None or confidence_rank(level) >= confidence_rank(floor)

    def clearance_ok(self, fac: Facility) -> bool:
        """Whether a call by diplomatic clearance may be made at ``fac``."""
        return (
            self.req.allow_clearance
            and fac.country not in self.req.denied_countries
            and self._certain(fac.confidence)
        )

    def grant(
        self, fac: Facility, day: dt.date, service: str | None, *, clearance: bool
    ) -> Grant | None:
        """The basis of a call at ``fac`` on ``day`` for ``service``, or ``None``.

        Agreements whose limits the group exceeds are left out; with ``clearance`` a
        facility no usable agreement opens may be called at by diplomatic clearance.
        """
        grant = grant_for(fac, self.req.nation, self.admitting(day), service=service)
        if grant is not None and not self._certain(grant.confidence):
            grant = None
        offered = service is None or service in fac.services
        if grant is None and clearance and offered and self.clearance_ok(fac):
            grant = clearance_grant(fac, self.req.nation)
        return grant

    def notice(self, grant: Grant) -> int | None:
        """Days of notice the call needs: the agreement's port-call notice, or the
        clearance lead time."""
        if grant.basis == "clearance":
            return self.req.clearance_notice_days or None
        if grant.basis != "agreement":
            return None
        notices = [
            int(self.cat.agreements[a].limits.get("port_call_notice_days", 0))
            for a in grant.agreements
        ]
        return min(notices) or None

    def refusal(self, fac: Facility, day: dt.date, service: str | None) -> str:
        """Why ``fac`` may not be used on ``day``: what would open it, and what is missing."""
        nation = self.req.nation
        where = f"{fac.name} ({fac.country})"
        if not self._certain(fac.confidence):
            return (
                f"{where} is {fac.confidence.replace('_', ' ')} ({'; '.join(fac.caveats)}), "
                f"below min_confidence={self.req.min_confidence}"
            )
        if fac.kind == COMMERCIAL_PORT:
            why = f"{where} is a commercial port: no agreement opens it, a call needs clearance"
            if service is not None and service not in fac.services:
                return f"{why}, and it offers no {service} (not in the source)"
            if fac.country in self.req.denied_countries:
                return f"{why}, which {fac.country} refuses (denied_countries)"
            return f"{why} (allow_clearance)"
        if nation in fac.grantors:
            return f"{where} does not offer {service}"
        openers = [
            a
            for a in self.cat.agreements.values()
            if nation in a.parties
            and a.covers(fac)
            and (fac.grantors - {nation}) & set(a.parties)
            and (service is None or service in set(a.services) & set(fac.services))
        ]
        if not openers:
            return f"no agreement opens {where} to {nation}" + (
                f" for {service}" if service else ""
            )
        why = "; ".join(self._why_not(a, day) for a in openers)
        names = " or ".join(a.id for a in openers)
        return f"{where} is opened to {nation} only by {names}, which {why}"

    def _why_not(self, agr: Agreement, day: dt.date) -> str:
        if agr.id in self.req.dropped_agreements:
            return f"is dropped ({agr.id})"
        if not agr.in_force_on(day):
            if day < agr.in_force_from:
                return f"is not in force on {day.isoformat()} (from {agr.in_force_from})"
            return f"is not in force on {day.isoformat()} (expired {agr.expires})"
        breach = limit_breach(agr, self.counts)
        if breach:
            return f"does not admit the group: {breach}"
        if not self._certain(agr.confidence):
            return (
                f"is {agr.confidence.replace('_', ' ')}, below min_confidence="
                f"{self.req.min_confidence}"
            )
        return "does not cover the service asked for"

    def call(self, role: str, place: Place, time: dt.datetime, service: str | None) -> Call | str:
        """The call at an end or waypoint, or the reason it may not be made."""
        fac = place.facility
        if fac is None:
            return Call(role, place, time, None)
        grant = self.grant(fac, time.date(), service, clearance=True)
        if grant is None:
            return self.refusal(fac, time.date(), service)
        notice = self.notice(grant)
        request_by = time - dt.timedelta(days=notice) if notice else None
        return Call(role, place, time, grant, notice, request_by)
