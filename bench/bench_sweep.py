"""Benchmark: a 10,000-case plan sweep in a plain loop and on Dask (1 and 2 workers).

Run: ``.venv/bin/python bench/bench_sweep.py [--cases 10000]``. The sweep is the shape
of ``examples/sweep.yaml`` (baseline, no Suez, Red Sea shut, no RELOS; Talwar and
Kolkata; five Indian home ports to five Russian and partner bases) with weekly
departures, cut to ``--cases``. Each run goes through :func:`routing.sweep.run_sweep`
(parts written, final Parquet file) from cold planner caches: the loop in this process,
Dask on a fresh local cluster of worker processes (one thread each) whose start and
service load are timed apart. Prints cases/s of each, the scaling of 2 workers over 1,
and the Dask runner's overhead over the loop, (t_dask_1_worker - t_loop) / t_loop
(target: under 20 %), with the machine's load average before and after.

On a shared machine the wall-clock figures move with the other work on it, so each run
also counts the CPU time it took: this process's (for Dask it hosts the client, the
scheduler and the nannies) plus the worker processes'. The CPU overhead, (cpu_dask_1 -
cpu_loop) / cpu_loop, is what Dask itself costs, whatever else the machine runs.

Dask's nanny starts each worker with one thread for OpenMP/OpenBLAS/MKL
(``distributed.nanny.pre-spawn-environ``), so this process sets the same before numpy
loads: the loop and a worker then do the same work per core.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # as Dask's workers, before numpy is imported

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import datetime as dt  # noqa: E402
import math  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pyarrow.parquet as pq  # noqa: E402

from routing.service import load_services  # noqa: E402
from routing.sweep import DataSource, InProcess, OnDask, dask_client, parse_spec, prepare  # noqa: E402
from routing.sweep import run_sweep as run  # noqa: E402

ORIGINS = [
    "in-mumbai-naval-dockyard",
    "in-visakhapatnam-naval-dockyard",
    "in-kochi-naval-base",
    "in-karwar-naval-base",
    "in-port-blair-naval-base",
]
DESTINATIONS = [
    "ru-vladivostok-naval-base",
    "ru-murmansk-port",
    "fr-toulon-naval-base",
    "au-hmas-stirling",
    "jp-yokosuka-naval-base",
]
SCENARIOS = [
    {"name": "baseline"},
    {"name": "no Suez", "closed": ["suez"]},
    {"name": "Red Sea shut", "closed": ["suez", "bab-el-mandeb"]},
    {"name": "no RELOS", "dropped_agreements": ["relos"]},
]
PLATFORMS = ["talwar", "kolkata"]


def spec(cases: int) -> dict[str, object]:
    """A sweep of at least ``cases`` cases: weekly departures from 4 January 2027."""
    per_day = len(SCENARIOS) * len(PLATFORMS) * len(ORIGINS) * len(DESTINATIONS)
    days = math.ceil(cases / per_day)
    start = dt.date(2027, 1, 4)
    return {
        "name": f"bench {cases}",
        "base": {"nation": "IND"},
        "scenarios": SCENARIOS,
        "platforms": PLATFORMS,
        "origins": ORIGINS,
        "destinations": DESTINATIONS,
        "dates": {
            "start": start.isoformat(),
            "end": (start + dt.timedelta(weeks=days - 1)).isoformat(),
            "every_days": 7,
        },
    }


def load() -> str:
    """The 1-, 5- and 15-minute load averages."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    """Run and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument(
        "--dask-defaults",
        action="store_true",
        help="Local clusters with Dask's default settings, not routing.sweep's LOCAL_CONFIG.",
    )
    args = parser.parse_args()
    blas = os.environ["OPENBLAS_NUM_THREADS"]
    print(f"{os.cpu_count()} cores, {blas} BLAS thread(s); load average before: {load()}")
    print("Dask settings: " + ("Dask's defaults" if args.dask_defaults else "LOCAL_CONFIG"))
    services = load_services()
    t = time.perf_counter()
    sweep = prepare(parse_spec(spec(args.cases)), services)
    sweep = dataclasses.replace(sweep, cases=sweep.cases[: args.cases])
    n = len(sweep.cases)
    print(f"{n:,} cases checked and expanded in {(time.perf_counter() - t) * 1000:.0f} ms")
    versions = services.versions
    tables = {}
    times = {}
    cpu = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "loop.parquet"
        c0 = time.process_time()
        report = run(sweep, out, InProcess(services), versions=versions)
        cpu["loop"] = time.process_time() - c0
        times["loop"] = report.seconds
        tables["loop"] = pq.read_table(out)
        print(
            f"loop, 1 process:  {n / report.seconds:7.1f} cases/s ({report.seconds:.1f} s; "
            f"CPU {cpu['loop'] / n * 1000:.1f} ms/case)"
        )
        for workers in (1, 2):
            t = time.perf_counter()
            with dask_client(workers=workers, config={} if args.dask_defaults else None) as client:
                runner = OnDask(client, DataSource())
                ready = time.perf_counter() - t
                out = Path(tmp) / f"dask{workers}.parquet"
                w0 = sum(client.run(time.process_time).values())
                c0 = time.process_time()
                report = run(sweep, out, runner, versions=versions)
                here = time.process_time() - c0
                there = sum(client.run(time.process_time).values()) - w0
            label = f"dask, {workers} worker{'s' if workers > 1 else ''}:"
            times[label] = report.seconds
            cpu[label] = here + there
            tables[label] = pq.read_table(out)
            print(
                f"{label:17} {n / report.seconds:7.1f} cases/s ({report.seconds:.1f} s; "
                f"CPU {there / n * 1000:.1f} ms/case in workers + {here / n * 1000:.1f} here; "
                f"cluster start and service load {ready:.1f} s, not counted)"
            )
    one, two = times["dask, 1 worker:"], times["dask, 2 workers:"]
    print(f"scaling, 2 workers over 1: {one / two:.2f}x")
    print(
        f"Dask overhead over the loop (1 worker): {(one - times['loop']) / times['loop']:+.1%} "
        "(target: under 20 %)"
    )
    print(
        "CPU overhead over the loop (1 worker, all processes): "
        f"{(cpu['dask, 1 worker:'] - cpu['loop']) / cpu['loop']:+.1%}"
    )
    same = all(t.to_pylist() == tables["loop"].to_pylist() for t in tables.values())
    print(f"rows identical in the three runs: {'yes' if same else 'NO'}")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
