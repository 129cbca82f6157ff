"""The fine-coastline repairs (``routing/sea/coast.py``) on lines a planner knows.

Each result is checked independently: sampled on WGS84 geodesics with pyproj and looked
up where GSHHG full resolution and OSM land polygons agree (``coast_land_flags``).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from routing.geo import LonLat
from routing.sea.coast import Coastline, refine_line, trim_hairpins
from routing.sea.passages import default_sea_data
from tests.routing.sea.support import (
    coast_land_flags,
    geodesic_samples,
    longest_hairpin_km,
    longest_land_km,
)


@functools.lru_cache(maxsize=1)
def _coast() -> Coastline:
    return Coastline()


def _samples(coords: np.ndarray) -> np.ndarray:
    return geodesic_samples([LonLat(float(x), float(y)) for x, y in coords], step_m=100.0)


def _km(coords: np.ndarray) -> float:
    return float(_samples(coords)[-1, 2])


def test_a_line_across_point_loma_is_rerouted_through_the_bay_entrance() -> None:
    """Open sea west of Point Loma straight to Naval Base San Diego crosses Point Loma and
    Coronado; the repair enters San Diego Bay by its channel instead."""
    straight = np.array([[-117.30, 32.66], [-117.129, 32.679]])
    assert longest_land_km(_samples(straight), coast_land_flags(_samples(straight), None)) > 0.5
    ref = refine_line(_coast(), straight)
    assert ref is not None and ref.repaired_runs >= 1
    s = _samples(ref.coords)
    assert not coast_land_flags(s, None).any()
    # in by the channel between Point Loma and North Island: north of 32.68 N
    assert ref.coords[:, 1].max() > 32.68
    assert _km(straight) < _km(ref.coords) < 3 * _km(straight)


def test_land_inside_a_declared_canal_is_kept_and_counted() -> None:
    """The Suez Canal is land in GSHHG: with the declared waterways the line is kept
    where GSHHG has no water (and that land is reported as waived); without them the
    line cannot be cleared."""
    sea = default_sea_data()
    canal = np.array([[32.31, 31.1], [32.32, 30.85], [32.3, 30.6]])
    assert refine_line(_coast(), canal) is None
    ref = refine_line(_coast(), canal, waived=_coast().with_waivers(sea.waterway_union))
    assert ref is not None
    assert ref.waived and sum(ref.waived) > 1.0
    s = _samples(ref.coords)
    assert coast_land_flags(s, None).any()  # the canal itself
    assert not coast_land_flags(s, sea.waterway_union).any()  # nothing outside it
    np.testing.assert_allclose(ref.coords[[0, -1]], canal[[0, -1]])


@pytest.mark.parametrize("spur_km", [3.0, 20.0])
def test_an_out_and_back_spur_is_cut(spur_km: float) -> None:
    """A lane in the Bay of Bengal that runs out to a point and straight back: the
    spur goes, the rest of the line stays."""
    dlat = spur_km / 111.2
    line = np.array([[88.0, 14.0], [88.0, 15.0], [88.0, 15.0 + dlat], [88.001, 15.0], [88.5, 15.5]])
    assert longest_hairpin_km([LonLat(*p) for p in line])[0] > spur_km - 1.5
    cut = trim_hairpins(line, _coast())
    assert cut is not None
    assert longest_hairpin_km([LonLat(float(x), float(y)) for x, y in cut])[0] < 1.0
    assert _km(cut) == pytest.approx(_km(line) - 2 * spur_km, abs=1.5)
    np.testing.assert_allclose(cut[0], line[0])
    np.testing.assert_allclose(cut[-1], line[-1])


def test_a_line_that_never_turns_back_is_left_alone() -> None:
    line = np.array([[88.0, 14.0], [88.0, 15.0], [88.5, 15.5], [89.0, 15.6]])
    assert trim_hairpins(line, _coast()) is None
    assert refine_line(_coast(), line) is not None
