"""``relos sweep`` from a shell: the shipped example, cut down, runs on a local Dask cluster
and in a plain loop, writes a Parquet file pandas reads as is, resumes, and prints a
summary that fits 80 columns; a bad spec exits 2 naming the field, with no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from app.cli import app as cli

pytestmark = pytest.mark.timeout(300)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sweep.yaml"
RELOS = Path(sys.executable).with_name("relos")
TABLE_EDGES = tuple("┏┃┡│└")


def _reduced() -> dict[str, Any]:
    """The shipped example with fewer places and days: 4 x 2 x 4 x 2 = 64 cases."""
    spec = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    spec["origins"] = spec["origins"][:2]
    spec["destinations"] = ["ru-vladivostok-naval-base", "fr-toulon-naval-base"]
    spec["dates"] = ["2027-02-01", "2027-08-01"]
    return spec


def test_relos_sweep_on_local_workers_writes_parquet_and_a_summary(tmp_path: Path) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(yaml.safe_dump(_reduced()), encoding="utf-8")
    out = tmp_path / "results.parquet"
    env = {**os.environ, "COLUMNS": "200"}
    run = subprocess.run(
        [str(RELOS), "sweep", str(spec), "-o", str(out), "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    assert "64 cases: 4 scenarios x 2 platforms x 4 pairs x 2 dates" in lines
    table = [line for line in lines if line.startswith(TABLE_EDGES)]
    assert len(table) == 3 + 4 * 2 + 1  # head, a row per scenario and platform, foot
    assert max(len(line) for line in table) <= 80  # fits 80 columns with room to spare
    for name in ("baseline", "no Suez", "Red Sea shut", "no RELOS"):
        assert any(name in line for line in table), name
    assert any("64 computed" in line for line in lines)

    frame = pd.read_parquet(out)
    assert len(frame) == 64 and frame["case_id"].is_unique
    assert set(frame["scenario"]) == {"baseline", "no Suez", "Red Sea shut", "no RELOS"}
    assert frame["feasible"].any() and not frame["feasible"].all()
    feasible = frame[frame["feasible"]]
    assert feasible["distance_nm"].notna().all() and (feasible["days"] > 0).all()
    assert frame.loc[~frame["feasible"], "distance_nm"].isna().all()
    base = frame[(frame["scenario"] == "baseline") & frame["feasible"]]
    assert base["agreements"].map(list).map(len).gt(0).any()

    # the same command again: nothing left to compute
    again = CliRunner().invoke(cli, ["sweep", str(spec), "-o", str(out), "--workers", "0"])
    assert again.exit_code == 0, again.output
    assert "0 computed" in again.output and "64 from an earlier run" in again.output


def test_relos_sweep_takes_json_and_runs_in_process(tmp_path: Path) -> None:
    spec = tmp_path / "sweep.json"
    spec.write_text(json.dumps({**_reduced(), "scenarios": [{"name": "baseline"}]}), "utf-8")
    out = tmp_path / "loop.parquet"
    result = CliRunner().invoke(cli, ["sweep", str(spec), "-o", str(out), "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "16 cases: 1 scenario x 2 platforms x 4 pairs x 2 dates" in result.output
    frame = pd.read_parquet(out)
    assert list(frame["scenario"].unique()) == ["baseline"] and len(frame) == 16


def test_relos_sweep_with_reach_cases_prints_their_summary(tmp_path: Path) -> None:
    spec = tmp_path / "reach.yaml"
    reach = {"origins": ["home", "in-mumbai-naval-dockyard"], "max_stops": [1]}
    body = {**_reduced(), "scenarios": [{"name": "baseline"}], "reach": reach}
    body.update(platforms=["talwar"], origins=body["origins"][:1], dates=["2027-02-01"])
    spec.write_text(yaml.safe_dump(body), encoding="utf-8")
    out = tmp_path / "reach.parquet"
    result = CliRunner().invoke(cli, ["sweep", str(spec), "-o", str(out), "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "4 cases: 2 plans (1 scenario x 1 platform x 2 pairs x 1 date) + 2 reach" in (
        result.output.replace("\n", " ")
    )
    lines = result.output.splitlines()
    reach_rows = [line for line in lines if line.startswith("│ baseline") and "IND" in line]
    assert len(reach_rows) == 1 and "2 │" in reach_rows[0]
    assert any("reach: medians" in line for line in lines)
    frame = pd.read_parquet(out)
    assert list(frame["kind"]) == ["plan", "plan", "reach", "reach"]
    assert list(frame["origin"][2:]) == ["home", "in-mumbai-naval-dockyard"]
    assert (frame["area_km2"][2:] > 0).all() and frame["area_km2"][:2].isna().all()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"destinations": ["ru-vladivostok-naval-bas"]}, "destinations.0: unknown facility id"),
        ({"platforms": ["talwar", "kolkatta"]}, "platforms.1: unknown platform id"),
        ({"dates": {"start": "2027-05-01", "end": "2027-01-01"}}, "dates.end: end 2027-01-01"),
        ({"base": {"reserve": 0.2}}, "base.nation: Field required"),
        ({"reach": {"origins": ["in-kochi-navalbase"]}}, "reach.origins.0: unknown facility"),
        ({"reach": {"base": {"origins": []}}}, "reach.base.origins: origins is set per case"),
    ],
)
def test_a_bad_spec_exits_2_naming_the_field(
    tmp_path: Path, change: dict[str, Any], words: str
) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(yaml.safe_dump({**_reduced(), **change}), encoding="utf-8")
    out = tmp_path / "never.parquet"
    result = CliRunner().invoke(cli, ["sweep", str(spec), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()
