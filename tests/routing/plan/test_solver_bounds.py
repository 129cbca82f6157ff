"""The solver stays exact when it searches only the places that could matter.

The solver bounds every place by the shortest chain through it (legs need not obey the
triangle rule, and here they often do not: some legs are shortcuts, some detours, some
missing), runs the layers on the places within a budget, and stops growing states that
cannot beat a finish in hand. Checked against the brute force on small instances and,
on larger ones (where the pruning has most to leave out), against the same solver given
bounds of zero (nothing can be left out then); infeasible instances included. The
screens that rule out an infeasible plan's variants (:mod:`routing.plan.screen`) are
checked to rule out only variants the solver finds infeasible too.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.geo import haversine_nm
from routing.plan import screen as screen_module
from routing.plan import solver as solver_module
from routing.plan.screen import RangeScreen, lower_nm
from routing.plan.solver import INF, Bounds, lower_bounds, score, shortest_paths, solve
from tests.routing.plan.test_solver import _brute

OBJECTIVES = ["min_time", "min_stops", "min_distance"]


def _legs(draw: st.DrawFn, n: int, *, size: int = 40) -> np.ndarray:
    """Distances among ``n`` random points with detours, shortcuts (breaking the
    triangle rule) and missing legs."""
    pts = np.array(
        [[draw(st.integers(0, size)), draw(st.integers(0, size))] for _ in range(n)], dtype=float
    )
    dist = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2))
    k = n * n
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    factor = rng.choice([1.0, 1.0, 1.0, 1.4, 0.6], size=k).reshape(n, n)  # 0.6: a shortcut
    dist = dist * factor
    dist[rng.random((n, n)) < draw(st.sampled_from([0.0, 0.1, 0.3]))] = INF
    np.fill_diagonal(dist, 0.0)
    return dist


def _problem(draw: st.DrawFn, n: int) -> tuple:
    dist = _legs(draw, n)
    n_targets = draw(st.integers(min_value=2, max_value=min(4, n)))
    targets = draw(st.permutations(list(range(n))))[:n_targets]
    stop_ok = np.array([draw(st.booleans()) or i >= n // 2 for i in range(n)])
    max_leg = float(draw(st.integers(5, 45)))
    objective = draw(st.sampled_from(OBJECTIVES))
    dwell = float(draw(st.sampled_from([0.0, 1.0, 7.5])))
    return dist, list(targets), stop_ok, max_leg, objective, dwell


def _check(sol, dist, targets, stop_ok, max_leg, max_stops) -> None:  # type: ignore[no-untyped-def]
    """The itinerary obeys every rule: targets in order, stretches within range."""
    assert [v for v, f in zip(sol.sequence, sol.stop_flags, strict=True) if not f] == targets
    stretch = total = 0.0
    for (a, b), stop in zip(itertools.pairwise(sol.sequence), sol.stop_flags[1:], strict=True):
        stretch += dist[a, b]
        total += dist[a, b]
        assert stretch <= max_leg + 1e-9
        if stop:
            assert stop_ok[b]
            stretch = 0.0
    assert abs(total - sol.distance) < 1e-6
    assert sol.n_stops <= max_stops


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_bounded_solver_matches_brute_force_where_legs_break_the_triangle_rule(
    data: st.DataObject,
) -> None:
    n = data.draw(st.integers(3, 7))
    dist, targets, stop_ok, max_leg, objective, dwell = _problem(data.draw, n)
    max_stops = data.draw(st.integers(0, 3))
    expected = _brute(dist, targets, stop_ok, max_leg, max_stops, objective, 2.0, dwell)
    got = solve(
        dist,
        targets,
        stop_ok,
        max_leg=max_leg,
        max_stops=max_stops,
        objective=objective,
        speed=2.0,
        dwell=dwell,
    )
    if expected is None:
        assert got is None
        return
    assert got is not None
    assert score(got.distance, got.n_stops, objective, 2.0, dwell) == expected
    _check(got, dist, targets, stop_ok, max_leg, max_stops)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_bounded_solver_matches_the_unbounded_one_on_many_places(data: st.DataObject) -> None:
    """30 to 80 places, up to 10 stops: the answer is the one found when nothing may be
    left out (bounds of zero), or both find none."""
    n = data.draw(st.integers(30, 80))
    dist, targets, stop_ok, max_leg, objective, dwell = _problem(data.draw, n)
    max_stops = data.draw(st.integers(0, 10))
    common = {
        "max_leg": max_leg,
        "max_stops": max_stops,
        "objective": objective,
        "speed": 2.0,
        "dwell": dwell,
    }
    got = solve(dist, targets, stop_ok, **common)
    zero = Bounds(np.zeros(n), np.zeros((len(targets), n)))
    want = solve(dist, targets, stop_ok, bounds=zero, **common)
    if want is None:
        assert got is None
        return
    assert got is not None
    key = score(got.distance, got.n_stops, objective, 2.0, dwell)
    assert key == score(want.distance, want.n_stops, objective, 2.0, dwell)
    _check(got, dist, targets, stop_ok, max_leg, max_stops)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_far_detour_with_fewer_stops_beats_a_near_route_with_many(data: st.DataObject) -> None:
    """The straight way is a chain of stops each only reaching the next (many stops);
    far off it, a few stops a leg within range apart. With dwell costly enough the far
    way wins although every one of its stops lies beyond the first budget."""
    span = 100.0
    gap = float(data.draw(st.sampled_from([5.0, 10.0, 20.0])))
    height = float(data.draw(st.integers(10, 60)))
    far_n = data.draw(st.integers(2, 4))
    near = [(x, 0.0) for x in np.arange(gap, span, gap)]
    far = [(span * (k + 1) / (far_n + 1), height) for k in range(far_n)]
    pts = np.array([(0.0, 0.0), (span, 0.0), *near, *far])
    n = len(pts)
    dist = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2))
    chain = [0, *range(2, 2 + len(near)), 1]
    on_line = np.zeros((n, n), dtype=bool)
    on_line[np.ix_(chain, chain)] = True
    for a, b in itertools.pairwise(chain):
        on_line[a, b] = on_line[b, a] = False
    dist[on_line] = INF  # along the line, only from one stop to the next
    np.fill_diagonal(dist, 0.0)
    max_leg = float(np.ceil(np.hypot(span / (far_n + 1), height)))
    stop_ok = np.ones(n, dtype=bool)
    stop_ok[:2] = False
    common = {
        "max_leg": max_leg,
        "max_stops": data.draw(st.integers(2, 25)),
        "objective": data.draw(st.sampled_from(OBJECTIVES)),
        "speed": 2.0,
        "dwell": float(data.draw(st.sampled_from([0.0, 7.5, 40.0]))),
    }
    got = solve(dist, [0, 1], stop_ok, **common)
    want = solve(dist, [0, 1], stop_ok, bounds=Bounds(np.zeros(n), np.zeros((2, n))), **common)
    if want is None:
        assert got is None
        return
    assert got is not None
    args = (common["objective"], 2.0, common["dwell"])
    assert score(got.distance, got.n_stops, *args) == score(want.distance, want.n_stops, *args)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_bounds_are_below_every_chain(data: st.DataObject) -> None:
    """Through any place, no chain of legs through the targets in order is shorter than
    its bound (checked on every chain of up to two extra places per stretch)."""
    n = data.draw(st.integers(3, 6))
    dist = _legs(data.draw, n)
    targets = data.draw(st.permutations(list(range(n))))[: data.draw(st.integers(2, 3))]
    bounds = lower_bounds(dist, targets)
    for i in range(len(targets) - 1):
        a, b = targets[i], targets[i + 1]
        for k in range(3):
            for mid in itertools.product(range(n), repeat=k):
                path = [a, *mid, b]
                length = sum(dist[u, v] for u, v in itertools.pairwise(path))
                for u in path:
                    assert bounds.through[u] <= length + _around(dist, targets, i) + 1e-9


def _around(dist: np.ndarray, targets: list[int], i: int) -> float:
    """The direct legs from the origin to target ``i`` and from target ``i + 1`` on."""
    before = sum(dist[targets[j], targets[j + 1]] for j in range(i))
    after = sum(dist[targets[j], targets[j + 1]] for j in range(i + 1, len(targets) - 1))
    return float(before + after)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_range_the_screen_rules_out_has_no_plan(data: st.DataObject) -> None:
    n = data.draw(st.integers(3, 12))
    dist, targets, stop_ok, max_leg, _, _ = _problem(data.draw, n)
    screen = RangeScreen(dist, np.zeros(n), np.zeros(n), targets, stop_ok, max_leg)
    longer = float(data.draw(st.integers(5, 60)))
    if not screen.range_may_do(longer):
        assert solve(dist, targets, stop_ok, max_leg=longer, max_stops=n * len(targets)) is None


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_stops_the_screen_rules_out_leave_no_plan(data: st.DataObject) -> None:
    """Places on the globe, sea legs at least the screen's lower bound (some longer, some
    missing); the stops usable now cannot make a plan; the screen is asked about opening
    some more. When it says they cannot help, planning with them finds nothing either."""
    n = data.draw(st.integers(4, 14))
    lon = np.array([data.draw(st.floats(-20, 20)) for _ in range(n)])
    lat = np.array([data.draw(st.floats(-15, 15)) for _ in range(n)])
    gc = haversine_nm(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    dist = gc * rng.choice([0.995, 1.0, 1.2, 2.0], size=(n, n))  # sea legs: about as long
    dist[rng.random((n, n)) < 0.15] = INF
    np.fill_diagonal(dist, 0.0)
    targets = [0, 1]
    known = data.draw(st.integers(2, n - 1))  # places 0..known-1 are measured now
    max_leg = float(data.draw(st.integers(100, 900)))
    stop_ok = np.ones(n, dtype=bool)
    stop_ok[:2] = False
    now = solve(dist[:known, :known], targets, stop_ok[:known], max_leg=max_leg, max_stops=20)
    if now is not None:
        return
    screen = RangeScreen(
        dist[:known, :known], lon[:known], lat[:known], targets, stop_ok[:known], max_leg
    )
    near = screen.near_components(lon[known:], lat[known:]).tocoo()
    if not screen.opening_may_do(lon[known:], lat[known:], near.row, near.col):
        assert solve(dist, targets, stop_ok, max_leg=max_leg, max_stops=20) is None


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_range_gap_cut_off_is_exactly_no_plan_with_stops_enough(data: st.DataObject) -> None:
    """:func:`cut_off` (a search outward through stops by legs within range) says an
    origin and a destination are cut apart exactly when the solver, with stops enough,
    finds no plan; with waypoints (not refuelled at unless stops), only when it finds
    none; legs missing, zero, longer than the range; stops that may not relay."""
    n = data.draw(st.integers(2, 9))
    values = st.sampled_from([0.0, 30.0, 80.0, 120.0, 400.0, INF])
    dist = np.array([[data.draw(values) for _ in range(n)] for _ in range(n)], dtype=float)
    np.fill_diagonal(dist, 0.0)
    targets = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=4))
    stop_ok = np.array([data.draw(st.booleans()) for _ in range(n)])
    max_leg = data.draw(st.sampled_from([50.0, 100.0, 150.0, 500.0, INF]))
    none = solve(dist, targets, stop_ok, max_leg=max_leg, max_stops=n * len(targets)) is None
    cut = solver_module.cut_off(dist, targets, stop_ok, max_leg)
    if len(targets) == 2:
        assert cut == none
    else:
        assert none or not cut


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_the_components_near_a_new_place_are_those_of_every_pair_within_reach(
    data: st.DataObject,
) -> None:
    """:meth:`RangeScreen.near_components` (nearest places of big components, listed
    places of small ones) against every pair of a new and a known place whose lower
    bound is within range, mapped to the known place's component; components of any
    size, big from one place up."""
    n = data.draw(st.integers(3, 40))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    lon, lat = rng.uniform(-40, 40, n), rng.uniform(-30, 30, n)
    gc = haversine_nm(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    max_leg = float(data.draw(st.integers(100, 1500)))
    dist = gc * rng.choice([1.0, 1.3, 3.0], size=(n, n))
    dist[rng.random((n, n)) < 0.2] = INF
    np.fill_diagonal(dist, 0.0)
    screen = RangeScreen(dist, lon, lat, [0, 1], np.ones(n, dtype=bool), max_leg)
    k = data.draw(st.integers(0, 30))
    new_lon, new_lat = rng.uniform(-45, 45, k), rng.uniform(-35, 35, k)
    labels = screen.components()
    low = lower_nm(new_lon[:, None], new_lat[:, None], lon[None, :], lat[None, :])
    want = np.zeros((k, int(labels.max()) + 1), dtype=bool)
    r, c = np.nonzero(low <= max_leg)
    want[r, labels[c]] = True
    big = data.draw(st.sampled_from([1, 2, 5, 32]))
    keep = screen_module.BIG_COMPONENT
    try:
        screen_module.BIG_COMPONENT = big
        got = screen.near_components(new_lon, new_lat).toarray()
    finally:
        screen_module.BIG_COMPONENT = keep
    assert np.array_equal(got, want)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_shortest_paths_are_scipys_dijkstra(data: st.DataObject) -> None:
    """:func:`shortest_paths` (Dijkstra on the dense legs) finds what scipy's Dijkstra
    finds on the graph ``csgraph_from_dense(null_value=inf)`` builds: zero legs and the
    diagonal are legs, ``inf`` is none; to each target (``back``), on the transpose."""
    from scipy.sparse.csgraph import csgraph_from_dense, dijkstra

    n = data.draw(st.integers(1, 8))
    values = st.sampled_from([0.0, 1.5, 3.0, 40.0, 250.0, INF, INF])
    dist = np.array([[data.draw(values) for _ in range(n)] for _ in range(n)], dtype=float)
    sources = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3))
    graph = csgraph_from_dense(dist, null_value=INF)
    want = dijkstra(graph, directed=True, indices=sources)
    assert np.array_equal(shortest_paths(dist, sources), want)
    want_back = dijkstra(graph.T.tocsr(), directed=True, indices=sources)
    assert np.array_equal(shortest_paths(dist, sources, back=True), want_back)
    at = solver_module.TRANSPOSE_AT  # big matrices run back on the transposed legs
    solver_module.TRANSPOSE_AT = 1
    try:
        assert np.array_equal(shortest_paths(dist, sources, back=True), want_back)
    finally:
        solver_module.TRANSPOSE_AT = at


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_bounds_grown_from_fewer_places_are_the_bounds(data: st.DataObject) -> None:
    """The bounds of a variant that opens a few more places, grown from the kept bounds
    of the places before (their legs unchanged), are the bounds worked out afresh: every
    chain, to and from every target, through old places and new."""
    n = data.draw(st.integers(3, 12))
    dist = _legs(data.draw, n)
    n_targets = data.draw(st.integers(2, min(4, n)))
    order = data.draw(st.permutations(range(n)))
    targets = list(order[:n_targets])
    old = sorted(order[: data.draw(st.integers(n_targets, n))])  # the targets among them
    at = np.array(old, dtype=np.int64)
    where = {p: i for i, p in enumerate(old)}
    before = lower_bounds(dist[np.ix_(at, at)], [where[t] for t in targets])
    grown = lower_bounds(dist, targets, known=(before, at))
    fresh = lower_bounds(dist, targets)
    np.testing.assert_allclose(grown.through, fresh.through, rtol=1e-12)
    np.testing.assert_allclose(grown.rest, fresh.rest, rtol=1e-12)
    for t in fresh.fwd:
        np.testing.assert_allclose(grown.fwd[t], fresh.fwd[t], rtol=1e-12)
    for t in fresh.bwd:
        np.testing.assert_allclose(grown.bwd[t], fresh.bwd[t], rtol=1e-12)
