"""Reach, tested in Python against the planner and the sea router it must agree with."""

from __future__ import annotations

import h3
import numpy as np
import pytest
import shapely.geometry

from routing import Planner, default_planner
from routing.errors import InvalidInputError, UnknownFacilityError
from routing.geo import LonLat
from routing.plan.reach import Reach
from routing.vocab import SEA_KINDS

MUMBAI = "in-mumbai-naval-dockyard"
#: No seasonal passage or ice region opens or closes within a frigate's two-stop window
#: from here (reach would count it closed, where a plan judges it day by day).
JULY = "2027-07-01"


@pytest.fixture(scope="module")
def planner() -> Planner:
    return default_planner()


def _reach(planner: Planner, **kw: object) -> Reach:
    opts = {
        "nation": "IND",
        "platform": "talwar",
        "origin": MUMBAI,
        "destination": MUMBAI,
        "departure": JULY,
    }
    origins = kw.pop("origins", (MUMBAI,))
    days = kw.pop("days", None)
    max_stops = kw.pop("max_stops", 2)
    req = planner.request(**{**opts, **kw})  # type: ignore[arg-type]
    return planner.reach(req, origins=origins, days=days, max_stops=max_stops)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def from_mumbai(planner: Planner) -> Reach:
    return _reach(planner)


def test_every_facility_within_reach_is_a_plan_with_as_many_stops_and_days(
    planner: Planner, from_mumbai: Reach
) -> None:
    """Brute force: a plan to every port of the catalogue. Reach lists exactly the
    facilities a plan with at most two stops can get to, with the fewest stops that
    takes (a min_stops plan) and the earliest arrival (a min_time plan)."""
    assert from_mumbai.facilities
    assert not [c for c in from_mumbai.caveats if "part of the window" in c]
    found = {f.facility.id: f for f in from_mumbai.facilities}
    refused = {f.id: why for f, why in from_mumbai.refused}
    ports = [
        f.id
        for f in planner.catalogue
        if f.kind in SEA_KINDS and f.id in planner.reach_field.router.connected_ports
    ]
    assert len(ports) > 80
    checked = 0
    for fid in ports:
        base = {
            "nation": "IND",
            "platform": "talwar",
            "origin": MUMBAI,
            "destination": fid,
            "departure": JULY,
            "max_stops": 2,
        }
        fast = planner.plan(planner.request(**base))  # type: ignore[arg-type]
        if fid in found:
            assert fast.feasible, (fid, fast.reason)
            assert fast.duration_h / 24 == pytest.approx(found[fid].days, abs=0.05), fid
            few = planner.plan(planner.request(**base, objective="min_stops"))  # type: ignore[arg-type]
            assert len(few.stops) == found[fid].stops, fid
            checked += 1
        elif fid in refused:
            assert not fast.feasible, fid
            assert "destination" in fast.reason, (fid, fast.reason)
        elif fid != MUMBAI:
            assert not fast.feasible, (fid, "a plan gets there, reach does not")
    assert checked >= 40


def test_more_stops_reach_further_and_days_cut_it_short(
    planner: Planner, from_mumbai: Reach
) -> None:
    areas = [b.area_km2 for b in from_mumbai.bands]
    assert areas == sorted(areas) and areas[0] > 1e7 and areas[-1] > areas[0] * 1.5
    shares = [b.lane_share for b in from_mumbai.bands]
    assert shares == sorted(shares) and 0 < shares[-1] <= 1
    ten = _reach(planner, days=10)
    assert ten.area_km2 < from_mumbai.area_km2
    assert ten.facilities and all(f.days <= 10 for f in ten.facilities)
    assert np.nanmax(np.where(np.isfinite(ten.cell_days), ten.cell_days, np.nan)) <= 10 + 1e-6
    assert {f.facility.id for f in ten.facilities} < {f.facility.id for f in from_mumbai.facilities}


def test_dropping_relos_takes_the_russian_ports_away(planner: Planner, from_mumbai: Reach) -> None:
    russian = {f.facility.id for f in from_mumbai.facilities if f.facility.country == "RUS"}
    assert russian and "relos" in from_mumbai.agreements_used
    without = _reach(planner, dropped_agreements=["relos"])
    assert not {f.facility.id for f in without.facilities} & russian
    why = dict((f.id, w) for f, w in without.refused)
    assert all("relos" in why[r] for r in russian & set(why))
    assert "relos" not in without.agreements_used


def _cell_nm(planner: Planner, port: str, closed: frozenset[str], at: LonLat) -> float:
    rf = planner.reach_field
    row = rf.rows(closed, [rf.router.port_index(port)])[0]
    cell = h3.str_to_int(h3.latlng_to_cell(at.lat, at.lon, 3))
    (i,) = np.flatnonzero(rf.grid.cells == np.uint64(cell))
    return float(row[rf.n_core + i])


@pytest.mark.parametrize(
    ("closed", "at"),
    [
        ((), LonLat(-20.0, 0.0)),  # the Atlantic: by the Cape or Suez
        (("suez", "cape-of-good-hope"), LonLat(-20.0, 0.0)),  # now the long way round
        (("suez",), LonLat(18.0, 35.0)),  # the Mediterranean round Africa
        (("malacca", "sunda", "lombok"), LonLat(125.0, 15.0)),  # the Philippine Sea
    ],
)
def test_open_water_distances_follow_the_closures(
    planner: Planner, closed: tuple[str, ...], at: LonLat
) -> None:
    """The grid may cut across open water the lanes go round, but never through a
    closed passage: its distance stays close to the sea router's route to the point."""
    shut = planner.reach_field.router.effective_closures(closed, seasons=False)
    route = planner.reach_field.router.route(MUMBAI, at, closed=closed, seasons=False)
    grid = _cell_nm(planner, MUMBAI, frozenset(shut), at)
    assert 0.85 * route.distance_nm <= grid <= 1.06 * route.distance_nm + 60, (
        grid,
        route.distance_nm,
    )


def test_frontier_polygons_cover_the_area_once(from_mumbai: Reach) -> None:
    fc = from_mumbai.frontier("stops")
    feats = fc["features"]
    assert [f["properties"]["stops"] for f in feats] == [0, 1, 2]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in feats]
    assert all(s.is_valid and not s.is_empty for s in shapes)
    for a in range(len(shapes)):
        for b in range(a + 1, len(shapes)):
            assert shapes[a].intersection(shapes[b]).area < 1e-3 * shapes[a].area
    assert feats[-1]["properties"]["cumulative_area_km2"] == pytest.approx(
        from_mumbai.area_km2, rel=1e-6
    )
    mumbai = shapely.geometry.Point(72.84, 18.95)
    assert shapes[0].distance(mumbai) < 1.0
    for s in shapes:  # cut at the antimeridian, never a stripe round the world
        for part in getattr(s, "geoms", [s]):
            x0, _, x1, _ = part.bounds
            assert x0 >= -180 and x1 <= 180
    days = from_mumbai.frontier("days")["features"]
    edges = [f["properties"]["days"] for f in days]
    assert edges == sorted(edges) and edges[-1] >= max(f.days for f in from_mumbai.facilities)


def test_home_bases_by_default(planner: Planner) -> None:
    got = _reach(planner, origins=(), max_stops=0)
    ids = {p.key for p in got.origins}
    assert MUMBAI in ids and "in-visakhapatnam-naval-dockyard" in ids
    assert all(planner.catalogue.facility(i).kind == "naval_base" for i in ids)


def test_bad_input_names_the_field(planner: Planner) -> None:
    with pytest.raises(InvalidInputError) as air:
        _reach(planner, platform="su-30mki")
    assert air.value.field == "platform"
    with pytest.raises(UnknownFacilityError) as unknown:
        _reach(planner, origins=("in-mumbai-naval-dockyrd",))
    assert unknown.value.field == "origins.0"
    with pytest.raises(InvalidInputError) as stops:
        _reach(planner, max_stops=99)
    assert stops.value.field == "max_stops"


def test_a_season_opening_within_the_window_is_counted_closed_and_said(planner: Planner) -> None:
    june = _reach(planner, departure="2027-06-01")
    assert "nsr" in june.closed
    (note,) = [c for c in june.caveats if c.startswith("Northern Sea Route")]
    assert "2027-07-01" in note and "counts it closed" in note
    july = _reach(planner, departure=JULY)
    assert "nsr" not in july.closed
