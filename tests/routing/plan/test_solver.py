"""The resupply solver is optimal: checked against a brute force on small instances."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.plan.fuel import GroupFuel
from routing.plan.solver import INF, Clock, Way, bottleneck, sailable, score, solve
from tests.routing.plan.groups import escorts_and_oiler


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
    best = None
    for k, path in _itineraries(targets, stop_ok, max_stops):
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


def _itineraries(
    targets: list[int], stop_ok: np.ndarray, max_stops: int
) -> Iterator[tuple[int, list[tuple[int, bool]]]]:
    """Every interleaving of up to ``max_stops`` stops with the targets: (stops, nodes
    with their stop flags)."""
    stops = [int(i) for i in np.flatnonzero(stop_ok)]
    m = len(targets) - 1
    for k in range(max_stops + 1):
        for chosen in itertools.product(stops, repeat=k):
            for gaps in itertools.combinations_with_replacement(range(m), k):
                path: list[tuple[int, bool]] = [(targets[0], False)]
                for g in range(m):
                    path += [(chosen[i], True) for i in range(k) if gaps[i] == g]
                    path.append((targets[g + 1], False))
                yield k, path


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


# -- with time: seasons (windows on legs, ways round) and notice ---------------------------


def _simulate(
    dist: np.ndarray,
    targets: list[int],
    path: list[tuple[int, bool]],
    ways: tuple[int, ...],
    clock: Clock,
    fits: Callable[[float], bool],
    speed: float,
    dwell: float,
) -> tuple[float, float] | None:
    """The rules of the timed solve applied leg by leg to one itinerary (``path``: nodes
    with their stop flags, the targets being the unflagged nodes in order; ``ways``: the
    way each leg is sailed by; ``fits``: whether the group can sail a stretch between
    resupplies): (distance, arrival) or ``None`` if it breaks one."""
    d0 = np.array(dist, dtype=float)
    np.fill_diagonal(d0, 0.0)
    chain = np.concatenate([[0.0], np.cumsum([d0[a, b] for a, b in itertools.pairwise(targets)])])
    t = total = stretch = 0.0
    stage = 0
    for ((a, _), (b, stop)), k in zip(itertools.pairwise(path), ways, strict=True):
        way = clock.ways[k]
        nm = way.nm[a, b] if a != b else 0.0
        if not np.isfinite(nm):
            return None
        hours = nm / speed
        start = t
        if a != b and way.bound is not None and way.bound[a, b]:
            assert way.depart is not None
            start = way.depart(a, b, start)
            soonest = (chain[stage] + d0[targets[stage], a]) / speed
            if not start <= soonest + clock.max_wait or start == INF:  # inf: never
                return None
        stretch += nm
        total += nm
        if not fits(stretch):
            return None
        t = start + hours
        if stop:
            t = max(t, clock.not_before[b]) + dwell
            stretch = 0.0
        elif stage + 1 < len(targets) and b == targets[stage + 1]:
            stage += 1
    return total, t


def _brute_timed(
    dist: np.ndarray,
    targets: list[int],
    stop_ok: np.ndarray,
    clock: Clock,
    fits: Callable[[float], bool],
    max_stops: int,
    objective: str,
    speed: float,
    dwell: float,
) -> tuple | None:
    """Every interleaving of stops with the targets, every choice of way for each leg."""
    best = None
    for k, path in _itineraries(targets, stop_ok, max_stops):
        for ways in itertools.product(range(len(clock.ways)), repeat=len(path) - 1):
            got = _simulate(dist, targets, path, ways, clock, fits, speed, dwell)
            if got is not None:
                key = score(got[0], k, objective, speed, dwell, got[1])
                if best is None or key < best:
                    best = key
    return best


def _within(max_leg: float) -> Callable[[float], bool]:
    return lambda stretch: stretch <= max_leg + 1e-9


def _windows(draw: st.DrawFn, hours: float) -> list[tuple[float, float]]:
    """Open spells of a leg: sorted, disjoint."""
    cuts = sorted(draw(st.lists(st.integers(0, 160), min_size=0, max_size=6, unique=True)))
    return [(a * hours, b * hours) for a, b in zip(cuts[::2], cuts[1::2], strict=False)]


def _clock(draw: st.DrawFn, dist: np.ndarray, *, hours: float = 1.0) -> Clock:
    """Random ways (the shortest, bound on some legs; maybe a longer one bound on
    others; maybe a still longer free one), notice and a wait limit; ``hours`` scales
    every time in it."""
    n = dist.shape[0]
    ways = []
    for stretch in (1.0, *draw(st.sampled_from([(), (1.3,), (1.8,), (1.3, 2.2)]))):
        free = stretch > 2.0 or (stretch > 1.0 and draw(st.booleans()))
        nm = np.array(dist * stretch)
        bound = np.zeros((n, n), dtype=bool)
        spells: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for i, j in itertools.permutations(range(n), 2):
            if not np.isfinite(nm[i, j]):
                continue
            if stretch > 1.0 and draw(st.integers(0, 2)) == 0:
                nm[i, j] = INF  # no such way for this leg
            elif not free and draw(st.integers(0, 2)) == 0:
                bound[i, j] = True
                spells[i, j] = _windows(draw, hours)

        def depart(i: int, j: int, t: float, spells: dict = spells) -> float:
            for a, b in spells[i, j]:
                if t <= b:
                    return max(t, a)
            return INF

        # a cheap test the solver asks first, as the planner's: sound (True only when
        # depart really is too late) but not complete (it may say False anyway)
        sure = draw(st.sampled_from([0.0, 0.5, 1.0]))

        def ruled_out(
            i: int, j: int, t: float, latest: float, depart: Callable = depart, sure: float = sure
        ) -> bool:
            return bool(depart(i, j, t) > latest and (i * 7 + j * 3 + int(t)) % 2 < 2 * sure)

        def dead_from(
            i: int,
            t: float,
            latest: float,
            ruled_out: Callable = ruled_out,
            bound: np.ndarray = bound,
        ) -> np.ndarray:
            """The same test for every leg from ``i`` at once, as the planner's rows."""
            return np.array([bool(bound[i, j]) and ruled_out(i, j, t, latest) for j in range(n)])

        rows = draw(st.booleans())
        ways.append(
            Way(nm, None, None)
            if free
            else Way(
                nm,
                bound,
                depart,
                ruled_out if sure else None,
                dead_from if sure and rows else None,
            )
        )
    not_before = np.array([draw(st.sampled_from([0, 0, 0, 30, 80])) * hours for _ in range(n)])
    max_wait = draw(st.sampled_from([0.0, 15.0, 60.0, INF])) * hours
    return Clock(tuple(ways), not_before, max_wait)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_timed_solver_matches_brute_force(data: st.DataObject) -> None:
    """Seasons on legs (wait for the spell, or take the longer way round, within the
    wait limit) and notice at stops: the solver's best equals the brute force's, and the
    itinerary it returns obeys every rule on its own timeline."""
    dist, targets, stop_ok, max_leg, max_stops, objective, speed, dwell = _instance(data.draw)
    max_stops = min(max_stops, 2)
    clock = _clock(data.draw, dist)
    fits = _within(max_leg)
    expected = _brute_timed(dist, targets, stop_ok, clock, fits, max_stops, objective, speed, dwell)
    got = solve(
        dist,
        targets,
        stop_ok,
        max_leg=max_leg,
        max_stops=max_stops,
        objective=objective,
        speed=speed,
        dwell=dwell,
        clock=clock,
    )
    if expected is None:
        assert got is None
        return
    assert got is not None and got.time is not None
    path = list(zip(got.sequence, got.stop_flags, strict=True))
    assert [n for n, f in path if not f] == targets
    checked = _simulate(dist, targets, path, got.ways, clock, fits, speed, dwell)
    assert checked is not None
    assert checked[0] == pytest.approx(got.distance) and checked[1] == pytest.approx(got.time)
    assert score(got.distance, got.n_stops, objective, speed, dwell, got.time) == expected


def test_a_longer_way_round_that_arrives_in_time_beats_a_shorter_one_that_waits() -> None:
    """From 0 the group must stop at 1 (range 20) on its way to 2. The straight leg to 1
    (10) waits for its season until hour 20; the way round (15) sails at once. The leg
    from 1 to 2 is open only until hour 15, so only the way round reaches 2: a label
    kept for being shorter must not hide the one that is earlier."""
    dist = np.array([[0, 10, 30], [10, 0, 10], [30, 10, 0]], dtype=float)
    bound = np.zeros((3, 3), dtype=bool)
    bound[0, 1] = bound[1, 2] = True
    around = np.full((3, 3), INF)
    around[0, 1] = 15.0
    spells = {(0, 1): (20.0, 1000.0), (1, 2): (0.0, 15.0)}

    def depart(i: int, j: int, t: float) -> float:
        a, b = spells[i, j]
        return max(t, a) if t <= b else INF

    clock = Clock((Way(dist, bound, depart), Way(around)), np.zeros(3), max_wait=30.0)
    for objective in ("min_distance", "min_time", "min_stops"):
        sol = solve(
            dist,
            [0, 2],
            np.array([False, True, False]),
            max_leg=20,
            max_stops=2,
            objective=objective,
            clock=clock,
        )
        assert sol is not None, objective
        assert sol.sequence == (0, 1, 2) and sol.ways == (1, 0)
        assert sol.distance == 25 and sol.time == 25
        assert sol.departs == (0.0, 15.0)


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    escorts=st.lists(
        st.tuples(st.floats(2_000, 8_000), st.floats(100, 1_500), st.integers(1, 3)),
        min_size=1,
        max_size=2,
    ),
    tanker=st.tuples(st.floats(6_000, 12_000), st.floats(500, 2_000), st.floats(0, 8_000)),
)
def test_timed_solver_with_a_tanker_matches_tonnes_by_brute_force(
    data: st.DataObject,
    escorts: list[tuple[float, float, int]],
    tanker: tuple[float, float, float],
) -> None:
    """A group with a replenishment tanker: the brute force judges each stretch in tonnes
    (escorts draw on the cargo at their combined burn until it is gone, then on their own
    tanks; the tanker burns its bunkers; everyone keeps a 10 % reserve; all refill at a
    stop), the solver gets the group's stretch in nm; the best plans agree."""
    dist, targets, stop_ok, _, max_stops, objective, _, dwell = _instance(data.draw)
    dist = dist * 250.0  # nm: instance distances up to ~14,000 nm
    max_stops = min(max_stops, 2)
    clock = _clock(data.draw, dist, hours=36.0)  # the same spells, at 14 kn
    members, oiler = escorts_and_oiler(escorts, tanker)
    te, tc, cargo = tanker
    fuel = GroupFuel.of([*members, (oiler, 1)], 14, 0.1)
    draw_per_nm = sum(c / e * n for e, c, n in escorts)

    def fits(stretch: float) -> bool:
        if tc / te * stretch > 0.9 * tc + 1e-6:
            return False
        on_cargo = min(stretch, cargo / draw_per_nm)
        return all(c / e * (stretch - on_cargo) <= 0.9 * c + 1e-6 for e, c, _ in escorts)

    expected = _brute_timed(dist, targets, stop_ok, clock, fits, max_stops, objective, 14, dwell)
    got = solve(
        dist,
        targets,
        stop_ok,
        max_leg=fuel.stretch_nm,
        max_stops=max_stops,
        objective=objective,
        speed=14,
        dwell=dwell,
        clock=clock,
    )
    if expected is None:
        assert got is None
        return
    assert got is not None
    assert score(got.distance, got.n_stops, objective, 14, dwell, got.time) == pytest.approx(
        expected
    )


def _shut_until(opens: float) -> Way:
    """Legs 0 -> 1 and 1 -> 2 straight through a passage in season from hour ``opens``
    (a leg may start then at the soonest), told row by row as the planner tells it."""
    nm = np.array([[0, 10, INF], [10, 0, 10], [INF, 10, 0]], dtype=float)
    bound = np.zeros((3, 3), dtype=bool)
    bound[0, 1] = bound[1, 2] = True

    def depart(i: int, j: int, t: float) -> float:
        return max(t, opens)

    def dead_from(i: int, t: float, latest: float) -> np.ndarray:
        return bound[i] & (max(t, opens) > latest)

    return Way(nm, bound, depart, None, dead_from)


@pytest.mark.parametrize(("opens", "feasible"), [(5.0, True), (25.0, True), (500.0, False)])
def test_sailable_drops_only_the_legs_that_can_never_start_in_time(
    opens: float, feasible: bool
) -> None:
    """With at most 30 hours' wait, a passage in season from hour 5 or 25 keeps its legs
    (the group waits), one from hour 500 loses them: with no other way the plan is
    proven impossible on the legs left, and the solver says so."""
    way = _shut_until(opens)
    round_ = Way(np.array([[0, 40, INF], [40, 0, INF], [INF, INF, 0]], dtype=float))
    clock = Clock((way, round_), np.zeros(3), max_wait=30.0)
    dist = np.minimum(way.nm, round_.nm)
    legs = sailable(dist, [0, 2], clock, speed=1.0)
    assert (legs >= dist).all()
    if feasible:
        assert legs[0, 1] == 10 and legs[1, 2] == 10
    else:
        assert legs[0, 1] == 40 and legs[1, 2] == INF
    stops = np.array([False, True, False])
    sol = solve(dist, [0, 2], stops, max_leg=15, max_stops=2, clock=clock)
    assert (sol is not None) == feasible
    if sol is not None:
        assert sol.sequence == (0, 1, 2) and sol.time == pytest.approx(opens + 20)  # waited
