"""A sweep's results in a few lines: per scenario and platform, how many cases were
feasible, and the median duration, distance and stops of those that were."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa


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


def summarize(table: pa.Table) -> list[SummaryRow]:
    """One row per (scenario, platform), in the order they first appear."""
    cols = table.select(
        ["scenario", "platform", "feasible", "error", "days", "distance_nm", "stops"]
    ).to_pydict()
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
