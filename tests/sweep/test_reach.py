"""Reach cases in a sweep: a ``reach`` block expands into cases with stable ids, checked
up front (a bad block names the field); each case's row is what ``POST /reach`` answers
for the same question, in the same Parquet file as the plan cases (``kind``), the same
in a plain loop and on a local Dask cluster; an interrupted sweep resumes without
recomputing the reach cases it finished."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client

from routing.errors import RelosError
from routing.plan.reach import CAVEATS
from routing.service import Services
from routing.sweep import (
    DataSource,
    InProcess,
    OnDask,
    ReachCase,
    Sweep,
    parse_spec,
    parts_dir,
    prepare,
    run_sweep,
    summarize,
    summarize_reach,
)
from tests.sweep.support import REACH_SPEC, reach_body

pytestmark = pytest.mark.timeout(300)


class Interrupted(Exception):
    """Stands for Ctrl-C partway through a sweep."""


@pytest.fixture(scope="module")
def loop_out(
    services: Services, reach_sweep: Sweep, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The reach sweep's file from the plain loop."""
    out = tmp_path_factory.mktemp("reach") / "reach.parquet"
    report = run_sweep(reach_sweep, out, InProcess(services), versions=services.versions)
    assert report.computed == report.total == 14
    return out


def _with_reach(**changes: Any) -> dict[str, Any]:
    spec = copy.deepcopy(REACH_SPEC)
    for key, value in changes.items():
        if key.startswith("top."):
            spec[key.removeprefix("top.")] = value
        elif value is None:
            spec["reach"].pop(key, None)
        else:
            spec["reach"][key] = value
    return spec


def test_reach_rows_are_what_post_reach_answers(
    services: Services, reach_sweep: Sweep, loop_out: Path
) -> None:
    assert reach_sweep.describe() == (
        "14 cases: 2 plans (2 scenarios x 1 platform x 1 pair x 1 date) + 12 reach "
        "(2 scenarios x 1 nation x 1 platform x 3 origins x 2 day limits x 1 stop limit "
        "x 1 date)"
    )
    frame = pd.read_parquet(loop_out)  # as is: one file, both kinds
    assert list(frame["case_id"]) == [c.case_id for c in reach_sweep.cases]
    assert list(frame["kind"]) == ["plan"] * 2 + ["reach"] * 12
    assert frame["feasible"].dtype == bool and frame["area_km2"].dtype == "float64"
    plans, reach = frame[frame["kind"] == "plan"], frame[frame["kind"] == "reach"]
    assert plans["area_km2"].isna().all() and reach["distance_nm"].isna().all()
    assert set(reach["origin"]) == {"home", "in-mumbai-naval-dockyard", "in-hindon-afs"}

    rows = pq.read_table(loop_out).to_pylist()[2:]
    answered = 0
    for case, row in zip(reach_sweep.cases[2:], rows, strict=True):
        assert isinstance(case, ReachCase)
        assert (row["scenario"], row["nation"], row["platform"]) == (
            case.scenario,
            "IND",
            "talwar",
        )
        assert (row["max_days"], row["max_stops"]) == (case.days, 1)
        try:
            want = services.reach(reach_body(reach_sweep, case))
        except RelosError as exc:
            assert case.origin == "in-hindon-afs"
            assert row["error"] is not None and exc.message in row["error"]
            assert not row["feasible"] and row["area_km2"] is None
            continue
        answered += 1
        assert row["error"] is None and row["feasible"]
        assert row["origins"] == [o["id"] for o in want["origins"]]
        assert row["range_nm"] == want["range_nm"]
        assert row["area_km2"] == want["area_km2"] > 0
        assert row["lane_share"] == want["lane_share"]
        assert row["area_km2_by_stops"] == [b["area_km2"] for b in want["by_stops"]]
        assert row["lane_share_by_stops"] == [b["lane_share"] for b in want["by_stops"]]
        assert row["facilities_by_stops"] == [b["facilities"] for b in want["by_stops"]]
        assert row["facility_ids"] == [f["id"] for f in want["facilities"]]
        assert row["facilities"] == len(want["facilities"])
        assert row["agreements"] == want["agreements_used"]
        assert row["closed"] == want["closed"]
        assert row["caveats"] == [c for c in want["caveats"] if c not in CAVEATS]
        far = max(f["days"] for f in want["facilities"] if f["id"] not in row["origins"])
        assert row["farthest_days"] == far <= (case.days or 99)
    assert answered == 8
    # what an analyst would see: a day limit shrinks the area, dropping RELOS loses
    # the facilities it opens (reach from home, no day limit)
    home = reach[(reach["origin"] == "home") & reach["max_days"].isna()]
    base, no_relos = (home[home["scenario"] == s].iloc[0] for s in ("baseline", "no RELOS"))
    assert "relos" in base["agreements"] and "relos" not in no_relos["agreements"]
    assert no_relos["facilities"] < base["facilities"]
    limited = reach[(reach["origin"] == "home") & (reach["max_days"] == 12)]
    assert (limited["area_km2"].to_numpy() < home["area_km2"].to_numpy()).all()

    table = pq.read_table(loop_out)
    assert [(r.scenario, r.cases) for r in summarize(table)] == [("baseline", 1), ("no RELOS", 1)]
    summary = summarize_reach(table)
    assert [(r.scenario, r.nation, r.platform, r.cases, r.errors) for r in summary] == [
        ("baseline", "IND", "talwar", 6, 2),
        ("no RELOS", "IND", "talwar", 6, 2),
    ]
    assert summary[1].median_facilities < summary[0].median_facilities  # type: ignore[operator]


def test_a_local_cluster_gives_the_rows_of_the_loop(
    cluster: Client, services: Services, reach_sweep: Sweep, loop_out: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dask.parquet"
    report = run_sweep(
        reach_sweep,
        out,
        OnDask(cluster, DataSource()),
        versions=services.versions,
        chunk_size=200,  # the reach cases in one chunk: one worker builds their sea grid
    )
    assert report.computed == 14
    assert pq.read_table(out).to_pylist() == pq.read_table(loop_out).to_pylist()


def test_an_interrupted_sweep_does_not_recompute_finished_reach_cases(
    services: Services, reach_sweep: Sweep, loop_out: Path, tmp_path: Path
) -> None:
    out = tmp_path / "resumed.parquet"
    first: list[str] = []

    def stop_after_four_chunks(table: pa.Table) -> None:
        first.extend(table["case_id"].to_pylist())
        if len(first) == 2 + 3:  # the plan chunk, then three reach cases of one each
            raise Interrupted

    with pytest.raises(Interrupted):
        run_sweep(
            reach_sweep,
            out,
            InProcess(services),
            versions=services.versions,
            chunk_size=10,  # reach chunks are 10 times smaller: one case each
            on_chunk=stop_after_four_chunks,
        )
    second: list[str] = []
    report = run_sweep(
        reach_sweep,
        out,
        InProcess(services),
        versions=services.versions,
        on_chunk=lambda t: second.extend(t["case_id"].to_pylist()),
    )
    assert (report.reused, report.computed) == (5, 9)
    assert not set(first) & set(second)
    assert pq.read_table(out).to_pylist() == pq.read_table(loop_out).to_pylist()
    assert not parts_dir(out).exists()
    again = run_sweep(reach_sweep, out, InProcess(services), versions=services.versions)
    assert (again.computed, again.reused) == (0, 14)


def test_reach_case_ids_are_stable_and_a_new_limit_adds_only_its_cases(
    services: Services, reach_sweep: Sweep
) -> None:
    ids = [c.case_id for c in reach_sweep.cases]
    assert len(set(ids)) == 14
    assert [c.case_id for c in prepare(parse_spec(REACH_SPEC), services).cases] == ids
    more = prepare(parse_spec(_with_reach(max_stops=[1, 2])), services)
    assert len(more.cases) == 2 + 24 and set(ids) < {c.case_id for c in more.cases}
    # reach alone: no pairs, the sweep's platforms and dates by default
    alone = _with_reach(**{"top.pairs": None})
    del alone["pairs"]
    only = prepare(parse_spec(alone), services)
    assert only.describe().startswith("12 reach cases: 2 scenarios x 1 nation")
    assert [c.case_id for c in only.cases] == ids[2:]


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        (
            _with_reach(origins=["home", "in-mumbai-naval-dockyrd"]),
            "reach.origins.1",
            "did you mean in-mumbai-naval-dockyard",
        ),
        (
            _with_reach(origins=[["in-kochi-naval-base", "karwr"]]),
            "reach.origins.0.1",
            "did you mean in-karwar",
        ),
        (_with_reach(nations=["IND", "XXY"]), "reach.nations.1", "XXY"),
        (_with_reach(platforms=["talwr"]), "reach.platforms.0", "did you mean talwar?"),
        (_with_reach(max_stops=[1, 13]), "reach.max_stops.1", "less than or equal to 12"),
        (_with_reach(days=[0]), "reach.days.0", "greater than 0"),
        (_with_reach(origins=[]), "reach.origins", "at least 1"),
        (_with_reach(base={"nation": "IND"}), "reach.base.nation", "set per case"),
        (_with_reach(base={"speed_kn": 0}), "reach.base.speed_kn", "greater than or equal"),
        (_with_reach(base={"closed": ["suze"]}), "reach.base.closed.0", "did you mean suez,"),
        (_with_reach(base={"warp": 9}), "reach.base.warp", "Extra inputs"),
        (_with_reach(horizon=3), "reach.horizon", "Extra inputs"),
        (
            _with_reach(**{"top.pairs": [], "top.dates": None}),
            "reach.dates",
            "departure days",
        ),
        (
            _with_reach(**{"top.pairs": [], "top.platforms": []}),
            "reach.platforms",
            "platforms whose reach",
        ),
        (_with_reach(**{"top.pairs": [], "top.base": {}}), "reach.nations", "nation in base"),
    ],
)
def test_a_bad_reach_block_is_refused_naming_the_field(
    services: Services, spec: dict[str, Any], field: str, words: str
) -> None:
    spec = {k: v for k, v in spec.items() if v is not None}
    with pytest.raises(RelosError) as err:
        prepare(parse_spec(spec), services)
    assert err.value.field == field
    assert words in err.value.message, err.value.message
