"""Sweeps: thousands of what-ifs as one job, in a plain loop or on Dask workers.

A sweep is the product of scenarios x platforms x origin-destination pairs x
departure days (plan cases), and of scenarios x nations x platforms x origins x
day and stop limits x departure days (reach cases, its ``reach`` block),
described in a YAML or JSON file (:mod:`routing.sweep.spec`),
checked against the loaded data and expanded into cases with stable ids
(:mod:`routing.sweep.cases`), planned in chunks (:mod:`routing.sweep.rows`) in
this process or on a Dask cluster (:mod:`routing.sweep.cluster`), written as
Parquet with resume after an interruption (:mod:`routing.sweep.runner`) and
summarised (:mod:`routing.sweep.summary`). This layer sits above
:mod:`routing.service` and calls its plan or reach use case for every case.

>>> from routing.service import default_services
>>> services = default_services()
>>> sweep = prepare(load_spec(Path("examples/sweep.yaml")), services)
>>> report = run_sweep(sweep, Path("out.parquet"), InProcess(services),
...                    versions=services.versions)
"""

from routing.sweep.cases import AnyCase, Case, ReachCase, Recipe, Sweep, prepare
from routing.sweep.cluster import DataSource, OnDask, dask_client, services_for
from routing.sweep.rows import SCHEMA, run_chunk
from routing.sweep.runner import InProcess, SweepReport, parts_dir, run_sweep
from routing.sweep.spec import MAX_CASES, ReachBlock, SweepSpec, load_spec, parse_spec
from routing.sweep.summary import ReachSummaryRow, SummaryRow, summarize, summarize_reach

__all__ = [
    "MAX_CASES",
    "SCHEMA",
    "AnyCase",
    "Case",
    "DataSource",
    "InProcess",
    "OnDask",
    "ReachBlock",
    "ReachCase",
    "ReachSummaryRow",
    "Recipe",
    "SummaryRow",
    "Sweep",
    "SweepReport",
    "SweepSpec",
    "dask_client",
    "load_spec",
    "parse_spec",
    "parts_dir",
    "prepare",
    "run_chunk",
    "run_sweep",
    "services_for",
    "summarize",
    "summarize_reach",
]
