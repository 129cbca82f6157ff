"""Deployment plans through HTTP: real voyages, agreements, limits, infeasibility, air mode."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from routing.catalogue.model import Catalogue

MUMBAI = "in-mumbai-naval-dockyard"
VIZAG = "in-visakhapatnam-naval-dockyard"
VLADIVOSTOK = "ru-vladivostok-naval-base"
SEVEROMORSK = "ru-severomorsk-naval-base"
AUGUST = "2026-08-01T00:00:00Z"
FEBRUARY = "2026-02-01T00:00:00Z"


def _plan(client: TestClient, **body: Any) -> dict[str, Any]:
    body.setdefault("nation", "IND")
    body.setdefault("departure", AUGUST)
    resp = client.post("/plans", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _check_plan(plan: dict[str, Any], client: TestClient, nation: str = "IND") -> None:
    """Invariants a planner relies on, for any feasible plan."""
    assert plan["feasible"], plan["reason"]
    usable = plan["usable_range_nm"]
    # Every stretch between resupplies fits the usable range (no waypoints here).
    for leg in plan["legs"]:
        assert leg["distance_nm"] <= usable + 0.5, leg
        assert leg["fuel_on_arrival"] >= plan["reserve"] - 1e-3
    # Legs chain from origin to destination through the stops.
    chain = [plan["legs"][0]["from"]] + [leg["to"] for leg in plan["legs"]]
    assert chain[0] == plan["origin"]["id"] and chain[-1] == plan["destination"]["id"]
    assert chain[1:-1] == [s["facility_id"] for s in plan["stops"]]
    # Every stop is open to the nation on its arrival date, by the named agreement.
    for stop in plan["stops"]:
        day = stop["arrival"][:10]
        fuel = "fuel" if plan["platform"]["domain"] == "sea" else "aviation_fuel"
        access = client.get(f"/access?nation={nation}&date={day}&service={fuel}").json()
        granted = {i["facility_id"]: i for i in access["facilities"]}
        assert stop["facility_id"] in granted, stop
        if stop["basis"] == "agreement":
            assert stop["agreement"] in granted[stop["facility_id"]]["agreements"]
    totals = plan["totals"]
    assert totals["stops"] == len(plan["stops"])
    assert abs(totals["distance_nm"] - sum(leg["distance_nm"] for leg in plan["legs"])) < 1
    assert totals["duration_h"] == pytest.approx(totals["sailing_h"] + totals["dwell_h"], abs=0.2)
    roles = [f["properties"]["role"] for f in plan["geojson"]["features"]]
    assert roles.count("leg") == len(plan["legs"]) and roles.count("stop") == len(plan["stops"])


def test_talwar_mumbai_to_vladivostok(client: TestClient) -> None:
    plan = _plan(client, platform="talwar", origin=MUMBAI, destination=VLADIVOSTOK)
    _check_plan(plan, client)
    assert plan["totals"]["stops"] >= 1, "5,500 nm does not fit a Talwar's range in one leg"
    assert "malacca" in plan["passages"] and "suez" not in plan["passages"]
    assert 5000 < plan["totals"]["distance_nm"] < 6500


def test_vizag_to_severomorsk_via_suez_then_round_the_cape(client: TestClient) -> None:
    winter = {"platform": "talwar", "origin": VIZAG, "destination": SEVEROMORSK}
    winter["departure"] = FEBRUARY
    suez = _plan(client, **winter)
    _check_plan(suez, client)
    assert "suez" in suez["passages"] and "cape-of-good-hope" not in suez["passages"]
    alone = _plan(client, **winter, closed=["suez"])
    assert not alone["feasible"], "no usable port on West Africa's coast for a lone frigate"
    assert "usable range" in alone["reason"]
    assert any(s.startswith("reopen suez: ") for s in alone["suggestions"])
    assert any(s.startswith("add a tanker") for s in alone["suggestions"])
    winter["group"] = [{"platform": "talwar"}, {"platform": "deepak"}]
    del winter["platform"]
    cape = _plan(client, **winter, closed=["suez"])
    _check_plan(cape, client)
    assert cape["usable_range_nm"] > alone["usable_range_nm"], "the tanker's range counts"
    assert "cape-of-good-hope" in cape["passages"] and "suez" not in cape["passages"]
    assert cape["totals"]["distance_nm"] > suez["totals"]["distance_nm"] + 2000
    # In August the Northern Sea Route is open, and beats the Cape when Suez is shut.
    summer = _plan(
        client, platform="talwar", origin=VIZAG, destination=SEVEROMORSK, closed=["suez"]
    )
    _check_plan(summer, client)
    assert "nsr" in summer["passages"]


def test_dropping_relos_changes_the_stops_or_says_why(client: TestClient) -> None:
    base = _plan(
        client, platform="talwar", origin=VIZAG, destination=SEVEROMORSK, departure=FEBRUARY
    )
    relos_stops = [s for s in base["stops"] if s["agreement"] == "relos"]
    dropped = _plan(
        client,
        platform="talwar",
        origin=VIZAG,
        destination=SEVEROMORSK,
        departure=FEBRUARY,
        dropped_agreements=["relos"],
    )
    if dropped["feasible"]:
        _check_plan(dropped, client)
        assert not [s for s in dropped["stops"] if s["agreement"] == "relos"]
        if relos_stops:
            assert dropped["stops"] != base["stops"]
    else:
        assert dropped["reason"]
        assert any("relos" in s for s in dropped["suggestions"]), dropped["suggestions"]


def test_relos_port_calls_are_limited_to_five_warships(client: TestClient) -> None:
    small = _plan(
        client,
        group=[{"platform": "talwar", "count": 5}],
        origin=MUMBAI,
        destination=VLADIVOSTOK,
        closed=["malacca", "singapore", "sunda", "lombok"],
    )
    big = _plan(
        client,
        group=[{"platform": "talwar", "count": 6}],
        origin=MUMBAI,
        destination=VLADIVOSTOK,
        closed=["malacca", "singapore", "sunda", "lombok"],
    )
    for plan in (small, big):
        if plan["feasible"]:
            _check_plan(plan, client)
    assert not [s for s in big.get("stops", []) if s["agreement"] == "relos"]


def test_relos_stops_show_the_notice_period(client: TestClient) -> None:
    plan = _plan(
        client, platform="talwar", origin=MUMBAI, destination="ru-petropavlovsk-kamchatsky-port"
    )
    _check_plan(plan, client)
    for stop in plan["stops"]:
        if stop["agreement"] == "relos":
            assert stop["notice_days"] == 14 and stop["request_by"] < stop["arrival"]


def test_objectives_trade_stops_for_distance(client: TestClient) -> None:
    plans = {
        obj: _plan(
            client,
            platform="kamorta",
            origin=MUMBAI,
            destination=VLADIVOSTOK,
            objective=obj,
        )
        for obj in ("min_time", "min_stops", "min_distance")
    }
    for plan in plans.values():
        _check_plan(plan, client)
    stops = {k: p["totals"]["stops"] for k, p in plans.items()}
    dist = {k: p["totals"]["distance_nm"] for k, p in plans.items()}
    assert stops["min_stops"] <= min(stops.values())
    assert dist["min_distance"] <= min(dist.values()) + 0.5
    hours = {k: p["totals"]["duration_h"] for k, p in plans.items()}
    assert hours["min_time"] <= min(hours.values()) + 0.5


def test_infeasible_plan_explains_and_suggests(client: TestClient) -> None:
    short = {"endurance_nm": 2500, "at_speed_kn": 14, "max_speed_kn": 28, "name": "short-legged"}
    plan = _plan(client, platform=short, origin=MUMBAI, destination=VLADIVOSTOK, speed_kn=20)
    assert plan["feasible"] is False
    assert "usable range" in plan["reason"] and "nm" in plan["reason"]
    assert plan["legs"] == [] and plan["stops"] == [] and plan["totals"] is None
    assert plan["suggestions"], "an infeasible plan says what would make it feasible"
    slower = [s for s in plan["suggestions"] if s.startswith("sail at")]
    assert slower
    speed = float(slower[0].split()[2])
    assert 14 <= speed < 20, "no slower than the economical speed: the range stops growing there"
    assert ": " in slower[0] and " nm, " in slower[0] and "ETA " in slower[0]  # re-planned
    retry = _plan(client, platform=short, origin=MUMBAI, destination=VLADIVOSTOK, speed_kn=speed)
    _check_plan(retry, client)


def test_closing_every_way_east_is_infeasible_with_the_closures_named(client: TestClient) -> None:
    plan = _plan(
        client,
        platform="talwar",
        origin=MUMBAI,
        destination=VLADIVOSTOK,
        closed=["malacca", "singapore", "sunda", "lombok", "cape-of-good-hope", "suez"],
        max_stops=12,
    )
    if not plan["feasible"]:
        assert plan["reason"]
    else:
        _check_plan(plan, client)
        assert "malacca" not in plan["passages"] and "sunda" not in plan["passages"]


def test_waypoints_are_visited_in_order(client: TestClient, catalogue: Catalogue) -> None:
    plan = _plan(
        client,
        platform="talwar",
        origin=MUMBAI,
        destination=VLADIVOSTOK,
        waypoints=["in-port-blair-naval-base", "vn-cam-ranh-port"],
    )
    assert plan["feasible"], plan["reason"]
    visited = [leg["to"] for leg in plan["legs"]]
    assert visited.index("in-port-blair-naval-base") < visited.index("vn-cam-ranh-port")


def test_air_mode_plans_legs_between_airbases_in_open_airspace(client: TestClient) -> None:
    plan = _plan(
        client,
        platform="p-8i",
        origin="in-arakkonam-ins-rajali",
        destination="ru-yelizovo-air-base",
        allow_clearance=True,
        denied_countries=["CHN"],
    )
    _check_plan(plan, client)
    assert plan["platform"]["domain"] == "air"
    assert plan["passages"] == [], "aircraft fly in airspace, not through sea passages"
    assert "CHN" not in plan["overflies"] and plan["overflies"][-1] == "RUS"
    for leg in plan["legs"]:
        assert leg["overflies"] and leg["airspace"]
    fighter = _plan(
        client,
        platform="su-30mki",
        origin="in-arakkonam-ins-rajali",
        destination="ru-knevichi-air-base",
        allow_clearance=True,
        denied_countries=["CHN"],
    )
    # the longest hop without a usable airbase (Andaman -> Okinawa) is beyond a fighter
    assert not fighter["feasible"] and "usable range" in fighter["reason"]
    ids = {f["id"] for f in client.get("/facilities?kind=airbase").json()["features"]}
    assert all(s["facility_id"] in ids for s in plan["stops"])
    assert plan["totals"]["stops"] >= 1
    # without clearances only Indian, Russian and international airspace (and the states
    # of the stops) are open: the P-8I cannot get there
    alone = _plan(
        client,
        platform="p-8i",
        origin="in-arakkonam-ins-rajali",
        destination="ru-yelizovo-air-base",
    )
    assert not alone["feasible"]
    assert alone["airspace"]["needing_clearance"] > 0


def test_platforms_endpoints(client: TestClient) -> None:
    body = client.get("/platforms").json()
    ids = {p["id"] for p in body["platforms"]}
    assert {"talwar", "kolkata", "udaloy", "su-30mki", "p-8i", "c-17", "deepak"} <= ids
    talwar = client.get("/platforms/talwar").json()
    assert talwar["endurance_nm"] == 4850 and talwar["sources"]
    assert talwar["usable_range_nm"] == pytest.approx(4850 * 0.75, abs=0.1)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"platform": "no-such-ship"}, 404, "platform"),
        ({"origin": "nowhere"}, 404, "origin"),
        ({"nation": "XX"}, 422, "nation"),
        ({"objective": "fastest"}, 422, "objective"),
        ({"speed_kn": 45}, 422, "speed_kn"),
        ({"reserve": 1.5}, 422, "reserve"),
        ({"closed": ["atlantis"]}, 422, "closed"),
        ({"dropped_agreements": ["nope"]}, 404, "dropped_agreements"),
        ({"origin": "in-goa-ins-hansa"}, 422, "origin"),
        ({"departure": "2026-02-30"}, 422, "departure"),
        ({"group": [{"platform": "talwar"}]}, 422, "body"),
        ({"max_stops": -1}, 422, "max_stops"),
    ],
)
def test_bad_plan_requests_name_the_field(
    client: TestClient, body: dict[str, Any], status: int, field: str
) -> None:
    request = {
        "nation": "IND",
        "platform": "talwar",
        "origin": MUMBAI,
        "destination": VLADIVOSTOK,
        "departure": AUGUST,
    }
    request.update(body)
    resp = client.post("/plans", json=request)
    assert resp.status_code == status, resp.text
    locs = [[str(p) for p in item["loc"]] for item in resp.json()["detail"]]
    assert any(field in loc for loc in locs), locs
