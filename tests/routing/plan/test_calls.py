"""Port-call rules, tested directly: who may call where, on what day, on what basis."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from routing import default_planner
from routing.catalogue.model import Catalogue
from routing.plan.calls import CallRules, Place, limit_breach
from routing.plan.planner import Planner, split_waves
from routing.plan.request import PlanRequest

DAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def planner() -> Planner:
    return default_planner()


def _req(planner: Planner, **kw: object) -> PlanRequest:
    base: dict[str, object] = {
        "nation": "IND",
        "platform": "talwar",
        "origin": "in-mumbai-naval-dockyard",
        "destination": "ru-severomorsk-naval-base",
        "departure": "2026-12-01",
    }
    if "group" in kw:
        del base["platform"]
    return planner.request(**{**base, **kw})  # type: ignore[arg-type]


def _place(cat: Catalogue, fid: str) -> Place:
    fac = cat.facility(fid)
    return Place(fac.id, fac.point, fac.name, fac)


def test_an_end_needs_berthing_under_an_agreement_in_force(planner: Planner) -> None:
    cat = planner.catalogue
    rules = CallRules(cat, _req(planner))
    when = dt.datetime(2026, 12, 20, tzinfo=dt.UTC)
    call = rules.call("destination", _place(cat, "ru-severomorsk-naval-base"), when, "berthing")
    assert not isinstance(call, str)
    assert call.grant is not None and call.grant.agreement == "relos"
    assert call.notice_days == 14 and call.request_by == when - dt.timedelta(days=14)
    before = rules.call(
        "destination",
        _place(cat, "ru-severomorsk-naval-base"),
        dt.datetime(2024, 8, 21, tzinfo=dt.UTC),
        "berthing",
    )
    assert before == (
        "Severomorsk Naval Base (Kola Bay) (RUS) is opened to IND only by relos, which is not "
        "in force on 2024-08-21 (from 2025-12-15)"
    )


def test_clearance_is_opt_in_and_can_be_denied(planner: Planner) -> None:
    cat = planner.catalogue
    fac = cat.facility("ru-severomorsk-naval-base")
    plain = CallRules(cat, _req(planner, dropped_agreements=["relos"]))
    assert plain.grant(fac, DAY, "berthing", clearance=True) is None
    cleared = CallRules(cat, _req(planner, dropped_agreements=["relos"], allow_clearance=True))
    grant = cleared.grant(fac, DAY, "berthing", clearance=True)
    assert grant is not None and grant.basis == "clearance" and grant.agreements == ()
    assert cleared.notice(grant) == 30
    assert cleared.grant(fac, DAY, "berthing", clearance=False) is None  # stops: not asked
    denied = CallRules(
        cat,
        _req(planner, dropped_agreements=["relos"], allow_clearance=True, denied_countries=["RUS"]),
    )
    assert denied.grant(fac, DAY, "berthing", clearance=True) is None


def test_limits_count_warships_aircraft_and_personnel(planner: Planner) -> None:
    relos = planner.catalogue.agreements["relos"]
    assert limit_breach(relos, (5, 0, 0)) is None
    assert limit_breach(relos, (6, 0, 0)) == (
        "relos allows at most 5 warships at once; the group has 6"
    )
    assert "10 aircraft" in (limit_breach(relos, (0, 11, 0)) or "")
    assert "3,000 personnel" in (limit_breach(relos, (1, 0, 3001)) or "")
    req = _req(planner, group=[("talwar", 4), ("kolkata", 3)])
    assert req.head_count == 4 * 180 + 3 * 390  # published complements
    assert replace(req, personnel=99).head_count == 99


def test_stops_are_those_of_the_agreements_whose_limits_the_group_is_within(
    planner: Planner,
) -> None:
    """A group of another size within the same agreements' limits (a new ship's crew) may
    use the same stops, worked out once; one over RELOS's 3,000 personnel may not use the
    Russian ones, which are named as what the limit excludes."""
    cat = planner.catalogue
    reqs = [_req(planner, personnel=n) for n in (200, 2_999, 3_001)]
    small, other, over = (planner._candidates(cat, r, CallRules(cat, r)) for r in reqs)
    assert other[0] is small[0]  # the same answer, not worked out again
    russian = {f.id for f, _ in small[0] if f.country == "RUS"}
    assert russian and not russian & {f.id for f, _ in over[0]}
    assert russian <= set(over[1]) and not small[1]


def test_waves_fit_the_limits(planner: Planner) -> None:
    relos = planner.catalogue.agreements["relos"]
    req = _req(planner, group=[("talwar", 4), ("kolkata", 3), ("deepak", 1)], personnel=4000)
    waves = split_waves(req, relos)
    assert len(waves) == 2
    assert sum(m.count for g, _ in waves for m in g) == 8
    for group, personnel in waves:
        assert sum(m.count for m in group if m.platform.warship) <= 5
        assert personnel is not None and personnel <= 3000


def test_min_confidence_leaves_out_what_is_less_certain(planner: Planner) -> None:
    cat = planner.catalogue
    rules = CallRules(cat, _req(planner, min_confidence="confirmed"))
    assert (
        rules.grant(cat.facility("ru-severomorsk-naval-base"), DAY, "berthing", clearance=False)
        is None
    )
    assert "assumed date" in rules.refusal(
        cat.facility("ru-severomorsk-naval-base"), DAY, "berthing"
    )
    own = CallRules(cat, _req(planner, nation="RUS", platform="udaloy"))
    tartus = own.grant(cat.facility("sy-tartus-naval-facility"), DAY, "berthing", clearance=False)
    assert tartus is not None and tartus.basis == "own" and tartus.confidence == "uncertain"
    assert any("Assad" in c for c in tartus.caveats)
