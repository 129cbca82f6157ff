"""Sea routes as a planner sees them: distances, passages, closures, seasons, errors."""

from __future__ import annotations

import datetime as dt
import itertools
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.errors import NoRouteError, OnLandError, UnknownFacilityError, UnknownPassageError
from routing.geo import LonLat, geodesic_nm_many, unwrap_array
from routing.sea.passages import default_sea_data
from routing.sea.timing import transits
from tests.routing.sea.support import (
    UNCONNECTED,
    catalogue,
    crossed_passages,
    sea_router,
)

SUMMER = dt.date(2025, 8, 10)
WINTER = dt.date(2025, 2, 10)
KM_PER_NM = 1.852

# Catalogue facility ids (data/facilities.geojson) used below.
MURMANSK = "ru-murmansk-port"
MUMBAI = "in-mumbai-naval-dockyard"
PORTSMOUTH = "gb-portsmouth-naval-base"
SINGAPORE = "sg-changi-naval-base"
VLADIVOSTOK = "ru-vladivostok-naval-base"

# Two harbours with published distances that are not in the catalogue, as sea points in
# their approach water (the router takes a point wherever it takes a port).
#: Yokohama: harbour water off Osanbashi Pier, about 1.4 km east-north-east of the port's
#: coordinates 35°27'00"N 139°38'46"E (Wikipedia, "Port of Yokohama"), which fall on the
#: quays; water in both the router's land mask and ``global_land_mask``.
YOKOHAMA = LonLat(139.660, 35.455)
#: Rotterdam: the Maasmond, the entrance of the Nieuwe Waterweg, where "there is 52N 4E"
#: (Degree Confluence Project, 52°N 4°E, visit of 9 Oct 2002, confluence.org visitid=6099);
#: ships take the Rotterdam pilot about 2 nm off it.
ROTTERDAM = LonLat(4.0, 52.0)


def within(value: float, published: float, tol: float) -> bool:
    return abs(value - published) <= tol * published


# -- published distances -----------------------------------------------------------


def test_murmansk_yokohama_via_suez_matches_published_distance() -> None:
    """Rosatom / Valdai Club: Murmansk-Yokohama is 12,840 nm through the Suez Canal
    (issue #11's target: within 2 %)."""
    r = sea_router().route(MURMANSK, YOKOHAMA)
    assert "suez" in r.passages
    assert within(r.distance_nm, 12840, 0.02), r.distance_nm


def test_murmansk_yokohama_via_nsr_matches_published_distance() -> None:
    """Rosatom / Valdai Club: 5,770 nm by the Northern Sea Route (issue #11's target:
    within 5 %; measured 2026-11-29: 5,876 nm with the straight legs, 6,064 before)."""
    r = sea_router().route(MURMANSK, YOKOHAMA, date=SUMMER)
    assert r.passages[0] == "nsr" and "bering" in r.passages
    assert within(r.distance_nm, 5770, 0.05), r.distance_nm


def test_st_petersburg_vladivostok_via_nsr_matches_published_distance() -> None:
    """Valdai Club: St Petersburg-Vladivostok by the Northern Sea Route is 14,280 km
    (7,711 nm; issue #11's target: within 5 % for a ship that may use it; measured
    2026-11-29: 8,017 nm, 8,239 before the straight legs)."""
    r = sea_router().route(
        "ru-st-petersburg-port", "ru-vladivostok-port", date=SUMMER, ice_class="Arc7"
    )
    assert "nsr" in r.passages and "suez" not in r.passages
    assert within(r.distance_nm, 14280 / KM_PER_NM, 0.05), r.distance_nm


def test_st_petersburg_vladivostok_via_suez_matches_published_distance() -> None:
    """Valdai Club: St Petersburg-Vladivostok through the Suez Canal is 23,200 km
    (12,527 nm; issue #11's target: within 2 %)."""
    r = sea_router().route("ru-st-petersburg-port", "ru-vladivostok-port")
    assert "suez" in r.passages
    assert within(r.distance_nm, 23200 / KM_PER_NM, 0.02), r.distance_nm


def test_singapore_rotterdam_suez_and_cape() -> None:
    """About 8,300 nm through Suez; the Cape adds about 3,500 nm (Alphaliner, CMA CGM).

    Singapore is the catalogue's Changi Naval Base, at the east end of Singapore Strait.
    """
    router = sea_router()
    suez = router.route(SINGAPORE, ROTTERDAM)
    cape = router.route(SINGAPORE, ROTTERDAM, closed=["suez"])
    assert "suez" in suez.passages and "cape-of-good-hope" in cape.passages
    assert within(suez.distance_nm, 8300, 0.05), suez.distance_nm
    assert 3000 < cape.distance_nm - suez.distance_nm < 4000


# -- geometry --------------------------------------------------------------------


def test_distance_is_the_geodesic_length_of_the_track() -> None:
    r = sea_router().route(MUMBAI, PORTSMOUTH)
    c = np.array(r.coordinates)
    nm = geodesic_nm_many(c[:-1, 0], c[:-1, 1], c[1:, 0], c[1:, 1]).sum()
    assert r.distance_nm == pytest.approx(nm, rel=1e-3)
    assert r.duration_h(15.0) == pytest.approx(r.distance_nm / 15.0)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    pair=st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)),
    closed=st.sets(st.sampled_from(["suez", "malacca", "panama", "bab-el-mandeb"]), max_size=2),
)
def test_distances_along_a_track_gathered_with_it_are_the_measured_ones(
    pair: tuple[int, int], closed: set[str]
) -> None:
    """Where a passage is entered along a route (``transits``: ``entered_nm`` in the
    answers) is read from the steps the router gathers with the track: they are the
    track's own geodesic steps, whichever arcs were measured first."""
    router = sea_router()
    ids = list(router.connected_ports)
    a, b = ids[pair[0] % len(ids)], ids[(pair[0] + 1 + pair[1] % (len(ids) - 1)) % len(ids)]
    try:
        r = router.route(a, b, closed=closed)
    except NoRouteError:
        return
    assert r.steps_nm is not None  # a port-to-port route gathers them
    kept = pickle.loads(pickle.dumps(r))
    assert kept.steps_from is None and np.array_equal(kept.steps_nm, r.steps_nm)
    xy = r.xy
    measured = np.r_[0.0, geodesic_nm_many(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])]
    np.testing.assert_allclose(r.steps_nm, measured, rtol=1e-12, atol=1e-9)
    assert r.steps_nm.sum() == pytest.approx(r.distance_nm, rel=1e-9)
    track = unwrap_array(xy)
    gathered = transits(default_sea_data(), track, steps_nm=r.steps_nm)
    fresh = transits(default_sea_data(), track)
    assert [(t.passage, t.kind) for t in gathered] == [(t.passage, t.kind) for t in fresh]
    for g, f in zip(gathered, fresh, strict=True):
        assert g.enter_nm == pytest.approx(f.enter_nm, abs=1e-6)
        assert g.exit_nm == pytest.approx(f.exit_nm, abs=1e-6)


def test_route_starts_and_ends_at_the_ports() -> None:
    router = sea_router()
    g = router.graph
    r = router.route("in-karwar-naval-base", "in-port-blair-naval-base")
    a = g.port_sea[router.port_index("in-karwar-naval-base")]
    b = g.port_sea[router.port_index("in-port-blair-naval-base")]
    assert r.coordinates[0] == pytest.approx(tuple(a), abs=1e-6)
    assert r.coordinates[-1] == pytest.approx(tuple(b), abs=1e-6)


def test_antimeridian_track_is_continuous_for_maps() -> None:
    r = sea_router().route("ru-petropavlovsk-kamchatsky-port", "us-pearl-harbor-naval-station")
    raw = np.array(r.coordinates)
    assert (raw[:, 0] >= -180).all() and (raw[:, 0] <= 180).all()
    assert (np.abs(np.diff(raw[:, 0])) > 180).any(), "expected to cross the antimeridian"
    smooth = np.array(r.geojson_coordinates())
    assert (np.abs(np.diff(smooth[:, 0])) < 180).all()
    feature = r.to_geojson()
    assert feature["geometry"]["type"] == "LineString"  # type: ignore[index]


def test_distances_are_symmetric() -> None:
    router = sea_router()
    ids = [MURMANSK, MUMBAI, SINGAPORE, "us-san-diego-naval-base", "fr-toulon-naval-base"]
    m = router.matrix(ids)
    assert np.allclose(m, m.T, rtol=1e-6)
    for a, b in itertools.combinations(ids, 2):
        assert router.route(a, b).distance_nm == pytest.approx(
            router.route(b, a).distance_nm, rel=1e-6
        )


def test_matrix_agrees_with_routes_and_leg_nm() -> None:
    router = sea_router()
    ids = [MUMBAI, PORTSMOUTH, VLADIVOSTOK, "dj-djibouti-port"]
    m = router.matrix(ids, closed=["suez"])
    for (i, a), (j, b) in itertools.product(enumerate(ids), repeat=2):
        if i == j:
            assert m[i, j] == 0
            continue
        d = router.route(a, b, closed=["suez"]).distance_nm
        assert m[i, j] == pytest.approx(d, rel=1e-6)
        assert router.leg_nm(a, b, closed=["suez"]) == pytest.approx(d, rel=1e-6)


def test_every_port_reaches_every_other_with_nothing_closed() -> None:
    """With every passage open (summer, ice class Arc7) all connected ports reach each other."""
    router = sea_router()
    m = router.distance_matrix(date=SUMMER, ice_class="Arc7")
    ids = list(router.connected_ports)
    connected = np.array([p in ids for p in router.port_ids])
    assert np.isfinite(m[np.ix_(connected, connected)]).all()
    # the one port that is not connected is Kaspiysk, on the Caspian, and it says why
    assert set(np.array(router.port_ids)[~connected]) == UNCONNECTED
    for p in UNCONNECTED:
        assert "not connected" in router.port_notes[p]
        assert not np.isfinite(m[router.port_index(p), connected]).any()


# -- passages --------------------------------------------------------------------


def test_mumbai_portsmouth_reports_exactly_its_passages() -> None:
    r = sea_router().route(MUMBAI, PORTSMOUTH)
    assert list(r.passages) == ["bab-el-mandeb", "suez", "gibraltar"]
    assert "malacca" not in r.passages and "hormuz" not in r.passages
    assert list(r.passages) == crossed_passages(r)
    # to Rotterdam, through the Strait of Dover as well
    rot = sea_router().route(MUMBAI, ROTTERDAM)
    assert list(rot.passages) == ["bab-el-mandeb", "suez", "gibraltar", "dover"]
    assert list(rot.passages) == crossed_passages(rot)


def test_reported_passages_match_geometry_on_many_routes() -> None:
    router = sea_router()
    ids = list(router.connected_ports)[::3]
    assert len(ids) >= 25
    for a, b in itertools.combinations(ids, 2):
        r = router.route(a, b, date=SUMMER)
        assert list(r.passages) == crossed_passages(r), (a, b)


def test_closing_suez_goes_round_the_cape() -> None:
    router = sea_router()
    r = router.route(MUMBAI, PORTSMOUTH, closed=["suez"])
    assert "suez" not in r.passages and "cape-of-good-hope" in r.passages


def test_closed_passage_that_cuts_a_port_off_is_named() -> None:
    router = sea_router()
    with pytest.raises(NoRouteError) as exc:
        router.route(
            "ua-sevastopol-naval-base", "fr-toulon-naval-base", closed=["bosporus", "suez"]
        )
    assert exc.value.closures == ["bosporus"]
    assert "bosporus" in exc.value.message


def test_seasonal_closure_is_explained() -> None:
    with pytest.raises(NoRouteError) as exc:
        sea_router().route("ru-pevek-port", MURMANSK, date=WINTER)
    assert "nsr" in exc.value.closures
    assert "seasonal" in exc.value.message


def test_unknown_passage_and_port_are_named() -> None:
    router = sea_router()
    with pytest.raises(UnknownPassageError, match="atlantis"):
        router.route(MUMBAI, PORTSMOUTH, closed=["atlantis"])
    with pytest.raises(UnknownFacilityError, match="nowhere"):
        router.route("nowhere", PORTSMOUTH)


# -- the Northern Sea Route season -------------------------------------------------


def test_murmansk_vladivostok_by_season() -> None:
    router = sea_router()
    summer = router.route(MURMANSK, VLADIVOSTOK, date=SUMMER)
    assert "nsr" in summer.passages and "suez" not in summer.passages
    winter = router.route(MURMANSK, VLADIVOSTOK, date=WINTER)
    assert "suez" in winter.passages and "nsr" not in winter.passages
    no_date = router.route(MURMANSK, VLADIVOSTOK)
    assert "nsr" not in no_date.passages
    ice = router.route(MURMANSK, VLADIVOSTOK, date=WINTER, ice_class="Arc7")
    assert "nsr" in ice.passages


def test_murmansk_vladivostok_without_suez_and_panama_rounds_the_cape() -> None:
    """With Suez closed the shorter way is Panama; with both closed, the Cape."""
    router = sea_router()
    no_suez = router.route(MURMANSK, VLADIVOSTOK, date=WINTER, closed=["suez"])
    assert "suez" not in no_suez.passages
    assert {"panama", "cape-of-good-hope"} & set(no_suez.passages)
    cape = router.route(MURMANSK, VLADIVOSTOK, date=WINTER, closed=["suez", "panama"])
    assert "cape-of-good-hope" in cape.passages
    assert cape.distance_nm > no_suez.distance_nm


# -- sea points ------------------------------------------------------------------


def test_point_on_land_gives_nearest_sea() -> None:
    from global_land_mask import globe

    with pytest.raises(OnLandError) as exc:
        sea_router().route(LonLat(10.0, 50.0), "in-karwar-naval-base")
    err = exc.value
    assert err.field == "origin"
    assert err.nearest_sea is not None and err.distance_nm is not None
    assert 100 < err.distance_nm < 400
    assert not globe.is_land(err.nearest_sea[1], err.nearest_sea[0])


def test_route_between_sea_points() -> None:
    router = sea_router()
    r = router.route(LonLat(65.0, 12.0), (-20.0, 40.0))
    assert "suez" in r.passages
    assert r.coordinates[0] == pytest.approx((65.0, 12.0))
    assert r.coordinates[-1] == pytest.approx((-20.0, 40.0))


# -- via and alternatives ----------------------------------------------------------


def test_via_passage_point_and_port() -> None:
    router = sea_router()
    cape = router.route(MUMBAI, PORTSMOUTH, via=["cape-of-good-hope"])
    assert "cape-of-good-hope" in cape.passages and "suez" not in cape.passages
    dg = catalogue().facility("us-diego-garcia-nsf")
    diego = router.route(MUMBAI, PORTSMOUTH, via=[dg.id])
    direct = router.route(MUMBAI, PORTSMOUTH)
    assert diego.distance_nm > direct.distance_nm + 1000
    assert min(abs(c.lat - dg.lat) + abs(c.lon - dg.lon) for c in diego.coordinates) < 0.05
    pt = router.route(MUMBAI, PORTSMOUTH, via=[LonLat(0.0, -10.0)])
    assert "cape-of-good-hope" in pt.passages
    ordered = router.route(SINGAPORE, ROTTERDAM, via=["sunda", "cape-of-good-hope"])
    assert ordered.passages.index("sunda") < ordered.passages.index("cape-of-good-hope")


def test_alternatives_are_distinct_and_shortest_first() -> None:
    router = sea_router()
    alts = router.routes(MUMBAI, PORTSMOUTH, alternatives=3)
    assert len(alts) >= 2
    assert alts[0] == router.route(MUMBAI, PORTSMOUTH)
    assert [a.distance_nm for a in alts] == sorted(a.distance_nm for a in alts)
    assert len({a.passages for a in alts}) == len(alts)
    assert any("cape-of-good-hope" in a.passages for a in alts)


# -- property: no route uses a closed passage --------------------------------------

CLOSABLE = [p.id for p in default_sea_data().passages if p.closable and p.id not in ("nsr", "nwp")]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    pair=st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)),
    closed=st.sets(st.sampled_from(CLOSABLE), max_size=6),
    summer=st.booleans(),
)
def test_no_route_uses_a_closed_passage(
    pair: tuple[int, int], closed: set[str], summer: bool
) -> None:
    router = sea_router()
    ids = list(router.connected_ports)
    a, b = ids[pair[0] % len(ids)], ids[(pair[0] + 1 + pair[1] % (len(ids) - 1)) % len(ids)]
    date = SUMMER if summer else None
    eff = router.effective_closures(closed, date=date)
    m = router.matrix([a, b], closed=closed, date=date)
    try:
        r = router.route(a, b, closed=closed, date=date)
    except NoRouteError as exc:
        assert not np.isfinite(m[0, 1])
        assert exc.closures and set(exc.closures) <= eff
        if len(exc.closures) == 1 or "any one" in exc.message:
            for p in exc.closures:
                if p in closed:
                    router.route(a, b, closed=closed - {p}, date=date)
                else:  # a seasonal closure: reopen it by season
                    router.route(a, b, closed=closed, date=SUMMER, ice_class="Arc7")
        return
    assert not set(r.passages) & eff
    assert not set(crossed_passages(r)) & eff
    assert m[0, 1] == pytest.approx(r.distance_nm, rel=1e-6)
