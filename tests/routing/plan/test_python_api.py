"""The scripting API: scenarios never mutate the baseline, compare and critical are right."""

from __future__ import annotations

import datetime as dt

import pytest

from routing import Planner, Scenario, compare, compare_json, critical, default_planner
from routing.catalogue.model import Agreement
from routing.errors import InvalidInputError


@pytest.fixture(scope="module")
def planner() -> Planner:
    return default_planner()


def _req(planner: Planner, **kw: object) -> object:
    base = {
        "nation": "IND",
        "platform": "talwar",
        "origin": "in-visakhapatnam-naval-dockyard",
        "destination": "ru-severomorsk-naval-base",
        "departure": "2026-08-01T00:00",
    }
    base.update(kw)
    return planner.request(**base)  # type: ignore[arg-type]


def test_scenarios_do_not_mutate_the_baseline(planner: Planner) -> None:
    req = _req(planner)
    before = planner.plan(req)  # type: ignore[arg-type]
    shut = Scenario(name="red sea", closed=frozenset({"suez", "bab-el-mandeb"}))
    after_scn = planner.plan(req, scenario=shut)  # type: ignore[arg-type]
    again = planner.plan(req)  # type: ignore[arg-type]
    assert "suez" in before.passages and "suez" not in after_scn.passages
    assert [s.place.key for s in again.stops] == [s.place.key for s in before.stops]
    assert again.distance_nm == before.distance_nm
    assert len(planner.catalogue) == len(default_planner().catalogue)


def test_compare_reports_deltas_against_the_baseline(planner: Planner) -> None:
    req = _req(planner)
    feb = Scenario(
        name="February, Red Sea shut",
        date=dt.date(2027, 2, 1),
        closed=frozenset({"suez", "bab-el-mandeb"}),
    )
    table = compare_json(compare(planner, req, [feb]), include_plans=False)  # type: ignore[arg-type]
    base, row = table["results"]
    assert base["scenario"] == "baseline" and base["delta"]["distance_nm"] == 0
    if row["feasible"]:
        assert row["delta"]["distance_nm"] == pytest.approx(
            row["totals"]["distance_nm"] - base["totals"]["distance_nm"], abs=0.2
        )
        assert "nsr" not in row["passages"], "no NSR in February for a non-ice-class frigate"
    else:
        assert row["reason"] and row["delta"] is None


def test_hypothetical_agreement_opens_sabang(planner: Planner) -> None:
    idn = Agreement(
        id="india-indonesia",
        name="India-Indonesia logistics (hypothetical)",
        parties=("IND", "IDN"),
        signed=dt.date(2026, 1, 1),
        in_force_from=dt.date(2026, 1, 1),
        services=("fuel", "provisions", "water"),
    )
    # A short-legged ship that must stop between the Andamans and Singapore-ish waters.
    req = planner.request(
        nation="IND",
        platform="kamorta",
        origin="in-port-blair-naval-base",
        destination="au-darwin-hmas-coonawarra",
        departure="2026-08-01",
        closed={"malacca", "singapore"},
        speed_kn=18,
    )
    with_idn = Scenario(name="Sabang opens", added_agreements=(idn,))
    out = compare(planner, req, [with_idn])
    assert out[1].plan.feasible
    if not out[0].plan.feasible:
        assert any("IDN" in s for s in out[0].plan.suggestions)
    assert "id-sabang-port" not in planner.catalogue.agreements
    assert "india-indonesia" not in planner.catalogue.agreements


def test_platform_override_changes_the_ship(planner: Planner) -> None:
    req = _req(planner)
    kolkata = Scenario(
        name="send a Kolkata", platform_overrides={"talwar": {"replace_with": "kolkata"}}
    )
    plan = planner.plan(req, scenario=kolkata)  # type: ignore[arg-type]
    assert plan.request.group[0].platform.id == "kolkata"
    with pytest.raises(InvalidInputError) as info:
        planner.plan(req, scenario=Scenario(platform_overrides={"talwar": {"warp": 9}}))  # type: ignore[arg-type]
    assert info.value.field == "platform_overrides"


def test_critical_ranks_infeasible_first_then_by_extra_time(planner: Planner) -> None:
    base, impacts = critical(planner, _req(planner))  # type: ignore[arg-type]
    assert base.feasible and impacts
    kinds = {i.kind for i in impacts}
    assert {"facility", "passage"} <= kinds
    keys = [i.sort_key for i in impacts]
    assert keys == sorted(keys)
    for imp in impacts:
        if imp.feasible:
            assert imp.extra_h is not None and imp.extra_h >= -1e-6, "losing an option never helps"
            if imp.kind == "facility":
                assert imp.id not in [s.place.key for s in imp.plan.stops]
            if imp.kind == "passage":
                assert imp.id not in imp.plan.passages


def test_repeating_a_scenario_hits_the_cache(planner: Planner) -> None:
    idn = Agreement(
        id="india-indonesia",
        name="hypothetical",
        parties=("IND", "IDN"),
        signed=dt.date(2026, 1, 1),
        in_force_from=dt.date(2026, 1, 1),
        services=("fuel",),
    )
    scn = Scenario(name="x", added_agreements=(idn,))
    same = Scenario(name="y", added_agreements=(idn,))
    assert scn.catalogue(planner.catalogue) is same.catalogue(planner.catalogue)
