"""Voyages that obey time, fuel and the seasons: real cases with the outcome a planner
expects, the fuel curve, tanker cargo, and explanations (issue 12)."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing import Planner, default_planner
from routing.catalogue.platforms import Platform
from routing.plan.fuel import GroupFuel
from routing.plan.planner import Plan
from routing.sea.timing import closed_days, earliest_entry
from routing.vocab import ICE_CLASSES
from tests.routing.plan.groups import escorts_and_oiler

NSR_NONE = ((7, 1), (11, 15))  # the NSR's window for ships without ice class


@pytest.fixture(scope="module")
def planner() -> Planner:
    return default_planner()


def _plan(planner: Planner, **kw: object) -> Plan:
    return planner.plan(planner.request(**kw))  # type: ignore[arg-type]


def _udaloy(planner: Planner, departure: str, **kw: object) -> Plan:
    """An Udaloy (no ice class), Severomorsk -> Vladivostok, leaving on ``departure``."""
    return _plan(
        planner,
        nation="RUS",
        platform="udaloy",
        origin="ru-severomorsk-naval-base",
        destination="ru-vladivostok-naval-base",
        departure=departure,
        **kw,
    )


def _in_window(day: dt.date, window: tuple[tuple[int, int], tuple[int, int]]) -> bool:
    return window[0] <= (day.month, day.day) <= window[1]


def _nsr_days(plan: Plan) -> list[tuple[dt.datetime, dt.datetime]]:
    return [
        (t.entered, t.left) for leg in plan.legs for t in leg.transits if t.transit.passage == "nsr"
    ]


# -- the season, judged along the voyage ---------------------------------------------------


def test_a_talwar_reaching_the_nsr_after_15_november_goes_another_way(planner: Planner) -> None:
    """The reported case: Mumbai -> Vladivostok by Murmansk, leaving 1 November 2027,
    reaches the NSR about 27 November: it must not be accepted through it."""
    plan = _plan(
        planner,
        nation="IND",
        platform="talwar",
        origin="in-mumbai-naval-dockyard",
        destination="ru-vladivostok-naval-base",
        waypoints=["ru-murmansk-port"],
        departure="2027-11-01",
    )
    assert plan.feasible, plan.reason
    assert "nsr" not in plan.passages
    assert plan.season_closed == ("nsr",)
    note = next(w for w in plan.warnings if w.startswith("Northern Sea Route"))
    assert "1 Jul-15 Nov" in note and "keeps out of it" in note
    for entered, left in _nsr_days(plan):  # none, but the rule is the point
        assert _in_window(entered.date(), NSR_NONE) and _in_window(left.date(), NSR_NONE)


def test_an_udaloy_leaving_severomorsk_on_14_november_does_not_transit_into_december(
    planner: Planner,
) -> None:
    plan = _udaloy(planner, "2027-11-14")
    assert plan.feasible, plan.reason
    assert "nsr" not in plan.passages
    assert any("Northern Sea Route" in w for w in plan.warnings)
    early = _udaloy(planner, "2027-10-20")
    assert "nsr" in early.passages  # in October the whole transit is in season
    for entered, left in _nsr_days(early):
        assert _in_window(entered.date(), NSR_NONE) and _in_window(left.date(), NSR_NONE)
    assert early.eta < plan.eta


def test_a_ship_leaving_before_the_season_waits_for_it_when_that_is_quicker(
    planner: Planner,
) -> None:
    plan = _udaloy(planner, "2027-06-20")
    assert plan.feasible and "nsr" in plan.passages
    (entered, _left), *_ = _nsr_days(plan)
    assert entered.date() >= dt.date(2027, 7, 1)
    assert plan.wait_h > 24 * 5 and plan.legs[0].wait_reason
    assert "Northern Sea Route" in plan.legs[0].wait_reason
    assert plan.duration_h == pytest.approx(plan.sailing_h + plan.dwell_h + plan.wait_h)
    no_wait = _udaloy(planner, "2027-06-20", max_wait_days=0)
    assert "nsr" not in no_wait.passages and no_wait.eta > plan.eta


def test_an_arc4_ship_uses_the_nsr_in_late_june_without_waiting(planner: Planner) -> None:
    plan = _plan(
        planner,
        nation="RUS",
        platform="akademik-pashin",
        origin="ru-murmansk-port",
        destination="ru-vladivostok-naval-base",
        departure="2027-06-25",
    )
    assert plan.feasible and "nsr" in plan.passages
    assert plan.wait_h == 0
    assert plan.distance_nm < 7_000


def test_notice_periods_are_waited_for_when_requests_start_late(planner: Planner) -> None:
    """RELOS asks 14 days' notice of a port call. If requests can only go out 25 days
    after departure, the Russian ship's stop in India waits for the notice to run."""
    plain = _udaloy(planner, "2027-11-14")
    noticed = [s for s in plain.stops if s.notice_days]
    assert noticed, "the plan calls in India under RELOS (14 days' notice)"
    start = dt.datetime(2027, 12, 9, tzinfo=dt.UTC)
    late = _udaloy(planner, "2027-11-14", notice_from=start)
    assert late.feasible, late.reason
    for stop in late.stops:
        if stop.notice_days:  # the call begins once the notice has run, not before
            begins = stop.arrival + dt.timedelta(hours=stop.wait_h)
            assert begins >= start + dt.timedelta(days=stop.notice_days)
            assert stop.request_by == begins - dt.timedelta(days=stop.notice_days)
    assert late.wait_h > 0 and late.eta > plain.eta
    assert any("days' notice" in (s.wait_reason or "") for s in late.stops)
    assert late.duration_h == pytest.approx(late.sailing_h + late.dwell_h + late.wait_h)


def test_the_nsr_way_keeps_clear_of_an_iced_gulf_of_anadyr(planner: Planner) -> None:
    """Leaving Severomorsk on 20 October 2027 an Udaloy is through the NSR before it
    shuts, but the shortest track clips the Gulf of Anadyr on days its ice rules bar
    ships without ice class: the plan takes the NSR and skirts the gulf, rather than
    going round by Suez."""
    plan = _udaloy(planner, "2027-10-20")
    assert plan.feasible and "nsr" in plan.passages
    assert plan.distance_nm < 7_000  # by Suez it is 12,900 nm
    assert plan.season_closed == ("gulf-of-anadyr",)
    seasons = planner.sea.sea.seasons  # type: ignore[union-attr]
    for leg in plan.legs:
        for t in leg.transits:
            rule = seasons.get(t.transit.passage)
            assert rule is None or not closed_days(rule, t.entered, t.left, "none")


def test_each_objective_trades_waiting_against_distance(planner: Planner) -> None:
    """Leaving on 10 May with up to 90 days' wait allowed: the quickest plan goes round
    by Suez and says why it does not wait; the shortest waits 50 days for the NSR."""
    fast = _udaloy(planner, "2027-05-10", max_wait_days=90, objective="min_time")
    short = _udaloy(planner, "2027-05-10", max_wait_days=90, objective="min_distance")
    assert "nsr" not in fast.passages and fast.wait_h == 0 and fast.season_closed == ("nsr",)
    assert any("would arrive later than going round" in w for w in fast.warnings)
    assert "nsr" in short.passages and short.wait_h > 40 * 24
    assert short.distance_nm < fast.distance_nm / 2 and fast.eta < short.eta
    strict = _udaloy(planner, "2027-05-10", max_wait_days=30, objective="min_distance")
    assert "nsr" not in strict.passages  # a 50-day wait is over the limit


def test_a_kolkata_reaches_vladivostok_within_its_range_on_every_stretch(
    planner: Planner,
) -> None:
    plan = _plan(
        planner,
        nation="IND",
        platform="kolkata",
        origin="in-mumbai-naval-dockyard",
        destination="ru-vladivostok-naval-base",
        departure="2027-08-01",
    )
    assert plan.feasible, plan.reason
    assert "malacca" in plan.passages and plan.wait_h == 0
    stretch = 0.0
    for leg in plan.legs:
        stretch += leg.distance_nm
        assert stretch <= plan.usable_range_nm + 1e-6
        if any(s.place.key == leg.end.key for s in plan.stops):
            stretch = 0.0
    assert min(s.fuel_on_arrival for s in plan.stops) >= 0.0


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    hours=st.floats(0, 24 * 800),
    inside=st.floats(0, 24 * 25),
    wait_days=st.sampled_from([0, 3, 60, 400]),
    ice=st.sampled_from([None, *ICE_CLASSES]),
)
def test_the_season_calendar_reads_like_a_day_by_day_check(
    planner: Planner,
    data: st.DataObject,
    hours: float,
    inside: float,
    wait_days: int,
    ice: str | None,
) -> None:
    """The whole-array season checks agree with asking the rule day by day."""
    seasons = planner.sea.sea.seasons  # type: ignore[union-attr]
    rule = seasons[data.draw(st.sampled_from(sorted(seasons)))]
    enter = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=hours)
    span = dt.timedelta(hours=inside)

    def shut(a: dt.datetime, b: dt.datetime) -> list[dt.date]:
        return [
            a.date() + dt.timedelta(days=k)
            for k in range((b.date() - a.date()).days + 1)
            if not rule.open_on(a.date() + dt.timedelta(days=k), ice)
        ]

    assert closed_days(rule, enter, enter + span, ice) == shut(enter, enter + span)
    expected: dt.datetime | None = enter
    if shut(enter, enter + span):
        expected = None
        for k in range(1, ((enter + dt.timedelta(days=wait_days)).date() - enter.date()).days + 1):
            start = dt.datetime.combine(enter.date() + dt.timedelta(days=k), dt.time(), dt.UTC)
            if not shut(start, start + span):
                expected = start
                break
    got = earliest_entry(rule, enter, span, ice, max_wait=dt.timedelta(days=wait_days))
    assert got == expected


# -- fuel that burns like fuel -------------------------------------------------------------


def test_the_talwar_curve_meets_its_published_points_and_stops_growing_below_14_kn(
    planner: Planner,
) -> None:
    talwar = planner.platforms["talwar"]
    assert talwar.endurance_at(14) == pytest.approx(4850)
    assert talwar.endurance_at(30) == pytest.approx(1600)
    assert talwar.endurance_at(8.4) == pytest.approx(4850)  # was 13,470 under (v0/v)^2
    speeds = [14, 16, 18, 20, 24, 28, 30]
    ranges = [talwar.endurance_at(v) for v in speeds]
    assert all(a > b for a, b in itertools.pairwise(ranges))


def test_every_platform_curve_is_monotone_and_labelled(planner: Planner) -> None:
    for plat in planner.platforms.values():
        lo, hi = plat.economical_speed_kn, plat.max_speed_kn
        grid = [lo + (hi - lo) * k / 10 for k in range(11)]
        ranges = [plat.endurance_at(v) for v in grid]
        assert all(a >= b for a, b in itertools.pairwise(ranges)), plat.id
        assert plat.endurance_at(lo / 2) == pytest.approx(plat.endurance_at(lo)), plat.id
        model = plat.fuel_model()
        for v, e in plat.curve:
            assert plat.endurance_at(v) == pytest.approx(e), plat.id
        if len(plat.curve) == 1 and hi > lo:
            assert any("cube law" in s for s in model["stand_in"]), plat.id  # type: ignore[union-attr]


def test_a_range_that_rises_with_speed_is_refused() -> None:
    with pytest.raises(ValueError, match="range must fall"):
        Platform(
            id="odd",
            name="odd",
            endurance_nm=3000,
            at_speed_kn=14,
            max_speed_kn=30,
            range_points=[{"speed_kn": 20, "range_nm": 3500}],  # type: ignore[list-item]
        )


def test_speed_suggestions_stay_inside_the_envelope(planner: Planner) -> None:
    plan = _plan(
        planner,
        nation="IND",
        platform="talwar",
        origin="in-mumbai-naval-dockyard",
        destination="ru-vladivostok-naval-base",
        departure="2027-08-01",
        speed_kn=28,
        max_stops=1,
    )
    for text in plan.suggestions:
        m = re.match(r"sail at ([\d.]+) kn", text)
        if m:
            assert 14 <= float(m.group(1)) < 28


# -- tankers with a cargo ------------------------------------------------------------------


def _group_plan(planner: Planner, tankers: int, **kw: object) -> Plan:
    """The carrier group (with ``tankers`` Deepaks) from Karwar, Suez shut; by default to
    Gibraltar in March."""
    group = [("vikramaditya", 1), ("kolkata", 2), ("talwar", 1)]
    if tankers:
        group.append(("deepak", tankers))
    where = {"destination": "gb-gibraltar-naval-base", "departure": "2027-03-01", **kw}
    return _plan(
        planner,
        nation="IND",
        group=group,
        origin="in-karwar-naval-base",
        closed=["suez"],
        **where,
    )


def test_a_deepak_is_not_bottomless(planner: Planner) -> None:
    """The reported case: one Deepak carried a carrier group 9,706 nm round the Cape
    non-stop. Now its own bunkers and its cargo run out, and the plan reports both."""
    plan = _group_plan(planner, 1)
    assert plan.feasible, plan.reason
    assert plan.stops, "9,700 nm round the Cape is beyond one Deepak"
    assert "Deepak" in plan.range_basis
    for leg in plan.legs:
        assert leg.fuel is not None and leg.fuel.cargo_t is not None
        assert set(leg.fuel.members) == {"vikramaditya", "kolkata", "talwar", "deepak"}
        assert min(leg.fuel.members.values()) >= plan.request.reserve - 1e-9
    for stop in plan.stops:
        assert stop.fuel is not None and stop.fuel.cargo_t is not None
        assert stop.fuel.cargo_t < 15_250  # drawn on since the last fill
    alone = _group_plan(planner, 0)
    assert not alone.feasible or len(alone.stops) > len(plan.stops) or alone.eta > plan.eta


def test_two_deepaks_carry_more_cargo_than_one(planner: Planner) -> None:
    one, two = _group_plan(planner, 1), _group_plan(planner, 2)
    assert one.feasible and two.feasible
    f1 = one.legs[0].fuel
    f2 = two.legs[0].fuel
    assert f1 is not None and f2 is not None and f1.cargo_t is not None and f2.cargo_t is not None
    assert f2.cargo_t > f1.cargo_t
    assert len(two.stops) <= len(one.stops)


def test_an_air_ferry_that_needs_tankers(planner: Planner) -> None:
    """Four Su-30MKI, Thanjavur -> Djibouti non-stop (about 2,150 nm, round Sri Lanka and
    up the Gulf of Aden in international airspace): beyond their own range; each Il-78MKI
    gives from its own tanks, so two are not enough and three are. From Jamnagar (a
    2,512 m runway) a fully fuelled Il-78MKI cannot take off at all (3,499 m needed)."""
    kw = dict(
        nation="IND",
        origin="in-thanjavur-afs",
        destination="dj-djibouti-ambouli-airbase",
        departure="2027-03-01",
        max_stops=0,
    )
    alone = _plan(planner, group=[("su-30mki", 4)], **kw)
    two = _plan(planner, group=[("su-30mki", 4), ("il-78mki", 2)], **kw)
    three = _plan(planner, group=[("su-30mki", 4), ("il-78mki", 3)], **kw)
    assert not alone.feasible and not two.feasible
    assert alone.usable_range_nm < two.usable_range_nm < three.usable_range_nm
    assert three.feasible, three.reason
    assert any(s.startswith("add another tanker") for s in two.suggestions), two.suggestions
    jamnagar = _plan(
        planner, group=[("su-30mki", 4), ("il-78mki", 2)], **{**kw, "origin": "in-jamnagar-afs"}
    )
    assert not jamnagar.feasible
    assert jamnagar.reason and "runway" in jamnagar.reason and "3,499 m" in jamnagar.reason


@settings(max_examples=60, deadline=None)
@given(
    escorts=st.lists(
        st.tuples(
            st.floats(1_000, 12_000), st.floats(50, 5_000), st.integers(1, 3)
        ),  # endurance nm, capacity t, count
        min_size=1,
        max_size=3,
    ),
    tanker=st.tuples(st.floats(4_000, 14_000), st.floats(200, 3_000), st.floats(0, 30_000)),
    reserve=st.sampled_from([0.0, 0.1, 0.25]),
)
def test_group_stretch_matches_a_mile_by_mile_simulation(
    escorts: list[tuple[float, float, int]], tanker: tuple[float, float, float], reserve: float
) -> None:
    """The closed form of the longest stretch against a brute force that sails the group
    in 1 nm steps, topping the escorts up from the cargo, until someone hits reserve."""
    members, oiler = escorts_and_oiler(escorts, tanker)
    te, tc, cargo = tanker
    fuel = GroupFuel.of([*members, (oiler, 1)], 14, reserve)
    left = {p.id: p.fuel_capacity_t for p, _ in members}
    own = tc
    hold = cargo
    step = 1.0
    sailed = 0.0
    while True:
        need = {p.id: p.fuel_capacity_t / p.endurance_nm * step for p, _ in members}  # type: ignore[operator]
        n = {p.id: k for p, k in members}
        for pid, burn in need.items():
            take = min(hold, burn * n[pid])
            hold -= take
            left[pid] -= burn - take / n[pid]  # type: ignore[operator]
        own -= tc / te * step
        ok = own >= tc * reserve - 1e-9 and all(
            left[p.id] >= p.fuel_capacity_t * reserve - 1e-9  # type: ignore[operator]
            for p, _ in members
        )
        if not ok:
            break
        sailed += step
        if sailed > 60_000:
            break
    assert fuel.stretch_nm == pytest.approx(sailed, abs=2 * step + 1e-6 * sailed)


# -- explanations a planner would accept ---------------------------------------------------


@pytest.fixture(scope="module")
def carrier_group_suez_shut(planner: Planner) -> Plan:
    """Vikramaditya, two Kolkatas and a Talwar, Karwar -> Murmansk, Suez shut, December."""
    return _group_plan(planner, 0, destination="ru-murmansk-port", departure="2027-12-01")


def test_the_reason_names_the_gap_on_the_natural_route(carrier_group_suez_shut: Plan) -> None:
    """The reported case: a carrier group, Karwar -> Murmansk with Suez shut in December,
    was told about a leg out of San Diego. The natural route is round the Cape."""
    plan = carrier_group_suez_shut
    assert not plan.feasible
    assert plan.reason is not None and "shortest route" in plan.reason
    assert "San Diego" not in plan.reason and "Norfolk" not in plan.reason
    assert "usable range" in plan.reason and "Kolkata" in plan.reason
    assert plan.suggestions
    days = []
    for text in plan.suggestions:
        m = re.search(r": ([\d,]+) nm, ([\d.]+) days, (\d+) stops, ETA (\d{4}-\d\d-\d\d)", text)
        assert m, text  # each suggestion is re-planned and shows what it leads to
        days.append(float(m.group(2)))
    assert days == sorted(days), "cheapest first"


def test_a_long_detour_is_called_out(planner: Planner, carrier_group_suez_shut: Plan) -> None:
    """A suggestion whose plan is over 1.5 times the natural route says so; others don't."""
    closed = frozenset({"suez"})
    plan = carrier_group_suez_shut
    assert plan.request.closed == closed
    assert planner.sea is not None
    natural = planner.sea.route(
        "in-karwar-naval-base", "ru-murmansk-port", closed=closed, date=dt.date(2027, 12, 1)
    ).distance_nm
    assert plan.suggestions
    for text in plan.suggestions:
        m = re.search(r": ([\d,]+) nm", text)
        assert m, text
        long = float(m.group(1).replace(",", "")) > 1.5 * natural + 1
        assert ("a detour" in text) == long, (text, natural)
    from routing.plan.planner import _summary

    feasible = _group_plan(planner, 1)
    assert "a detour: 100% longer" in _summary(feasible, feasible.distance_nm / 2)
    assert "detour" not in _summary(feasible, feasible.distance_nm)
