"""The air router against the airspace polygons: routes never enter closed airspace,
are never longer than the grid path they come from nor shorter than the great circle,
and the rules open and close the airspace a planner expects."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing import Planner, default_planner
from routing.air.airspace import Airspaces, densify, shipped_airspaces
from routing.air.router import AirRouter
from routing.air.rules import AirPolicy, policy, shipped_rules
from routing.catalogue.model import Catalogue
from routing.errors import InvalidInputError
from routing.geo import LonLat

DAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def planner() -> Planner:
    return default_planner()


@pytest.fixture(scope="module")
def router(planner: Planner) -> AirRouter:
    return planner.air


def _policy(cat: Catalogue, nation: str, **kw: object) -> AirPolicy:
    return policy(shipped_airspaces(), shipped_rules(), cat, nation=nation, day=DAY, **kw)  # type: ignore[arg-type]


def _inside_closed(air: Airspaces, xy: np.ndarray, closed: np.ndarray) -> list[str]:
    """Closed units holding any point sampled every 2 km along the route's geodesics."""
    fine = densify(xy, km=2.0)
    hits = air.at(fine[:, 0], fine[:, 1])
    return sorted({air.units[u].code for h in hits for u in h if closed[u]})


def test_the_airspace_file_holds_the_states_a_planner_names() -> None:
    air = shipped_airspaces()
    for code in ("IND", "PAK", "CHN", "RUS", "IRN", "USA", "GBR", "FRA", "UKR"):
        assert air.units_of(code), code
    # Guam, Diego Garcia and the Cocos Islands belong to their states
    assert air.units[air.index["GUM"]].sovereign == "USA"
    assert air.units[air.index["IOT"]].sovereign == "GBR"
    assert air.units[air.index["IOA"]].sovereign == "AUS"


@pytest.mark.parametrize(
    ("lon", "lat", "state"),
    [
        (72.70, 18.90, "IND"),  # 10 nm off Mumbai: Indian territorial sea
        (66.85, 24.70, "PAK"),  # 10 nm off Karachi
        (72.0, 15.0, None),  # the Arabian Sea, 250 nm out: international
        (33.4, 69.2, "RUS"),  # Kola Bay
        (-30.0, 40.0, None),  # mid-Atlantic
    ],
)
def test_points_are_in_the_airspace_of_the_state_that_holds_them(
    lon: float, lat: float, state: str | None
) -> None:
    air = shipped_airspaces()
    here = {air.units[u].sovereign for u in air.at(np.array([lon]), np.array([lat]))[0]}
    assert here == ({state} if state else set())


def test_standing_closures_and_agreements_decide_who_may_fly_where(catalogue: Catalogue) -> None:
    air = shipped_airspaces()
    ind = _policy(catalogue, "IND")
    basis = {air.units[i].code: s.basis for i, s in enumerate(ind.statuses)}
    assert basis["IND"] == "own"
    assert basis["RUS"] == "agreement"  # RELOS covers airspace
    assert basis["PAK"] == "closed" and ind.statuses[air.index["PAK"]].closure
    assert basis["USA"] == "closed"  # LEMOA does not cover overflight; no clearance asked
    rus = _policy(catalogue, "RUS", allow_clearance=True)
    assert rus.statuses[air.index["DEU"]].closure == "eu-to-russia-2022"
    assert rus.statuses[air.index["IRN"]].basis == "clearance"
    assert rus.statuses[air.index["IND"]].basis == "agreement"
    # before Pakistan's closure, and before RELOS was in force
    early = policy(air, shipped_rules(), catalogue, nation="IND", day=dt.date(2025, 3, 1))
    assert early.statuses[air.index["PAK"]].basis == "closed"  # needs clearance, not allowed
    assert early.statuses[air.index["PAK"]].closure is None
    assert early.statuses[air.index["RUS"]].basis == "closed"
    dropped = _policy(catalogue, "IND", dropped=["relos"])
    assert dropped.statuses[air.index["RUS"]].basis == "closed"


def test_unknown_airspace_codes_are_refused_with_suggestions(catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInputError) as err:
        _policy(catalogue, "IND", closed_airspace=["IRQ", "IRNN"])
    assert err.value.field == "closed_airspace.1"
    assert "IRN" in err.value.message


def test_a_route_the_direct_way_crosses_closed_airspace_goes_round(
    router: AirRouter, catalogue: Catalogue
) -> None:
    hindon = catalogue.facility("in-hindon-afs").point
    levashovo = catalogue.facility("ru-levashovo-air-base").point
    air = _policy(catalogue, "IND", allow_clearance=True, denied=["CHN"])
    mask = air.closed(["IND", "RUS"])
    r = router.route(hindon, levashovo, mask)
    assert r.feasible and r.via_grid
    assert _inside_closed(router.airspaces, r.turns, mask) == []
    assert r.great_circle_nm <= r.distance_nm <= (r.grid_nm or 0) + 1e-6
    assert r.distance_nm < 4000  # via Iran, not round Africa
    flown = {router.airspaces.units[u].sovereign for s in r.stretches for u in s.units}
    assert "IRN" in flown and not flown & {"PAK", "CHN", "AFG"}


def test_an_endpoint_in_closed_airspace_is_infeasible_and_named(
    router: AirRouter, catalogue: Catalogue
) -> None:
    air = _policy(catalogue, "IND", closed_airspace=["RUS"])
    r = router.route(
        catalogue.facility("in-hindon-afs").point,
        catalogue.facility("ru-levashovo-air-base").point,
        air.closed(["IND", "RUS"]),
    )
    assert not r.feasible
    assert [router.airspaces.units[u].code for u in r.blocked_by] == ["RUS"]


ENDS = st.sampled_from(
    [
        "in-hindon-afs",
        "in-goa-ins-hansa",
        "in-port-blair-ins-utkrosh",
        "ru-levashovo-air-base",
        "ru-knevichi-air-base",
        "ru-tiksi-air-base",
        "jp-naha-air-base",
        "au-raaf-darwin",
        "us-diego-garcia-airfield",
        "om-thumrait-air-base",
        "dj-djibouti-ambouli-airbase",
        "ru-makhachkala-uytash-airport",
    ]
)
STATES = [
    "PAK",
    "CHN",
    "IRN",
    "AFG",
    "KAZ",
    "TUR",
    "SAU",
    "OMN",
    "MMR",
    "THA",
    "IDN",
    "MYS",
    "VNM",
    "PHL",
    "JPN",
    "KOR",
    "MNG",
    "TKM",
    "UZB",
    "IRQ",
    "EGY",
    "YEM",
    "ARE",
    "LKA",
]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    a=ENDS,
    b=ENDS,
    nation=st.sampled_from(["IND", "RUS"]),
    closed=st.lists(st.sampled_from(STATES), max_size=8, unique=True),
    clearance=st.booleans(),
)
def test_random_routes_never_enter_closed_airspace(
    router: AirRouter,
    catalogue: Catalogue,
    a: str,
    b: str,
    nation: str,
    closed: list[str],
    clearance: bool,
) -> None:
    fa, fb = catalogue.facility(a), catalogue.facility(b)
    air = _policy(catalogue, nation, allow_clearance=clearance, closed_airspace=closed)
    mask = air.closed([fa.country, fb.country])
    r = router.route(fa.point, fb.point, mask)
    if not r.feasible:
        assert r.reason
        return
    assert _inside_closed(router.airspaces, r.turns, mask) == []
    assert r.distance_nm >= r.great_circle_nm - 1e-6
    if r.via_grid:
        assert r.grid_nm is not None and r.distance_nm <= r.grid_nm + 1e-6
    else:
        assert r.distance_nm == pytest.approx(r.great_circle_nm)


def test_the_distance_matrix_agrees_with_the_routes_it_stands_for(
    router: AirRouter, catalogue: Catalogue
) -> None:
    ids = [
        "in-hindon-afs",
        "in-jamnagar-afs",
        "ru-makhachkala-uytash-airport",
        "ru-levashovo-air-base",
        "jp-naha-air-base",
    ]
    facs = [catalogue.facility(i) for i in ids]
    air = _policy(catalogue, "IND", allow_clearance=True, denied=["CHN"])
    d = router.distances([f.point for f in facs], [f.country for f in facs], air)
    assert np.allclose(d, d.T)
    for i, fa in enumerate(facs):
        for j, fb in enumerate(facs):
            if i == j:
                continue
            r = router.route(fa.point, fb.point, air.closed([fa.country, fb.country]))
            assert r.feasible == bool(np.isfinite(d[i, j]))
            if r.feasible:
                # the matrix measures the leg as flown, pulled tight from its own grid path
                assert d[i, j] == pytest.approx(r.distance_nm, rel=0.02)
                assert d[i, j] >= r.great_circle_nm - 1e-6


def test_a_point_route_in_international_airspace_is_the_great_circle(router: AirRouter) -> None:
    mask = np.ones(len(router.airspaces.units), dtype=bool)  # every state closed
    r = router.route(LonLat(65.0, 10.0), LonLat(85.0, -20.0), mask)
    assert r.feasible and not r.via_grid and r.stretches[0].units == ()
