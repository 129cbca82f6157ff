"""The resupply-stop solver: the optimal sequence of stops within range.

This is the core algorithm of the planner, kept free of geography so that it
can be checked against a brute force (``tests/routing/test_solver.py``).

Problem
-------
Nodes ``0..n-1`` with a leg-distance matrix ``dist`` (``inf`` where no leg
exists). An ordered list of *targets* ``t_0, ..., t_m`` must be visited in
order: ``t_0`` is the origin, ``t_m`` the destination, the others waypoints.
Some nodes may be used as resupply *stops* (``stop_ok``); a target that is
also a stop may refuel when the plan calls there. After each resupply (and at
the origin) the tank is full; every stretch between two consecutive resupplies
(which may pass through several waypoints) must be at most ``max_leg``.

The solver finds, for each number of stops ``k <= max_stops``, the shortest
total distance, and picks by objective: ``min_distance`` (distance, then
stops), ``min_stops`` (stops, then distance), or ``min_time`` (distance /
speed + stops x dwell, then stops).

Method
------
Dynamic programming over layers ``k`` (stops used) and states
``(stage, node)``: ``stage`` is how many targets after the origin have
been passed, ``node`` where the vessel last resupplied. Within a layer every
transition adds exactly one stop, so layer ``k`` holds the shortest distance
to each state with exactly ``k`` stops; the transitions are min-plus
products done with numpy. Cost O(max_stops · stages² · n²). Because the
objective is monotone in distance for a fixed stop count, minimising distance
per (stops, state) is exact for all three objectives; a label with more stops
and no shorter distance than an earlier one is dominated and pruned, so the
layers stop as soon as extra stops no longer shorten anything.

Over thousands of candidate stops most are far off any good itinerary. Every place
gets a lower bound on the itineraries through it (shortest paths to and from the
targets, :func:`lower_bounds`: legs need not obey the triangle rule), and the layers
run on the places whose bound fits a budget, then on more only if that could matter;
within the layers a state that cannot beat a finish in hand is not grown
(:func:`_solve_plain`). Places are left out only when strictly worse, in the same
order, so the answer is the one over all places; the layers read the matrix a row at
a time and never copy it whole.

Time
----
With a :class:`Clock`, legs obey time. A leg may be sailed by one of several
*ways* (:class:`Way`: e.g. straight through a seasonal passage, or round by water
free of seasons), each with its own length. On a way that is *bound* for a leg,
the leg may start only when its passages will be in season for the whole transit
(``Way.depart``: the earliest such time, never earlier for a later ready time).
A call whose grant needs notice may not begin before ``Clock.not_before``; a
group that arrives earlier waits in that port. A bound leg must begin within
``Clock.max_wait`` of the earliest the group could be ready at its start (sailing
straight there: a bound that depends on the state, not the path), so the rule is
monotone in time: a group that is ready earlier can do everything a later one can.

``dist`` is then, for each leg, the shortest of its ways (a lower bound). The
solver first solves without time on it and checks that itinerary's timeline on
the shortest ways; if it holds without a wait (or, for ``min_distance`` and
``min_stops``, at all) it is optimal. Otherwise a label-setting search over the
same layers keeps, for each state, the labels not beaten on both distance and
time (exact because the rules are monotone in time; for ``min_time`` only time
counts, so one label a state), pruned by a lower bound against the best finish so
far, starting from the best plan on free ways alone or the earliest arrival
(:meth:`_Timed.earliest`, a Dijkstra on time that also proves when nothing fits).
Before any of it, a plan with no itinerary on the legs that could ever start in
time (:func:`sailable`, where the ways can tell) has none at all.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

import numpy as np

from routing.budget import check

Objective = Literal["min_time", "min_stops", "min_distance"]
OBJECTIVES: tuple[str, ...] = ("min_time", "min_stops", "min_distance")

INF = float("inf")


@dataclass(frozen=True)
class Solution:
    """An optimal itinerary: ``stops`` in order, the targets passed, and totals."""

    stops: tuple[int, ...]
    sequence: tuple[int, ...]  # every node in order: targets and stops, origin first
    stop_flags: tuple[bool, ...]  # whether each node of ``sequence`` is a resupply stop
    distance: float
    stages: tuple[int, ...] = ()  # how many targets after the origin are passed at each node
    ways: tuple[int, ...] = ()  # per leg, with a clock: the index of the way sailed
    departs: tuple[float, ...] = ()  # per leg, with a clock: when it starts (hours)
    time: float | None = None  # with a clock: arrival at the destination (hours)

    @property
    def n_stops(self) -> int:
        """The number of resupply stops."""
        return len(self.stops)


@dataclass(frozen=True)
class Way:
    """One way of sailing legs: ``nm[i, j]`` its length (``inf``: no such way); where
    ``bound[i, j]`` the leg may start when ready at ``t`` only at ``depart(i, j, t)``
    (``inf``: never), a time ``>= t`` that never falls as ``t`` grows."""

    nm: np.ndarray
    bound: np.ndarray | None = None
    depart: Callable[[int, int, float], float] | None = None
    ruled_out: Callable[[int, int, float, float], bool] | None = None
    """A cheap test, asked before ``depart``: True only if ``i -> j`` surely cannot
    start by ``latest`` when ready at ``t`` (``ruled_out(i, j, t, latest)``)."""
    dead_from: Callable[[int, float, float], np.ndarray | None] | None = None
    """The same test for every ``j`` at once (``dead_from(i, t, latest)``: True where
    surely not; ``None``: nowhere told), asked before a leg from ``i`` to each stop."""


@dataclass(frozen=True)
class Clock:
    """The time rules of a timed solve; times are hours from departure.

    ``ways``: how each leg may be sailed (every ``Way.nm`` at least ``dist``).
    ``not_before[j]``: the earliest a call at ``j`` to resupply may begin (the group
    waits in port until then). ``max_wait``: see the module docstring.
    """

    ways: tuple[Way, ...]
    not_before: np.ndarray = field(default_factory=lambda: np.zeros(0))
    max_wait: float = INF
    memo: dict[Any, np.ndarray] | None = field(default=None, compare=False)
    """Where the timed search keeps what depends only on ``ways``, the legs, the targets,
    the speed and ``max_wait`` (not on the stops or ``not_before``), if the caller
    solves the same legs again (variants that open different stops): each is
    candidates^2 cells."""


def score(
    distance: float,
    stops: int,
    objective: str,
    speed: float,
    dwell: float,
    time: float | None = None,
) -> tuple:
    """The sort key of an itinerary under ``objective`` (smaller is better); ``time``
    (hours, waits counted) replaces ``distance / speed + stops * dwell`` when known."""
    if objective == "min_stops":
        return (stops, round(distance, 6))
    if objective == "min_distance":
        return (round(distance, 6), stops)
    hours = distance / speed + stops * dwell if time is None else time
    return (round(hours, 6), stops)  # to the 1/3600 s: float noise is no reason for a stop


def solve(
    dist: np.ndarray,
    targets: Sequence[int],
    stop_ok: np.ndarray,
    *,
    max_leg: float,
    max_stops: int,
    objective: str = "min_time",
    speed: float = 1.0,
    dwell: float = 0.0,
    clock: Clock | None = None,
    bounds: Bounds | None = None,
) -> Solution | None:
    """The optimal itinerary, or ``None`` when none fits ``max_leg`` and ``max_stops``
    (and, with a ``clock``, its time rules).

    ``bounds``: :func:`lower_bounds` of ``dist`` and ``targets``, if the caller keeps
    them (they depend on nothing else); computed here otherwise."""

    def plain_on(lengths: np.ndarray) -> Solution | None:
        return _solve_plain(
            lengths,
            targets,
            stop_ok,
            max_leg=max_leg,
            max_stops=max_stops,
            objective=objective,
            speed=speed,
            dwell=dwell,
            bounds=bounds,
        )

    plain = plain_on(dist)
    if clock is None or plain is None:
        # Every way of a leg is at least ``dist`` long and the clock only adds rules: with
        # no itinerary on ``dist`` there is none under the clock either.
        return plain
    timed = _Timed(dist, list(targets), stop_ok, max_leg, objective, speed, dwell, clock)

    def sail() -> np.ndarray:
        return sailable(dist, targets, clock, speed)

    fast = timed.schedule(plain)
    # Optimal if the lower bound holds: no wait, or one that costs nothing but time
    # when time is not the objective.
    if fast is not None and (
        objective != "min_time" or (fast.time or 0.0) <= _untimed(plain, speed, dwell) + 1e-6
    ):
        return fast
    # A first answer to beat: the best on free ways alone (no season to wait for).
    safe = plain_on(timed.free)
    sail_key = ("sailable", tuple(targets), speed, clock.max_wait)
    if safe is None and plain_on(timed.kept(sail_key, sail)) is None:
        return None  # not even on the legs that could ever start in time
    return timed.search(max_stops, timed.schedule(safe, free=True) if safe else None)


def sailable(dist: np.ndarray, targets: Sequence[int], clock: Clock, speed: float) -> np.ndarray:
    """``dist`` without the bound ways that can never start in time (where a
    :attr:`Way.dead_from` tells so): lengths no shorter than any itinerary under
    ``clock`` sails, for the solver without time to prove that none fits, and for
    screening variants with the same clock (:mod:`routing.plan.screen`). The group is
    ready at ``i`` no sooner than the shortest chain of legs from the origin takes at
    ``speed``, and a bound leg from ``i`` starts no later than its deadline at the latest
    stage (:meth:`_Timed.deadline`). ``dist`` itself where nothing is told."""
    told = [w for w in clock.ways if w.bound is not None and w.dead_from is not None]
    if not told or not np.isfinite(clock.max_wait):
        return dist

    tgt = list(targets)
    legs = np.array(dist, dtype=float)
    np.fill_diagonal(legs, 0.0)
    chain = np.concatenate([[0.0], np.cumsum([legs[a, b] for a, b in itertools.pairwise(tgt)])])
    # a leg starts before the destination's stage
    latest = np.max(chain[:-1, None] + legs[tgt[:-1]], axis=0) / speed + clock.max_wait
    soonest = shortest_paths(legs, [tgt[0]])[0] / speed
    out = np.full(legs.shape, INF)
    for w in clock.ways:
        nm = np.asarray(w.nm, dtype=float)
        if w.bound is None or w.dead_from is None:
            np.minimum(out, nm, out=out)
            continue
        bound = np.asarray(w.bound, dtype=bool)
        dead = np.zeros(legs.shape, dtype=bool)
        for i in np.flatnonzero(np.isfinite(soonest) & np.isfinite(latest) & bound.any(axis=1)):
            row = w.dead_from(int(i), float(soonest[i]), float(latest[i]))
            if row is not None:
                dead[i] = row & bound[i]
        np.minimum(out, np.where(dead, INF, nm), out=out)
    np.fill_diagonal(out, np.diagonal(dist))
    return np.maximum(out, dist)


def _untimed(sol: Solution, speed: float, dwell: float) -> float:
    return sol.distance / speed + sol.n_stops * dwell


def _solve_plain(
    dist: np.ndarray,
    targets: Sequence[int],
    stop_ok: np.ndarray,
    *,
    max_leg: float,
    max_stops: int,
    objective: str,
    speed: float,
    dwell: float,
    bounds: Bounds | None = None,
) -> Solution | None:
    """The optimal itinerary without time: the layers (:func:`_solve_layers`) over the
    places that could be on an itinerary as good as one found on fewer of them.

    A place ``u`` off the targets is only called at by an itinerary at least as long as
    the best chain origin -> ... -> ``u`` -> ... -> destination through the targets in
    order (a lower bound: :func:`lower_bounds`), with at least one stop, and at least
    as many as that length over ``max_leg`` asks (``bounds``: those of ``dist``, or of
    legs no longer; :func:`lower_bounds` when not given). The layers first run on the places
    whose bound fits a budget (the straight-through bound, plus a quarter); an
    itinerary found there whose score fits the budget is optimal over all places, as
    every place left out scores worse. One that does not becomes the budget, and the
    run on its places is exact. With none, the budget doubles, up to all places. Ties
    are kept (a place is left out only if strictly worse), and the layers pick among
    places in the same order, so the answer is the one the layers give over all of
    them. ``min_stops`` (stops before distance) is not bounded by distance: it runs on
    all places, stopping at the first layer that reaches the destination. Within the
    layers, a state whose bound on what is left cannot beat the best finish so far is
    not grown."""
    n = dist.shape[0]
    layers = functools.partial(
        _solve_layers,
        max_leg=max_leg,
        max_stops=max_stops,
        objective=objective,
        speed=speed,
        dwell=dwell,
    )
    tgt = list(targets)
    if objective == "min_stops" or n <= len(set(tgt)) + 1:
        return layers(dist, tgt, stop_ok)
    if bounds is None:
        bounds = lower_bounds(dist, tgt)
    lower, rest = bounds.through, bounds.rest
    is_target = np.zeros(n, dtype=bool)
    is_target[tgt] = True
    straight = float(lower[tgt[0]])
    if not np.isfinite(straight):
        return None  # the targets are not joined at all

    def primary(length: np.ndarray | float, stops: np.ndarray | float) -> np.ndarray:
        return np.asarray(length / speed + stops * dwell if objective == "min_time" else length)

    def fewest(length: np.ndarray | float) -> np.ndarray:
        """The fewest stops an itinerary this long needs (0 where it is not finite)."""
        x = np.asarray(length, dtype=float)
        if not np.isfinite(max_leg) or max_leg <= 0:
            return np.zeros_like(x)
        x = np.where(np.isfinite(x), x, 0.0)
        return np.maximum(np.ceil(x / max_leg - 1e-9) - 1, 0)

    bound = primary(lower, np.where(is_target, fewest(lower), np.maximum(fewest(lower), 1)))
    bound = np.where(np.isfinite(lower), bound, INF)
    usable = is_target | (np.isfinite(bound) & stop_ok)  # the others are on no itinerary
    budget = 1.25 * float(primary(straight, fewest(straight)))
    while True:
        keep = usable & (is_target | (bound <= budget * (1 + 1e-12) + 2e-6))
        every = bool((keep == usable).all())
        if every and keep.all():
            return layers(dist, tgt, stop_ok, rest=rest)
        idx = np.flatnonzero(keep)
        where = np.full(n, -1)
        where[idx] = np.arange(idx.size)
        sub = layers(
            dist, [int(where[t]) for t in tgt], stop_ok[idx], rest=rest[:, idx], places=idx
        )
        if sub is None and not every:
            budget = 2.0 * budget if budget > 0 else 1.0
            continue
        if sub is None:
            return None
        got = float(primary(sub.distance, sub.n_stops))
        if got <= budget or every:
            return _renumber(sub, idx)
        budget = got


def _renumber(sol: Solution, idx: np.ndarray) -> Solution:
    """A solution on the places ``idx`` (a subset) with the nodes numbered as in all."""
    seq = idx[np.asarray(sol.sequence, dtype=np.int64)].tolist()
    stops = idx[np.asarray(sol.stops, dtype=np.int64)].tolist()
    return replace(sol, stops=tuple(stops), sequence=tuple(seq))


@dataclass(frozen=True)
class Bounds:
    """Lower bounds on chains of legs (:func:`lower_bounds`): ``through[u]``, from the
    origin through the targets in order passing ``u`` between two of them (at a
    target, the whole voyage); ``rest[s, u]``, from ``u`` through the targets after
    the ``s``-th (``inf``: no such chain)."""

    through: np.ndarray
    rest: np.ndarray
    #: the shortest chains from each target but the last (a row of ``dist``'s places),
    #: and to each target but the first: what the bounds of a few more places start from
    fwd: Mapping[int, np.ndarray] = field(default_factory=dict)
    bwd: Mapping[int, np.ndarray] = field(default_factory=dict)


TRANSPOSE_AT = 256
"""From this many places, :func:`shortest_paths` back to the sources runs on the
transposed legs (read by rows: a third less time at 1,760 places)."""


def shortest_paths(dist: np.ndarray, sources: Sequence[int], *, back: bool = False) -> np.ndarray:
    """The shortest chains of legs of ``dist`` from each of ``sources`` (with ``back``,
    to each), a row a source (``inf``: none): Dijkstra over every finite leg, zero ones
    included, done on the dense matrix a row (or column) at a time. The legs of thousands
    of candidates are nearly all there, and a sparse graph of them would be a fresh
    candidates^2 copy (tens of milliseconds of the kernel mapping memory, more than the
    search)."""
    d = np.asarray(dist, dtype=float)
    n = d.shape[0]
    out = np.full((len(sources), n), INF)
    if back and len(sources) and n >= TRANSPOSE_AT:
        # to each source: the legs into each place a row at a time (a column of a big
        # matrix is a cache line a cell)
        d, back = np.ascontiguousarray(d.T), False
    for k, src in enumerate(sources):
        best = out[k]
        best[src] = 0.0
        done = np.zeros(n, dtype=bool)
        for _ in range(n):
            u = int(np.argmin(np.where(done, INF, best)))
            if done[u] or not np.isfinite(best[u]):
                break
            done[u] = True
            np.minimum(best, best[u] + (d[:, u] if back else d[u]), out=best)
    return out


PATH_ROWS_CELLS = 262_144
"""Cells of the legs matrix :func:`paths_grown` reads at a time (2 MB)."""


def paths_grown(
    dist: np.ndarray, known: np.ndarray, at: np.ndarray, *, back: bool = False
) -> np.ndarray:
    """:func:`shortest_paths` from (``back``: to) one source over ``dist``, given
    ``known``, the shortest chains from it over some of the places (those at ``at``, the
    source among them: the legs among them as in ``dist``), as a planner has them for a
    block grown by a few places. Label-correcting from the new places: a chain shorter
    than the known one goes through one of them, so only rows from places whose chain got
    shorter are read (a few where the new places are few), not the whole matrix a place."""
    d = np.asarray(dist, dtype=float)
    n = d.shape[0]
    best = np.full(n, INF)
    best[at] = known
    new = np.setdiff1d(np.arange(n), at)
    if new.size:  # one leg into (back: out of) each new place, from any other
        best[new] = (d[new] + best).min(axis=1) if back else (best[:, None] + d[:, new]).min(0)
    changed = new[np.isfinite(best[new])]
    step = max(1, PATH_ROWS_CELLS // max(n, 1))
    while changed.size:
        cand = np.full(n, INF)
        for s in range(0, changed.size, step):
            u = changed[s : s + step]
            if back:
                np.minimum(cand, (d[:, u] + best[u]).min(axis=1), out=cand)
            else:
                np.minimum(cand, (best[u, None] + d[u]).min(axis=0), out=cand)
        better = cand < best
        best[better] = cand[better]
        changed = np.flatnonzero(better)
    return best


def lower_bounds(
    dist: np.ndarray, targets: Sequence[int], *, known: tuple[Bounds, np.ndarray] | None = None
) -> Bounds:
    """:class:`Bounds` as shortest paths to and from each target over every leg, however
    long (legs need not obey the triangle rule: sea legs between ports do not, by up to
    hundreds of miles). ``known``: the bounds of some of the places, with the same
    targets (numbered as there) and the legs among them as in ``dist``, and where each of
    them is in ``dist``: the chains are grown from theirs (:func:`paths_grown`)."""

    tgt = list(targets)
    n = dist.shape[0]
    m = len(tgt) - 1
    heads, tails = sorted(set(tgt[:-1])), sorted(set(tgt[1:]))
    if known is not None and known[0].fwd and known[0].bwd:
        base, at = known
        back_to = {int(v): i for i, v in enumerate(at.tolist())}  # new place -> old
        fwd = {h: paths_grown(dist, base.fwd[back_to[h]], at) for h in heads}
        bwd = {t: paths_grown(dist, base.bwd[back_to[t]], at, back=True) for t in tails}
    else:
        fwd = dict(zip(heads, shortest_paths(dist, heads), strict=True))
        bwd = dict(zip(tails, shortest_paths(dist, tails, back=True), strict=True))
    hop = [float(fwd[tgt[i]][tgt[i + 1]]) for i in range(m)]
    if not np.isfinite(hop).all():  # some target cannot reach the next at all
        return Bounds(np.full(n, INF), np.full((m + 1, n), INF), fwd, bwd)
    before = np.concatenate([[0.0], np.cumsum(hop)])  # before[i]: origin to target i
    after = before[-1] - before  # after[i]: target i to the destination
    through = np.full(n, INF)
    rest = np.zeros((m + 1, n))
    for i in range(m):
        rest[i] = bwd[tgt[i + 1]] + after[i + 1]
        np.minimum(through, before[i] + fwd[tgt[i]] + rest[i], out=through)
    return Bounds(through, rest, fwd, bwd)


def _solve_layers(
    dist: np.ndarray,
    targets: Sequence[int],
    stop_ok: np.ndarray,
    *,
    max_leg: float,
    max_stops: int,
    objective: str,
    speed: float,
    dwell: float,
    rest: np.ndarray | None = None,
    places: np.ndarray | None = None,
) -> Solution | None:
    """The layers of stops (the module docstring); with ``rest`` (:attr:`Bounds.rest`
    of the places), states that cannot beat the best finish so far are not grown. With
    ``places``, the problem is that among those rows and columns of ``dist`` (numbered
    in that order: ``targets``, ``stop_ok`` and the answer too); ``dist`` is read a
    row at a time, never copied whole."""
    rows = _Rows(dist, places)
    n = rows.n
    m = len(targets) - 1
    if m < 1:
        raise ValueError("need at least an origin and a destination")
    tgt = list(targets)
    # chain[a][b]: distance from target a through targets a+1..b (a <= b).
    chain = np.zeros((m + 1, m + 1))
    for a in range(m + 1):
        for b in range(a + 1, m + 1):
            chain[a, b] = chain[a, b - 1] + rows.raw(tgt[b - 1], tgt[b])
    stop_cols = np.where(stop_ok, 0.0, INF)

    # best[s, v]: shortest distance to resupply state (stage s, node v) with k stops;
    # seen[s, v]: the shortest with at most k stops. A label with more stops and no
    # shorter distance is dominated under every objective, so it is dropped.
    best = np.full((m + 1, n), INF)
    best[0, tgt[0]] = 0.0
    seen = best.copy()
    # back[k] = (stage, node) each state of layer k was reached from, in layer k-1.
    back: list[tuple[np.ndarray, np.ndarray]] = [(np.empty(0), np.empty(0))]
    finals: list[tuple[float, int, int, int]] = []  # (distance, k, stage, node)

    for k in range(max_stops + 1):
        # Finish from every state of this layer: pass the remaining targets in one stretch.
        for s in range(m):
            row = best[s]
            if not np.isfinite(row).any():
                continue
            reach = rows.col(tgt[s + 1]) + chain[s + 1, m]
            ends = np.where(reach <= max_leg, row + reach, INF)
            last = int(np.argmin(ends))
            if np.isfinite(ends[last]):
                finals.append((float(ends[last]), k, s, last))
        if k == max_stops or (finals and objective == "min_stops"):
            break  # with stops first, any later layer scores worse
        if rest is not None and finals:
            # Every finish from a state is at least its distance and ``rest`` with at
            # least ``k`` stops: one strictly worse than a finish in hand is not grown.
            top = min(_primary(f[0], f[1], objective, speed, dwell) for f in finals)
            low = _primary(best + rest, k, objective, speed, dwell)
            best = np.where(low > top * (1 + 1e-12) + 2e-6, INF, best)
        new, from_s, from_v = _next_layer(best, rows, stop_cols, tgt, chain, max_leg)
        new = np.where(new < seen, new, INF)
        seen = np.minimum(seen, new)
        back.append((from_s, from_v))
        best = new
        if not np.isfinite(best).any():
            break

    if not finals:
        return None
    total, k, s, v = min(finals, key=lambda f: score(f[0], f[1], objective, speed, dwell))
    return _rebuild(back, tgt, total, k, s, v)


def _primary(
    distance: float | np.ndarray, stops: int, objective: str, speed: float, dwell: float
) -> np.ndarray:
    """The first key of :func:`score` (unrounded), for distance or time objectives."""
    if objective == "min_time":
        return np.asarray(distance / speed + stops * dwell)
    return np.asarray(distance)


class _Rows:
    """Rows and columns of a distance matrix among some of its places (all: ``None``),
    with a zero diagonal, read as needed."""

    def __init__(self, dist: np.ndarray, places: np.ndarray | None) -> None:
        self.dist, self.places = dist, places
        self.n = dist.shape[0] if places is None else len(places)

    def raw(self, i: int, j: int) -> float:
        """The matrix's own entry (diagonal as given)."""
        p = self.places
        return float(self.dist[i, j] if p is None else self.dist[p[i], p[j]])

    def rows(self, r: np.ndarray) -> np.ndarray:
        """The rows ``r``, a new array."""
        p = self.places
        out = np.array(self.dist[r] if p is None else self.dist[np.ix_(p[r], p)], dtype=float)
        out[np.arange(len(r)), r] = 0.0
        return out

    def col(self, j: int) -> np.ndarray:
        """Column ``j``, a new array."""
        p = self.places
        out = np.array(self.dist[:, j] if p is None else self.dist[p, p[j]], dtype=float)
        out[j] = 0.0
        return out


def _next_layer(
    best: np.ndarray,
    rows: _Rows,
    stop_cols: np.ndarray,
    tgt: list[int],
    chain: np.ndarray,
    max_leg: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Relax every state of one layer by one more stop: (distances, from stage, from node)."""
    m = len(tgt) - 1
    n = rows.n
    cols = np.arange(n)
    new = np.full((m + 1, n), INF)
    from_s = np.full((m + 1, n), -1)
    from_v = np.full((m + 1, n), -1)

    def keep(stage: int, cand: np.ndarray, live: np.ndarray, s: int) -> None:
        arg = np.argmin(cand, axis=0)
        val = cand[arg, cols]
        better = val < new[stage]
        new[stage] = np.where(better, val, new[stage])
        from_s[stage] = np.where(better, s, from_s[stage])
        from_v[stage] = np.where(better, live[arg], from_v[stage])

    for s in range(m):
        row = best[s]
        live = np.flatnonzero(np.isfinite(row))
        if live.size == 0:
            continue
        # Same stage: a direct leg to a stop.
        legs = rows.rows(live)
        legs[legs > max_leg] = INF
        keep(s, row[live, None] + legs + stop_cols[None, :], live, s)
        # Through targets s+1..s2, then a stop (the target itself when it is one:
        # the diagonal is zero).
        for s2 in range(s + 1, m):
            to_t = rows.col(tgt[s + 1])[live] + chain[s + 1, s2]
            stretch = to_t[:, None] + rows.rows(np.array([tgt[s2]]))[0][None, :]
            keep(
                s2,
                np.where(stretch <= max_leg, row[live, None] + stretch, INF) + stop_cols,
                live,
                s,
            )
    return new, from_s, from_v


def _rebuild(
    back: list[tuple[np.ndarray, np.ndarray]],
    tgt: list[int],
    total: float,
    k: int,
    s: int,
    v: int,
) -> Solution:
    """The itinerary ending in state (stage ``s``, node ``v``) of layer ``k``."""
    m = len(tgt) - 1
    states = [(s, v)]
    for layer in range(k, 0, -1):
        ps, pv = back[layer]
        cur_s, cur_v = states[-1]
        states.append((int(ps[cur_s, cur_v]), int(pv[cur_s, cur_v])))
    states.reverse()  # states[0] == (0, origin)
    sequence: list[int] = [tgt[0]]
    flags: list[bool] = [False]
    stages: list[int] = [0]
    for (s_a, _), (s_b, v_b) in itertools.pairwise(states):
        for t in range(s_a + 1, s_b + 1):
            if not (t == s_b and tgt[t] == v_b):
                sequence.append(tgt[t])
                flags.append(False)
                stages.append(t)
        sequence.append(v_b)
        flags.append(True)
        stages.append(s_b)
    for t in range(s + 1, m + 1):
        sequence.append(tgt[t])
        flags.append(False)
        stages.append(t)
    stops = tuple(node for node, f in zip(sequence, flags, strict=True) if f)
    return Solution(stops, tuple(sequence), tuple(flags), total, tuple(stages))


@dataclass(frozen=True)
class _Leg:
    """One leg of a timed itinerary."""

    start: int
    end: int
    stage: int  # targets passed on arrival at ``end``
    stop: bool  # the group resupplies at ``end``
    way: int
    depart: float
    arrive: float
    nm: float


class _Label:
    """A way to reach a state: distance, ready time, and the legs since ``parent``."""

    __slots__ = ("dist", "legs", "parent", "time")

    def __init__(
        self, dist: float, time: float, parent: _Label | None, legs: tuple[_Leg, ...]
    ) -> None:
        self.dist = dist
        self.time = time
        self.parent = parent
        self.legs = legs


_Partial = tuple[float, float, tuple[_Leg, ...]]  # stretch so far, time, legs


class _Timed:
    """The timed problem: the fast check of an untimed itinerary and the exact search."""

    def __init__(
        self,
        dist: np.ndarray,
        tgt: list[int],
        stop_ok: np.ndarray,
        max_leg: float,
        objective: str,
        speed: float,
        dwell: float,
        clock: Clock,
    ) -> None:
        self._dist = dist  # read only: a copy is made for the search alone
        self.tgt, self.stop_ok, self.max_leg = tgt, np.asarray(stop_ok, dtype=bool), max_leg
        self.objective, self.speed, self.dwell, self.clock = objective, speed, dwell, clock
        self.n = n = dist.shape[0]
        self.m = m = len(tgt) - 1
        self.not_before = clock.not_before if len(clock.not_before) == n else np.full(n, -INF)
        self._memo = clock.memo if clock.memo is not None else {}
        self._fails: dict[tuple[int, int, int, float], float] = {}
        self._spans: dict[tuple[int, int, int], list[tuple[float, float]]] = {}
        self.nm = [np.asarray(w.nm, dtype=float) for w in clock.ways]
        self._bound = [
            None if w.bound is None else np.asarray(w.bound, dtype=bool) for w in clock.ways
        ]
        self.chain = np.zeros(m + 1)
        for b in range(1, m + 1):
            self.chain[b] = self.chain[b - 1] + self.leg(tgt[b - 1], tgt[b])

    def leg(self, a: int, b: int) -> float:
        """``dist[a, b]``, zero from a place to itself."""
        return 0.0 if a == b else float(self._dist[a, b])

    def bound_at(self, k: int, a: int, b: int) -> bool:
        """Whether way ``k`` is bound for the leg ``a -> b``."""
        bd = self._bound[k]
        return bool(bd is not None and bd[a, b])

    # The arrays below serve the search only: the fast path does without them. They
    # depend on the legs and the ways alone (``rest`` on the targets too): kept in the
    # clock's memo.

    def kept(self, key: Any, make: Callable[[], np.ndarray]) -> np.ndarray:
        """``make()``, kept under ``key`` in the clock's memo, read-only."""
        hit = self._memo.get(key)
        if hit is None:
            hit = make()
            hit.setflags(write=False)
            self._memo[key] = hit
        return hit

    @cached_property
    def dist(self) -> np.ndarray:
        """``dist`` with a zero diagonal."""

        def make() -> np.ndarray:
            out = np.array(self._dist, dtype=float)
            np.fill_diagonal(out, 0.0)
            return out

        return self.kept("dist", make)

    @cached_property
    def bound(self) -> list[np.ndarray]:
        """Each way's ``bound`` (none: no leg)."""
        n = self.n
        none = self.kept("no bound", lambda: np.zeros((n, n), dtype=bool))
        return [none if b is None else b for b in self._bound]

    @cached_property
    def timed(self) -> np.ndarray:
        """Legs with a bound way (tried one by one; the free ways at once, as arrays)."""
        return self.kept(
            "timed",
            lambda: np.logical_or.reduce(
                [b & np.isfinite(nm) for b, nm in zip(self.bound, self.nm, strict=True)]
            ),
        )

    @cached_property
    def _free_ways(self) -> np.ndarray:
        return self.kept(
            "free ways",
            lambda: np.stack(
                [np.where(b, INF, nm) for b, nm in zip(self.bound, self.nm, strict=True)]
            ),
        )

    @cached_property
    def free(self) -> np.ndarray:
        """The shortest free way of each leg."""
        return self.kept("free", lambda: self._free_ways.min(axis=0))

    @cached_property
    def free_way(self) -> np.ndarray:
        """Which way that is."""
        return self.kept("free way", lambda: np.argmin(self._free_ways, axis=0))

    @cached_property
    def rest(self) -> np.ndarray:
        """rest[s, v]: the shortest way from v through the targets after stage s, a bound
        on what is left (shortest paths: ``dist`` need not obey the triangle rule)."""

        def make() -> np.ndarray:
            n, m, tgt = self.n, self.m, self.tgt
            ends = sorted(set(tgt[1:]))
            to = dict(zip(ends, shortest_paths(self.dist, ends, back=True), strict=True))
            after = np.zeros(m + 1)  # after[s]: from target s through the rest
            for s in range(m - 1, -1, -1):
                after[s] = after[s + 1] + to[tgt[s + 1]][tgt[s]]
            rest = np.zeros((m + 1, n))
            for s in range(m):
                rest[s] = to[tgt[s + 1]] + after[s + 1]
            return rest

        return self.kept(("rest", tuple(self.tgt)), make)

    def shortest_way(self, a: int, b: int) -> int:
        """The way of the shortest length for ``a -> b`` (a free one on a tie)."""
        keys = [(float(nm[a, b]), self.bound_at(k, a, b), k) for k, nm in enumerate(self.nm)]
        return min(keys)[2]

    # -- the rules of one leg ------------------------------------------------------------

    def deadline(self, stage: int, node: int) -> float:
        """The latest a bound leg may begin from ``node`` with ``stage`` targets passed:
        ``max_wait`` after the earliest the group could be there, sailing straight."""
        if not np.isfinite(self.clock.max_wait):
            return INF
        soonest = (self.chain[stage] + self.leg(self.tgt[stage], node)) / self.speed
        return float(soonest + self.clock.max_wait)

    def options(
        self,
        i: int,
        j: int,
        t: float,
        *,
        latest: float,
        room: float = INF,
        dead: Sequence[np.ndarray | None] = (),
    ) -> list[tuple[float, float, float, int]]:
        """The ways to sail ``i -> j`` when ready at ``t``, at most ``room`` long:
        (nm, depart, arrive, way); ``dead``: :meth:`dead_from` of ``i``, ``t``, ``latest``."""
        out = []
        for k, nm_k in enumerate(self.nm):
            nm = nm_k[i, j]
            if not nm <= room:
                continue
            hours = nm / self.speed
            start = t
            if self.bound_at(k, i, j):
                if dead and (row := dead[k]) is not None and row[j]:
                    continue
                start = self._depart(k, i, j, start, latest)
                if not start <= latest or start == INF:  # inf: never, even with no limit
                    continue
            out.append((float(nm), start, start + hours, k))
        return out

    def dead_from(self, i: int, t: float, latest: float) -> list[np.ndarray | None]:
        """Per way, where a bound leg from ``i`` surely cannot start by ``latest`` when
        ready at ``t`` (:attr:`Way.dead_from`)."""
        return [None if w.dead_from is None else w.dead_from(i, t, latest) for w in self.clock.ways]

    def _may_sail(
        self, i: int, to: np.ndarray, room: float, dead: Sequence[np.ndarray | None]
    ) -> np.ndarray:
        """Where some way of ``i -> to`` fits ``room`` and is not ``dead``
        (:meth:`options` for many legs at once, without their clocks)."""
        ok = np.zeros(to.size, dtype=bool)
        for k, nm in enumerate(self.nm):
            fits = nm[i, to] <= room
            row = dead[k] if k < len(dead) else None
            if row is not None:
                fits &= ~(self.bound[k][i, to] & row[to])
            ok |= fits
        return ok

    def ready(self, j: int, arrive: float) -> float:
        """When the group may sail on from a call at ``j`` it reaches at ``arrive``."""
        return max(arrive, self.not_before[j]) + self.dwell

    def _depart(self, k: int, i: int, j: int, t: float, latest: float) -> float:
        """Way ``k``'s ``depart``, remembering what monotony settles: a leg that cannot
        start by ``latest`` when ready at ``t`` cannot when ready later; one that starts
        at ``d`` when ready at ``t`` starts at ``d`` when ready at any time up to ``d``."""
        key = (k, i, j, latest)
        if t >= self._fails.get(key, INF):
            return INF
        for lo, hi in self._spans.get((k, i, j), ()):
            if lo <= t <= hi:
                return hi
        way = self.clock.ways[k]
        if way.ruled_out is not None and way.ruled_out(i, j, t, latest):
            self._fails[key] = min(t, self._fails.get(key, INF))
            return INF
        start = way.depart(i, j, t) if way.depart is not None else t
        if start > latest:
            self._fails[key] = min(t, self._fails.get(key, INF))
        else:
            self._spans.setdefault((k, i, j), []).append((t, start))
        return start

    # -- the fast path -------------------------------------------------------------------

    def schedule(self, sol: Solution, *, free: bool = False) -> Solution | None:
        """``sol`` (found without time) on its timeline, each leg by its shortest way (or
        with ``free`` its shortest free way); ``None`` if a leg cannot be sailed then."""
        t = 0.0
        legs: list[_Leg] = []
        flags, stages = sol.stop_flags[1:], sol.stages
        hops = zip(itertools.pairwise(sol.sequence), flags, stages[:-1], stages[1:], strict=True)
        for (a, b), stop, stage, after in hops:
            way = int(self.free_way[a, b]) if free else self.shortest_way(a, b)
            latest = self.deadline(stage, a)
            opts = [o for o in self.options(a, b, t, latest=latest) if o[3] == way]
            if not opts:
                return None
            nm, dep, arr, _ = opts[0]
            legs.append(_Leg(a, b, after, stop, way, dep, arr, nm))
            t = self.ready(b, arr) if stop else arr
        return self._solution(legs)

    # -- the exact search ----------------------------------------------------------------

    def search(self, max_stops: int, first: Solution | None = None) -> Solution | None:
        """The best itinerary under the clock: layers of stops, Pareto labels per state,
        pruned against the best finish so far (``first``, if given, to begin with, or
        :meth:`earliest` if better; with none there, none at all).

        For ``min_time`` a label is only beaten on time (and stops: those of earlier
        layers): the range is full at every label, so distance no longer matters and one
        label per state, the earliest, is kept (``when``)."""
        soonest = self.earliest()
        if soonest is None:
            return None
        if soonest.n_stops <= max_stops and (
            first is None or self._score(soonest) < self._score(first)
        ):
            first = soonest
        origin = self.tgt[0]
        layer: dict[tuple[int, int], list[_Label]] = {(0, origin): [_Label(0.0, 0.0, None, ())]}
        seen: dict[tuple[int, int], list[tuple[float, float]]] = {(0, origin): [(0.0, 0.0)]}
        best: tuple | None = None
        best_legs: tuple[_Leg, ...] = ()
        if first is not None:
            best = self._score(first)
            best_legs = self._legs(first)
        when = None
        if self.objective == "min_time":
            when = np.full((self.m + 1, self.n), INF)
            when[0, origin] = 0.0
        for k in range(max_stops + 1):
            grown: dict[tuple[int, int], list[_Label]] = {}
            for (s, v), labels in layer.items():
                for lab in sorted(labels, key=lambda lab: lab.time):  # monotony caches work
                    check()
                    if best is not None and self._hopeless(lab, s, v, best):
                        continue
                    more = k < max_stops
                    for stretch, arrive, legs in self._expand(
                        lab, s, v, grown, more, when=when, best=best
                    ):
                        total = lab.dist + stretch
                        cand = score(total, k, self.objective, self.speed, self.dwell, arrive)
                        if best is None or cand < best:
                            best, best_legs = cand, _legs_of(lab) + legs
            if best is not None and self.objective == "min_stops" and best[0] <= k:
                break
            layer = {}
            for key, cands in grown.items():
                if when is not None:
                    soon = min(cands, key=lambda c: c.time)
                    if soon.time < when[key]:
                        when[key] = soon.time
                        layer[key] = [soon]
                    continue
                kept = _pareto(cands, seen.setdefault(key, []))
                if kept:
                    layer[key] = kept
            if not layer:
                break
        return self._solution(list(best_legs)) if best is not None else None

    def earliest(self) -> Solution | None:
        """The itinerary that arrives first, stops not counted: a Dijkstra on ready time
        over the states, one label each (the rules are monotone in time, so the earliest
        label of a state can do all that a later one can). ``None`` proves that no
        itinerary fits the clock, whatever ``max_stops``; otherwise a first answer for
        :meth:`search` to prune by."""
        origin = self.tgt[0]
        when = np.full((self.m + 1, self.n), INF)
        when[0, origin] = 0.0
        order = itertools.count()
        heap: list[tuple[float, int, int, int, _Label]] = [
            (0.0, next(order), 0, origin, _Label(0.0, 0.0, None, ()))
        ]
        arrive_by, legs_by = INF, None
        while heap:
            t, _, s, v, lab = heapq.heappop(heap)
            if t >= arrive_by:
                break  # every finish from here arrives later still
            if t > when[s, v]:
                continue
            check()
            grown: dict[tuple[int, int], list[_Label]] = {}
            for _stretch, arrive, legs in self._expand(lab, s, v, grown, True, when):
                if arrive < arrive_by:
                    arrive_by, legs_by = arrive, _legs_of(lab) + legs
            for key, cands in grown.items():
                soon = min(cands, key=lambda c: c.time)
                if soon.time < when[key]:
                    when[key] = soon.time
                    heapq.heappush(heap, (soon.time, next(order), key[0], key[1], soon))
        return None if legs_by is None else self._solution(list(legs_by))

    def _score(self, sol: Solution) -> tuple:
        return score(sol.distance, sol.n_stops, self.objective, self.speed, self.dwell, sol.time)

    def _beyond(
        self, dist: np.ndarray, ready: np.ndarray, s: int, to: np.ndarray, best: tuple | None
    ) -> np.ndarray:
        """:meth:`_hopeless` for labels at stage ``s`` at each of the places ``to``, ``dist``
        long and ready at ``ready`` (False where not told)."""
        if best is not None and self.objective == "min_distance":
            return np.asarray(dist + self.rest[s, to] > best[0] + 1e-6)
        if best is not None and self.objective == "min_time":
            return np.asarray(ready + self.rest[s, to] / self.speed > best[0] + 1e-6)
        return np.zeros(len(to), dtype=bool)

    def _hopeless(self, lab: _Label, s: int, v: int, best: tuple) -> bool:
        """Whether no finish from this label can beat ``best``."""
        rest = float(self.rest[s, v])
        if self.objective == "min_distance":
            return lab.dist + rest > best[0] + 1e-6
        if self.objective == "min_time":
            return lab.time + rest / self.speed > best[0] + 1e-6
        return False

    def _expand(
        self,
        lab: _Label,
        s: int,
        v: int,
        grown: dict[tuple[int, int], list[_Label]],
        more: bool,
        when: np.ndarray | None = None,
        best: tuple | None = None,
    ) -> list[_Partial]:
        """Every stretch from ``lab`` (at stage ``s``, node ``v``): with ``more`` stops
        allowed, labels one stop on go into ``grown``; finishes at the destination are
        returned. ``when[stage, node]``: a stop is only grown if ready there sooner;
        ``best``: nor if it cannot beat that (:meth:`_hopeless`)."""
        finishes: list[_Partial] = []
        partials: list[_Partial] = [(0.0, lab.time, ())]
        node = v
        for s2 in range(s, self.m + 1):
            if s2 > s:
                nxt = self.tgt[s2]
                start = (s, v) if s2 == s + 1 else (s2 - 1, node)
                partials = self._advance(partials, node, nxt, s2, self.deadline(*start))
                node = nxt
                if more and self.stop_ok[nxt] and s2 < self.m:
                    for stretch, arr, legs in partials:  # calling at the target itself
                        called = (*legs[:-1], replace(legs[-1], stop=True))
                        _add(grown, (s2, nxt), lab, stretch, self.ready(nxt, arr), called)
                if not partials:
                    break
            if s2 == self.m:
                finishes += partials
                break
            if more:
                latest = self.deadline(s2, node) if s2 > s else self.deadline(s, v)
                self._stops_from(partials, node, s2, latest, lab, grown, when, best)
        return finishes

    def _advance(
        self,
        partials: list[_Partial],
        a: int,
        b: int,
        stage: int,
        latest: float,
    ) -> list[_Partial]:
        """Extend each partial stretch by the leg ``a -> b`` (``b`` the target of
        ``stage``)."""
        out: list[_Partial] = []
        for stretch, t, legs in partials:
            room = self.max_leg - stretch
            for nm, dep, arr, way in self.options(a, b, t, latest=latest, room=room):
                leg = _Leg(a, b, stage, False, way, dep, arr, nm)
                out.append((stretch + nm, arr, (*legs, leg)))
        return _pareto_partials(out)

    def _stops_from(
        self,
        partials: list[_Partial],
        node: int,
        s2: int,
        latest: float,
        lab: _Label,
        grown: dict[tuple[int, int], list[_Label]],
        when: np.ndarray | None = None,
        best: tuple | None = None,
    ) -> None:
        """From each partial at ``node`` (stage ``s2``), a leg to every stop (with
        ``when``, to those it reaches sooner than ``when[s2]``; with ``best``, to those
        from which the rest could beat it)."""
        every = np.arange(self.n)
        d = self.free[node]
        hours = d / self.speed
        plain_ok = self.stop_ok & np.isfinite(d) & ~self.timed[node]
        plain_ok[node] = False
        timed_to = np.flatnonzero(self.stop_ok & self.timed[node])
        for stretch, t, legs in partials:
            dead: list[np.ndarray | None] = []
            fits = plain_ok & (stretch + d <= self.max_leg)
            if when is not None or best is not None:
                ready = np.maximum(t + hours, self.not_before) + self.dwell
                if when is not None:
                    fits &= ready < when[s2]
                fits &= ~self._beyond(lab.dist + stretch + d, ready, s2, every, best)
            for u in np.flatnonzero(fits):
                arr = t + hours[u]
                way = int(self.free_way[node, u])
                leg = _Leg(node, int(u), s2, True, way, t, arr, float(d[u]))
                _add(
                    grown, (s2, int(u)), lab, stretch + d[u], self.ready(int(u), arr), (*legs, leg)
                )
            tried = timed_to
            if (when is not None or best is not None) and tried.size:
                short = self.dist[node, tried]  # no way is shorter: lower bounds
                soonest = t + short / self.speed
                ready = np.maximum(soonest, self.not_before[tried]) + self.dwell
                ok = ~self._beyond(lab.dist + stretch + short, ready, s2, tried, best)
                if when is not None:
                    ok &= ready < when[s2, tried]
                tried = tried[ok]
            room = self.max_leg - stretch
            if tried.size:
                dead = self.dead_from(node, t, latest)
                tried = tried[self._may_sail(node, tried, room, dead)]
            for u in tried:
                opts = self.options(node, int(u), t, latest=latest, room=room, dead=dead)
                for nm, dep, arr, way in opts:
                    if stretch + nm <= self.max_leg:
                        leg = _Leg(node, int(u), s2, True, way, dep, arr, nm)
                        ready = self.ready(int(u), arr)
                        _add(grown, (s2, int(u)), lab, stretch + nm, ready, (*legs, leg))

    def _legs(self, sol: Solution) -> tuple[_Leg, ...]:
        """The legs of a timed solution (for the search to return it if nothing beats it)."""
        out = []
        hops = zip(itertools.pairwise(sol.sequence), sol.stop_flags[1:], sol.ways, strict=True)
        for k, ((a, b), stop, way) in enumerate(hops):
            nm = float(self.nm[way][a, b])
            dep = sol.departs[k]
            out.append(_Leg(a, b, sol.stages[k + 1], stop, way, dep, dep + nm / self.speed, nm))
        return tuple(out)

    def _solution(self, legs: list[_Leg]) -> Solution:
        sequence = (self.tgt[0], *(leg.end for leg in legs))
        flags = (False, *(leg.stop for leg in legs))
        return Solution(
            stops=tuple(leg.end for leg in legs if leg.stop),
            sequence=sequence,
            stop_flags=flags,
            distance=float(sum(leg.nm for leg in legs)),
            stages=(0, *(leg.stage for leg in legs)),
            ways=tuple(leg.way for leg in legs),
            departs=tuple(leg.depart for leg in legs),
            time=legs[-1].arrive if legs else 0.0,
        )


def _add(
    grown: dict[tuple[int, int], list[_Label]],
    key: tuple[int, int],
    parent: _Label,
    stretch: float,
    ready: float,
    legs: tuple[_Leg, ...],
) -> None:
    label = _Label(parent.dist + float(stretch), float(ready), parent, legs)
    grown.setdefault(key, []).append(label)


def _legs_of(lab: _Label) -> tuple[_Leg, ...]:
    out: list[tuple[_Leg, ...]] = []
    node: _Label | None = lab
    while node is not None:
        out.append(node.legs)
        node = node.parent
    return tuple(leg for chunk in reversed(out) for leg in chunk)


def _pareto(cands: list[_Label], seen: list[tuple[float, float]]) -> list[_Label]:
    """The candidates no label (of this layer, or with fewer stops in ``seen``) beats on
    both distance and time; ``seen`` gains them."""
    cands.sort(key=lambda lab: (lab.dist, lab.time))
    kept: list[_Label] = []
    for lab in cands:
        if any(d <= lab.dist + 1e-9 and t <= lab.time + 1e-9 for d, t in seen):
            continue
        kept.append(lab)
        seen.append((lab.dist, lab.time))
    return kept


def _pareto_partials(parts: list[_Partial]) -> list[_Partial]:
    parts.sort(key=lambda p: (p[0], p[1]))
    kept: list[_Partial] = []
    for p in parts:
        if not any(q[0] <= p[0] + 1e-9 and q[1] <= p[1] + 1e-9 for q in kept):
            kept.append(p)
    return kept


CUT_ROWS_CELLS = 262_144
"""Cells of the legs :func:`cut_off` compares at a time (2 MB of them)."""


def cut_off(dist: np.ndarray, targets: Sequence[int], stop_ok: np.ndarray, max_leg: float) -> bool:
    """True if some target cannot reach the next by legs of at most ``max_leg`` through
    stops at all, even refuelled at each target: then no itinerary fits, whatever the
    stop limit or the clock (every way of a leg is at least ``dist``); from an origin to
    a destination, exactly when none fits with stops enough. A search outward from each
    target, a frontier of rows of ``dist`` at a time: cheaper than the lower bounds a
    solve starts from (two shortest-path searches over every leg), so an itinerary a
    range gap rules out is proven impossible without them."""
    n = dist.shape[0]
    relay = np.asarray(stop_ok, dtype=bool)
    step = max(1, CUT_ROWS_CELLS // max(n, 1))
    limit = max_leg if np.isfinite(max_leg) else np.finfo(float).max  # no leg: inf
    for a, b in itertools.pairwise(targets):
        if a == b:
            continue
        seen = np.zeros(n, dtype=bool)
        seen[a] = True
        frontier = np.array([a])
        while frontier.size:
            near = np.zeros(n, dtype=bool)
            for k in range(0, frontier.size, step):
                rows = np.asarray(dist[frontier[k : k + step]])
                near |= (rows <= limit).any(axis=0)
            if near[b]:
                break
            near &= relay & ~seen
            seen |= near
            frontier = np.flatnonzero(near)
        else:
            return True
    return False


def bottleneck(
    dist: np.ndarray, origin: int, destination: int, usable: np.ndarray
) -> tuple[float, list[int]]:
    """The path from ``origin`` to ``destination`` whose longest leg is shortest.

    Only nodes in ``usable`` (plus the two ends) may be intermediate. Returns
    the longest leg of that path and the path; ``(inf, [])`` if disconnected.
    Used to explain infeasibility: no range shorter than this value can work.
    """
    n = dist.shape[0]
    allowed = usable.copy()
    allowed[origin] = allowed[destination] = True
    best = np.full(n, INF)
    best[origin] = 0.0
    prev = np.full(n, -1)
    done = np.zeros(n, dtype=bool)
    for _ in range(n):
        cand = np.where(done | ~allowed, INF, best)
        u = int(np.argmin(cand))
        if not np.isfinite(cand[u]):
            break
        done[u] = True
        if u == destination:
            break
        if u != origin and not usable[u]:
            continue
        via = np.maximum(best[u], dist[u])
        upd = (via < best) & ~done & allowed
        best = np.where(upd, via, best)
        prev = np.where(upd, u, prev)
    if not np.isfinite(best[destination]):
        return INF, []
    path = [destination]
    while path[-1] != origin:
        path.append(int(prev[path[-1]]))
    return float(best[destination]), path[::-1]
