"""One flat row per case: what a chunk of cases gives, as an Arrow table.

:func:`run_chunk` plans each case with the same use case as ``POST /plans``
(:meth:`routing.service.Services.plan`, under the case's scenario) but without
suggestions for infeasible plans (each costs a re-plan; a sweep wants the
reason). A case whose inputs do not fit together (an airbase as a ship's
origin, a platform a scenario replaces with an unknown one) gets its error in
``error`` and the sweep goes on. The columns are in :data:`SCHEMA`; numbers are
rounded as ``POST /plans`` rounds its totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from routing.errors import NoRouteError, RelosError
from routing.plan.compare import agreements_used
from routing.plan.planner import Plan
from routing.plan.scenario import Scenario
from routing.service import Services
from routing.sweep.cases import Case, Recipe

STRINGS = pa.list_(pa.string())
UTC_TIME = pa.timestamp("ms", tz="UTC")

SCHEMA = pa.schema(
    [
        ("case_id", pa.string()),
        ("scenario", pa.string()),
        ("nation", pa.string()),
        ("platform", pa.string()),
        ("origin", pa.string()),
        ("destination", pa.string()),
        ("departure", UTC_TIME),
        ("feasible", pa.bool_()),
        ("reason", pa.string()),
        ("distance_nm", pa.float64()),
        ("days", pa.float64()),
        ("sailing_days", pa.float64()),
        ("wait_days", pa.float64()),
        ("stops", pa.int32()),
        ("eta", UTC_TIME),
        ("stop_ids", STRINGS),
        ("agreements", STRINGS),
        ("passages", STRINGS),
        ("error", pa.string()),
        ("catalogue_version", pa.string()),
        ("graph_version", pa.string()),
    ]
)
"""The columns of a sweep's Parquet file, one row per case. Numbers are null (NaN in
pandas) when the case is infeasible or in error."""


def _plan_fields(plan: Plan) -> dict[str, Any]:
    if not plan.feasible:
        return {"feasible": False, "reason": plan.reason}
    return {
        "feasible": True,
        "distance_nm": round(plan.distance_nm, 1),
        "days": round(plan.duration_h / 24, 2),
        "sailing_days": round(plan.sailing_h / 24, 2),
        "wait_days": round(plan.wait_h / 24, 2),
        "stops": len(plan.stops),
        "eta": plan.eta.replace(microsecond=0),  # to the second, as POST /plans gives it
        "stop_ids": [s.place.key for s in plan.stops],
        "agreements": agreements_used(plan),
        "passages": list(plan.passages),
    }


def case_row(
    services: Services, recipe: Recipe, scenarios: Mapping[str, Scenario], case: Case
) -> dict[str, Any]:
    """The row of one case (its versions apart)."""
    row: dict[str, Any] = {
        "case_id": case.case_id,
        "scenario": case.scenario,
        "nation": recipe.nation,
        "platform": case.platform,
        "origin": case.origin,
        "destination": case.destination,
        "departure": case.departure_time,
        "feasible": False,
        "stop_ids": [],
        "agreements": [],
        "passages": [],
    }
    try:
        spec = recipe.plan_spec(case)
        plan = services.plan(spec, scenario=scenarios[case.scenario], suggest=False)
    except NoRouteError as exc:  # no sea route under the case's closures: infeasible
        row["reason"] = exc.message
    except RelosError as exc:
        row["error"] = f"{exc.field}: {exc.message}" if exc.field else exc.message
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        row["error"] = f"{where}: {err['msg']}" if where else err["msg"]
    except Exception as exc:  # a bug in one case must not lose a night's sweep: say so
        row["error"] = f"internal error: {type(exc).__name__}: {exc}"
    else:
        row.update(_plan_fields(plan))
    return row


def rows_table(rows: Sequence[dict[str, Any]], versions: Mapping[str, str | None]) -> pa.Table:
    """``rows`` as a table of :data:`SCHEMA`, each stamped with the data versions."""
    stamp = {"catalogue_version": versions["catalogue"], "graph_version": versions["graph"]}
    return pa.Table.from_pylist([{**r, **stamp} for r in rows], schema=SCHEMA)


def run_chunk(services: Services, recipe: Recipe, cases: Sequence[Case]) -> pa.Table:
    """Plan ``cases`` and return their rows, in order."""
    scenarios = recipe.resolve(services)
    rows = [case_row(services, recipe, scenarios, case) for case in cases]
    return rows_table(rows, services.versions)
