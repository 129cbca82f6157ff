"""The router is safe to share between threads: lazy caches are built once, under a lock."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from routing import memory as memory_module
from routing.sea.router import SeaRouter
from tests.routing.sea.support import sea_router


def test_a_cold_router_answers_alike_from_many_threads() -> None:
    shared = sea_router()
    cold = SeaRouter(shared.graph, cache_dir=shared.cache_dir, sea=shared.sea)
    queries = [
        ("ru-murmansk-port", "ru-vladivostok-naval-base", ("suez",)),
        ("in-mumbai-naval-dockyard", "ru-vladivostok-naval-base", ()),
        ("30.0,-35.0", "in-mumbai-naval-dockyard", ("malacca",)),  # a sea point: k-d tree, core
        ("ru-baltiysk-naval-base", "in-karwar-naval-base", ("suez", "panama")),
    ] * 6

    def ask(q: tuple[str, str, tuple[str, ...]]) -> tuple[float, tuple[str, ...]]:
        a, b, closed = q
        origin: str | tuple[float, float] = a
        if "," in a:
            lon, lat = (float(x) for x in a.split(","))
            origin = (lon, lat)
        r = cold.route(origin, b, closed=closed)
        return round(r.distance_nm, 6), r.passages

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, queries))
    expected = [ask(q) for q in queries]
    assert answers == expected
    assert len({answers[i] for i in range(0, len(answers), 4)}) == 1


def _fresh_block_router(monkeypatch: pytest.MonkeyPatch) -> SeaRouter:
    """A router over the shipped graph with nothing kept yet, answering by blocks (as for
    a catalogue beyond ``full_matrix_ports``)."""
    shared = sea_router()
    router = SeaRouter(shared.graph, cache_dir=shared.cache_dir, sea=shared.sea)
    monkeypatch.setattr(router, "full_matrix_ports", 0)
    return router


def test_blocks_asked_from_many_threads_are_the_blocks_asked_from_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a big catalogue's plans ask for blocks of overlapping ports under the same closure
    # sets at once (what each port keeps of the portals is shared by them, and the
    # products run on the kernel threads): every block is the one asked alone
    cold = _fresh_block_router(monkeypatch)
    monkeypatch.setattr(memory_module, "KERNEL_SPLIT_CELLS", 0)
    rng = np.random.default_rng(3)
    n = len(cold.port_ids)
    base = rng.choice(n, 60, replace=False)
    asks = [
        (np.concatenate([base, rng.choice(n, 6, replace=False)]), closed)
        for closed in (["suez"], ["suez", "malacca"], ["panama"])
        for _ in range(4)
    ]

    def ask(q: tuple[np.ndarray, list[str]]) -> np.ndarray:
        pos, closed = q
        return np.array(cold.ports_matrix(pos, closed=closed))

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(ask, asks))
    alone = _fresh_block_router(monkeypatch)
    for (pos, closed), got in zip(asks, answers, strict=True):
        want = alone._ports_matrix(pos, pos, alone.effective_closures(closed))
        alone._blank_unconnected(want, pos, pos)
        assert np.array_equal(np.isfinite(got), np.isfinite(want))
        fin = np.isfinite(want)
        np.testing.assert_allclose(got[fin], want[fin], rtol=1e-9, atol=1e-6)


def _block_in_child(router: SeaRouter, pos: np.ndarray, queue: Any) -> None:
    queue.put(np.array(router.ports_matrix(pos, closed=["suez"])).tolist())


def test_a_fork_while_another_thread_holds_a_lock_leaves_the_child_a_working_router(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a script that forks while another thread is inside the router: the locks it held are
    # taken across the fork, so the child's next block does not wait for ever
    import multiprocessing
    import threading
    import time

    router = _fresh_block_router(monkeypatch)
    pos = np.random.default_rng(8).choice(len(router.port_ids), 50, replace=False)
    router.ports_matrix(pos[:20], closed=["suez"])  # its closure set's portals are kept
    want = np.array(router.ports_matrix(pos, closed=["suez"])).tolist()
    router._blocks.clear()
    plan = router._plan_cached(router.effective_closures(["suez"]))
    ctx = multiprocessing.get_context("fork")
    for lock in (plan.row_picks.lock, router._lock):
        held = threading.Event()

        def hold(lock: Any = lock, held: threading.Event = held) -> None:
            with lock:
                held.set()
                time.sleep(0.3)

        holder = threading.Thread(target=hold)
        holder.start()
        held.wait()
        queue = ctx.Queue()
        child = ctx.Process(target=_block_in_child, args=(router, pos, queue))
        child.start()
        got = queue.get(timeout=60)
        child.join(timeout=60)
        holder.join()
        assert child.exitcode == 0 and got == want
