"""A plan map shows where the group waits and why, each ship's fuel and a tanker's cargo:
drawn from real plans (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest

from maps import render_plan, to_html
from routing import Planner, default_planner
from routing.plan.serialize import plan_json
from tests.maps import fixtures as fx
from tests.maps.support import html_slots, shown_text


@pytest.fixture(scope="module")
def planner() -> Planner:
    return default_planner()


def _texts(plan: dict) -> list[str]:
    page = to_html(render_plan(plan, passages=fx.PASSAGES), standalone=True)
    return [shown_text(p) for p in html_slots(page)["popup or tooltip"]]


def test_a_season_wait_is_on_the_leg_tooltip(planner: Planner) -> None:
    plan = planner.plan(
        planner.request(
            nation="RUS",
            platform="udaloy",
            origin="ru-severomorsk-naval-base",
            destination="ru-vladivostok-naval-base",
            departure="2027-06-20",
        )
    )
    (waiting,) = [leg for leg in plan.legs if leg.wait_h > 0]
    texts = _texts(plan_json(plan))
    (leg,) = [t for t in texts if t.startswith("Plan: leg") and "waits" in t]
    assert f"waits {waiting.wait_h / 24:.1f} days" in leg and waiting.start.name in leg
    assert "Northern Sea Route" in leg and "entered 2027-07-01" in leg


def test_a_notice_wait_and_each_ships_fuel_are_in_the_stop_popup(planner: Planner) -> None:
    """Two Udaloys with a tanker, Severomorsk to Vladivostok by Suez in November 2027;
    call requests can go out from 9 December, so the RELOS call in India (14 days'
    notice) waits in port until the notice has run."""
    plan = planner.plan(
        planner.request(
            nation="RUS",
            group=[("udaloy", 2), ("akademik-pashin", 1)],
            origin="ru-severomorsk-naval-base",
            destination="ru-vladivostok-naval-base",
            departure="2027-11-14",
            notice_from=dt.datetime(2027, 12, 9, tzinfo=dt.UTC),
        )
    )
    assert plan.feasible, plan.reason
    (waited,) = [s for s in plan.stops if s.wait_h > 0]
    popups = [t for t in _texts(plan_json(plan)) if t.startswith("Stop ")]
    assert len(popups) == len(plan.stops)
    (held,) = [p for p in popups if "waited" in p]
    assert waited.place.name in held and "14 days' notice from 2027-12-09" in held
    for text in popups:
        assert "fuel by shipudaloy 100 %" in text and "akademik-pashin" in text
        assert "tanker cargo left" in text
