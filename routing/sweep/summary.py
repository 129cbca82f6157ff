"""A sweep's results in a few lines: per scenario and platform, how many plan cases
were feasible, and the median duration, distance and stops of those that were; per
scenario, nation and platform, the median reach (area, lane share, facilities)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class SummaryRow:
    """One scenario and platform of a sweep (medians over its feasible cases; ``None``
    when none is feasible)."""

    scenario: str
    platform: str
    cases: int
    feasible: int
    errors: int
    median_days: float | None
    median_distance_nm: float | None
    median_stops: float | None

    @property
    def feasible_share(self) -> float:
        """Feasible cases over all cases."""
        return self.feasible / self.cases if self.cases else 0.0


def _median(values: list[float | None]) -> float | None:
    arr = np.array([v for v in values if v is not None], dtype=float)
    return float(np.median(arr)) if arr.size else None


@dataclass(frozen=True)
class ReachSummaryRow:
    """One scenario, nation and platform of a sweep's reach cases (medians over the
    cases answered; ``None`` when every one is in error)."""

    scenario: str
    nation: str
    platform: str
    cases: int
    errors: int
    median_area_km2: float | None
    median_lane_share: float | None
    median_facilities: float | None


def _of_kind(table: pa.Table, kind: str) -> pa.Table:
    return table.filter(pc.equal(table["kind"], kind))


def summarize(table: pa.Table) -> list[SummaryRow]:
    """One row per (scenario, platform) of the plan cases, in the order they first
    appear."""
    cols = (
        _of_kind(table, "plan")
        .select(["scenario", "platform", "feasible", "error", "days", "distance_nm", "stops"])
        .to_pydict()
    )
    groups: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(cols["scenario"], cols["platform"], strict=True)):
        groups.setdefault(key, []).append(i)
    out = []
    for (scenario, platform), rows in groups.items():
        ok = [i for i in rows if cols["feasible"][i]]
        out.append(
            SummaryRow(
                scenario=scenario,
                platform=platform,
                cases=len(rows),
                feasible=len(ok),
                errors=sum(cols["error"][i] is not None for i in rows),
                median_days=_median([cols["days"][i] for i in ok]),
                median_distance_nm=_median([cols["distance_nm"][i] for i in ok]),
                median_stops=_median([cols["stops"][i] for i in ok]),
            )
        )
    return out


def summarize_reach(table: pa.Table) -> list[ReachSummaryRow]:
    """One row per (scenario, nation, platform) of the reach cases, in the order they
    first appear."""
    cols = (
        _of_kind(table, "reach")
        .select(["scenario", "nation", "platform", "error", "area_km2", "lane_share", "facilities"])
        .to_pydict()
    )
    groups: dict[tuple[str, str, str], list[int]] = {}
    keys = zip(cols["scenario"], cols["nation"], cols["platform"], strict=True)
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    out = []
    for (scenario, nation, platform), rows in groups.items():
        ok = [i for i in rows if cols["error"][i] is None]
        out.append(
            ReachSummaryRow(
                scenario=scenario,
                nation=nation,
                platform=platform,
                cases=len(rows),
                errors=len(rows) - len(ok),
                median_area_km2=_median([cols["area_km2"][i] for i in ok]),
                median_lane_share=_median([cols["lane_share"][i] for i in ok]),
                median_facilities=_median([cols["facilities"][i] for i in ok]),
            )
        )
    return out
