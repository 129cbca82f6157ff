"""The router's fast path (portal tables, Floyd-Warshall over passage portals) against a
plain Dijkstra on the full graph (networkx, from :meth:`SeaRouter.to_networkx`), for
random port pairs under random closure sets."""

from __future__ import annotations

import datetime as dt
import zlib

import networkx as nx
import numpy as np
import pytest

from routing.errors import NoRouteError
from tests.routing.sea.support import sea_router

CLOSURE_SETS: list[tuple[str, ...]] = [
    (),
    ("suez",),
    ("suez", "panama"),
    ("malacca", "singapore", "sunda"),
    ("gibraltar", "bosporus", "danish-straits"),  # a closure group
    ("cape-of-good-hope", "suez", "bab-el-mandeb"),
    ("lombok", "taiwan", "korea-tsushima", "dover"),
]


@pytest.mark.parametrize("date", [None, dt.date(2026, 8, 15)], ids=["no-date", "august"])
@pytest.mark.parametrize("closed", CLOSURE_SETS, ids=lambda c: "+".join(c) or "none")
def test_fast_path_matches_plain_dijkstra(closed: tuple[str, ...], date: dt.date | None) -> None:
    router = sea_router()
    graph = router.to_networkx(closed=closed, date=date)
    ports = list(router.connected_ports)
    rng = np.random.default_rng(zlib.crc32("+".join(closed).encode()))
    pairs = [tuple(rng.choice(len(ports), 2, replace=False)) for _ in range(12)]
    matrix = router.matrix(ports, closed=closed, date=date)
    for i, j in pairs:
        a, b = ports[int(i)], ports[int(j)]
        src, _ = router.port_nodes(a)
        _, dst = router.port_nodes(b)
        try:
            want = nx.dijkstra_path_length(graph, src, dst, weight="length_nm")
        except nx.NetworkXNoPath:
            with pytest.raises(NoRouteError):
                router.route(a, b, closed=closed, date=date)
            assert not np.isfinite(matrix[int(i), int(j)])
            continue
        got = router.route(a, b, closed=closed, date=date)
        assert got.distance_nm == pytest.approx(want, rel=1e-9, abs=1e-6), (a, b)
        assert matrix[int(i), int(j)] == pytest.approx(want, rel=1e-9, abs=1e-6), (a, b)
        assert not set(got.passages) & set(closed)


def test_networkx_export_leaves_closed_passages_out() -> None:
    router = sea_router()
    full = router.to_networkx()
    shut = router.to_networkx(closed=["suez"])
    assert full.number_of_nodes() == shut.number_of_nodes() == router.n_nodes
    summer = router.to_networkx(date=dt.date(2026, 8, 15))
    assert [d for _, _, d in summer.edges(data=True) if "nsr" in d["passages"]]
    assert not [d for _, _, d in full.edges(data=True) if "nsr" in d["passages"]]
    assert shut.number_of_edges() < full.number_of_edges()
    assert not [d for _, _, d in shut.edges(data=True) if "suez" in d["passages"]]
    assert [d for _, _, d in full.edges(data=True) if "suez" in d["passages"]]
    port = router.connected_ports[0]
    out, into = router.port_nodes(port)
    assert full.nodes[out]["port"] == full.nodes[into]["port"] == port
    assert (full.nodes[out]["role"], full.nodes[into]["role"]) == ("out", "in")
