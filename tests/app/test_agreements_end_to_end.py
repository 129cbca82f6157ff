"""Agreements end to end: the ends of a deployment are port calls too.

A table of real cases sent through the real app (``POST /plans``), each with the
expected feasibility, the basis and agreement of the destination call, and what the
reason, suggestions and warnings must say. Then ``/critical``, ``/compare`` and the
CLI's exit code.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import EXIT_INFEASIBLE
from app.cli import app as cli

VIZAG_SEVEROMORSK = {
    "nation": "IND",
    "platform": "talwar",
    "origin": "in-visakhapatnam-naval-dockyard",
    "destination": "ru-severomorsk-naval-base",
}

CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "before RELOS existed",
        {**VIZAG_SEVEROMORSK, "departure": "2024-08-01T00:00:00Z"},
        {
            "feasible": False,
            "reason": ["opened to IND only by relos", "not in force on 2024-08-"],
            "suggestions": ["depart on or after 2025-12-15", "allow_clearance"],
        },
    ),
    (
        "RELOS dropped",
        {**VIZAG_SEVEROMORSK, "departure": "2026-08-01T00:00:00Z", "dropped_agreements": ["relos"]},
        {"feasible": False, "reason": ["relos", "dropped"], "suggestions": ["restore relos"]},
    ),
    (
        "clearance instead of an agreement",
        {**VIZAG_SEVEROMORSK, "departure": "2024-08-01T00:00:00Z", "allow_clearance": True},
        {
            "feasible": True,
            "basis": "clearance",
            "agreement": None,
            "notice_days": 30,
            "warnings": ["diplomatic clearance"],
        },
    ),
    (
        "RELOS in force: a 14-day port call",
        {**VIZAG_SEVEROMORSK, "departure": "2026-08-01T00:00:00Z"},
        {
            "feasible": True,
            "basis": "agreement",
            "agreement": "relos",
            "notice_days": 14,
            "confidence": "assumed_date",
            "warnings": ["assumed on 2025-12-15"],
        },
    ),
    (
        "RELOS enters into force mid-voyage",
        {**VIZAG_SEVEROMORSK, "departure": "2025-11-20T00:00:00Z"},
        {"feasible": True, "basis": "agreement", "agreement": "relos", "stops_before": "relos"},
    ),
    (
        "twelve Su-30MKI and an Il-78MKI at a RELOS base",
        {
            "nation": "IND",
            "group": [{"platform": "su-30mki", "count": 12}, {"platform": "il-78mki"}],
            "origin": "in-thanjavur-afs",  # a runway long enough for a full Il-78MKI
            "destination": "ru-severomorsk-1-air-base",
            "departure": "2026-12-01T00:00:00Z",
        },
        {"feasible": False, "reason": ["at most 10 aircraft", "has 13"]},
    ),
    (
        "six Russian frigates, RELOS allows five",
        {
            "nation": "RUS",
            "group": [{"platform": "admiral-gorshkov", "count": 6}],
            "origin": "ua-sevastopol-naval-base",
            "destination": "in-mumbai-naval-dockyard",
            "departure": "2026-12-01T00:00:00Z",
        },
        {"feasible": False, "reason": ["at most 5 warships", "has 6"]},
    ),
    (
        "a Russian destroyer at an Indian port under RELOS",
        {
            "nation": "RUS",
            "platform": "udaloy",
            "origin": "ru-vladivostok-naval-base",
            "destination": "in-visakhapatnam-naval-dockyard",
            "departure": "2026-12-01T00:00:00Z",
        },
        {"feasible": True, "basis": "agreement", "agreement": "relos", "notice_days": 14},
    ),
    (
        "over RELOS's 3,000 personnel",
        {
            "nation": "RUS",
            "group": [{"platform": "udaloy", "count": 5}],
            "personnel": 3500,
            "origin": "ru-vladivostok-naval-base",
            "destination": "in-visakhapatnam-naval-dockyard",
            "departure": "2026-12-01T00:00:00Z",
        },
        {
            "feasible": False,
            "reason": ["at most 3,000 personnel", "has 3,500"],
            "suggestions": ["sail in 2 waves within relos's limits"],
        },
    ),
    (
        "LEMOA call at Diego Garcia",
        {
            "nation": "IND",
            "platform": "talwar",
            "origin": "in-kochi-naval-base",
            "destination": "us-diego-garcia-nsf",
            "departure": "2026-12-01T00:00:00Z",
        },
        {"feasible": True, "basis": "agreement", "agreement": "lemoa", "confidence": "confirmed"},
    ),
    (
        "India-France call at Reunion",
        {
            "nation": "IND",
            "platform": "talwar",
            "origin": "in-mumbai-naval-dockyard",
            "destination": "fr-reunion-port-des-galets-naval-base",
            "departure": "2026-12-01T00:00:00Z",
        },
        {"feasible": True, "basis": "agreement", "agreement": "india-france"},
    ),
    (
        "Tartus: uncertain since December 2024",
        {
            "nation": "RUS",
            "platform": "udaloy",
            "origin": "ru-novorossiysk-naval-base",
            "destination": "sy-tartus-naval-facility",
            "departure": "2026-12-01T00:00:00Z",
        },
        {"feasible": True, "basis": "own", "confidence": "uncertain", "warnings": ["Assad"]},
    ),
    (
        "Tartus excluded by min_confidence",
        {
            "nation": "RUS",
            "platform": "udaloy",
            "origin": "ru-novorossiysk-naval-base",
            "destination": "sy-tartus-naval-facility",
            "departure": "2026-12-01T00:00:00Z",
            "min_confidence": "confirmed",
        },
        {"feasible": False, "reason": ["uncertain", "min_confidence=confirmed"]},
    ),
]


@pytest.mark.parametrize(("name", "body", "want"), CASES, ids=[c[0] for c in CASES])
def test_real_cases(
    client: TestClient, name: str, body: dict[str, Any], want: dict[str, Any]
) -> None:
    answer = client.post("/plans", json=body)
    assert answer.status_code == 200, answer.text
    plan = answer.json()
    assert plan["feasible"] is want["feasible"], (name, plan["reason"])
    for needle in want.get("reason", []):
        assert needle in plan["reason"], (needle, plan["reason"])
    for needle in want.get("suggestions", []):
        assert any(needle in s for s in plan["suggestions"]), (needle, plan["suggestions"])
    for needle in want.get("warnings", []):
        assert any(needle in w for w in plan["warnings"]), (needle, plan["warnings"])
    dest = plan["destination"]
    if not want["feasible"]:
        assert dest["basis"] is None
        return
    for key in ("basis", "agreement", "notice_days", "confidence"):
        if key in want:
            assert dest[key] == want[key], (key, dest)
    arrival = dt.datetime.fromisoformat(dest["time"])
    assert arrival == dt.datetime.fromisoformat(plan["totals"]["eta"])
    if dest["notice_days"]:
        request_by = dt.datetime.fromisoformat(dest["request_by"])
        assert arrival - request_by == dt.timedelta(days=dest["notice_days"])
    if "stops_before" in want:  # no RELOS stop before RELOS is in force
        entry = dt.datetime(2025, 12, 15, tzinfo=dt.UTC)
        for stop in plan["stops"]:
            if dt.datetime.fromisoformat(stop["arrival"]) < entry:
                assert want["stops_before"] not in stop["agreements"], stop
    for stop in plan["stops"]:
        assert stop["confidence"] in {"confirmed", "assumed_date", "uncertain", "contested"}


def test_the_past_is_answered_with_a_warning(client: TestClient) -> None:
    past = client.post(
        "/plans", json={**VIZAG_SEVEROMORSK, "departure": "2026-08-01T00:00:00Z"}
    ).json()
    future = client.post(
        "/plans", json={**VIZAG_SEVEROMORSK, "departure": "2030-08-01T00:00:00Z"}
    ).json()
    assert any("in the past" in w for w in past["warnings"])
    assert not any("in the past" in w for w in future["warnings"])


def test_relos_is_what_the_voyage_to_severomorsk_relies_on_most(client: TestClient) -> None:
    ranking = client.post(
        "/critical", json={**VIZAG_SEVEROMORSK, "departure": "2026-08-01T00:00:00Z"}
    ).json()["ranking"]
    assert ranking[0]["kind"] == "agreement" and ranking[0]["id"] == "relos"
    assert ranking[0]["feasible"] is False
    assert "relos" in ranking[0]["reason"]


def test_compare_shows_relos_lapsing(client: TestClient) -> None:
    rows = client.post(
        "/compare",
        json={
            "plan": {**VIZAG_SEVEROMORSK, "departure": "2026-08-01T00:00:00Z"},
            "scenarios": [
                {"name": "RELOS lapses", "dropped_agreements": ["relos"]},
                {
                    "name": "RELOS lapses, clearance",
                    "dropped_agreements": ["relos"],
                    "allow_clearance": True,
                },
            ],
            "include_plans": False,
        },
    ).json()["results"]
    base, lapsed, cleared = rows
    assert base["feasible"] and "relos" in base["agreements_used"]
    assert lapsed["feasible"] is False and lapsed["delta"] is None
    assert cleared["feasible"] and "relos" not in cleared["agreements_used"]


def test_scenarios_carry_the_new_knobs(client: TestClient) -> None:
    body = {
        "plan": {**VIZAG_SEVEROMORSK, "departure": "2026-12-01T00:00:00Z"},
        "scenarios": [
            {"name": "only confirmed", "min_confidence": "confirmed"},
            {
                "name": "Russia refuses",
                "dropped_agreements": ["relos"],
                "allow_clearance": True,
                "denied_countries": ["RUS"],
            },
        ],
        "include_plans": False,
    }
    rows = client.post("/compare", json=body).json()["results"]
    assert rows[1]["feasible"] is False and "assumed date" in rows[1]["reason"]
    assert rows[2]["feasible"] is False
    bad = client.post(
        "/compare",
        json={**body, "scenarios": [{"name": "x", "denied_countries": ["XXX"]}]},
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "scenarios.0.denied_countries.0"


def test_cli_exit_code_says_infeasible() -> None:
    args = ["plan", "--nation", "IND", "--platform", "talwar"]
    args += ["--from", VIZAG_SEVEROMORSK["origin"], "--to", VIZAG_SEVEROMORSK["destination"]]
    runner = CliRunner()
    before = runner.invoke(cli, [*args, "--departure", "2024-08-01", "--json"])
    assert before.exit_code == EXIT_INFEASIBLE == 3
    assert json.loads(before.stdout)["feasible"] is False
    cleared = runner.invoke(cli, [*args, "--departure", "2024-08-01", "--allow-clearance"])
    assert cleared.exit_code == 0, cleared.output
    assert "destination call: clearance" in cleared.output
