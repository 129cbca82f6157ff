"""The planner and scenarios, tested directly in Python (no HTTP)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import numpy as np
import pytest

from routing import Planner, Scenario, default_planner
from routing.catalogue.access import agreements_in_force, grant_for
from routing.catalogue.platforms import Platform
from routing.errors import InvalidInputError, ServiceUnavailableError, UnknownPlatformError
from routing.plan.request import PlanRequest, PlanSpec, build_request
from tests.routing.plan.support import record_variants, shown


@pytest.fixture(scope="module")
def planner() -> Planner:
    return default_planner()


def test_every_stop_is_open_on_the_day_the_ship_arrives(planner: Planner) -> None:
    req = planner.request(
        nation="IND",
        platform="talwar",
        origin="in-mumbai-naval-dockyard",
        destination="ru-vladivostok-naval-base",
        departure="2026-08-01",
    )
    plan = planner.plan(req)
    assert plan.feasible, plan.reason
    assert plan.stops
    for stop in plan.stops:
        fac = stop.place.facility
        assert fac is not None
        in_force = agreements_in_force(planner.catalogue, "IND", stop.arrival.date())
        grant = grant_for(fac, "IND", in_force, service="fuel")
        assert grant is not None, fac.id
    for leg in plan.legs:
        assert leg.distance_nm <= plan.usable_range_nm + 1e-6
    assert plan.eta > req.departure


def test_ships_that_fit_the_same_passages_share_their_legs(
    planner: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two frigates of other sizes that fit every passage sail the same legs, measured
    once; a carrier too deep for the Kiel Canal has its own; each plan is the one a
    planner that never saw the others makes."""
    from routing.plan import planner as planner_module

    measured: list[str] = []
    lengths = planner_module._Ways._lengths

    def counted(ways: planner_module._Ways, regions: frozenset[str]) -> Any:
        measured.append(ways.req.group[0].platform.id)
        return lengths(ways, regions)

    def fresh() -> Planner:
        return Planner(planner.catalogue, planner.sea, platforms=planner.platforms)

    def req(platform: str) -> PlanRequest:
        return planner.request(
            nation="IND",
            platform=platform,
            origin="in-mumbai-naval-dockyard",
            destination="ru-severomorsk-naval-base",
            departure="2026-12-01",
        )

    ships = ("talwar", "kolkata", "vikramaditya")
    assert planner.platforms["talwar"].draught_m != planner.platforms["kolkata"].draught_m
    shared = fresh()
    with monkeypatch.context() as m:
        m.setattr(planner_module._Ways, "_lengths", counted)
        plans = {ship: shared.plan(req(ship)) for ship in ships}
    assert measured == ["talwar", "vikramaditya"]
    assert all(plan.feasible for plan in plans.values())
    for ship in ships:
        assert shown(plans[ship]) == shown(fresh().plan(req(ship))), ship


def test_plan_as_a_geodataframe(planner: Planner) -> None:
    plan = planner.plan(
        planner.request(
            nation="IND",
            platform="talwar",
            origin="in-visakhapatnam-naval-dockyard",
            destination="ru-severomorsk-naval-base",
            departure="2026-08-01",
        )
    )
    frame = plan.to_geodataframe()
    assert frame.crs.to_epsg() == 4326
    assert list(frame["role"]).count("leg") == len(plan.legs)
    assert list(frame["role"]).count("stop") == len(plan.stops)
    legs = frame[frame["role"] == "leg"]
    assert legs["distance_nm"].sum() == pytest.approx(plan.distance_nm)
    assert set(frame["role"]) >= {"origin", "destination"}


def test_scenario_changes_the_ship_and_its_ice_class(planner: Planner) -> None:
    """Replacing the ship in a scenario re-derives the ice class from the new ship."""
    req = planner.request(
        nation="RUS",
        platform="udaloy",
        origin="ru-severomorsk-naval-base",
        destination="ru-vladivostok-naval-base",
        departure="2026-12-05",
    )
    base = planner.plan(req)
    assert "nsr" not in base.passages  # shut to ships without ice class after 15 November
    swap = Scenario(
        name="the tanker instead",
        platform_overrides={"udaloy": {"replace_with": "akademik-pashin"}},
    )
    other = planner.plan(req, scenario=swap)
    assert "nsr" in other.passages
    assert other.distance_nm < base.distance_nm / 1.5
    assert planner.plan(req).distance_nm == base.distance_nm  # nothing mutated


def test_the_one_builder_names_bad_fields(planner: Planner) -> None:
    with pytest.raises(UnknownPlatformError) as err:
        build_request(
            PlanSpec(
                nation="IND",
                group=[{"platform": "talwar"}, {"platform": "no-such-ship"}],  # type: ignore[list-item]
                origin="in-mumbai-naval-dockyard",
                destination="ru-vladivostok-naval-base",
            ),
            planner.platforms,
        )
    assert err.value.field == "group.1.platform"
    with pytest.raises(InvalidInputError) as err2:
        planner.request(
            nation="IND",
            platform="talwar",
            origin="200,10",
            destination="ru-vladivostok-naval-base",
        )
    assert err2.value.field == "origin"


def test_a_departure_without_time_zone_is_utc(planner: Planner) -> None:
    req = planner.request(
        nation="IND",
        platform="talwar",
        origin="in-mumbai-naval-dockyard",
        destination="in-karwar-naval-base",
        departure=dt.date(2026, 8, 1),
    )
    assert req.departure == dt.datetime(2026, 8, 1, tzinfo=dt.UTC)


def test_ship_plans_need_the_sea_graph_air_plans_do_not(planner: Planner) -> None:
    no_sea = Planner(planner.catalogue, None, platforms=dict(planner.platforms))
    ship = no_sea.request(
        nation="IND",
        platform="talwar",
        origin="in-mumbai-naval-dockyard",
        destination="in-karwar-naval-base",
        departure="2026-08-01",
    )
    with pytest.raises(ServiceUnavailableError):
        no_sea.plan(ship)
    air = no_sea.request(
        nation="IND",
        platform="p-8i",
        origin="in-arakkonam-ins-rajali",
        destination="in-hindon-afs",
        departure="2026-08-01",
    )
    assert no_sea.plan(air).feasible


@pytest.mark.parametrize("departure", ["2027-01-01", "2027-05-20", "2027-10-15"])
def test_legs_ruled_out_by_the_seasons_really_cannot_start_in_time(
    planner: Planner, departure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner's cheap test (no track) that a seasonal leg cannot start in time is
    sound: whenever it says so, the leg's real earliest start (from its track) is later.
    Checked on the ways of real voyages to the Arctic, in winter, at the NSR's opening and
    at its close, at sampled ready times and wait limits."""
    import numpy as np

    from routing.plan import planner as planner_module

    made: list[planner_module._Ways] = []
    real_init = planner_module._Ways.__init__

    def keep(self: planner_module._Ways, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(planner_module._Ways, "__init__", keep)
    req = planner.request(
        nation="IND",
        platform="talwar",
        origin="in-visakhapatnam-naval-dockyard",
        destination="ru-severomorsk-naval-base",
        departure=departure,
    )
    planner.plan(req)
    ways = next(w for w in made if w.seasonal)
    rng = np.random.default_rng(7)
    said = checked = 0
    for way in (planner_module.OPEN, planner_module.CLEAR):
        legs = np.argwhere(np.isfinite(ways.ways[way].nm))
        for i, j in legs[rng.permutation(len(legs))[:40]]:
            for t, wait in zip(rng.uniform(0, 90 * 24, 4), rng.uniform(0, 60 * 24, 4), strict=True):
                latest = t + wait
                if ways.ruled_out(int(i), int(j), t, latest, way):
                    said += 1
                    assert ways.depart(int(i), int(j), t, way) > latest
                checked += 1
    assert checked > 100
    if departure == "2027-01-01":
        assert said > 0  # in winter it does rule legs out


@pytest.mark.parametrize(
    ("closed", "departure"),
    [((), "2026-08-01"), (("malacca",), "2027-01-15"), (("suez", "bab-el-mandeb"), "2027-08-01")],
)
def test_plans_on_the_candidates_block_equal_plans_on_the_whole_matrix(
    planner: Planner, closed: tuple[str, ...], departure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a large catalogue plans on its candidate ports' distances only: the same plans
    assert planner.sea is not None
    spec = {
        "nation": "IND",
        "platform": "talwar",
        "origin": "in-mumbai-naval-dockyard",
        "destination": "ru-severomorsk-naval-base",
        "departure": departure,
        "closed": list(closed),
    }
    whole = planner.plan(planner.request(**spec))
    monkeypatch.setattr(planner.sea, "full_matrix_ports", 0)
    block = planner.plan(planner.request(**spec))
    assert whole.feasible and block.feasible and whole.stops
    assert [s.place.key for s in block.stops] == [s.place.key for s in whole.stops]
    assert block.distance_nm == whole.distance_nm and block.eta == whole.eta


def test_variants_ruled_out_unplanned_change_no_suggestion(
    planner: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An infeasible plan's suggestions re-plan variants; those the screens prove
    infeasible are not planned. The suggestions (and the reason) are the same as when
    every variant is planned."""
    short = Platform(
        id="short-legged", name="short-legged", endurance_nm=2500, at_speed_kn=14, max_speed_kn=28
    )
    for departure, dropped in (
        ("2026-02-01", ()),
        ("2026-08-01", ("india-japan", "india-vietnam")),
    ):
        req = planner.request(
            nation="IND",
            platform=short,
            origin="in-mumbai-naval-dockyard",
            destination="ru-vladivostok-naval-base",
            departure=departure,
            speed_kn=20,
            dropped_agreements=list(dropped),
        )
        screened = planner.plan(req)
        assert not screened.feasible and screened.suggestions
        with monkeypatch.context() as m:
            m.setattr(Planner, "_screen", lambda *args, **kwargs: None)
            everything = Planner(planner.catalogue, planner.sea, platforms=planner.platforms)
            planned = everything.plan(req)
        assert planned.suggestions == screened.suggestions
        assert planned.reason == screened.reason


def test_a_plan_the_seasons_make_infeasible_screens_its_variants_on_them(
    planner: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Infeasible because the Northern Sea Route is shut until July and Suez is closed:
    the variants are screened on the legs that could ever start in time (the route's
    legs cannot), so most are never planned, and the suggestions are the same as when
    every variant is planned."""
    cases = (
        ("in-visakhapatnam-naval-dockyard", "ru-severomorsk-naval-base", "2026-02-01", ("suez",)),
        ("ru-vladivostok-naval-base", "ru-severomorsk-naval-base", "2026-03-15", ("suez",)),
    )
    for origin, destination, departure, closed in cases:
        req = planner.request(
            nation="IND",
            platform="talwar",
            origin=origin,
            destination=destination,
            departure=departure,
            closed=list(closed),
        )
        with monkeypatch.context() as m:
            tried = record_variants(m)
            screened = planner.plan(req)
        assert not screened.feasible and screened.suggestions
        n_screened = len(tried)
        with monkeypatch.context() as m:
            tried = record_variants(m)
            m.setattr(Planner, "_screen", lambda *args, **kwargs: None)
            everything = Planner(planner.catalogue, planner.sea, platforms=planner.platforms)
            planned = everything.plan(req)
        assert planned.suggestions == screened.suggestions
        assert planned.reason == screened.reason
        assert n_screened < len(tried) / 2, (n_screened, len(tried))


@pytest.mark.parametrize(
    ("departure", "closed"),
    [("2026-02-01", ()), ("2026-05-20", ("suez",)), ("2026-10-25", ("panama",))],
)
def test_legs_told_dead_from_the_blocks_cannot_start_in_time(
    planner: Planner, departure: str, closed: tuple[str, ...]
) -> None:
    """The planner tells which legs through seasonal water can never start in time from
    distance blocks (a way shorter than the shortest with the passages shut all the while
    closed too), not from the legs' tracks. Checked on the tracks: for every leg told dead
    from a place, ready at a time, by a latest start, the earliest start its passages'
    seasons allow (the leg's own track, transit by transit) is later than that latest."""
    from routing.plan.calls import CallRules
    from routing.plan.planner import _Ways

    cat = planner.catalogue
    req = planner.request(
        nation="IND",
        platform="talwar",
        origin="ru-vladivostok-naval-base",
        destination="ru-severomorsk-naval-base",
        departure=departure,
        closed=list(closed),
    )
    targets = [
        planner._place(cat, f, field="x", domain="sea") for f in (req.origin, req.destination)
    ]
    cands, _ = planner._candidates(cat, req, CallRules(cat, req))
    places, _, _, _ = planner._solve_places(targets, cands)
    ways = _Ways(planner, req, places, 14.0)
    assert ways.seasonal
    told = checked = 0
    for way in (0, 1):  # the way through everything, the way clear of ice regions
        bound = ways.ways[way].bound
        assert bound is not None
        for i in range(0, len(places), 3):
            for t_days, wait_days in ((0, 30), (20, 60), (75, 40)):
                t, latest = t_days * 24.0, (t_days + wait_days) * 24.0
                dead = ways.dead_from(i, t, latest, way)
                if dead is None:
                    continue
                told += int(dead.sum())
                for j in np.flatnonzero(dead)[:4]:  # a few a row: each is a track
                    assert bound[i, j]
                    assert ways.depart(i, int(j), t, way) > latest, (places[i].key, places[j].key)
                    checked += 1
    assert checked > 20, (told, checked)


def test_a_waypoint_called_at_to_resupply_is_no_leg_of_its_own(planner: Planner) -> None:
    """Pevek is a waypoint and, on the way to Severomorsk, a resupply stop: the plan
    reaches it, calls there and sails on; no zero-length leg from Pevek to Pevek."""
    plan = planner.plan(
        planner.request(
            nation="IND",
            platform="talwar",
            origin="in-visakhapatnam-naval-dockyard",
            destination="ru-severomorsk-naval-base",
            departure="2027-10-01",
            closed=["suez"],
            waypoints=["ru-pevek-port"],
        )
    )
    assert plan.feasible
    assert "ru-pevek-port" in [s.place.key for s in plan.stops]
    assert all(leg.start.key != leg.end.key and leg.distance_nm > 0 for leg in plan.legs)
    assert [leg.index for leg in plan.legs] == list(range(1, len(plan.legs) + 1))
    for before, after in itertools.pairwise(plan.legs):
        assert after.start.key == before.end.key and after.depart >= before.arrive
    pevek = next(s for s in plan.stops if s.place.key == "ru-pevek-port")
    into = next(leg for leg in plan.legs if leg.end.key == "ru-pevek-port")
    out = next(leg for leg in plan.legs if leg.start.key == "ru-pevek-port")
    assert pevek.arrival == into.arrive and out.depart >= pevek.departure
    assert plan.distance_nm == pytest.approx(sum(leg.distance_nm for leg in plan.legs))


def test_a_plan_the_seasons_make_infeasible_says_so(planner: Planner) -> None:
    """Severomorsk to Arkhangelsk in January: the White Sea is iced in until May, beyond
    the 60 days' wait. The reason names the season and the wait, not a stop limit or a
    closure nobody asked for; a plan that fails on range alone keeps its range reason."""
    iced = planner.plan(
        planner.request(
            nation="RUS",
            platform="udaloy",
            origin="ru-severomorsk-naval-base",
            destination="ru-arkhangelsk-port",
            departure="2027-01-15",
        )
    )
    assert not iced.feasible and iced.reason
    assert iced.reason.startswith("no itinerary fits the seasons")
    assert "white-sea: open 11 May-14 Nov" in iced.reason and "max_wait_days=60" in iced.reason
    assert "max_stops=12 resupply stops" not in iced.reason
    summer = planner.plan(
        planner.request(
            nation="RUS",
            platform="udaloy",
            origin="ru-severomorsk-naval-base",
            destination="ru-arkhangelsk-port",
            departure="2027-07-15",
        )
    )
    assert summer.feasible and "white-sea" in summer.passages
    short = Platform(
        id="short-legged", name="short-legged", endurance_nm=2500, at_speed_kn=14, max_speed_kn=28
    )
    ranged = planner.plan(
        planner.request(
            nation="IND",
            platform=short,
            origin="in-mumbai-naval-dockyard",
            destination="ru-vladivostok-naval-base",
            departure="2027-02-01",
            speed_kn=20,
        )
    )
    assert not ranged.feasible and ranged.reason
    assert "fits the seasons" not in ranged.reason and "usable range" in ranged.reason


def test_variants_bounds_grown_from_the_plans_are_the_bounds_afresh(
    planner: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the agreement variants of an infeasible plan open a few more ports: their lower
    # bounds are grown from the plan's (its legs unchanged), and are the bounds worked out
    # afresh; the suggestions are the same either way
    from routing.plan import planner as planner_module
    from routing.plan.solver import lower_bounds

    short = Platform(
        id="short-legged", name="short-legged", endurance_nm=2500, at_speed_kn=14, max_speed_kn=28
    )
    req = planner.request(
        nation="IND",
        platform=short,
        origin="in-mumbai-naval-dockyard",
        destination="ru-vladivostok-naval-base",
        departure="2026-08-01",
        dropped_agreements=["india-france", "india-vietnam"],
    )
    grown: list[int] = []

    def checked(dist: np.ndarray, tix: list[int], *, known: object = None) -> object:
        got = lower_bounds(dist, tix, known=known)  # type: ignore[arg-type]
        if known is not None:
            fresh = lower_bounds(dist, tix)
            np.testing.assert_allclose(got.through, fresh.through, rtol=1e-12)
            np.testing.assert_allclose(got.rest, fresh.rest, rtol=1e-12)
            grown.append(dist.shape[0])
        return got

    fresh_planner = Planner(planner.catalogue, planner.sea, platforms=planner.platforms)
    with monkeypatch.context() as m:
        m.setattr(planner_module, "lower_bounds", checked)
        with_grown = fresh_planner.plan(req)
    assert not with_grown.feasible
    assert any("agreement with VNM" in s for s in with_grown.suggestions)
    assert grown  # some variant's bounds were grown
    with monkeypatch.context() as m:
        m.setattr(Planner, "_bounds_of_fewer", lambda *args, **kwargs: None)
        afresh = Planner(planner.catalogue, planner.sea, platforms=planner.platforms).plan(req)
    assert afresh.suggestions == with_grown.suggestions and afresh.reason == with_grown.reason
