"""Whose airspace a nation's military aircraft may fly through, on a date.

The rules (``data/air/rules.json``, a source for each) follow the Chicago Convention:
state aircraft need authorisation to overfly another state. So, for a nation on a day:

- its own airspace and international airspace are open;
- a partner's airspace is open while an agreement in force covers airspace (RELOS);
- the airspace of the state a leg takes off from or lands in is open for that leg
  when the call there is allowed (``visit``: entering is arranged with the call);
- any other state's airspace needs a diplomatic clearance: open only when the request
  allows clearance (and that state has not refused it), with the clearance lead time;
- a standing closure (Pakistan to Indian aircraft since April 2025, the EU, UK, US,
  Canada... to Russian aircraft since 2022) or a closure the request or scenario adds
  (``closed_airspace``) shuts a state's airspace whatever else holds.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from routing.air.airspace import Airspaces, shipped_airspaces
from routing.catalogue.access import agreements_in_force, country_names
from routing.catalogue.model import Catalogue, Source
from routing.errors import InvalidInputError
from routing.files import read_json
from routing.paths import SHIPPED_DATA_DIR

RULES_FILE = SHIPPED_DATA_DIR / "air" / "rules.json"

OWN, AGREEMENT, VISIT, CLEARANCE, CLOSED = "own", "agreement", "visit", "clearance", "closed"


class Closure(BaseModel):
    """A standing closure of some airspace to some nations' aircraft."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    id: str
    airspace: tuple[str, ...] = Field(min_length=1)
    against: tuple[str, ...] = Field(min_length=1)
    from_: dt.date = Field(alias="from")
    until: dt.date | None = None
    last_confirmed: dt.date | None = None
    summary: str
    sources: tuple[Source, ...] = Field(min_length=1)
    notes: str | None = None

    def applies(self, nation: str, day: dt.date) -> bool:
        """Whether it shuts the airspace to ``nation``'s aircraft on ``day``."""
        if nation not in self.against and "*" not in self.against:
            return False
        return self.from_ <= day and (self.until is None or day <= self.until)


class AirspaceAgreement(BaseModel):
    """An agreement that opens the partners' airspace to each other's aircraft."""

    model_config = ConfigDict(frozen=True)

    agreement: str
    covers: str
    sources: tuple[Source, ...] = Field(min_length=1)
    notes: str | None = None


class AirRules(BaseModel):
    """The rules file."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    clearance_notice_days: int = Field(ge=0)
    agreements: tuple[AirspaceAgreement, ...]
    closures: tuple[Closure, ...]

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> AirRules:
        """The rules file at ``path``."""
        return cls.model_validate(read_json(path))


@functools.cache
def shipped_rules() -> AirRules:
    """The shipped rules, loaded once per process."""
    return AirRules.load()


@dataclass(frozen=True)
class Status:
    """Why a unit of airspace is open or closed to the flight."""

    basis: str  # own | agreement | visit | clearance | closed
    reason: str = ""
    agreement: str | None = None
    closure: str | None = None


@dataclass(frozen=True)
class AirPolicy:
    """The airspace open to one nation's aircraft on one day, per unit of airspace."""

    airspaces: Airspaces
    nation: str
    day: dt.date
    statuses: tuple[Status, ...]
    hard: frozenset[int]  # closed whatever the leg: standing or requested closures
    clearance_notice_days: int
    allow_clearance: bool
    key: tuple[Any, ...] = field(default=())

    def closed(self, visit: Iterable[str] = ()) -> np.ndarray:
        """A mask of the units closed to a leg that takes off from or lands in the
        states ``visit`` (their airspace open for the leg unless closed outright)."""
        mask = np.array([s.basis == CLOSED for s in self.statuses], dtype=bool)
        for sov in visit:
            for i in self.airspaces.units_of(sov):
                if i not in self.hard:
                    mask[i] = False
        return mask

    def status(self, unit: int, visit: Iterable[str] = ()) -> Status:
        """Unit ``unit``'s status for a leg visiting ``visit``."""
        s = self.statuses[unit]
        visiting = self.airspaces.units[unit].sovereign in set(visit)
        if s.basis in (CLOSED, CLEARANCE) and unit not in self.hard and visiting:
            return Status(VISIT, "entered to call there", None)
        return s

    def describe(self, units: Iterable[int]) -> list[str]:
        """Why each of ``units`` is closed, one line each."""
        out = []
        for i in sorted(set(units)):
            u = self.airspaces.units[i]
            out.append(f"{u.name} ({u.code}): {self.statuses[i].reason}")
        return out


def check_airspace_codes(
    codes: Iterable[str], *, field: str = "closed_airspace", airspaces: Airspaces | None = None
) -> frozenset[str]:
    """``codes`` upper-cased, each a state (ISO 3166 alpha-3) or a territory holding some
    airspace; an unknown one is a 400 naming ``field`` with the nearest known codes."""
    air = airspaces or shipped_airspaces()
    out = []
    for k, raw in enumerate(codes):
        code = raw.strip().upper()
        named = country_names().matches(raw) if not air.units_of(code) else []
        if len(named) == 1 and air.units_of(named[0]):
            code = named[0]  # a state by name: "Iran", "Pakistan"
        if not air.units_of(code):
            known = sorted(air.sovereigns() | set(air.index))
            near = difflib.get_close_matches(code, known, n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise InvalidInputError(
                f"unknown airspace {raw[:20]!r}: give an ISO 3166 alpha-3 state code{hint}",
                field=f"{field}.{k}",
            )
        out.append(code)
    return frozenset(out)


def policy(
    airspaces: Airspaces,
    rules: AirRules,
    catalogue: Catalogue,
    *,
    nation: str,
    day: dt.date,
    allow_clearance: bool = False,
    denied: Sequence[str] = (),
    closed_airspace: Sequence[str] = (),
    opened_airspace: Sequence[str] = (),
    dropped: Sequence[str] = (),
    field_name: str = "closed_airspace",
) -> AirPolicy:
    """The airspace open to ``nation``'s military aircraft on ``day``.

    ``closed_airspace`` closes more (states by ISO code, every unit of theirs; or
    single territories by their own code); an unknown code is a 400 naming
    ``field_name`` with the nearest known codes. ``opened_airspace`` lifts the standing
    closures of those states (a what-if: Pakistan reopens); they are then open as any
    other state would be (by agreement or clearance)."""
    closing = check_airspace_codes(closed_airspace, field=field_name, airspaces=airspaces)
    requested = {i for code in closing for i in airspaces.units_of(code)}
    opening = check_airspace_codes(opened_airspace, field="opened_airspace", airspaces=airspaces)
    lifted = {i for code in opening for i in airspaces.units_of(code)}
    partners: dict[str, str] = {}
    covering = {a.agreement for a in rules.agreements}
    for agr in agreements_in_force(catalogue, nation, day, dropped=dropped):
        if agr.id in covering:
            for p in agr.parties:
                if p != nation:
                    partners.setdefault(p, agr.id)
    standing: dict[int, Closure] = {}
    for c in rules.closures:
        if c.applies(nation, day):
            for code in c.airspace:
                i = airspaces.index.get(code)
                if i is not None and i not in lifted:
                    standing.setdefault(i, c)
    refused = set(denied)
    statuses: list[Status] = []
    for i, u in enumerate(airspaces.units):
        if i in requested:
            statuses.append(Status(CLOSED, "closed by the request or scenario"))
        elif i in standing:
            c = standing[i]
            statuses.append(
                Status(
                    CLOSED,
                    f"closed to {nation} aircraft since {c.from_}: {c.summary}",
                    closure=c.id,
                )
            )
        elif u.sovereign == nation:
            statuses.append(Status(OWN, "own airspace"))
        elif u.sovereign in partners:
            opened_by = partners[u.sovereign]
            statuses.append(Status(AGREEMENT, f"open under {opened_by}", agreement=opened_by))
        elif not allow_clearance:
            statuses.append(
                Status(
                    CLOSED,
                    "needs a diplomatic clearance, and the request does not "
                    "allow clearance (allow_clearance)",
                )
            )
        elif u.sovereign in refused:
            statuses.append(Status(CLOSED, "refuses diplomatic clearance (denied_countries)"))
        else:
            statuses.append(Status(CLEARANCE, "by diplomatic clearance"))
    hard = frozenset(requested | set(standing))
    key = (
        airspaces.digest,
        nation,
        tuple(s.basis for s in statuses),
        tuple(sorted(hard)),
    )
    return AirPolicy(
        airspaces=airspaces,
        nation=nation,
        day=day,
        statuses=tuple(statuses),
        hard=hard,
        clearance_notice_days=rules.clearance_notice_days,
        allow_clearance=allow_clearance,
        key=key,
    )
