"""The router is safe to share between threads: lazy caches are built once, under a lock."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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
