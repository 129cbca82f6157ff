"""Proofs that a variant of an infeasible plan is infeasible too, without planning it.

An infeasible plan's suggestions re-plan variants of the request: a longer range (slower,
a smaller reserve, a tanker), more stops, and each agreement that would open more
stops (one a country: ~170 over a large catalogue). A re-plan measures sea distances
among all its candidate stops (a new set of them for each agreement) and searches them.
Most variants cannot help, and a necessary condition shows it from what the infeasible
plan already measured:

- every stretch between resupplies is at most the range, so the places of a feasible
  plan are joined, target to target, by legs no longer than the range through usable
  stops: a range under the *bottleneck* (the shortest longest-leg path,
  :func:`routing.plan.solver.bottleneck`) cannot work, whatever the stop limit;
- an agreement opens some facilities; legs to and among them are at least their
  great-circle distance less what port positions may be off by (``lower_nm``), so if
  no chain of legs within range, the new ones measured that way, joins the targets,
  the agreement cannot make the plan feasible.

Both tests only rule variants out; any variant they let through is planned in full, so
the suggestions are those the planner would give without them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from routing.geo import EARTH_RADIUS_NM, haversine_nm, to_unit_vectors
from routing.plan.solver import bottleneck

GC_FACTOR = 0.99
"""Sea legs (ellipsoidal lengths) are at least this share of the great circle on the
mean sphere (the two differ by under 0.6 %)."""
BIG_COMPONENT = 32
"""Components of known places of at least this many are asked for their nearest place
near a new position (:meth:`RangeScreen.near_components`); the smaller ones' places are
listed."""
GC_SLACK_NM = 4.0
"""And at most this much shorter again: a port's sea node lies within 3 km of its
position (:data:`routing.sea.connect.PORT_SNAP_KM`), at each end."""


def lower_nm(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """A lower bound on the sea distance between two positions (nm)."""
    gc = haversine_nm(lon1, lat1, lon2, lat2)
    return np.maximum(GC_FACTOR * gc - GC_SLACK_NM, 0.0)


class RangeScreen:
    """What an infeasible solve measured, to rule out variants of it.

    ``dist``: the legs among its places (``inf``: none), no longer than under any
    variant the screen is asked about; ``lon``/``lat``: the places' positions;
    ``targets``: the indices of the origin, waypoints and destination in order;
    ``stop_ok``: the places usable as stops; ``range_nm``: the usable range.
    """

    def __init__(
        self,
        dist: np.ndarray,
        lon: np.ndarray,
        lat: np.ndarray,
        targets: Sequence[int],
        stop_ok: np.ndarray,
        range_nm: float,
    ) -> None:
        self.dist, self.targets, self.stop_ok = dist, list(targets), np.asarray(stop_ok)
        self.lon, self.lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        self.range_nm = range_nm
        self._needed: float | None = None
        self._labels: np.ndarray | None = None

    # -- a longer range, more stops ------------------------------------------------------

    @property
    def needed_nm(self) -> float:
        """The shortest range with which some chain of legs through usable stops joins
        each target to the next (``inf``: none does)."""
        if self._needed is None:
            worst = 0.0
            for a, b in zip(self.targets, self.targets[1:], strict=False):
                if a != b:
                    worst = max(worst, bottleneck(self.dist, a, b, self.stop_ok)[0])
            self._needed = worst
        return self._needed

    def range_may_do(self, range_nm: float) -> bool:
        """False if no plan over the same places can work with ``range_nm``."""
        return range_nm >= self.needed_nm - 1e-6

    # -- more stops opened ---------------------------------------------------------------

    def opening_may_do(
        self, lon: np.ndarray, lat: np.ndarray, owner: np.ndarray, comps: np.ndarray
    ) -> bool:
        """False if opening stops at the positions ``lon``/``lat`` (besides those usable
        now) surely leaves some target cut off from the next within the range. The pairs
        ``(owner[i], comps[i])``: each new position with a component of known places
        (:meth:`components`) within :meth:`near_components`' reach of it."""
        labels = self.components()
        pairs = [(a, b) for a, b in zip(self.targets, self.targets[1:], strict=False) if a != b]
        cut = [(a, b) for a, b in pairs if labels[a] != labels[b]]
        if not cut:
            return True  # joined already: the range is not what fails
        k = len(lon)
        if k == 0:
            return False
        n_comp = int(labels.max()) + 1
        touched = np.zeros(n_comp, dtype=bool)
        touched[comps] = True
        if not all(touched[labels[a]] and touched[labels[b]] for a, b in cut):
            return False  # a chain out of a target's component starts at a new place
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        low = lower_nm(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
        a, b = np.nonzero(np.triu(low <= self.range_nm, 1))
        size = n_comp + k
        r = np.concatenate([n_comp + np.asarray(owner, dtype=np.int64), n_comp + a])
        c = np.concatenate([np.asarray(comps, dtype=np.int64), n_comp + b])
        graph = coo_matrix((np.ones(len(r)), (r, c)), shape=(size, size))
        _, joined = connected_components(graph, directed=False)
        return all(joined[labels[a]] == joined[labels[b]] for a, b in cut)

    def near_components(self, lon: np.ndarray, lat: np.ndarray) -> csr_matrix:
        """For each position, the components of known places (:meth:`components`) a leg
        within range may join it to by the lower bound (:func:`lower_nm`): a sparse
        boolean matrix, a row a position. Computed once for every facility a variant may
        open, then sliced per variant. (The bound grows with the chord between the
        points, so a ball on the unit sphere finds them: no distance is computed one
        pair at a time.) A big component is asked for its nearest place within the ball,
        the places of small ones (a few, together) are listed."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        labels = self.components()
        angle = min(np.pi, (self.range_nm + GC_SLACK_NM) / GC_FACTOR / EARTH_RADIUS_NM)
        chord = 2.0 * np.sin(angle / 2) * (1 + 1e-9)
        here = to_unit_vectors(self.lon, self.lat)
        new = to_unit_vectors(lon, lat)
        sizes = np.bincount(labels)
        rows, cols = [], []
        for comp in np.flatnonzero(sizes >= BIG_COMPONENT).tolist():
            dist, _ = cKDTree(here[labels == comp]).query(new, k=1, distance_upper_bound=chord)
            hit = np.flatnonzero(np.isfinite(dist))
            rows.append(hit)
            cols.append(np.full(len(hit), comp))
        small = np.flatnonzero(sizes[labels] < BIG_COMPONENT)
        if small.size:
            pairs = cKDTree(new).sparse_distance_matrix(
                cKDTree(here[small]), chord, output_type="ndarray"
            )
            rows.append(pairs["i"].astype(np.int64))
            cols.append(labels[small][pairs["j"]])
        r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        out = csr_matrix((np.ones(len(r), dtype=bool), (r, c)), shape=(len(lon), len(sizes)))
        out.sum_duplicates()
        return out

    def components(self) -> np.ndarray:
        """Each known place's component: those joined by legs within range (either way)."""
        if self._labels is None:  # weakly connected: joined one way or the other
            n = len(self.dist)
            within = self.dist <= self.range_nm  # (inf is not)
            flat = np.flatnonzero(within)  # row by row: the sparse rows as they come
            ptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(within.sum(axis=1), out=ptr[1:])
            near = csr_matrix((np.ones(len(flat), dtype=bool), flat % max(n, 1), ptr), shape=(n, n))
            _, self._labels = connected_components(near, directed=True, connection="weak")
        return self._labels
