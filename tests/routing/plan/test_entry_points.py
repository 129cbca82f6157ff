"""One question, one answer: HTTP, the CLI (``--json``) and Python give identical plans.

Each case is sent as a ``POST /plans`` body through the real app, as ``relos plan``
options through the real CLI, and as keywords to ``Planner.request`` from Python.
The three answers must match field for field (the data versions aside: the CLI and
Python report the same ones, and the server adds them).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import app as cli
from routing import default_planner, plan_json

CASES: list[dict[str, Any]] = [
    # the regression: an Arc4 tanker in June takes the NSR, from every entry point
    {
        "nation": "RUS",
        "platform": "akademik-pashin",
        "origin": "ru-murmansk-port",
        "destination": "ru-vladivostok-naval-base",
        "departure": "2026-06-15T00:00:00Z",
    },
    {
        "nation": "IND",
        "platform": "talwar",
        "origin": "in-mumbai-naval-dockyard",
        "destination": "ru-vladivostok-naval-base",
        "departure": "2026-08-01T00:00:00Z",
        "closed": ["malacca"],
    },
    {
        "nation": "IND",
        "group": [{"platform": "kolkata", "count": 2}, {"platform": "deepak", "count": 1}],
        "origin": "in-karwar-naval-base",
        "destination": "ru-severomorsk-naval-base",
        "departure": "2027-02-01T00:00:00Z",
        "objective": "min_stops",
    },
    # a group with an ice-class tanker sails as its weakest ship: no NSR in June
    {
        "nation": "RUS",
        "group": [
            {"platform": "udaloy", "count": 1},
            {"platform": "akademik-pashin", "count": 1},
        ],
        "origin": "ru-severomorsk-naval-base",
        "destination": "ru-vladivostok-naval-base",
        "departure": "2026-06-15T00:00:00Z",
    },
    {
        "nation": "IND",
        "platform": "il-76md",
        "origin": "in-hindon-afs",
        "destination": "ru-knevichi-air-base",
        "departure": "2026-09-01T00:00:00Z",
        "reserve": 0.2,
    },
]


def _cli_args(case: dict[str, Any]) -> list[str]:
    args = ["plan", "--json", "--nation", case["nation"]]
    args += ["--from", case["origin"], "--to", case["destination"]]
    args += ["--departure", case["departure"][:16]]
    if "platform" in case:
        args += ["--platform", case["platform"]]
    else:
        args += ["--group", ",".join(f"{m['platform']}:{m['count']}" for m in case["group"])]
    if case.get("closed"):
        args += ["--closed", ",".join(case["closed"])]
    if "objective" in case:
        args += ["--objective", case["objective"]]
    if "reserve" in case:
        args += ["--reserve", str(case["reserve"])]
    return args


def _python(case: dict[str, Any]) -> dict[str, Any]:
    planner = default_planner()
    kwargs = {k: v for k, v in case.items() if k != "group"}
    if "group" in case:
        kwargs["group"] = [(m["platform"], m["count"]) for m in case["group"]]
    return plan_json(planner.plan(planner.request(**kwargs)))


def _comparable(answer: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in answer.items() if k != "versions"}, sort_keys=True)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['nation']}-{c['destination']}")
def test_http_cli_and_python_answer_alike(client: TestClient, case: dict[str, Any]) -> None:
    http = client.post("/plans", json=case)
    assert http.status_code == 200, http.text
    ran = CliRunner().invoke(cli, _cli_args(case))
    assert ran.exit_code in (0, 3), ran.output  # 3: infeasible (documented exit code)
    shell = json.loads(ran.stdout)
    py = _python(case)
    assert _comparable(http.json()) == _comparable(shell) == _comparable(py)


def test_ice_class_tanker_takes_the_nsr_in_june(client: TestClient) -> None:
    """The reported defect: 13,404 nm via Suez from Python, 5,999 nm via the NSR over HTTP."""
    answer = _python(CASES[0])
    assert answer["feasible"], answer["reason"]
    assert "nsr" in answer["passages"] and "suez" not in answer["passages"]
    assert answer["totals"]["distance_nm"] < 7_000


def test_a_group_sails_as_its_weakest_ship(client: TestClient) -> None:
    """An Udaloy (no ice class) with an Arc4 tanker may not be in the NSR in June: it
    waits at Severomorsk for 1 July, and says so; with Arc4 it sails at once."""
    answer = client.post("/plans", json=CASES[3]).json()
    entered = [
        t["entered"] for leg in answer["legs"] for t in leg["transits"] if t["passage"] == "nsr"
    ]
    assert entered and min(entered) >= "2026-07-01", entered
    assert answer["legs"][0]["wait_h"] > 24 * 10
    assert any("wait" in w and "Northern Sea Route" in w for w in answer["warnings"])
    explicit = client.post("/plans", json={**CASES[3], "ice_class": "Arc4"}).json()
    assert "nsr" in explicit["passages"]
    assert explicit["totals"]["wait_h"] == 0
    assert explicit["totals"]["eta"] < answer["totals"]["eta"]
