"""Sweeps over HTTP: a background job on a real local Dask cluster, followed and fetched."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.db import SweepRow

SPEC: dict[str, Any] = {
    "name": "RELOS and the Red Sea",
    "base": {"nation": "IND"},
    "platforms": ["talwar"],
    "pairs": [
        ["in-mumbai-naval-dockyard", "ru-vladivostok-naval-base"],
        ["in-kochi-naval-base", "fr-toulon-naval-base"],
    ],
    "scenarios": [
        {"name": "baseline"},
        {"name": "Red Sea shut", "closed": ["suez", "bab-el-mandeb"]},
    ],
    "dates": ["2027-01-01", "2027-07-01"],
}


def _finished(client: TestClient, sweep_id: int, timeout: float = 300.0) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job: dict[str, Any] = client.get(f"/sweeps/{sweep_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.25)
    raise AssertionError(f"sweep {sweep_id} still running after {timeout} s")


@pytest.fixture(scope="module")
def finished(client: TestClient) -> dict[str, Any]:
    started = client.post("/sweeps", json=SPEC)
    assert started.status_code == 202, started.text
    assert started.json()["total"] == 8
    job = _finished(client, started.json()["id"])
    assert job["status"] == "done", job
    return job


def test_a_sweep_runs_in_the_background_and_its_rows_download(
    client: TestClient, finished: dict[str, Any]
) -> None:
    assert finished["done"] == finished["total"] == 8 and finished["progress"] == 1.0
    summary = {(r["scenario"], r["platform"]): r for r in finished["summary"]["rows"]}
    assert summary[("baseline", "talwar")]["cases"] == 4
    got = client.get(f"/sweeps/{finished['id']}/results")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/vnd.apache.parquet"
    rows = pd.read_parquet(io.BytesIO(got.content))
    assert len(rows) == 8 and rows["case_id"].is_unique
    assert set(rows["scenario"]) == {"baseline", "Red Sea shut"}
    # a row is what POST /plans answers for the same case
    row = rows[(rows["scenario"] == "Red Sea shut") & (rows["origin"] == "in-kochi-naval-base")]
    first = row.sort_values("departure").iloc[0]
    plan = client.post(
        "/plans",
        json={
            "nation": "IND",
            "platform": "talwar",
            "origin": "in-kochi-naval-base",
            "destination": "fr-toulon-naval-base",
            "departure": "2027-01-01T00:00:00Z",
            "closed": ["suez", "bab-el-mandeb"],
        },
    ).json()
    assert bool(first["feasible"]) == plan["feasible"]
    if plan["feasible"]:
        assert first["distance_nm"] == pytest.approx(plan["totals"]["distance_nm"], abs=0.5)
    else:
        assert pd.isna(first["distance_nm"]) and first["reason"] == plan["reason"]
    table = client.get(f"/sweeps/{finished['id']}/results?format=csv")
    assert table.status_code == 200 and "attachment" in table.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(table.text)))
    assert len(lines) == 8 and {r["case_id"] for r in lines} == set(rows["case_id"])


def test_listed_and_not_resumed_once_done(client: TestClient, finished: dict[str, Any]) -> None:
    page = client.get("/sweeps?limit=5").json()
    assert page["count"] >= 1 and page["sweeps"][0]["id"] >= finished["id"]
    again = client.post(f"/sweeps/{finished['id']}/resume")
    assert again.status_code == 409 and "done" in again.text


def test_an_interrupted_sweep_resumes_and_finishes(client: TestClient) -> None:
    """A job whose server stopped (no heartbeat) shows as interrupted and is resumed."""
    small = {**SPEC, "name": "interrupted", "dates": ["2027-03-01"]}
    store = client.app.state.store  # type: ignore[attr-defined]
    jobs = client.app.state.sweeps  # type: ignore[attr-defined]
    from routing.sweep import parse_spec, prepare

    spec = parse_spec(small)
    sweep = prepare(spec, jobs.services)
    record = store.create_sweep(
        name=spec.name,
        spec=spec.model_dump(mode="json"),
        total=len(sweep.cases),
        versions=jobs.services.versions,
    )
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with store.engine.begin() as conn:  # its server died an hour ago, mid-run
        conn.execute(
            update(SweepRow)
            .where(SweepRow.id == record["id"])
            .values(status="running", heartbeat_at=long_ago)
        )
    assert client.get(f"/sweeps/{record['id']}").json()["status"] == "interrupted"
    assert client.get(f"/sweeps/{record['id']}/results").status_code == 409
    resumed = client.post(f"/sweeps/{record['id']}/resume")
    assert resumed.status_code == 202, resumed.text
    job = _finished(client, record["id"])
    assert job["status"] == "done" and job["done"] == 4


def test_reach_cases_run_in_the_background_as_post_reach_answers(client: TestClient) -> None:
    spec = {
        "name": "reach from Mumbai",
        "base": {"nation": "IND"},
        "platforms": ["talwar"],
        "dates": ["2027-07-01"],
        "reach": {"origins": ["in-mumbai-naval-dockyard"], "max_stops": [0, 1]},
    }
    started = client.post("/sweeps", json=spec)
    assert started.status_code == 202, started.text
    assert started.json()["total"] == 2
    job = _finished(client, started.json()["id"])
    assert job["status"] == "done", job
    assert job["summary"]["rows"] == []
    (summary,) = job["summary"]["reach"]
    assert (summary["scenario"], summary["nation"], summary["cases"]) == ("baseline", "IND", 2)
    got = client.get(f"/sweeps/{job['id']}/results")
    rows = pd.read_parquet(io.BytesIO(got.content))
    assert list(rows["kind"]) == ["reach", "reach"] and list(rows["max_stops"]) == [0, 1]
    one = rows.iloc[1]
    answer = client.post(
        "/reach",
        json={
            "nation": "IND",
            "platform": "talwar",
            "origins": ["in-mumbai-naval-dockyard"],
            "departure": "2027-07-01T00:00:00Z",
            "max_stops": 1,
            "frontier": "none",
        },
    ).json()
    assert one["area_km2"] == answer["area_km2"] and one["lane_share"] == answer["lane_share"]
    assert list(one["facility_ids"]) == [f["id"] for f in answer["facilities"]]
    assert list(one["agreements"]) == answer["agreements_used"]
    assert summary["median_area_km2"] == rows["area_km2"].median()
    table = client.get(f"/sweeps/{job['id']}/results?format=csv")
    lines = list(csv.DictReader(io.StringIO(table.text)))
    assert lines[1]["facility_ids"].split(";") == list(one["facility_ids"])
    assert lines[1]["area_km2_by_stops"].split(";") == [str(a) for a in one["area_km2_by_stops"]]


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"pairs": [["in-mumbai-naval-dockyrd", "ru-vladivostok-naval-base"]]}, "pairs.0.0", 404),
        ({"platforms": ["talwr"]}, "platforms.0", 404),
        ({"dates": []}, "dates", 422),
        ({"bogus": 1}, "bogus", 422),
        ({"reach": {"origins": ["in-mumbai-naval-dockyrd"]}}, "reach.origins.0", 404),
        ({"reach": {"max_stops": [20]}}, "reach.max_stops.0", 422),
    ],
)
def test_a_bad_spec_is_a_4xx_naming_the_field(
    client: TestClient, change: dict[str, Any], field: str, status: int
) -> None:
    r = client.post("/sweeps", json={**SPEC, **change})
    assert r.status_code == status, r.text
    locs = [".".join(str(p) for p in d["loc"][1:]) for d in r.json()["detail"]]
    assert any(loc.startswith(field) for loc in locs), locs


def test_unknown_sweep_is_404(client: TestClient) -> None:
    assert client.get("/sweeps/987654").status_code == 404
    assert client.get("/sweeps/987654/results").status_code == 404
