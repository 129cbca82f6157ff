"""What-if example: an Indian frigate from Visakhapatnam to Severomorsk, under four scenarios.

Run: ``.venv/bin/python examples/what_if.py`` (no server needed). Prints one row
per scenario, then what the deployment depends on most.
"""

from __future__ import annotations

import datetime as dt

from routing import Scenario, compare, critical, default_planner


def main() -> None:
    """Plan, compare and rank."""
    planner = default_planner()
    req = planner.request(
        nation="IND",
        platform="talwar",
        origin="in-visakhapatnam-naval-dockyard",
        destination="ru-severomorsk-naval-base",
        departure="2026-08-01T00:00",
    )
    scenarios = [
        Scenario(name="Red Sea shut", closed=frozenset({"suez", "bab-el-mandeb"})),
        Scenario(name="RELOS lapses", dropped_agreements=frozenset({"relos"})),
        Scenario(name="no Djibouti", closed_facilities=frozenset({"dj-djibouti-port"})),
        Scenario(name="sail in February", date=dt.date(2027, 2, 1)),
    ]
    print(f"{'scenario':<18} {'feasible':<8} {'nm':>8} {'days':>6} {'stops':>5}  passages / reason")
    for out in compare(planner, req, scenarios):
        plan = out.plan
        if plan.feasible:
            print(
                f"{out.scenario.name:<18} {'yes':<8} {plan.distance_nm:>8,.0f} "
                f"{plan.duration_h / 24:>6.1f} {len(plan.stops):>5}  {', '.join(plan.passages)}"
            )
        else:
            print(f"{out.scenario.name:<18} {'no':<8} {'':>8} {'':>6} {'':>5}  {plan.reason}")
    _, impacts = critical(planner, req)
    print("\nmost critical:")
    for imp in impacts[:5]:
        cost = "infeasible" if not imp.feasible else f"+{(imp.extra_h or 0) / 24:.1f} days"
        print(f"  {imp.kind:<9} {imp.id:<32} {cost}")


if __name__ == "__main__":
    main()
