"""Drawing geometry: range rings are true geodesic circles, lines stay continuous."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maps.geometry import (
    chain,
    compact_frame,
    encloses_pole,
    geodesic_ring,
    shift_into,
    shift_near,
    unwrap,
)
from routing.geo import GEOD, METRES_PER_NM


def _distances_nm(lon: float, lat: float, ring: list[tuple[float, float]]) -> np.ndarray:
    lons = np.array([p[0] for p in ring])
    lats = np.array([p[1] for p in ring])
    _, _, metres = GEOD.inv(np.full(len(ring), lon), np.full(len(ring), lat), lons, lats)
    return np.asarray(metres) / METRES_PER_NM


def _max_step(ring: list[tuple[float, float]]) -> float:
    return max(abs(b[0] - a[0]) for a, b in itertools.pairwise(ring))


@pytest.mark.parametrize(
    ("name", "lon", "lat"),
    [
        ("Changi", 104.02, 1.32),
        ("Port Blair", 92.74, 11.67),
        ("Suva, by the antimeridian", 178.43, -18.13),
        ("Adak, west of it", -176.65, 51.88),
    ],
)
def test_ring_points_are_the_radius_away_and_continuous(name: str, lon: float, lat: float) -> None:
    ring = geodesic_ring(lon, lat, 1500.0)
    assert ring[0] == ring[-1]
    assert np.allclose(_distances_nm(lon, lat, ring), 1500.0, atol=0.01), name
    # Continuous around the centre: longitudes stay within 180 degrees of it.
    assert _max_step(ring) < 10
    assert all(abs(p[0] - lon) < 180 for p in ring)


def test_ring_by_the_antimeridian_crosses_it_in_one_piece() -> None:
    ring = geodesic_ring(179.5, -17.0, 600.0)
    lons = [p[0] for p in ring]
    assert max(lons) > 180 > min(lons)
    assert max(lons) - min(lons) < 25


def test_ring_round_a_pole_is_closed_along_it() -> None:
    # Vladivostok with a Talwar's usable range: the circle contains the North Pole.
    assert encloses_pole(43.08, 3637.5)
    ring = geodesic_ring(131.92, 43.08, 3637.5)
    body = ring[:-4]
    assert np.allclose(_distances_nm(131.92, 43.08, body), 3637.5, atol=0.01)
    assert ring[-3][1] == ring[-2][1] == 90.0
    assert max(p[0] for p in ring) - min(p[0] for p in ring) == pytest.approx(360.0, abs=1e-6)
    assert _max_step(ring[:-3]) < 10


def test_ring_needs_a_positive_radius() -> None:
    with pytest.raises(ValueError, match="positive"):
        geodesic_ring(0.0, 0.0, 0.0)


@settings(max_examples=60, deadline=None)
@given(
    lon=st.floats(-180, 180),
    lat=st.floats(-80, 80),
    radius=st.floats(10, 5000),
)
def test_any_ring_is_true_to_its_radius(lon: float, lat: float, radius: float) -> None:
    ring = geodesic_ring(lon, lat, radius, n=72)
    points = ring[:-4] if encloses_pole(lat, radius) else ring
    assert np.allclose(_distances_nm(lon, lat, points), radius, rtol=1e-6, atol=0.01)


def test_shifts_by_whole_turns() -> None:
    assert shift_near(-157.94, 190.0) == pytest.approx(202.06)
    assert shift_near(10.0, 0.0) == 10.0
    assert shift_into(-169.0, 130.0, 250.0) == pytest.approx(191.0)
    assert shift_into(32.3, 72.0, 132.0) == pytest.approx(32.3)


def test_unwrap_and_chain_make_legs_continuous() -> None:
    assert unwrap([[170.0, 50.0], [-175.0, 45.0], [-160.0, 30.0]]) == [
        (170.0, 50.0),
        (185.0, 45.0),
        (200.0, 30.0),
    ]
    legs = chain([[[150.0, 50.0], [179.0, 50.0]], [[-179.0, 48.0], [-158.0, 21.3]]], start_near=150)
    assert legs[1][0] == (181.0, 48.0)
    assert legs[1][-1][0] == pytest.approx(202.0)


def test_compact_frame_joins_points_across_the_antimeridian() -> None:
    anadyr, provideniya, pearl = 177.5, -173.2, -157.9
    assert compact_frame([anadyr, provideniya, pearl]) == pytest.approx([177.5, 186.8, 202.1])
    assert compact_frame([10.0, 20.0]) == [10.0, 20.0]
