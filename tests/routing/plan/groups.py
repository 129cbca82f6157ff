"""Made-up escorts and a replenishment tanker for the fuel and solver tests."""

from __future__ import annotations

from routing.catalogue.platforms import Platform


def escorts_and_oiler(
    escorts: list[tuple[float, float, int]], tanker: tuple[float, float, float]
) -> tuple[list[tuple[Platform, int]], Platform]:
    """Escorts from (endurance nm at 14 kn, fuel t, count) and a tanker from (its own
    endurance nm, its own fuel t, cargo t)."""
    members = [
        (
            Platform(
                id=f"e{i}",
                name=f"e{i}",
                endurance_nm=e,
                at_speed_kn=14,
                max_speed_kn=30,
                fuel_capacity_t=c,
            ),
            n,
        )
        for i, (e, c, n) in enumerate(escorts)
    ]
    endurance, fuel, cargo = tanker
    oiler = Platform(
        id="oiler",
        name="oiler",
        type="tanker",
        endurance_nm=endurance,
        at_speed_kn=14,
        max_speed_kn=20,
        fuel_capacity_t=fuel,
        carries_fuel_for_others_t=cargo,
    )
    return members, oiler
