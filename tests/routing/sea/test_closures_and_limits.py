"""Closures that hold, and ships that fit.

Closing a named group closes every way through its barrier: a property test closes
each group and routes between sea points on either side, and checks the route never
crosses a gate of the group (an independent shapely check on the track). A ship whose
draught, beam or air draught exceeds a passage's published limit never uses it, and
the route says which limits it avoided.
"""

from __future__ import annotations

import datetime as dt

import pytest

from routing.errors import NoRouteError, UnknownPassageError
from routing.sea.passages import ShipSize, default_sea_data
from tests.routing.sea.support import crossed_passages, sea_router

SEA = default_sea_data()

# For each group: pairs of sea points on either side of its barrier.
SIDES = {
    "red-sea": [((33.0, 33.5), (45.0, 12.0)), ((30.0, 34.0), (58.0, 20.0))],
    "indonesian-archipelago": [((92.0, 5.0), (110.0, 5.0)), ((100.0, -10.0), (112.0, -5.0))],
    "japan-straits": [((129.8, 40.0), (140.0, 33.0)), ((135.0, 41.0), (126.0, 32.0))],
    # off the Skaw: round Jutland through the straits, not down to the Kiel Canal
    "danish-straits": [((9.0, 57.9), (18.0, 57.0)), ((10.5, 57.8), (13.5, 54.8))],
}


def test_every_group_names_known_passages() -> None:
    assert set(SIDES) <= set(SEA.groups)
    for group in SEA.groups.values():
        assert group.sources and group.passages
        assert set(group.passages) <= set(SEA.passage_ids)
    assert SEA.check_passage_ids(["red-sea"]) == {"suez", "bab-el-mandeb"}
    with pytest.raises(UnknownPassageError, match="did you mean red-sea"):
        SEA.check_passage_ids(["red-seas"])


@pytest.mark.parametrize("group", sorted(SIDES))
def test_a_closed_group_leaves_no_way_through(group: str) -> None:
    router = sea_router()
    members = set(SEA.groups[group].passages)
    for a, b in SIDES[group]:
        open_route = router.route(a, b, date=dt.date(2026, 8, 1))
        assert set(open_route.passages) & members, (group, a, b, open_route.passages)
        try:
            shut = router.route(a, b, closed=[group], date=dt.date(2026, 8, 1))
        except NoRouteError:
            continue  # no way round at all: closed means closed
        assert not set(shut.passages) & members
        assert not set(crossed_passages(shut)) & members  # independent check on the track
        assert shut.distance_nm > open_route.distance_nm


def test_a_ship_that_does_not_fit_avoids_the_passage() -> None:
    router = sea_router()
    limited = [p for p in SEA.passages if "max_draught_m" in p.limits]
    assert limited, "passage limits come from data/sea/passages.geojson"
    for passage in limited:
        deep = ShipSize(draught_m=passage.limits["max_draught_m"] + 0.5)
        closed = router.effective_closures(size=deep)
        assert passage.id in closed
        shallow = ShipSize(draught_m=passage.limits["max_draught_m"] - 0.5)
        assert passage.id not in router.effective_closures(size=shallow)


def test_corinth_for_a_frigate_but_not_for_a_carrier() -> None:
    """Ionian Sea to the Saronic Gulf: a 4.5 m frigate cuts through the Corinth Canal
    (8 m); a 10 m carrier sails round the Peloponnese and is told why."""
    router = sea_router()
    west, east = (21.6, 38.25), (23.45, 37.85)
    frigate = router.route(west, east, size=ShipSize(draught_m=4.5, beam_m=15.2))
    carrier = router.route(west, east, size=ShipSize(draught_m=10.0, beam_m=60.0))
    assert "corinth" in frigate.passages
    assert "corinth" not in carrier.passages
    assert carrier.distance_nm > frigate.distance_nm * 1.5
    assert "corinth" in dict(carrier.avoided)
    assert "draught 10 m" in dict(carrier.avoided)["corinth"]


def test_nevelskoy_strait_for_a_shallow_ship_only() -> None:
    """De-Kastri (Strait of Tartary) to the Sakhalin Gulf: a 4.5 m frigate goes north
    through the Nevelskoy Strait (fairway 7.2 m) and the Amur Liman; a 9 m ship sails
    round Sakhalin by La Perouse and is told why (issue #11: Nevelskoy and the Amur Liman)."""
    router = sea_router()
    south, north = (140.9, 51.4), (142.0, 54.3)
    frigate = router.route(south, north, size=ShipSize(draught_m=4.5))
    deep = router.route(south, north, size=ShipSize(draught_m=9.0))
    assert "nevelskoy" in frigate.passages
    assert "nevelskoy" not in deep.passages and "la-perouse" in deep.passages
    assert deep.distance_nm > frigate.distance_nm * 2
    assert "draught 9 m" in dict(deep.avoided)["nevelskoy"]


@pytest.mark.parametrize(
    ("port", "winter_class"),
    [("ru-arkhangelsk-port", "ice1"), ("ru-magadan-port", "ice2"), ("ru-anadyr-port", "ice2")],
)
def test_ice_regions_close_to_ships_below_the_winter_class(port: str, winter_class: str) -> None:
    """The White Sea, Magadan and Anadyr in February: closed to ships without the ice class
    the harbour master's winter rules ask for; open to those with it, and in summer."""
    router = sea_router()
    origin = "ru-murmansk-port" if port == "ru-arkhangelsk-port" else "ru-vladivostok-naval-base"
    winter, summer = dt.date(2027, 2, 1), dt.date(2027, 8, 1)
    with pytest.raises(NoRouteError, match="seasonal, closed on 2027-02-01"):
        router.route(origin, port, date=winter)
    assert router.route(origin, port, date=winter, ice_class=winter_class).distance_nm > 0
    assert router.route(origin, port, date=summer).distance_nm > 0
    assert router.route(origin, port).distance_nm > 0  # no date: not a winter route


def test_ice_rules_that_warn_are_reported() -> None:
    from routing import RouteSpec, default_services

    services = default_services()
    spec = RouteSpec(
        origin="ru-murmansk-port", destination="ru-kronstadt-naval-base", date=dt.date(2027, 2, 1)
    )
    winter = services.route(spec)["properties"]
    assert "gulf-of-finland-east" not in winter["passages"]  # warn-only: found on the track
    assert any("Gulf of Finland" in w and "ice1" in w for w in winter["warnings"])
    summer = services.route(spec.model_copy(update={"date": dt.date(2027, 8, 1)}))
    assert summer["properties"]["warnings"] == []
