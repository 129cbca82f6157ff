"""Running sweeps for real: a plain loop and a local Dask cluster of two worker processes
give the same rows, each the plan ``POST /plans`` gives for that case; an interrupted
sweep resumes without recomputing what it finished; a worker killed mid-sweep loses
no case and duplicates none."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client

from routing.errors import RelosError
from routing.memory import kernel_threads
from routing.service import Services
from routing.sweep import (
    Case,
    DataSource,
    InProcess,
    OnDask,
    Sweep,
    parse_spec,
    parts_dir,
    prepare,
    run_chunk,
    run_sweep,
)
from routing.sweep.cluster import loaded
from routing.sweep.runner import write_parquet
from tests.sweep.support import SPEC, plan_body

pytestmark = pytest.mark.timeout(300)


class Interrupted(Exception):
    """Stands for Ctrl-C or a lost connection partway through a sweep."""


@pytest.fixture(scope="module")
def loop_rows(
    services: Services, small_sweep: Sweep, tmp_path_factory: pytest.TempPathFactory
) -> pa.Table:
    """The small sweep's rows from the plain loop, in one process."""
    out = tmp_path_factory.mktemp("loop") / "loop.parquet"
    report = run_sweep(small_sweep, out, InProcess(services), versions=services.versions)
    assert report.computed == report.total == len(small_sweep.cases)
    return pq.read_table(out)


def _ids(table: pa.Table) -> list[str]:
    return list(table["case_id"].to_pylist())


def _agreements(plan: dict[str, Any]) -> list[str]:
    grants = [*plan["stops"], plan["origin"], plan["destination"], *plan["waypoints"]]
    return sorted({a for g in grants for a in g["agreements"] or []})


def test_the_loop_gives_each_case_the_plan_post_plans_gives(
    services: Services, small_sweep: Sweep, loop_rows: pa.Table
) -> None:
    rows = loop_rows.to_pylist()
    assert [r["case_id"] for r in rows] == [c.case_id for c in small_sweep.cases]
    kinds = set()
    for case, row in zip(small_sweep.cases, rows, strict=True):
        assert isinstance(case, Case) and row["kind"] == "plan"
        assert (row["scenario"], row["platform"], row["origin"]) == (
            case.scenario,
            case.platform,
            case.origin,
        )
        assert row["departure"].date() == case.departure
        try:
            plan = services.plan_json(plan_body(small_sweep, case))
        except RelosError as exc:
            kinds.add("error")
            assert row["error"] is not None and exc.message in row["error"]
            assert not row["feasible"] and row["distance_nm"] is None
            continue
        assert row["error"] is None
        assert row["feasible"] == plan["feasible"]
        assert row["reason"] == plan["reason"]
        if not plan["feasible"]:
            kinds.add("infeasible")
            assert row["distance_nm"] is None and row["stops"] is None
            continue
        kinds.add("feasible")
        totals = plan["totals"]
        assert row["distance_nm"] == totals["distance_nm"]
        assert row["days"] == totals["days"]
        assert abs(row["sailing_days"] * 24 - totals["sailing_h"]) <= 0.13
        assert row["stops"] == totals["stops"]
        assert row["eta"].strftime("%Y-%m-%dT%H:%M:%SZ") == totals["eta"]
        assert row["stop_ids"] == [s["facility_id"] for s in plan["stops"]]
        assert row["passages"] == plan["passages"]
        assert row["agreements"] == _agreements(plan)
        assert row["graph_version"] == plan["versions"]["graph"]
    assert kinds == {"feasible", "infeasible", "error"}


def test_a_local_cluster_gives_the_rows_of_the_loop(
    cluster: Client, services: Services, small_sweep: Sweep, loop_rows: pa.Table, tmp_path: Path
) -> None:
    out = tmp_path / "dask.parquet"
    seen: list[tuple[int, int]] = []
    report = run_sweep(
        small_sweep,
        out,
        OnDask(cluster, DataSource()),
        versions=services.versions,
        chunk_size=4,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert report.computed == 36 and report.reused == 0
    assert seen[0] == (0, 36) and seen[-1] == (36, 36)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert pq.read_table(out).to_pylist() == loop_rows.to_pylist()
    assert not parts_dir(out).exists()
    # every worker process loaded the services once, before its first chunk, and runs its
    # block products in one thread (the sweep's parallelism is its worker processes)
    assert list(cluster.run(loaded).values()) == [[DataSource()]] * 2
    assert list(cluster.run(kernel_threads).values()) == [1, 1]


def test_an_interrupted_sweep_resumes_without_recomputing_finished_cases(
    cluster: Client, services: Services, small_sweep: Sweep, loop_rows: pa.Table, tmp_path: Path
) -> None:
    out = tmp_path / "resumed.parquet"
    first: list[str] = []

    def stop_after_three_chunks(table: pa.Table) -> None:
        first.extend(_ids(table))
        if len(first) == 3 * 5:
            raise Interrupted

    with pytest.raises(Interrupted):
        run_sweep(
            small_sweep,
            out,
            InProcess(services),
            versions=services.versions,
            chunk_size=5,
            on_chunk=stop_after_three_chunks,
        )
    parts = sorted(parts_dir(out).glob("part-*.parquet"))
    assert len(parts) == 3 and not out.exists()
    assert sorted(_ids(pq.read_table(parts_dir(out)))) == sorted(first)
    # a half-written part (a kill -9 during a write) is never read, and is cleaned up
    (parts_dir(out) / "part-dead.parquet.x1y2.tmp").write_bytes(b"PAR1 half a file")

    second: list[str] = []
    report = run_sweep(
        small_sweep,
        out,
        OnDask(cluster, DataSource()),
        versions=services.versions,
        chunk_size=5,
        on_chunk=lambda t: second.extend(_ids(t)),
    )
    assert report.reused == 15 and report.computed == 21
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(c.case_id for c in small_sweep.cases)
    frame = pd.read_parquet(out)
    assert len(frame) == 36 and frame["case_id"].is_unique
    assert pq.read_table(out).to_pylist() == loop_rows.to_pylist()
    assert not parts_dir(out).exists()

    # run again: every case is in the output already; --no-resume starts over
    again = run_sweep(small_sweep, out, InProcess(services), versions=services.versions)
    assert (again.computed, again.reused) == (0, 36)
    fresh = run_sweep(
        small_sweep, out, InProcess(services), versions=services.versions, resume=False
    )
    assert (fresh.computed, fresh.reused) == (36, 0)


def test_rows_computed_on_other_data_are_not_reused(
    services: Services, small_sweep: Sweep, loop_rows: pa.Table, tmp_path: Path
) -> None:
    out = tmp_path / "stale.parquet"
    stale = loop_rows.slice(0, 10).replace_schema_metadata(None)
    stale = stale.set_column(
        stale.schema.get_field_index("graph_version"),
        "graph_version",
        pa.array(["an-older-graph"] * 10, pa.string()),
    )
    write_parquet(parts_dir(out) / "part-old.parquet", stale)
    write_parquet(parts_dir(out) / "part-good.parquet", loop_rows.slice(10, 5))
    report = run_sweep(small_sweep, out, InProcess(services), versions=services.versions)
    assert (report.reused, report.computed) == (5, 31)
    assert set(pq.read_table(out)["graph_version"].to_pylist()) == {services.versions["graph"]}


def test_rows_written_before_reach_cases_existed_are_reused(
    services: Services, small_sweep: Sweep, loop_rows: pa.Table, tmp_path: Path
) -> None:
    out = tmp_path / "older.parquet"
    names = loop_rows.column_names  # the plan columns then, without kind nor reach's
    older = [*names[1 : names.index("origins")], "error", "catalogue_version", "graph_version"]
    older.remove("kind")
    older.insert(0, "case_id")
    write_parquet(parts_dir(out) / "part-older.parquet", loop_rows.slice(0, 10).select(older))
    report = run_sweep(small_sweep, out, InProcess(services), versions=services.versions)
    assert (report.reused, report.computed) == (10, 26)
    assert pq.read_table(out).to_pylist() == loop_rows.to_pylist()


def test_a_worker_killed_mid_sweep_loses_no_case_and_repeats_none(
    cluster: Client, services: Services, tmp_path: Path
) -> None:
    monthly = {**SPEC, "dates": {"start": "2026-02-10", "end": "2027-01-10", "every_months": 1}}
    sweep = prepare(parse_spec(monthly), services)  # 216 cases, most new to the workers
    expected = run_chunk(services, sweep.recipe, sweep.cases).to_pylist()
    out = tmp_path / "killed.parquet"
    pids = cluster.run(os.getpid)
    assert len(pids) == 2
    killed: list[int] = []

    def kill_a_busy_worker(table: pa.Table) -> None:
        if killed:
            return
        for _ in range(200):
            busy = [a for a, keys in cluster.processing().items() if keys and a in pids]
            if busy:
                killed.append(pids[busy[0]])
                os.kill(pids[busy[0]], signal.SIGKILL)
                return
            time.sleep(0.01)
        raise AssertionError("no worker had a chunk under way")

    report = run_sweep(
        sweep,
        out,
        OnDask(cluster, DataSource()),
        versions=services.versions,
        chunk_size=4,
        on_chunk=kill_a_busy_worker,
    )
    assert killed and report.computed == len(sweep.cases) == 216
    frame = pd.read_parquet(out)
    assert len(frame) == 216 and frame["case_id"].is_unique
    assert pq.read_table(out).to_pylist() == expected
    # the nanny started a new worker process in place of the killed one
    cluster.wait_for_workers(2, timeout=120)
    now = cluster.run(os.getpid)
    assert killed[0] not in now.values() and len(now) == 2
