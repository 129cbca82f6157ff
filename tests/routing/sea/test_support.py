"""The independent checks of the sea tests, and the router they run on."""

from __future__ import annotations

import numpy as np

from routing.sea.router import SeaRouter
from tests.routing.sea.support import UNCONNECTED, catalogue, land_flags, sea_router


def test_support_finds_known_land() -> None:
    """The independent land check itself: Paris is land, the mid-Atlantic is not."""
    s = np.array([[2.35, 48.86, 0.0], [-30.0, 30.0, 1.0]])
    assert land_flags(s, None).tolist() == [True, False]


def test_router_under_test_is_the_products() -> None:
    """The tests route over the graph the API, CLI and planner use: same ports, same build."""
    from routing.service import default_planner
    from routing.vocab import SEA_KINDS

    router = sea_router()
    ports = [f.id for f in catalogue() if f.kind in SEA_KINDS]
    assert list(router.port_ids) == ports
    assert not [p for p in router.port_ids if p.startswith("ref-")]
    product = default_planner().sea
    assert isinstance(product, SeaRouter)
    assert product.graph_version == router.graph_version


def test_only_the_caspian_port_is_unconnected() -> None:
    """Every catalogue port but Kaspiysk (the Caspian has no sea link) is joined to the graph."""
    router = sea_router()
    assert set(router.port_ids) - set(list(router.connected_ports)) == UNCONNECTED
