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

The names that need Arrow, Dask or distributed (running, writing and summarising a
sweep, the cluster) are imported on first use: describing and checking a sweep, and
naming its :class:`DataSource` (a server starting), import none of them.

>>> from routing.service import default_services
>>> services = default_services()
>>> sweep = prepare(load_spec(Path("examples/sweep.yaml")), services)
>>> report = run_sweep(sweep, Path("out.parquet"), InProcess(services),
...                    versions=services.versions)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from routing.sweep.cases import AnyCase, Case, ReachCase, Recipe, Sweep, prepare
from routing.sweep.source import DataSource
from routing.sweep.spec import MAX_CASES, ReachBlock, SweepSpec, load_spec, parse_spec

if TYPE_CHECKING:
    from routing.sweep.cluster import OnDask, dask_client, services_for
    from routing.sweep.rows import SCHEMA, run_chunk
    from routing.sweep.runner import InProcess, SweepReport, parts_dir, run_sweep
    from routing.sweep.summary import ReachSummaryRow, SummaryRow, summarize, summarize_reach

#: Names imported on first use, with their module: running, writing and summarising a
#: sweep need Arrow, and a cluster Dask and distributed, which describing and checking
#: a sweep (and a server starting) do not.
_LAZY = {
    **dict.fromkeys(("OnDask", "dask_client", "services_for"), "cluster"),
    **dict.fromkeys(("SCHEMA", "run_chunk"), "rows"),
    **dict.fromkeys(("InProcess", "SweepReport", "parts_dir", "run_sweep"), "runner"),
    **dict.fromkeys(("ReachSummaryRow", "SummaryRow", "summarize", "summarize_reach"), "summary"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
