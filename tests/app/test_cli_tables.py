"""The command line in an 80-column terminal: every table fits without a line over 80
characters and still shows what matters (ids, figures); ``relos plan`` shows its legs,
takes ``--avoid``, ``--dwell-h`` and ``--ice-class``; names are taken where ids are,
and a wrong one is refused naming the option, with the candidates or suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from app.cli import app as cli

WIDTH = 80
PLAN = [
    "plan",
    "--nation",
    "India",
    "--platform",
    "Talwar-class frigate",
    "--from",
    "Bombay Dockyard",
    "--to",
    "Vladivostok Naval Base",
    "--departure",
    "2026-08-01",
]


def _run(args: list[str], tmp_path: Path | None = None) -> Result:
    env = {"COLUMNS": str(WIDTH)}
    if tmp_path is not None:
        env["RELOS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'relos.sqlite'}"
    return CliRunner(env=env).invoke(cli, args)


def _fits(result: Result) -> str:
    assert result.exit_code == 0, result.output
    too_long = [line for line in result.output.splitlines() if len(line) > WIDTH]
    assert not too_long, "\n".join(too_long)
    return result.output


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (
            ["facilities", "--usable-by", "IND", "--date", "2026-06-01"],
            # the longest id in full, and the agreement opening a partner's facility
            ["ru-zaozyorsk-zapadnaya-litsa-naval-base", "sg-changi-naval-base", "india-singapore"],
        ),
        (
            ["facilities", "--near", "72.83,18.92", "--radius-nm", "300"],
            ["in-mumbai-naval-dockyard", "in-okha-naval-base", "300"],
        ),
        (
            ["access", "--nation", "India", "--date", "2026-06-01", "--drop", "LEMOA"],
            ["sg-changi-naval-base", "india-singapore", "relos (assumed)", "contested"],
        ),
        (
            ["agreements"],
            ["relos", "lemoa", "india-south-korea", "IND-RUS", "2025-12-15", "2031-07-10"],
        ),
        (
            [
                "route",
                "--from",
                "Severomorsk",
                "--to",
                "Port Blair",
                "--date",
                "2026-08-01",
                "--alternatives",
                "2",
            ],
            ["ru-severomorsk-naval-base -> in-port-blair-naval-base", "nsr", "bering", "suez"],
        ),
        (
            [
                "reach",
                "--nation",
                "India",
                "--platform",
                "talwar",
                "--max-stops",
                "1",
                "--from",
                "Bombay Dockyard",
                "--departure",
                "2026-08-01",
            ],
            ["in-mumbai-naval-dockyard", "fr-reunion-port-des-galets-naval-base", "india-oman"],
        ),
        (
            [
                "impact",
                "--nation",
                "India",
                "--platform",
                "talwar",
                "--max-stops",
                "0",
                "--agreement",
                "LEMOA",
                "--from",
                "Bombay Dockyard",
                "--departure",
                "2026-08-01",
            ],
            ["lemoa", "dj-djibouti-port"],
        ),
    ],
)
def test_tables_fit_80_columns(args: list[str], shown: list[str]) -> None:
    out = _fits(_run(args))
    for text in shown:
        assert text in out, text


def test_plan_shows_its_legs_and_stops_in_80_columns() -> None:
    answer = _run([*PLAN, "--json"])
    assert answer.exit_code == 0, answer.output
    plan = json.loads(answer.output)
    assert plan["origin"]["id"] == "in-mumbai-naval-dockyard"  # names became ids
    assert plan["destination"]["id"] == "ru-vladivostok-naval-base"
    out = _fits(_run(PLAN))
    legs, stops = out.index("Legs"), out.index("Stops")
    for leg in plan["legs"]:  # every leg's distance, days and fuel, in the legs table
        for figure in (
            f"{leg['distance_nm']:,.0f}",
            f"{leg['duration_h'] / 24:.1f}",
            f"{leg['fuel_on_arrival']:.0%}",
        ):
            assert figure in out[legs:stops], figure
    for stop in plan["stops"]:  # every stop's id and agreement in full
        assert stop["facility_id"] in out[stops:]
        assert (stop["agreement"] or stop["basis"]) in out[stops:]


def test_plan_avoid_dwell_and_ice_class() -> None:
    base = json.loads(_run([*PLAN, "--json"]).output)
    used = base["stops"][0]["facility_id"]
    args = [*PLAN, "--avoid", f"{used},Taiwan Strait", "--dwell-h", "6", "--ice-class", "Arc4"]
    answer = _run([*args, "--json"])
    assert answer.exit_code == 0, answer.output
    plan = json.loads(answer.output)
    assert plan["feasible"], plan["reason"]
    assert used not in [s["facility_id"] for s in plan["stops"]]
    assert "taiwan" not in plan["passages"] and "taiwan" in plan["closed"]
    assert all(s["departure"] > s["arrival"] for s in plan["stops"])
    assert "6 h" in _fits(_run(args))  # the stay at each stop, in the stops table


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["--to", "Vladivostok"],
            ["--to:", "ru-vladivostok-naval-base", "ru-vladivostok-port"],
        ),
        (["--to", "Vladivostock"], ["--to:", "did you mean", "ru-vladivostok-naval-base"]),
        (["--avoid", "Sues"], ["--avoid:", "did you mean suez"]),
        (["--drop", "lemao"], ["--drop:", "did you mean lemoa"]),
        (["--nation", "Inida"], ["--nation:", "did you mean IND"]),
        (["--waypoint", "Port Blare"], ["--waypoint:", "in-port-blair-naval-base"]),
    ],
)
def test_bad_names_are_refused_naming_the_option(args: list[str], words: list[str]) -> None:
    result = _run([*PLAN, *args])
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.output, result.output


def test_scenarios_keys_compare_and_critical_fit_80_columns(tmp_path: Path) -> None:
    name = "Red Sea and the Malacca Strait shut for the whole of the winter"
    made = _run(
        [
            "scenario",
            "create",
            "--name",
            name,
            "--closed",
            "Suez Canal,Bab-el-Mandeb,Malacca Strait",
            "--close-facility",
            "Changi Naval Base",
            "--drop",
            "India-Singapore",
        ],
        tmp_path,
    )
    assert made.exit_code == 0, made.output
    listed = _fits(_run(["scenario", "list"], tmp_path))
    for text in ("suez", "bab-el-mandeb", "malacca", "sg-changi-naval-base", "india-singapore"):
        assert text in listed, text  # saved as ids
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "nation": "IND",
                "platform": "talwar",
                "origin": "in-mumbai-naval-dockyard",
                "destination": "ru-vladivostok-naval-base",
                "departure": "2026-08-01T00:00:00Z",
            }
        )
    )
    compared = _fits(_run(["compare", "--plan", str(plan), "--scenario", name], tmp_path))
    assert "baseline" in compared and "sg-changi-naval-base" in compared
    relied_on = _fits(_run(["critical", "--plan", str(plan)], tmp_path))
    for text in ("relos", "agreement", "malacca", "passage", "sg-changi-naval-base"):
        assert text in relied_on, text
    key = _run(["keys", "create", "--role", "planner", "--name", "a planner " * 6], tmp_path)
    assert key.exit_code == 0, key.output
    keys = _fits(_run(["keys", "list"], tmp_path))
    assert "planner" in keys and "relos_" in keys
