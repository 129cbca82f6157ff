"""One flat row per case: what a chunk of cases gives, as an Arrow table.

:func:`run_chunk` plans each plan case with the same use case as ``POST /plans``
(:meth:`routing.service.Services.plan`, under the case's scenario) but without
suggestions for infeasible plans (each costs a re-plan; a sweep wants the
reason), and answers each reach case with the use case behind ``POST /reach``
(:meth:`routing.service.Services.reach`, the scenario inline, no frontier
polygons). A case whose inputs do not fit together (an airbase as a ship's
origin, a platform a scenario replaces with an unknown one) gets its error in
``error`` and the sweep goes on. The columns are in :data:`SCHEMA`: both kinds
in one table, ``kind`` telling them apart, the columns of the other kind null;
numbers are rounded as the HTTP answers round them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from routing.errors import NoRouteError, RelosError
from routing.plan.compare import agreements_used
from routing.plan.planner import Plan
from routing.plan.reach import CAVEATS
from routing.plan.scenario import Scenario
from routing.service import Services
from routing.sweep.cases import AnyCase, Case, ReachCase, Recipe

STRINGS = pa.list_(pa.string())
UTC_TIME = pa.timestamp("ms", tz="UTC")

SCHEMA = pa.schema(
    [
        ("case_id", pa.string()),
        ("kind", pa.string()),
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
        # reach cases
        ("origins", STRINGS),
        ("max_days", pa.float64()),
        ("max_stops", pa.int32()),
        ("range_nm", pa.float64()),
        ("area_km2", pa.float64()),
        ("lane_share", pa.float64()),
        ("area_km2_by_stops", pa.list_(pa.float64())),
        ("lane_share_by_stops", pa.list_(pa.float64())),
        ("facilities", pa.int32()),
        ("facilities_by_stops", pa.list_(pa.int32())),
        ("facility_ids", STRINGS),
        ("farthest_days", pa.float64()),
        ("closed", STRINGS),
        ("caveats", STRINGS),
        # every case
        ("error", pa.string()),
        ("catalogue_version", pa.string()),
        ("graph_version", pa.string()),
    ]
)
"""The columns of a sweep's Parquet file, one row per case (``kind``: ``plan`` or
``reach``). Numbers are null (NaN in pandas) when the case is infeasible or in error,
and in the columns of the other kind."""

PLAN, REACH = "plan", "reach"


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
        "kind": PLAN,
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
    except Exception as exc:
        row["error"] = error_text(exc)
    else:
        row.update(_plan_fields(plan))
    return row


def error_text(exc: Exception) -> str:
    """Why a case could not be answered, as its ``error`` column says it."""
    if isinstance(exc, RelosError):
        return f"{exc.field}: {exc.message}" if exc.field else exc.message
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return f"{where}: {err['msg']}" if where else err["msg"]
    # a bug in one case must not lose a night's sweep: say so
    return f"internal error: {type(exc).__name__}: {exc}"


def reach_fields(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The reach columns of a row, from the ``POST /reach`` answer (without frontier)."""
    starts = {o["id"] for o in answer["origins"]}
    away = [f["days"] for f in answer["facilities"] if f["id"] not in starts]
    bands = answer["by_stops"]
    return {
        "feasible": True,
        "origins": [o["id"] for o in answer["origins"]],
        "range_nm": answer["range_nm"],
        "area_km2": float(answer["area_km2"]),
        "lane_share": answer["lane_share"],
        "area_km2_by_stops": [float(b["area_km2"]) for b in bands],
        "lane_share_by_stops": [b["lane_share"] for b in bands],
        "facilities": len(answer["facilities"]),
        "facilities_by_stops": [b["facilities"] for b in bands],
        "facility_ids": [f["id"] for f in answer["facilities"]],
        "farthest_days": max(away, default=None),
        "agreements": list(answer["agreements_used"]),
        "closed": list(answer["closed"]),
        "caveats": [c for c in answer["caveats"] if c not in CAVEATS],
    }


def reach_row(services: Services, recipe: Recipe, case: ReachCase) -> dict[str, Any]:
    """The row of one reach case (its versions apart): ``POST /reach``'s answer for the
    case's question, flattened."""
    row: dict[str, Any] = {
        "case_id": case.case_id,
        "kind": REACH,
        "scenario": case.scenario,
        "nation": case.nation,
        "platform": case.platform,
        "origin": case.origin,
        "departure": case.departure_time,
        "feasible": False,
        "max_days": case.days,
        "max_stops": case.max_stops,
    }
    try:
        answer = services.reach(recipe.reach_spec(case))
    except Exception as exc:
        row["error"] = error_text(exc)
    else:
        row.update(reach_fields(answer))
    return row


def rows_table(rows: Sequence[dict[str, Any]], versions: Mapping[str, str | None]) -> pa.Table:
    """``rows`` as a table of :data:`SCHEMA`, each stamped with the data versions."""
    stamp = {"catalogue_version": versions["catalogue"], "graph_version": versions["graph"]}
    return pa.Table.from_pylist([{**r, **stamp} for r in rows], schema=SCHEMA)


def run_chunk(services: Services, recipe: Recipe, cases: Sequence[AnyCase]) -> pa.Table:
    """Answer ``cases`` and return their rows, in order."""
    scenarios = recipe.resolve(services) if any(isinstance(c, Case) for c in cases) else {}
    rows = [
        case_row(services, recipe, scenarios, case)
        if isinstance(case, Case)
        else reach_row(services, recipe, case)
        for case in cases
    ]
    return rows_table(rows, services.versions)
