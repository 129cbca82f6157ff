"""The resupply solver is optimal: checked against a brute force on small instances."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.plan.solver import INF, bottleneck, score, solve


def _brute(
    dist: np.ndarray,
    targets: list[int],
    stop_ok: np.ndarray,
    max_leg: float,
    max_stops: int,
    objective: str,
    speed: float,
    dwell: float,
) -> tuple | None:
    """Every interleaving of up to ``max_stops`` stops with the targets, checked leg by leg."""
    stops = [int(i) for i in np.flatnonzero(stop_ok)]
    m = len(targets) - 1
    best = None
    for k in range(max_stops + 1):
        for chosen in itertools.product(stops, repeat=k):
            for gaps in itertools.combinations_with_replacement(range(m), k):
                path: list[tuple[int, bool]] = [(targets[0], False)]
                for g in range(m):
                    path += [(chosen[i], True) for i in range(k) if gaps[i] == g]
                    path.append((targets[g + 1], False))
                total, stretch, ok = 0.0, 0.0, True
                for (a, _), (b, is_stop) in itertools.pairwise(path):
                    d = dist[a, b]
                    total += d
                    stretch += d
                    if stretch > max_leg:
                        ok = False
                        break
                    if is_stop:
                        stretch = 0.0
                if ok:
                    key = score(total, k, objective, speed, dwell)
                    if best is None or key < best:
                        best = key
    return best


def _instance(draw: st.DrawFn) -> tuple:
    n = draw(st.integers(min_value=3, max_value=7))
    pts = np.array(
        [[draw(st.integers(0, 40)), draw(st.integers(0, 40))] for _ in range(n)], dtype=float
    )
    dist = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2))
    # Some legs do not exist at all (a closed passage, say).
    for i, j in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=4)):
        if i != j:
            dist[i, j] = dist[j, i] = INF
    n_targets = draw(st.integers(min_value=2, max_value=min(4, n)))
    targets = draw(st.permutations(list(range(n))))[:n_targets]
    stop_ok = np.array([draw(st.booleans()) for _ in range(n)])
    max_leg = float(draw(st.integers(5, 60)))
    max_stops = draw(st.integers(0, 3))
    objective = draw(st.sampled_from(["min_time", "min_stops", "min_distance"]))
    dwell = float(draw(st.sampled_from([0.0, 1.0, 7.5])))
    return dist, list(targets), stop_ok, max_leg, max_stops, objective, 2.0, dwell


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_solver_matches_brute_force(data: st.DataObject) -> None:
    dist, targets, stop_ok, max_leg, max_stops, objective, speed, dwell = _instance(data.draw)
    expected = _brute(dist, targets, stop_ok, max_leg, max_stops, objective, speed, dwell)
    got = solve(
        dist,
        targets,
        stop_ok,
        max_leg=max_leg,
        max_stops=max_stops,
        objective=objective,
        speed=speed,
        dwell=dwell,
    )
    if expected is None:
        assert got is None
        return
    assert got is not None
    assert score(got.distance, got.n_stops, objective, speed, dwell) == expected
    # The itinerary itself is valid: targets in order, every stretch within range.
    assert [n for n, f in zip(got.sequence, got.stop_flags, strict=True) if not f] == targets
    stretch = total = 0.0
    for (a, b), is_stop in zip(itertools.pairwise(got.sequence), got.stop_flags[1:], strict=True):
        stretch += dist[a, b]
        total += dist[a, b]
        assert stretch <= max_leg + 1e-9
        if is_stop:
            stretch = 0.0
        assert not is_stop or stop_ok[b]
    assert abs(total - got.distance) < 1e-6
    assert got.n_stops <= max_stops


def test_no_stop_needed_when_in_range() -> None:
    dist = np.array([[0, 10, 4], [10, 0, 6], [4, 6, 0]], dtype=float)
    sol = solve(dist, [0, 1], np.array([False, False, True]), max_leg=12, max_stops=3)
    assert sol is not None and sol.stops == () and sol.distance == 10


def test_a_stop_is_taken_when_the_direct_leg_is_too_long() -> None:
    dist = np.array([[0, 10, 4], [10, 0, 6], [4, 6, 0]], dtype=float)
    sol = solve(dist, [0, 1], np.array([False, False, True]), max_leg=7, max_stops=3)
    assert sol is not None and sol.stops == (2,) and sol.distance == 10


def test_bottleneck_names_the_critical_leg() -> None:
    # 0 -- 3 -- 1 -- 9 -- 2 : the unavoidable long leg is 9 (from node 1 to node 2).
    dist = np.full((3, 3), INF)
    np.fill_diagonal(dist, 0)
    dist[0, 1] = dist[1, 0] = 3
    dist[1, 2] = dist[2, 1] = 9
    dist[0, 2] = dist[2, 0] = 14
    worst, path = bottleneck(dist, 0, 2, np.array([False, True, False]))
    assert worst == 9 and path == [0, 1, 2]
    worst, path = bottleneck(dist, 0, 2, np.array([False, False, False]))
    assert worst == 14 and path == [0, 2]
