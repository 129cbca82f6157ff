"""``relos scenario`` and ``relos compare`` from a shell: the same store and answers as the API."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app as cli

PLAN = {
    "nation": "IND",
    "platform": "talwar",
    "origin": "in-visakhapatnam-naval-dockyard",
    "destination": "ru-severomorsk-naval-base",
    "departure": "2026-08-01T00:00:00Z",
}


def test_scenario_round_trip_and_compare(tmp_path: Path) -> None:
    runner = CliRunner(env={"COLUMNS": "220", "RELOS_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"})
    made = runner.invoke(
        cli, ["scenario", "create", "--name", "Red Sea shut", "--closed", "suez,bab-el-mandeb"]
    )
    assert made.exit_code == 0, made.output
    listed = runner.invoke(cli, ["scenario", "list", "--json"])
    rows = json.loads(listed.output)
    assert [r["name"] for r in rows] == ["Red Sea shut"]
    assert rows[0]["closed"] == ["suez", "bab-el-mandeb"]

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    winter = tmp_path / "winter.json"
    winter.write_text(json.dumps({"name": "winter", "date": "2027-02-01"}), encoding="utf-8")
    table = runner.invoke(
        cli,
        ["compare", "--plan", str(plan), "--scenario", "Red Sea shut", "--scenario", str(winter)],
    )
    assert table.exit_code == 0, table.output
    for name in ("baseline", "Red Sea shut", "winter"):
        assert name in table.output
    as_json = runner.invoke(cli, ["compare", "--plan", str(plan), "--scenario", "1", "--json"])
    body = json.loads(as_json.output)
    base, red_sea = body["results"]
    assert "suez" in base["passages"] and "suez" not in red_sea["passages"]

    gone = runner.invoke(cli, ["scenario", "delete", "Red Sea shut"])
    assert gone.exit_code == 0
    assert json.loads(runner.invoke(cli, ["scenario", "list", "--json"]).output) == []


def test_bad_scenario_is_refused_naming_the_option(tmp_path: Path) -> None:
    runner = CliRunner(env={"RELOS_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"})
    bad = runner.invoke(cli, ["scenario", "create", "--name", "x", "--closed", "atlantis"])
    assert bad.exit_code == 2 and "--closed" in bad.output and "atlantis" in bad.output
    bad_date = runner.invoke(cli, ["scenario", "create", "--name", "y", "--date", "01/02/2027"])
    assert bad_date.exit_code == 2 and "date" in bad_date.output
    assert json.loads(runner.invoke(cli, ["scenario", "list", "--json"]).output) == []
