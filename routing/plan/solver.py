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
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

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

    @property
    def n_stops(self) -> int:
        """The number of resupply stops."""
        return len(self.stops)


def score(distance: float, stops: int, objective: str, speed: float, dwell: float) -> tuple:
    """The sort key of an itinerary under ``objective`` (smaller is better)."""
    if objective == "min_stops":
        return (stops, round(distance, 6))
    if objective == "min_distance":
        return (round(distance, 6), stops)
    return (round(distance / speed + stops * dwell, 9), stops)


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
) -> Solution | None:
    """The optimal itinerary, or ``None`` when none fits ``max_leg`` and ``max_stops``."""
    n = dist.shape[0]
    m = len(targets) - 1
    if m < 1:
        raise ValueError("need at least an origin and a destination")
    tgt = list(targets)
    # chain[a][b]: distance from target a through targets a+1..b (a <= b).
    chain = np.zeros((m + 1, m + 1))
    for a in range(m + 1):
        for b in range(a + 1, m + 1):
            chain[a, b] = chain[a, b - 1] + dist[tgt[b - 1], tgt[b]]
    dist = np.array(dist, dtype=float)
    np.fill_diagonal(dist, 0.0)
    legs = np.where(dist <= max_leg, dist, INF)
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
            reach = dist[:, tgt[s + 1]] + chain[s + 1, m]
            ends = np.where(reach <= max_leg, row + reach, INF)
            last = int(np.argmin(ends))
            if np.isfinite(ends[last]):
                finals.append((float(ends[last]), k, s, last))
        if k == max_stops:
            break
        new, from_s, from_v = _next_layer(best, dist, legs, stop_cols, tgt, chain, max_leg)
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


def _next_layer(
    best: np.ndarray,
    dist: np.ndarray,
    legs: np.ndarray,
    stop_cols: np.ndarray,
    tgt: list[int],
    chain: np.ndarray,
    max_leg: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Relax every state of one layer by one more stop: (distances, from stage, from node)."""
    m = len(tgt) - 1
    n = dist.shape[0]
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
        keep(s, row[live, None] + legs[live] + stop_cols[None, :], live, s)
        # Through targets s+1..s2, then a stop (the target itself when it is one:
        # the diagonal of ``dist`` is zero).
        for s2 in range(s + 1, m):
            to_t = dist[live, tgt[s + 1]] + chain[s + 1, s2]
            stretch = to_t[:, None] + dist[tgt[s2]][None, :]
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
    for (s_a, _), (s_b, v_b) in itertools.pairwise(states):
        for t in range(s_a + 1, s_b + 1):
            if not (t == s_b and tgt[t] == v_b):
                sequence.append(tgt[t])
                flags.append(False)
        sequence.append(v_b)
        flags.append(True)
    for t in range(s + 1, m + 1):
        sequence.append(tgt[t])
        flags.append(False)
    stops = tuple(node for node, f in zip(sequence, flags, strict=True) if f)
    return Solution(stops, tuple(sequence), tuple(flags), total)


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
