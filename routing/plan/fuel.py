"""A group's fuel between resupplies: each member's curve, and a tanker's cargo.

Model
-----
Every member burns fuel at its own rate at the group's speed (the curve of
:mod:`routing.catalogue.platforms`). Without a tanker, the group can sail as far
as its shortest-legged member: ``min E_i(v) · (1 − reserve)``.

A replenishment tanker (or tanker aircraft) sailing with the group carries a
finite **cargo** (``carries_fuel_for_others_t``) besides its own bunkers. The
escorts draw on it underway (replenishment at sea, or in the air) to stay
topped up, so they burn cargo first, at the sum of their rates
``c = Σ n_i · fuel_capacity_i / E_i(v)`` tonnes per nm; once the cargo is gone
they burn their own tanks. The tanker burns its own bunkers only. A stretch
between resupplies of ``L`` nm therefore fits when

- each tanker arrives with its reserve: ``L ≤ E_t(v) · (1 − reserve)``, and
- each escort does: ``L ≤ C / c + E_e(v) · (1 − reserve)``.

A tanker aircraft gives from the same tanks it flies on (its published range
assumes full tanks and nothing given), so what it passes on shortens its own
reach: it must keep ``L · b_t + min(C, c · L) ≤ F_t · (1 − reserve)``, with
``b_t`` its own burn per nm and ``F_t`` its fuel capacity.

At a resupply stop everyone fills up, the tanker's cargo included, so the
longest stretch is one number for the whole voyage (:attr:`GroupFuel.stretch_nm`)
and the stop solver needs nothing more. An escort without a published or
estimated fuel capacity cannot be counted in tonnes: it gets no cargo, and the
plan says so.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from routing.catalogue.platforms import Platform


@dataclass(frozen=True)
class MemberFuel:
    """One kind of unit in the group at the group's speed."""

    platform: Platform
    count: int
    endurance_nm: float
    burn_t_per_nm: float | None


@dataclass(frozen=True)
class FuelState:
    """The group's fuel after sailing some distance since its last resupply."""

    members: dict[str, float]
    """Each member's fuel as a fraction of its capacity (platform id -> 0..1)."""
    cargo_t: float | None
    """Tanker cargo left, tonnes (``None`` without a tanker)."""

    @property
    def lowest(self) -> float:
        """The fullest-burnt member's fraction."""
        return min(self.members.values())


@dataclass(frozen=True)
class GroupFuel:
    """How far a group can sail between resupplies at ``speed``, and how it burns."""

    members: tuple[MemberFuel, ...]
    speed: float
    reserve: float

    @classmethod
    def of(cls, group: Sequence[tuple[Platform, int]], speed: float, reserve: float) -> GroupFuel:
        """The fuel model of ``group`` (platform, count) at ``speed``."""
        members = tuple(
            MemberFuel(p, n, p.endurance_at(speed), p.burn_t_per_nm(speed)) for p, n in group
        )
        return cls(members, speed, reserve)

    @functools.cached_property
    def tankers(self) -> tuple[MemberFuel, ...]:
        """The tankers, when they sail with others (a tanker alone is just a ship)."""
        tankers = tuple(m for m in self.members if m.platform.is_tanker)
        return tankers if len(tankers) < len(self.members) else ()

    @functools.cached_property
    def escorts(self) -> tuple[MemberFuel, ...]:
        """Everyone the tankers (if any) supply."""
        tankers = {id(m) for m in self.tankers}
        return tuple(m for m in self.members if id(m) not in tankers)

    @functools.cached_property
    def cargo_t(self) -> float | None:
        """The tankers' cargo, tonnes (``None`` without a tanker)."""
        if not self.tankers:
            return None
        return sum((m.platform.carries_fuel_for_others_t or 0.0) * m.count for m in self.tankers)

    @functools.cached_property
    def _draw(self) -> float:
        """Tonnes per nm the escorts draw from the cargo (those with a known capacity)."""
        return sum(m.burn_t_per_nm * m.count for m in self.escorts if m.burn_t_per_nm)

    @property
    def cargo_nm(self) -> float:
        """How far the cargo keeps the escorts topped up."""
        cargo = self.cargo_t
        if not cargo or self._draw <= 0:
            return 0.0
        return cargo / self._draw

    def _own(self, m: MemberFuel) -> float:
        return m.endurance_nm * (1.0 - self.reserve)

    def _shares_tanks(self, m: MemberFuel) -> bool:
        return m.platform.domain == "air" and m.burn_t_per_nm is not None

    def _gives(self, m: MemberFuel) -> tuple[float, float]:
        """A tanker member's cargo (tonnes, all its units) and the tonnes per nm the
        escorts draw from it: the group's tankers give in proportion to their cargo."""
        share = (m.platform.carries_fuel_for_others_t or 0.0) * m.count
        cargo = self.cargo_t or 0.0
        return share, self._draw * (share / cargo if cargo else 0.0)

    def _limit_of(self, m: MemberFuel) -> float:
        if m in self.tankers:
            if not self._shares_tanks(m) or self._draw <= 0:
                return self._own(m)
            assert m.burn_t_per_nm is not None and m.platform.fuel_capacity_t is not None
            usable_t = m.platform.fuel_capacity_t * (1.0 - self.reserve) * m.count
            burn = m.burn_t_per_nm * m.count
            share, draw = self._gives(m)
            giving = usable_t / (burn + draw)
            if giving * draw <= share:
                return giving
            return max(0.0, (usable_t - share) / burn)
        supplied = self.tankers and m.burn_t_per_nm is not None
        return (self.cargo_nm if supplied else 0.0) + self._own(m)

    @functools.cached_property
    def stretch_nm(self) -> float:
        """The longest stretch between resupplies with every member's reserve kept."""
        return min(self._limit_of(m) for m in self.members)

    @property
    def limiting(self) -> MemberFuel:
        """The member whose fuel sets :attr:`stretch_nm`."""
        return min(self.members, key=self._limit_of)

    def explain(self) -> str:
        """What sets the longest stretch, in a sentence."""
        lim = self.limiting
        own = self._own(lim)
        pct = f"{self.reserve:.0%} reserve"
        if not self.tankers:
            who = "the shortest-legged ship" if len(self.members) > 1 else "its own fuel"
            return f"{own:,.0f} nm at {self.speed:g} kn with a {pct} ({lim.platform.name}, {who})"
        if lim in self.tankers and self._shares_tanks(lim) and self._draw > 0:
            return (
                f"the tanker {lim.platform.name}: {self._limit_of(lim):,.0f} nm at "
                f"{self.speed:g} kn with a {pct}, giving its escorts fuel from its own tanks "
                f"on the way ({self._draw:.3f} t/nm between them)"
            )
        if lim in self.tankers:
            return (
                f"the tanker {lim.platform.name}'s own bunkers: {own:,.0f} nm at "
                f"{self.speed:g} kn with a {pct} (its cargo of {self.cargo_t:,.0f} t keeps "
                f"the escorts topped up for {self.cargo_nm:,.0f} nm)"
            )
        if lim.burn_t_per_nm is None:
            return (
                f"{lim.platform.name}: {own:,.0f} nm at {self.speed:g} kn with a {pct}; "
                "no fuel capacity is known for it, so the tanker's cargo is not counted"
            )
        return (
            f"the tanker cargo of {self.cargo_t:,.0f} t keeps the escorts topped up for "
            f"{self.cargo_nm:,.0f} nm at {self._draw:.2f} t/nm, then {lim.platform.name} "
            f"has {own:,.0f} nm of its own with a {pct}"
        )

    def state(self, sailed_nm: float) -> FuelState:
        """Fuel left after ``sailed_nm`` since the last full resupply."""
        out: dict[str, float] = {}
        tankers = self.tankers
        cargo = self.cargo_t
        for m in self.members:
            burnt = sailed_nm
            if tankers and m not in tankers and m.burn_t_per_nm is not None:
                burnt = max(0.0, sailed_nm - self.cargo_nm)
            frac = max(0.0, 1.0 - burnt / m.endurance_nm)
            if m in tankers and self._shares_tanks(m) and cargo:
                assert m.platform.fuel_capacity_t is not None
                share, draw = self._gives(m)
                given = min(share, draw * sailed_nm)
                frac -= given / (m.platform.fuel_capacity_t * m.count)
                frac = max(0.0, frac)
            out[m.platform.id] = min(out.get(m.platform.id, 1.0), frac)
        if cargo is not None:
            cargo = max(0.0, cargo - self._draw * sailed_nm)
        return FuelState(out, cargo)
