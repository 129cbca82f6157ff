"""The router's tables and block products (issue 17): the tables as files, memory-mapped
and recomputed when one is missing; port-to-port blocks of any shape against a plain
search; the pruning of portals the products skip against a brute-force min-plus product;
and sea points whose attachment is remembered. No timings here: those are in
``bench/bench_scale.py``.
"""

from __future__ import annotations

import functools
import threading
import time
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing import memory as memory_module
from routing.budget import budget, check
from routing.errors import BudgetExceededError
from routing.memory import run_alongside, run_split, set_kernel_threads
from routing.sea import router as router_module
from routing.sea.passages import default_sea_data
from routing.sea.router import TABLE_KEYS, SeaRouter, _min_plus, _min_plus_rows, _useful
from tests.routing.sea.support import plain_port_distances, sea_router


def _plain(router: SeaRouter, closed: frozenset[str]) -> np.ndarray:
    """Port-to-port distances by Dijkstra over the graph's own edges (closed passages'
    arcs left out), ``inf`` for unconnected ports, 0 on the diagonal of connected ones."""
    g = router.graph
    p = np.arange(len(g.port_ids))
    d = plain_port_distances(router, closed)[:, g.n_core + 2 * p + 1]
    bad = ~g.connected
    d[bad, :] = np.inf
    d[:, bad] = np.inf
    np.fill_diagonal(d, np.where(bad, np.inf, 0.0))
    return d


EVERY_PASSAGE = tuple(p.id for p in default_sea_data().passages if p.closable)


@pytest.mark.parametrize(
    "closed",
    [(), ("malacca",), ("suez", "panama"), ("gibraltar", "bosporus", "dover"), EVERY_PASSAGE],
    ids=["none", "malacca", "suez+panama", "gibraltar+bosporus+dover", "every-passage"],
)
def test_blocks_of_any_shape_match_a_plain_search(
    closed: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a catalogue beyond FULL_MATRIX_PORTS: rows and columns of different ports, in any
    # order, with repeats; every figure the plain search's
    router = sea_router()
    eff = router.effective_closures(closed)
    want = _plain(router, eff)
    monkeypatch.setattr(router, "full_matrix_ports", 0)
    rng = np.random.default_rng(zlib.crc32(repr(closed).encode()))
    n = len(router.port_ids)
    for size in (1, 7, 40, n):
        rows = rng.choice(n, size, replace=size > n // 2)
        cols = rng.choice(n, max(1, size // 2), replace=False)
        got = router._ports_matrix(rows, cols, eff)
        router._blank_unconnected(got, rows, cols)
        sub = want[np.ix_(rows, cols)]
        assert np.array_equal(np.isfinite(got), np.isfinite(sub))
        fin = np.isfinite(sub)
        np.testing.assert_allclose(got[fin], sub[fin], rtol=1e-9, atol=1e-6)


def test_passage_arcs_of_no_length_are_sailed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a port attached where a passage edge ends can leave a piece of the passage of no
    # length (a big catalogue's graph has dozens, in the NSR, NWP, White Sea, Sea of Azov):
    # routes, blocks and blocks derived under fewer closures still sail through it, with
    # the plain search's figures (scipy reads a dense matrix's near-zero cells as no edge)
    shipped = sea_router()
    g = shipped.graph
    length = g.length_nm.copy()
    for pid in ("malacca", "gibraltar", "dover", "suez", "nsr"):
        edges = shipped._passage_edges[pid]
        length[edges[len(edges) // 2]] = 0.0  # one inside each passage
    graph = replace(g, version=g.version + "-zero", length_nm=length)
    router = SeaRouter(graph, cache_dir=tmp_path, sea=shipped.sea)
    n = len(router.port_ids)
    for closed in (frozenset(), frozenset({"panama", "cape-of-good-hope"})):
        want = _plain(router, closed)
        got = router._all_ports_matrix(closed)
        assert np.array_equal(np.isfinite(got), np.isfinite(want))
        fin = np.isfinite(want)
        np.testing.assert_allclose(got[fin], want[fin], rtol=1e-9, atol=1e-6)
    a, b = "in-mumbai-naval-dockyard", "gb-portsmouth-naval-base"
    route = router.route(a, b, closed=["cape-of-good-hope"])
    i, j = router.port_index(a), router.port_index(b)
    assert route.distance_nm == pytest.approx(want[i, j], abs=1e-6)
    # a block under the seasonal closures, then the same ports with them open
    monkeypatch.setattr(router, "full_matrix_ports", 0)
    pos = np.random.default_rng(5).choice(n, 80, replace=False)
    router.ports_matrix(pos, closed=["panama"])
    opened = np.array(router.ports_matrix(pos, closed=["panama"], seasons=False))
    want = _plain(router, frozenset({"panama"}))[np.ix_(pos, pos)]
    assert np.array_equal(np.isfinite(opened), np.isfinite(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(opened[fin], want[fin], rtol=1e-9, atol=1e-6)


def _metric(n: int, rng: np.random.Generator) -> np.ndarray:
    """Shortest distances over a random directed graph: a metric with the triangle
    inequality, some pairs ``inf``."""
    w = np.where(rng.random((n, n)) < 0.3, rng.random((n, n)) * 100.0, 0.0)
    d = np.asarray(dijkstra(csr_matrix(w), directed=True))
    return d


@pytest.mark.parametrize("seed", range(6))
def test_pruned_products_equal_the_full_min_plus(seed: int) -> None:
    # the candidates _useful drops never hold a row's minimum: the pruned product is the
    # full min-plus product, figure for figure
    rng = np.random.default_rng(seed)
    k, n_rows, n_cols = 30, 50, 40
    d = _metric(k + n_rows + n_cols, rng)
    rows = np.arange(n_rows) + k
    cols = np.arange(n_cols) + k + n_rows
    portals = np.arange(k)
    first = d[np.ix_(rows, portals)]  # row -> portal
    onward = d[np.ix_(portals, cols)]  # portal -> column
    among = d[np.ix_(portals, portals)].copy()
    np.fill_diagonal(among, np.inf)
    keys, picks, cost = _useful(np.arange(n_rows), first, among)
    got = np.full((n_rows, n_cols), np.inf)
    part = got[keys]
    _min_plus_rows(part, onward, picks, cost)
    got[keys] = part
    want = _min_plus(first, onward)
    # the same, the rows read from and written back to a wider ``out`` in place
    wide = np.full((n_rows + 7, n_cols), 5.0)
    at = keys * 2 % (n_rows + 7)  # distinct rows, not in order
    wide[at] = np.inf
    _min_plus_rows(wide, onward, picks, cost, at)
    assert np.array_equal(wide[at], part)
    assert (np.delete(wide, at, axis=0) == 5.0).all()
    assert np.array_equal(np.isfinite(got), np.isfinite(want))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert picks.shape[1] < k  # something was pruned


@pytest.mark.parametrize("threads", [2, 3])
def test_products_split_over_threads_are_the_products_of_one(
    threads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a big block's products run on the kernel threads, each writing its own rows: every
    # figure is the one-thread figure (rows in place or in order, rows of unequal work,
    # rows with nothing to add)
    rng = np.random.default_rng(threads)
    n_out, n_cols, n_tab, width = 61, 37, 23, 9
    table = np.where(rng.random((n_tab, n_cols)) < 0.1, np.inf, rng.random((n_tab, n_cols)) * 90)
    picks = rng.integers(0, n_tab, (n_out, width))
    cost = rng.random((n_out, width)) * 50
    counts = np.sort(rng.integers(0, width + 1, n_out))[::-1]  # most first, some none
    cost[np.arange(width)[None, :] >= counts[:, None]] = np.inf
    base = rng.random((n_out + 5, n_cols)) * 200
    at = rng.permutation(n_out + 5)[:n_out]
    a, b = rng.random((40, 12)) * 30, np.where(rng.random((12, 17)) < 0.2, np.inf, 9.0)
    results = []
    for n_threads in (1, threads):
        before = set_kernel_threads(n_threads)
        try:
            monkeypatch.setattr(memory_module, "KERNEL_SPLIT_CELLS", 0)
            in_order, in_place = base[:n_out].copy(), base.copy()
            _min_plus_rows(in_order, table, picks, cost)
            _min_plus_rows(in_place, table, picks, cost, at)
            results.append((in_order, in_place, _min_plus(a, b)))
        finally:
            set_kernel_threads(before)
    for one, many in zip(*results, strict=True):
        assert np.array_equal(one, many)
    assert (results[0][0] < base[:n_out]).any()  # the products did something
    assert np.array_equal(results[0][2], np.min(a[:, :, None] + b[None], axis=1))
    with pytest.raises(ValueError, match="at least 1"):
        set_kernel_threads(0)


def test_work_alongside_that_splits_its_own_never_waits_on_busy_threads() -> None:
    """Blocks measured side by side (run_alongside) split their own products over the
    same kernel threads (run_split): with every thread busy with such work, each still
    finishes (what no thread has begun, its caller does), each piece once, results in
    order."""
    before = set_kernel_threads(2)
    try:
        done: list[tuple[int, int]] = []
        lock = threading.Lock()

        def piece(job: int, k: int) -> None:
            time.sleep(0.01)
            with lock:
                done.append((job, k))

        def job(j: int) -> int:
            run_split([functools.partial(piece, j, k) for k in range(3)])
            return j * 10

        out: list[int] = []
        runner = threading.Thread(
            daemon=True,
            target=lambda: out.extend(run_alongside([functools.partial(job, j) for j in range(4)])),
        )
        runner.start()
        runner.join(timeout=30)
        assert not runner.is_alive(), "work alongside waited for ever"
        assert out == [0, 10, 20, 30]
        assert sorted(done) == [(j, k) for j in range(4) for k in range(3)]
    finally:
        set_kernel_threads(before)


def test_work_alongside_keeps_the_request_budget() -> None:
    """Work handed to a kernel thread runs under the request's time budget: it stops
    when the budget runs out, and the caller hears why."""
    before = set_kernel_threads(2)
    try:
        started = threading.Event()

        def handed() -> None:
            started.set()
            time.sleep(0.2)
            check()

        with budget(0.05), pytest.raises(BudgetExceededError):
            run_alongside([lambda: started.wait(10), handed])
    finally:
        set_kernel_threads(before)


def test_tables_are_files_recomputed_when_one_is_missing(tmp_path: Path) -> None:
    shipped = sea_router()
    router = SeaRouter(shipped.graph, cache_dir=tmp_path, sea=shipped.sea)
    tables = router._load_tables()
    paths = router._table_paths()
    assert sorted(paths) == sorted(TABLE_KEYS) and all(p.exists() for p in paths.values())
    # memory-mapped, read in as queries touch it, never written
    assert not tables["pp"].flags.owndata and not tables["pp"].flags.writeable
    assert tables["pred"].dtype == np.int16  # under 32,768 nodes
    for key in TABLE_KEYS:
        np.testing.assert_array_equal(tables[key], shipped._load_tables()[key])
    # a table lost: the next router computes them again, the same
    paths["pt"].unlink()
    again = SeaRouter(shipped.graph, cache_dir=tmp_path, sea=shipped.sea)
    np.testing.assert_array_equal(again._load_tables()["pt"], tables["pt"])
    a, b = shipped.connected_ports[0], shipped.connected_ports[-1]
    r1, r2 = shipped.route(a, b, closed=["suez"]), again.route(a, b, closed=["suez"])
    assert r1.distance_nm == r2.distance_nm and np.array_equal(r1.xy, r2.xy)


def test_a_sea_point_asked_again_is_not_searched_again(monkeypatch: pytest.MonkeyPatch) -> None:
    router = sea_router()
    router._attachments.clear()
    calls: list[tuple[float, float]] = []
    searched = router_module.attach

    def counting(*args: object, **kwargs: object) -> object:
        calls.append((args[3], args[4]))  # type: ignore[arg-type]
        return searched(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(router_module, "attach", counting)
    # a harbour point (a raster search) and an open-sea one (straight connectors)
    x, y = router.graph.port_sea[router.port_index("in-mumbai-naval-dockyard")]
    harbour = (float(x), float(y))
    ocean = (65.0, 15.0)
    dest = "ru-vladivostok-naval-base"
    first = [router.route(p, dest) for p in (harbour, ocean)]
    n_searches = len(calls)
    assert n_searches >= 1  # the harbour point needed the raster search
    second = [router.route(p, dest) for p in (harbour, ocean)]
    assert len(calls) == n_searches
    for r1, r2 in zip(first, second, strict=True):
        assert r1.distance_nm == r2.distance_nm and np.array_equal(r1.xy, r2.xy)
    router._attachments.clear()
    fresh = router.route(harbour, dest)
    assert fresh.distance_nm == first[0].distance_nm and np.array_equal(fresh.xy, first[0].xy)


def _spied(monkeypatch: pytest.MonkeyPatch) -> tuple[SeaRouter, list[tuple[Any, ...]]]:
    """A router whose blocks are all asked for (no all-ports matrix), and the blocks it
    searches, ``("searched", rows, cols, closed)``, and derives from a block under more
    closures, ``("derived", rows, cols, closed, wider)``, in the order done."""
    router = sea_router()
    monkeypatch.setattr(router, "full_matrix_ports", 0)
    calls: list[tuple[Any, ...]] = []
    search, derive = router._ports_matrix, router._opened

    def searched(rows: np.ndarray, cols: np.ndarray, closed: frozenset[str]) -> np.ndarray:
        calls.append(("searched", rows, cols, closed))
        return search(rows, cols, closed)

    def derived(
        rows: np.ndarray,
        cols: np.ndarray,
        closed: frozenset[str],
        wider: frozenset[str],
        base: np.ndarray,
    ) -> np.ndarray:
        calls.append(("derived", rows, cols, closed, wider))
        return derive(rows, cols, closed, wider, base)

    monkeypatch.setattr(router, "_ports_matrix", searched)
    monkeypatch.setattr(router, "_opened", derived)
    return router, calls


def _some_and_more(
    router: SeaRouter, rng: np.random.Generator, some: int, more: int
) -> tuple[np.ndarray, np.ndarray]:
    """``some`` of the router's ports (a planner's candidates) and ``more`` others (those
    a hypothetical agreement opens)."""
    n = len(router.port_ids)
    base = rng.choice(n, some, replace=False)
    return base, rng.choice(np.setdiff1d(np.arange(n), base), more, replace=False)


def test_a_block_under_fewer_closures_is_derived_from_the_wider_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a planner asks for its candidates with the seasonal passages shut, then open: the
    # second block comes from the first (only routes through what opened are searched),
    # with the plain search's figures
    router, calls = _spied(monkeypatch)
    rng = np.random.default_rng(11)
    pos = rng.choice(len(router.port_ids), 90, replace=False)
    steps: list[tuple[list[str], bool]] = [
        (["suez", "malacca", "panama"], True),  # and the seasonal ones (no date)
        (["suez", "malacca"], True),
        (["suez"], False),
        ([], False),
    ]
    blocks: list[np.ndarray] = []
    for closed, seasons in steps:
        eff = router.effective_closures(closed, seasons=seasons)
        got = np.array(router.ports_matrix(pos, closed=closed, seasons=seasons))
        want = _plain(router, eff)[np.ix_(pos, pos)]
        assert np.array_equal(np.isfinite(got), np.isfinite(want))
        fin = np.isfinite(want)
        np.testing.assert_allclose(got[fin], want[fin], rtol=1e-9, atol=1e-6)
        if blocks:
            kind, *_, under, wider = calls[-1]  # derived, not searched afresh
            assert kind == "derived" and under == eff and wider > eff
            assert (got < blocks[-1] - 1.0).any()  # and some routes are shorter for it
        blocks.append(got)
    assert [c[0] for c in calls] == ["searched"] + ["derived"] * (len(steps) - 1)


def test_a_block_with_a_few_more_ports_is_grown_from_the_kept_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a planner's candidates, then the same with the ports a hypothetical agreement opens
    # (in another order, one repeated): only the new ports' rows and columns are searched,
    # and every figure is the plain search's
    router, calls = _spied(monkeypatch)
    rng = np.random.default_rng(17)
    base, more = _some_and_more(router, rng, 60, 5)
    grown = rng.permutation(np.concatenate([base, more, base[:1]]))
    for closed in ([], ["suez", "malacca"]):
        eff = router.effective_closures(closed)
        want = _plain(router, eff)
        calls.clear()
        router.ports_matrix(base, closed=closed)
        got = np.array(router.ports_matrix(grown, closed=closed))
        searched = [(len(c[1]), len(c[2])) for c in calls if c[0] == "searched"]
        assert len(searched) == len(calls)
        assert searched[0] == (60, 60)  # the first block, searched whole
        assert sorted(searched[1:]) == [(5, 66), (61, 5)]  # then only what is new
        sub = want[np.ix_(grown, grown)]
        assert np.array_equal(np.isfinite(got), np.isfinite(sub))
        fin = np.isfinite(sub)
        np.testing.assert_allclose(got[fin], sub[fin], rtol=1e-9, atol=1e-6)


def test_a_grown_block_under_fewer_closures_derives_its_new_rows_from_the_wider_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a planner's candidates with the seasonal passages shut, then open; then the same
    # with the ports a hypothetical agreement opens, shut (grown: the new rows searched)
    # and open: grown from the open block, the new rows and columns derived from the
    # grown shut one (routes through what opened), not searched under the open set
    router, calls = _spied(monkeypatch)
    rng = np.random.default_rng(23)
    base, more = _some_and_more(router, rng, 70, 6)
    grown = rng.permutation(np.concatenate([base, more]))
    shut = router.effective_closures(["suez"], seasons=True)
    open_ = router.effective_closures(["suez"], seasons=False)
    assert open_ < shut
    router.ports_matrix(base, closed=["suez"], seasons=True)
    router.ports_matrix(base, closed=["suez"], seasons=False)
    router.ports_matrix(grown, closed=["suez"], seasons=True)
    calls.clear()
    got = np.array(router.ports_matrix(grown, closed=["suez"], seasons=False))
    assert sorted((c[0], len(c[1]), len(c[2])) for c in calls) == [
        ("derived", 6, 76),
        ("derived", 70, 6),
    ]
    want = _plain(router, open_)[np.ix_(grown, grown)]
    assert np.array_equal(np.isfinite(got), np.isfinite(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=1e-9, atol=1e-6)
    shut_block = np.array(router.ports_matrix(grown, closed=["suez"], seasons=True))
    assert (got < shut_block - 1.0).any()  # the seasonal passages shorten some


def _product_in_child(queue: object) -> None:
    a, b = np.arange(12.0).reshape(6, 2), np.arange(8.0).reshape(2, 4)
    memory_module.KERNEL_SPLIT_CELLS = 0  # split even this one
    queue.put(_min_plus(a, b).tolist())  # type: ignore[attr-defined]


def test_a_forked_process_makes_its_own_kernel_threads() -> None:
    # the parent's kernel threads do not survive a fork (a sweep's or a server's worker
    # made that way): the child's products run on threads of its own, not hang
    import multiprocessing

    before = set_kernel_threads(2)
    try:
        _min_plus(np.ones((300, 80)), np.ones((80, 120)))  # the parent's pool is made
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        child = ctx.Process(target=_product_in_child, args=(queue,))
        child.start()
        got = queue.get(timeout=60)
        child.join(timeout=60)
        assert child.exitcode == 0
        a, b = np.arange(12.0).reshape(6, 2), np.arange(8.0).reshape(2, 4)
        assert got == np.min(a[:, :, None] + b[None], axis=1).tolist()
    finally:
        set_kernel_threads(before)
