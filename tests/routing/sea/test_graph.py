"""The built sea graph: land safety of its edges, connectors, passages, seasons, cache."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from routing.errors import InvalidInputError, UnknownPassageError
from routing.geo import LonLat
from routing.paths import default_cache_dir
from routing.sea.build import BUILD_VERSION
from routing.sea.cache import backbone_key, graph_key
from routing.sea.graph import PortSite
from routing.sea.land import LandMask, mask_source_path
from routing.sea.passages import default_sea_data
from tests.routing.sea.support import (
    UNCONNECTED,
    coast_land_flags,
    declared_waterways,
    geodesic_samples,
    longest_land_km,
    sea_router,
)

SEA = default_sea_data()
BY_ID = SEA.by_id
PASSAGES = SEA.passages
WATERWAYS = SEA.waterways
check_passage_ids = SEA.check_passage_ids
seasonal_closures = SEA.seasonal_closures
seasonal_open = SEA.seasonal_open

REQUIRED = [
    "suez",
    "bab-el-mandeb",
    "hormuz",
    "malacca",
    "singapore",
    "sunda",
    "lombok",
    "gibraltar",
    "bosporus",
    "panama",
    "cape-of-good-hope",
    "bering",
    "nsr",
    "nwp",
    "korea-strait-western-channel",
    "tsushima-strait-eastern-channel",
    "taiwan",
    "great-belt",
    "oresund",
]


def test_required_passages_are_defined_with_kinds() -> None:
    ids = {p.id for p in PASSAGES}
    assert set(REQUIRED) <= ids
    assert BY_ID["suez"].kind == "canal" and BY_ID["panama"].kind == "canal"
    assert BY_ID["cape-of-good-hope"].kind == "cape"
    assert BY_ID["nsr"].kind == "seasonal_route" and BY_ID["nwp"].kind == "seasonal_route"


@pytest.fixture(scope="module")
def gshhg() -> Any:
    """GSHHG full-resolution land (roaring-landmask; loads in a few seconds)."""
    from roaring_landmask import RoaringLandmask

    return RoaringLandmask.new()


@pytest.mark.parametrize("passage", [p for p in PASSAGES if p.gates], ids=lambda p: p.id)
def test_gates_start_and_end_on_land(passage: object, gshhg: Any) -> None:
    """A gate that ended at sea could be sailed round without being crossed. Checked on
    GSHHG full resolution (roaring-landmask), finer than the 1 km raster."""
    assert hasattr(passage, "gates")
    for gate in passage.gates:
        for lon, lat in (gate[0], gate[-1]):
            x = (lon + 180.0) % 360.0 - 180.0
            assert gshhg.contains(x, lat), f"{passage.id}: gate end ({lon}, {lat}) is at sea"


def test_every_passage_tags_some_edge() -> None:
    router = sea_router()
    for p in PASSAGES:
        if p.closable:
            assert router._passage_edges[p.id].size > 0, f"no edge crosses {p.id}"
        else:  # warning-only ice regions are found on the track, not tagged in the graph
            assert router._passage_edges[p.id].size == 0, p.id


def test_marnet_arctic_routes_exist() -> None:
    """MARNET carries both the Northern Sea Route and the Northwest Passage."""
    router = sea_router()
    assert router._passage_edges["nsr"].size >= 5
    assert router._passage_edges["nwp"].size >= 5


def test_no_graph_edge_crosses_land() -> None:
    """Every edge and connector, sampled every 250 m on its geodesic, stays off land.

    Land is where GSHHG full resolution and OSM land polygons agree (issue #11's
    measure); inside the declared canals and rivers it is not counted, nor within
    2 km of a port (a berth may lie on a quay). No stretch may exceed 0.5 km.
    """
    router = sea_router()
    g = router.graph
    waivers = declared_waterways(router)
    worst = (0.0, -1)
    for e in range(len(g.a_from)):
        c = g.geometry(e)
        samples = geodesic_samples([LonLat(float(x), float(y)) for x, y in c], step_m=250.0)
        land = coast_land_flags(samples, waivers)
        if g.a_from[e] >= g.n_core:
            land &= samples[:, 2] > 2.0
        if g.a_to[e] >= g.n_core:
            land &= samples[:, 2] < samples[-1, 2] - 2.0
        if land.any():
            km = longest_land_km(samples, land)
            worst = max(worst, (km, e))
    mid = g.geometry(worst[1])[len(g.geometry(worst[1])) // 2] if worst[1] >= 0 else None
    assert worst[0] <= 0.5, f"edge {worst[1]} near {mid} has {worst[0]:.2f} km on land"


def test_ports_have_sea_connectors_or_a_reason() -> None:
    router = sea_router()
    g = router.graph
    connected = 0
    for i, pid in enumerate(router.port_ids):
        out_node = g.n_core + 2 * i
        n_conn = int((g.a_from == out_node).sum())
        note = router.port_notes.get(pid, "")
        if note.startswith("not connected"):
            assert n_conn == 0
            assert pid in UNCONNECTED, note
            continue
        connected += 1
        assert n_conn >= 1, pid
        # the sea point is on water (or within 3 km of the given position)
        assert g.port_snap_km[i] <= 3.0
    assert connected == len(router.port_ids) - len(UNCONNECTED) == len(list(router.connected_ports))


def test_most_ports_have_two_attachments() -> None:
    router = sea_router()
    g = router.graph
    counts = []
    for i in range(len(router.port_ids)):
        out_node = g.n_core + 2 * i
        to = g.a_to[g.a_from == out_node]
        counts.append(int((to < g.n_core).sum()))
    assert np.mean(np.array(counts) >= 2) > 0.6


@pytest.mark.parametrize(
    ("port", "bay", "box", "dest"),
    [
        (
            "ru-petropavlovsk-kamchatsky-port",
            "Avacha Bay",
            (158.40, 52.85, 158.80, 53.10),
            "jp-yokosuka-naval-base",
        ),
        (
            "ru-severomorsk-naval-base",
            "Kola Bay",
            (33.0, 69.0, 33.75, 69.30),
            "gb-portsmouth-naval-base",
        ),
    ],
)
def test_port_leaves_through_its_bay(
    port: str, bay: str, box: tuple[float, ...], dest: str
) -> None:
    """The first nautical miles of a route from the port lie inside its bay."""
    router = sea_router()
    r = router.route(port, dest)
    poly = shapely.box(*box)
    start = r.coordinates[0]
    assert shapely.contains_xy(poly, start.lon, start.lat), f"does not start in {bay}"
    samples = geodesic_samples(list(r.coordinates[:40]), step_m=500.0)
    near = samples[samples[:, 2] < 8.0]
    assert shapely.contains_xy(poly, near[:, 0], near[:, 1]).all(), f"leaves {bay} over land"


def test_petropavlovsk_connector_is_much_shorter_than_the_marnet_gap() -> None:
    """MARNET's nearest node is ~150 nm away; our connector reaches open water by Avacha Bay."""
    router = sea_router()
    r = router.route("ru-petropavlovsk-kamchatsky-port", "ru-vladivostok-naval-base")
    d = np.array([c.lat for c in r.coordinates])
    assert r.distance_nm < 1500
    assert d.min() > 42.0


# -- seasons ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "ice", "open_"),
    [
        (dt.date(2025, 8, 15), None, True),
        (dt.date(2025, 7, 1), None, True),
        (dt.date(2025, 11, 15), None, True),
        (dt.date(2025, 11, 16), None, False),
        (dt.date(2025, 2, 1), None, False),
        (dt.date(2025, 6, 15), "Arc4", True),
        (dt.date(2025, 2, 1), "Arc4", False),
        (dt.date(2025, 2, 1), "Arc7", True),
        (dt.date(2025, 2, 1), "ice2", False),
        (None, "Arc9", False),
    ],
)
def test_nsr_season(date: dt.date | None, ice: str | None, open_: bool) -> None:
    assert seasonal_open("nsr", date, ice) is open_


def test_no_date_closes_seasonal_routes() -> None:
    assert seasonal_closures(None, None) == {"nsr", "nwp"}


def test_unknown_ice_class_and_passage_are_named() -> None:
    with pytest.raises(InvalidInputError, match="ice class"):
        seasonal_open("nsr", dt.date(2025, 8, 1), "Arc99")
    with pytest.raises(UnknownPassageError, match="atlantis"):
        check_passage_ids(["suez", "atlantis"])


# -- cache -----------------------------------------------------------------------


def test_cache_key_depends_on_inputs() -> None:
    a = backbone_key("m1", "l1", SEA)
    assert a != backbone_key("m2", "l1", SEA) != backbone_key("m1", "l2", SEA)
    ports = [PortSite("x", 1.0, 2.0)]
    assert graph_key(a, ports, SEA) != graph_key(a, [PortSite("x", 1.0, 2.1)], SEA)
    assert graph_key(a, ports, SEA) != graph_key(backbone_key("m1", "l2", SEA), ports, SEA)
    assert BUILD_VERSION


def test_cache_dir_follows_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RELOS_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("RELOS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x" / "relos-planner"


def test_cache_lives_outside_the_repository_and_is_complete() -> None:
    router = sea_router()
    repo = Path(__file__).resolve().parents[2]
    assert repo not in router.cache_dir.resolve().parents
    names = os.listdir(router.cache_dir)
    assert f"graph-{router.graph_version}.npz" in names
    assert not [n for n in names if n.endswith(".tmp")]


def test_packed_land_mask_matches_the_package() -> None:
    from global_land_mask import globe

    mask = LandMask.load(sea_router().cache_dir)
    rng = np.random.default_rng(7)
    lon = rng.uniform(-180, 180, 20000)
    lat = rng.uniform(-89, 89, 20000)
    assert (mask.is_land(lon, lat) == globe.is_land(lat, lon)).all()
    assert mask.digest and mask_source_path().exists()


def test_waterways_cover_the_canals() -> None:
    ids = {w.id for w in WATERWAYS}
    assert {"suez", "panama", "kiel", "corinth"} <= ids
