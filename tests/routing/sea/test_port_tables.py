"""The port-to-port fast path against a plain search, over many random pairs and closure
sets: distances against :func:`scipy.sparse.csgraph.dijkstra` on a graph built here from
the graph's own arrays (not the router's tables, masks or caches), the arcs it walks, and
the track and passages it assembles from them against the edges' geometry and passage
events read directly. No timings here: those are in ``bench/bench_routes.py``.
"""

from __future__ import annotations

import datetime as dt
import zlib

import numpy as np
import pytest

from routing.errors import NoRouteError
from routing.sea.passages import default_sea_data
from routing.sea.router import SeaRouter
from tests.routing.sea.support import plain_port_distances, sea_router

#: Random closure sets: how many, and how many passages each closes at most.
N_SETS = 14
MAX_CLOSED = 5
#: Random port pairs routed under each set.
N_PAIRS = 40


def _closure_sets() -> list[tuple[tuple[str, ...], dt.date | None]]:
    """Fixed sets (none; the seasonal routes open) and random ones over the closable
    passages, some with a summer date (the seasonal routes open for an ice class)."""
    closable = sorted(p.id for p in default_sea_data().passages if p.closable)
    rng = np.random.default_rng(17)
    out: list[tuple[tuple[str, ...], dt.date | None]] = [((), None), ((), dt.date(2026, 8, 15))]
    for k in range(N_SETS):
        n = int(rng.integers(1, MAX_CLOSED + 1))
        picked = tuple(sorted(str(p) for p in rng.choice(closable, n, replace=False)))
        out.append((picked, dt.date(2026, 8, 15) if k % 3 == 0 else None))
    return out


def _expected_track(router: SeaRouter, arcs: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """The track of a run of arcs from the edges' geometry (reversed where an arc runs
    against it), longitudes reduced to [-180, 180) and points repeating the one before
    them dropped; and the passages met in order, from the edges' passage events."""
    g = router.graph
    arc_edge, arc_rev = router._arcs.edge, router._arcs.rev
    pieces = []
    passages: list[str] = []
    for a in arcs.tolist():
        e, rev = int(arc_edge[a]), bool(arc_rev[a])
        geom = g.coords[g.goff[e] : g.goff[e + 1]]
        pieces.append(geom[::-1] if rev else geom)
        events = [g.passage_ids[int(p)] for p in g.ev_pid[g.ev_edge == e]]
        for pid in reversed(events) if rev else events:
            if not passages or passages[-1] != pid:
                passages.append(pid)
    xy = np.concatenate(pieces)
    lon = (xy[:, 0] + 180.0) % 360.0 - 180.0
    lat = xy[:, 1]
    step = (np.diff(lon) + 180.0) % 360.0 - 180.0
    keep = np.concatenate([[True], (np.abs(step) > 1e-9) | (np.abs(np.diff(lat)) > 1e-9)])
    track = np.column_stack([lon[keep], lat[keep]])
    if len(track) == 1:  # two ports at one point: a line of two
        track = np.vstack([track, track])
    return track, tuple(passages)


CLOSURE_SETS = _closure_sets()


@pytest.mark.parametrize(
    ("closed", "date"),
    CLOSURE_SETS,
    ids=[f"{'+'.join(c) or 'none'}-{d or 'no-date'}" for c, d in CLOSURE_SETS],
)
def test_port_routes_match_plain_dijkstra(closed: tuple[str, ...], date: dt.date | None) -> None:
    router = sea_router()
    eff = router.effective_closures(closed, date=date)
    dist = plain_port_distances(router, eff)
    n_core = router.graph.n_core
    ports = list(router.port_ids)
    connected = ~router._unconnected
    ins = n_core + 2 * np.arange(len(ports)) + 1
    want = dist[:, ins]
    want[~connected, :] = np.inf
    want[:, ~connected] = np.inf
    np.fill_diagonal(want, np.where(connected, 0.0, np.inf))

    # every pair, from the matrix the planner reads
    got = router.distance_matrix(closed=closed, date=date)
    assert np.array_equal(np.isfinite(got), np.isfinite(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=1e-9, atol=1e-6)

    # random pairs, routed
    rng = np.random.default_rng(zlib.crc32(repr((closed, date)).encode()))
    idx = np.nonzero(connected)[0]
    for _ in range(N_PAIRS):
        i, j = (int(k) for k in rng.choice(idx, 2, replace=False))
        a, b = ports[i], ports[j]
        if not np.isfinite(want[i, j]):
            with pytest.raises(NoRouteError):
                router.route(a, b, closed=closed, date=date)
            continue
        route = router.route(a, b, closed=closed, date=date)
        assert route.distance_nm == pytest.approx(want[i, j], rel=1e-9, abs=1e-6), (a, b)
        assert not set(route.passages) & eff

        # the arcs walked: a path from a's out-node to b's in-node over open arcs
        plan = router._solve_ports(i, j, eff)
        assert plan is not None and len(plan) == 1 and plan[0][0] == "arcs"
        arcs = np.asarray(plan[0][1])
        frm, to = router._arcs.frm[arcs], router._arcs.to[arcs]
        assert frm[0] == n_core + 2 * i and to[-1] == n_core + 2 * j + 1
        assert np.array_equal(frm[1:], to[:-1])
        g = router.graph
        edges = router._arcs.edge[arcs]
        assert not g.closed_edges([g.passage_ids.index(p) for p in eff])[edges].any()
        assert route.distance_nm == pytest.approx(float(g.length_nm[edges].sum()), abs=1e-9)

        # the track and passages assembled from them
        xy, passages = _expected_track(router, arcs)
        assert np.array_equal(route.xy, xy), (a, b)
        assert route.passages == passages


def test_unconnected_and_same_port_answers() -> None:
    router = sea_router()
    a = router.connected_ports[0]
    same = router.route(a, a)
    assert same.distance_nm == 0.0 and len(same.xy) == 2
    for p in set(router.port_ids) - set(router.connected_ports):
        with pytest.raises(NoRouteError) as err:
            router.route(a, p)
        assert err.value.field == "destination"
        with pytest.raises(NoRouteError) as err:
            router.route(p, a)
        assert err.value.field == "origin"


def test_closures_resolve_alike_however_given() -> None:
    """The resolved closure sets are remembered per request; the same closures given as a
    list, a tuple, a generator or a string resolve to the same set, and a date or an ice
    class still changes the answer."""
    router = sea_router()
    summer = dt.date(2026, 8, 15)
    plain = router.effective_closures(["suez", "malacca"])
    assert router.effective_closures(("suez", "malacca")) == plain
    assert router.effective_closures(p for p in ["suez", "malacca"]) == plain
    assert router.effective_closures("suez") == router.effective_closures(["suez"])
    assert "nsr" in plain
    opened = router.effective_closures(["suez", "malacca"], date=summer, ice_class="Arc7")
    assert "nsr" not in opened and {"suez", "malacca"} <= opened
    assert router.effective_closures([], seasons=False) == frozenset()


@pytest.mark.parametrize("closed", [(), ("suez",), ("malacca", "bab-el-mandeb")])
def test_a_block_of_ports_is_the_all_ports_matrix_sliced(
    closed: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a catalogue beyond FULL_MATRIX_PORTS plans on its candidates' block alone: the same
    # figures as the slice of the all-ports matrix a small catalogue uses
    router = sea_router()
    rng = np.random.default_rng(zlib.crc32(repr(closed).encode()))
    picks = [rng.choice(len(router.port_ids), size=n, replace=False) for n in (2, 17, 60)]
    picks.append(np.array([3, 3, 5]))  # a port twice: its own row twice
    sliced = [router.ports_matrix(p, closed=closed) for p in picks]
    monkeypatch.setattr(router, "full_matrix_ports", 0)
    for p, whole in zip(picks, sliced, strict=True):
        block = router.ports_matrix(p, closed=closed)
        np.testing.assert_array_equal(block, whole)
        assert not block.flags.writeable  # cached: shared by the plans that use it
    everything = router.distance_matrix(closed=closed)
    np.testing.assert_array_equal(sliced[2], everything[np.ix_(picks[2], picks[2])])
