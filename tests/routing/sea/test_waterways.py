"""Ports up rivers, creeks and ship canals: connected, with sensible routes that keep to the water.

Four catalogue ports lie on fairways that the 1 km land raster draws as land: Kolkata on
the Hooghly, Kandla on Kandla Creek, Kaliningrad at the end of the Kaliningrad Sea Canal
and the Pregolya, Dudinka on the Yenisei. Each fairway is declared in
:attr:`routing.sea.passages.SeaData.waterways` (``data/sea/waterways.geojson``, a source
per feature). These tests check that
the ports are joined to the sea graph, that routes from them measure up to published
figures, and, independently of the router (pyproj geodesics and
``global_land_mask``), that a route runs down the river to its mouth and never crosses
more than 1 km of land outside the declared waterways. Kaspiysk, on the Caspian Sea,
stays unconnected: the Caspian has no sea link to the ocean.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely

from routing.errors import NoRouteError
from routing.sea.connect import PORT_SNAP_KM
from routing.sea.passages import default_sea_data
from routing.sea.router import Route
from tests.routing.sea.support import (
    GEOD,
    coast_land_flags,
    geodesic_samples,
    longest_land_km,
    sea_router,
)

WATERWAYS = default_sea_data().waterways
AUGUST = dt.date(2026, 8, 15)
BY_WATERWAY = {w.id: w for w in WATERWAYS}

RIVER_PORTS = {  # the declared waterways from the sea to the port, in order
    "in-kolkata-naval-base": ("hooghly",),
    "in-kandla-port": ("kandla-creek",),
    "ru-kaliningrad-port": ("kaliningrad-canal",),
    "ru-dudinka-port": ("yenisei-lower", "yenisei"),
}

# (origin, destination, date, lowest, highest nm, what the range rests on)
PUBLISHED = [
    (
        "in-kolkata-naval-base",
        "in-visakhapatnam-naval-dockyard",
        None,
        415.0,
        540.0,
        "two real tracks out of the estuary: the Kolkata dock is 144 km (78 nm) inland "
        "from Sagar Island at the estuary mouth (Syama Prasad Mookerjee Port, Kolkata, via "
        "Dredgewire, 2024-01-31) and the mouth is about 358 nm from Visakhapatnam, about "
        "436 nm leaving by the western (Eden) channel, 8 m (The Telegraph, 2009); by the "
        "Eastern Channel the Kolkata dock is 128 nm from the light vessel at the Sandheads "
        "(sea-seek.com), about 345 nm from Visakhapatnam: about 475 nm",
    ),
    (
        "in-kandla-port",
        "in-mumbai-naval-dockyard",
        None,
        410.0,
        470.0,
        "Kandla is 'over 430 nautical miles north-northwest of the Port of Mumbai' "
        "(Wikipedia, Kandla Port)",
    ),
    (
        "ru-kaliningrad-port",
        "ru-baltiysk-naval-base",
        None,
        18.0,
        27.0,
        "the Kaliningrad Sea Canal is 43 km (23 nm) from the Baltiysk moles to the port "
        "(de.wikipedia), 24 nm from the outer road (ostwest.su)",
    ),
    (
        "ru-dudinka-port",
        "ru-murmansk-port",
        AUGUST,
        1200.0,
        1550.0,
        "Dudinka is about 185 nm up the Yenisei from the Kara Sea (CRREL Report 96-3); "
        "Murmansk to the Yenisei Gulf by the Kara Gate about 1,000-1,100 nm",
    ),
]


def _route(origin: str, destination: str, date: dt.date | None = None) -> Route:
    return sea_router().route(origin, destination, date=date)


def _samples(route: Route) -> np.ndarray:
    return geodesic_samples(list(route.coordinates), step_m=250.0)


# -- declaration -------------------------------------------------------------------


def test_every_river_port_has_a_declared_waterway() -> None:
    declared = {wid for chain in RIVER_PORTS.values() for wid in chain}
    assert declared <= set(BY_WATERWAY)
    for w in (BY_WATERWAY[i] for i in declared):
        assert len(w.centerline) >= 2 and w.half_width_km > 0
        assert w.polygon.is_valid
    # the ship canal is a canal; the rivers and the creek are not
    assert BY_WATERWAY["kaliningrad-canal"].canal
    assert not any(BY_WATERWAY[i].canal for i in ("hooghly", "kandla-creek", "yenisei"))


def test_river_port_positions_lie_in_or_beside_their_waterway() -> None:
    """The catalogue position is within the port snap radius of its declared fairway."""
    router = sea_router()
    for pid, chain in RIVER_PORTS.items():
        i = router.port_ids.index(pid)
        sea = router.graph.port_sea[i]
        poly = BY_WATERWAY[chain[-1]].polygon  # the port end of the chain
        assert shapely.contains_xy(poly, float(sea[0]), float(sea[1])), pid
        assert router.graph.port_snap_km[i] <= PORT_SNAP_KM, pid


# -- connection ----------------------------------------------------------------------


@pytest.mark.parametrize("pid", sorted(RIVER_PORTS))
def test_river_port_is_connected(pid: str) -> None:
    router = sea_router()
    assert pid in router.port_ids
    assert not router.port_notes.get(pid, "").startswith("not connected"), router.port_notes[pid]
    g = router.graph
    out_node = g.n_core + 2 * router.port_ids.index(pid)
    assert int((g.a_from == out_node).sum()) >= 1


def test_the_caspian_stays_unconnected() -> None:
    router = sea_router()
    assert "ru-kaspiysk-naval-base" in router.port_ids
    assert router.port_notes["ru-kaspiysk-naval-base"].startswith("not connected")
    g = router.graph
    out_node = g.n_core + 2 * router.port_ids.index("ru-kaspiysk-naval-base")
    assert int((g.a_from == out_node).sum()) == 0


# -- published distances -------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "destination", "date", "low", "high", "basis"),
    PUBLISHED,
    ids=[f"{o}->{d}" for o, d, *_ in PUBLISHED],
)
def test_river_port_distance_matches_published_figures(
    origin: str, destination: str, date: dt.date | None, low: float, high: float, basis: str
) -> None:
    r = _route(origin, destination, date)
    assert low <= r.distance_nm <= high, f"{r.distance_nm:.1f} nm; expected: {basis}"
    back = _route(destination, origin, date)
    assert back.distance_nm == pytest.approx(r.distance_nm, rel=1e-6)


def test_dudinka_is_an_arctic_port() -> None:
    """Dudinka lies inside the Northern Sea Route: reachable in season, not without a date."""
    summer = _route("ru-dudinka-port", "ru-murmansk-port", AUGUST)
    assert "nsr" in summer.passages
    with pytest.raises(NoRouteError) as err:
        _route("ru-dudinka-port", "ru-murmansk-port")
    assert "nsr" in err.value.closures


# -- the route keeps to the water ------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "destination", "date", "low", "high", "basis"),
    PUBLISHED,
    ids=[f"{o}->{d}" for o, d, *_ in PUBLISHED],
)
def test_route_crosses_no_land_outside_the_declared_waterways(
    origin: str, destination: str, date: dt.date | None, low: float, high: float, basis: str
) -> None:
    """Sampled every 250 m, no stretch longer than 0.5 km lies on land (GSHHG full
    resolution and OSM agreeing) outside the declared waterway polygons."""
    del low, high, basis
    r = _route(origin, destination, date)
    samples = _samples(r)
    waterways = shapely.union_all([w.polygon for w in WATERWAYS])
    land = coast_land_flags(samples, waterways)
    assert longest_land_km(samples, land) <= 0.5
    # the declared fairway is what makes the route possible: the fine coastline
    # alone puts more than a kilometre of the same track on land
    assert longest_land_km(samples, coast_land_flags(samples, None)) > 1.0


@pytest.mark.parametrize("pid", sorted(RIVER_PORTS))
def test_route_from_a_river_port_follows_the_river_to_its_mouth(pid: str) -> None:
    """The route leaves by the declared fairway: it starts inside it, passes its seaward
    end, and the stretch up to there is about as long as the fairway (no short cut)."""
    chain = [BY_WATERWAY[wid] for wid in RIVER_PORTS[pid]]
    poly = shapely.union_all([w.polygon for w in chain])
    dest = "ru-murmansk-port" if pid == "ru-dudinka-port" else "sg-changi-naval-base"
    if pid == "ru-kaliningrad-port":
        dest = "gb-portsmouth-naval-base"  # out of the Baltic: the whole canal, then the sea
    r = _route(pid, dest, AUGUST)
    samples = _samples(r)
    x0, y0 = samples[0, 0], samples[0, 1]
    assert shapely.contains_xy(poly, x0, y0), "the route starts inside the waterway"
    mouth = chain[0].centerline[0]
    _, _, d = GEOD.inv(
        np.full(len(samples), mouth[0]),
        np.full(len(samples), mouth[1]),
        samples[:, 0],
        samples[:, 1],
    )
    k = int(np.argmin(d))
    assert d[k] <= 3000.0, f"the route passes {d[k] / 1000:.1f} km from the fairway's mouth"
    along_km = float(samples[k, 2])
    fairway_km = 0.0
    for w in chain:
        line = np.array(w.centerline)
        _, _, seg = GEOD.inv(line[:-1, 0], line[:-1, 1], line[1:, 0], line[1:, 1])
        fairway_km += float(np.sum(seg)) / 1000.0
    # the declared centre lines cut bends; GSHHG water may cut them shorter still
    assert 0.7 * fairway_km <= along_km <= 1.3 * fairway_km + 3.0, (along_km, fairway_km)
    # up to the mouth, no more than 0.5 km at a time on land outside the waterway
    first = samples[: k + 1]
    off = coast_land_flags(first, poly)
    assert longest_land_km(first, off) <= 0.5
