"""An infeasible plan's agreement variants: their candidates derived from the request's,
and their plans solved over places a group of them shares (the legs measured once a
group). Each must give what the variant gives planned on its own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import routing.plan.planner as planner_module
from routing import Planner, default_planner
from routing.catalogue.model import Agreement
from routing.catalogue.platforms import Platform
from routing.plan.calls import CallRules
from routing.plan.planner import _Shared
from routing.vocab import SEA_KINDS
from tests.routing.plan.support import record_variants, shown

SHORT = Platform(
    id="short-legged", name="short-legged", endurance_nm=2500, at_speed_kn=14, max_speed_kn=28
)


@pytest.fixture(scope="module")
def planner() -> Planner:
    return default_planner()


def _fresh(planner: Planner) -> Planner:
    """A planner over the same data with nothing cached."""
    return Planner(planner.catalogue, planner.sea, platforms=planner.platforms)


def _agreement(nation: str, country: str, day: dt.date, **fields: Any) -> Agreement:
    return Agreement(
        id=f"hypothetical-{country.lower()}",
        name=f"hypothetical agreement with {country}",
        parties=(nation, country),
        signed=day,
        in_force_from=day,
        services=("fuel", "provisions", "water", "berthing"),
        **fields,
    )


@pytest.mark.parametrize(
    ("options", "fields"),
    [
        ({}, {}),
        ({"allow_clearance": True}, {}),
        ({"min_confidence": "uncertain"}, {"confidence": "uncertain"}),
        ({"min_confidence": "confirmed"}, {"confidence": "uncertain"}),
        ({}, {"limits": {"max_warships": 0}}),  # the agreement's limit refuses the group
        ({}, {"kinds": ("airbase",)}),  # it opens no port
    ],
)
def test_a_variant_s_candidates_are_derived_from_the_request_s(
    planner: Planner, options: dict[str, Any], fields: dict[str, Any]
) -> None:
    """With an agreement with each other country added (and with an existing partner, a
    second agreement), only that country's facilities are asked again: the stops and
    their grants, and those a limit excludes, are those of a fresh computation, in the
    same order."""
    cat = planner.catalogue
    req = planner.request(
        nation="IND",
        platform="talwar",
        origin="in-mumbai-naval-dockyard",
        destination="ru-vladivostok-naval-base",
        departure="2026-08-01",
        **options,
    )
    day = req.departure.date()
    countries = sorted({f.country for f in cat if f.kind in SEA_KINDS} - {"IND"})
    assert {"RUS", "FRA", "IDN"} <= set(countries)
    grew = 0
    for country in countries:
        agr = _agreement("IND", country, day, **fields)
        within = cat.with_additions(agreements=[agr])
        derived = planner._candidates(within, req, CallRules(within, req), adding=(cat, agr))
        fresh = _fresh(planner)._candidates(within, req, CallRules(within, req))
        assert [(f.id, g) for f, g in derived[0]] == [(f.id, g) for f, g in fresh[0]], country
        assert derived[1] == fresh[1], country
        before = planner._candidates(cat, req, CallRules(cat, req))[0]
        grew += len(derived[0]) > len(before)
    assert grew or fields or options.get("allow_clearance")  # the agreements open ports


@pytest.mark.parametrize(
    ("nation", "origin", "destination", "departure", "closed", "platform"),
    [
        (
            "IND",
            "in-mumbai-naval-dockyard",
            "ru-vladivostok-naval-base",
            "2026-08-01",
            (),
            "talwar",
        ),
        (
            "IND",
            "in-mumbai-naval-dockyard",
            "ru-vladivostok-naval-base",
            "2026-02-01",
            ("malacca",),
            "talwar",
        ),
        (
            "IND",
            "in-visakhapatnam-naval-dockyard",
            "ru-severomorsk-naval-base",
            "2026-08-10",
            ("suez",),
            "talwar",
        ),
        ("IND", "in-kochi-naval-base", "fr-toulon-naval-base", "2026-03-01", (), "kamorta"),
        ("USA", "us-san-diego-naval-base", "us-diego-garcia-nsf", "2026-08-01", (), "talwar"),
    ],
)
def test_a_plan_solved_over_more_places_than_its_candidates_is_its_own(
    planner: Planner,
    nation: str,
    origin: str,
    destination: str,
    departure: str,
    closed: tuple[str, ...],
    platform: str,
) -> None:
    """Solved over every port of the catalogue, those it may not call at no stops, a
    plan is the one over its own candidates: no port it may not use is a stop, and the
    same itinerary wins (the seasons' timed search and the lower bounds included)."""
    req = planner.request(
        nation=nation,
        platform=platform,
        origin=origin,
        destination=destination,
        departure=departure,
        closed=list(closed),
    )
    cat = planner.catalogue
    own = _fresh(planner)._feasible(cat, req)
    assert own is not None and own.stops, (origin, destination)
    every = _Shared(tuple(f for f in cat if f.kind in SEA_KINDS))
    shared = _fresh(planner)._feasible(cat, req, every)
    assert shown(shared) == shown(own)


@pytest.mark.parametrize(
    "case",
    [
        # one agreement (with France) makes it feasible
        dict(
            nation="RUS",
            platform=SHORT,
            origin="ru-vladivostok-naval-base",
            destination="sy-tartus-naval-facility",
            departure="2026-08-01",
            speed_kn=14,
        ),
        # the Northern Sea Route shut until July, Suez closed: every variant is solved
        # on the clock (the timed search's arrays kept for the group)
        dict(
            nation="IND",
            platform="talwar",
            origin="in-visakhapatnam-naval-dockyard",
            destination="ru-severomorsk-naval-base",
            departure="2026-02-01",
            closed=["suez"],
        ),
    ],
    ids=["one-agreement", "seasons"],
)
def test_agreement_variants_solved_in_groups_give_their_own_plans(
    planner: Planner, monkeypatch: pytest.MonkeyPatch, case: dict[str, Any]
) -> None:
    """Every country's variant planned (no screen), in groups over shared places, has
    the plan (or none) it has planned alone, and the suggestions are the same; the
    groups are real (most variants solved over places they share)."""
    req = planner.request(**case)

    def run(grouped: bool) -> tuple[dict[str, Any], tuple[str, ...], int]:
        with monkeypatch.context() as m:
            tried = record_variants(m)
            m.setattr(Planner, "_screen", lambda *args, **kwargs: None)
            if not grouped:  # a group of one a variant
                m.setattr(planner_module, "SHARED_NEW_PLACES", -1)
                m.setattr(planner_module, "SHARED_NEW_SHARE", -1.0)
            plan = _fresh(planner).plan(req)
        assert not plan.feasible
        plans = {t.catalogue.content_key(): shown(t.plan) for t in tried}
        return plans, plan.suggestions, sum(t.among is not None for t in tried)

    grouped, suggested, shared = run(True)
    alone, suggested_alone, none_shared = run(False)
    assert grouped == alone
    assert suggested == suggested_alone
    assert none_shared == 0 and shared >= 5
    if case["nation"] == "RUS":
        assert any("agreement with" in s for s in suggested)
        assert any(p is not None for p in grouped.values())


def test_an_aircraft_s_variants_are_each_solved_over_their_own_places(
    planner: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An air leg's way depends on the airspace the variant's agreements open, so an
    aircraft's agreement variants share no places: each is planned on its own."""
    req = planner.request(
        nation="IND",
        platform="su-30mki",
        origin="in-hindon-afs",
        destination="ru-severomorsk-1-air-base",
        departure="2026-08-01",
    )
    tried = record_variants(monkeypatch)
    plan = _fresh(planner).plan(req)
    assert not plan.feasible
    assert len(tried) >= 5 and not any(t.among is not None for t in tried)
