"""Adding a port to a built graph (issue 17): only that port is attached
(:func:`routing.sea.build.extend_graph`, through ``load_or_build(..., extend=True)``), and it
routes as it does in a graph built with it from the start."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

import routing.sea.cache as sea_cache
import routing.sea.straighten as sea_straighten
from routing.sea.build import reorder_ports
from routing.sea.cache import load_or_build
from routing.sea.graph import PortSite, SeaGraph
from routing.sea.passages import default_sea_data
from routing.sea.router import SeaRouter
from tests.routing.sea.support import sea_router

SEA = default_sea_data()
MUMBAI = PortSite("mumbai", 72.8667, 18.9667)
KOCHI = PortSite("kochi", 76.2333, 9.9667)
#: Nhava Sheva, across the harbour from Mumbai: a direct bay connector to it
JNPT = PortSite("jnpt", 72.95, 18.95)


@pytest.mark.parametrize("hubs", [100, 2], ids=["all-pairs", "hubs-and-spokes"])
def test_an_added_port_is_attached_alone_and_routes_as_in_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hubs: int
) -> None:
    """With two hubs (the first two ports), the full build pulls the routes between Mumbai
    and Kochi, then Nhava Sheva's to them as a spoke and each port's to its neighbours;
    the extension pulls the new port's the same way."""
    monkeypatch.setattr(sea_straighten, "STRAIGHTEN_HUBS", hubs)
    monkeypatch.setattr(sea_straighten, "STRAIGHTEN_SPREAD", 0)
    cache = _cache_with_backbone(tmp_path / "extended")
    base, _ = load_or_build([MUMBAI, KOCHI], cache_dir=cache, sea=SEA)

    def no_build(*args: object, **kwargs: object) -> SeaGraph:
        raise AssertionError("the graph was rebuilt, not extended")

    with monkeypatch.context() as m:
        m.setattr(sea_cache, "build_graph", no_build)
        # the new port in the middle of the list: the graph keeps the order asked for
        ext, _ = load_or_build([MUMBAI, JNPT, KOCHI], cache_dir=cache, sea=SEA, extend=True)
        again, _ = load_or_build([MUMBAI, JNPT, KOCHI], cache_dir=cache, sea=SEA, extend=True)
    assert ext.port_ids == ["mumbai", "jnpt", "kochi"] and again.version == ext.version
    assert ext.stats["ports_added"] == 1.0
    assert ext.stats["straight_checks_for_added_ports"] > 0  # its routes were pulled tight
    # the old ports' connectors are the same lines
    for i_old, i_new in ((0, 0), (1, 2)):
        assert _connectors(base, i_old) == _connectors(ext, i_new)

    full, _ = load_or_build(
        [MUMBAI, JNPT, KOCHI], cache_dir=_cache_with_backbone(tmp_path / "full"), sea=SEA
    )
    assert full.version == ext.version  # the same key: either may be served
    assert ("straight_hubs" in full.stats) == (hubs == 2)
    r_ext = SeaRouter(ext, cache_dir=cache, sea=SEA)
    r_full = SeaRouter(full, cache_dir=tmp_path / "full", sea=SEA)
    r_base = SeaRouter(base, cache_dir=cache, sea=SEA)
    for a, b in itertools.permutations(["mumbai", "jnpt", "kochi"], 2):
        got, want = r_ext.route(a, b).distance_nm, r_full.route(a, b).distance_nm
        assert got == pytest.approx(want, rel=0.01, abs=1.0), (a, b)
        if "jnpt" not in (a, b):  # an old route is no longer than before
            assert got <= r_base.route(a, b).distance_nm + 0.05
    # the two ports in the harbour are joined directly, as in the full build
    assert r_ext.route("jnpt", "mumbai").distance_nm < 15.0


def test_reordering_ports_keeps_every_route(tmp_path: Path) -> None:
    router = sea_router()
    g = router.graph
    ids = list(reversed(g.port_ids))
    moved = reorder_ports(g, ids)
    assert moved.port_ids == ids
    r2 = SeaRouter(moved, cache_dir=tmp_path, sea=router.sea)  # its own distance tables
    for a, b in [
        ("in-mumbai-naval-dockyard", "ru-vladivostok-naval-base"),
        ("fr-toulon-naval-base", "in-kochi-naval-base"),
    ]:
        want = router.route(a, b)
        got = r2.route(a, b)
        assert got.distance_nm == pytest.approx(want.distance_nm, abs=1e-9)
        assert np.array_equal(got.xy, want.xy)


def _connectors(g: SeaGraph, port: int) -> list[tuple[float, ...]]:
    out = g.n_core + 2 * port
    edges = np.nonzero((g.a_from == out) & (g.a_to < g.n_core))[0]
    return sorted(tuple(np.round(g.geometry(int(e)).ravel(), 9)) for e in edges)


def _cache_with_backbone(cache: Path) -> Path:
    """A fresh cache that links the shared land raster and backbone (not rebuilt here)."""
    shared = sea_router().cache_dir
    cache.mkdir(parents=True)
    for name in ("landbits-*.npy", "backbone-*.npz"):
        for f in shared.glob(name):
            (cache / f.name).symlink_to(f)
    return cache
