"""Air routes and air plans through HTTP: the flights planners check first (issue 14)."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from routing.air.airspace import densify, shipped_airspaces

HINDON = "in-hindon-afs"
LEVASHOVO = "ru-levashovo-air-base"
DAY = "2026-12-01"
EU = {
    "AUT",
    "BEL",
    "BGR",
    "HRV",
    "CYP",
    "CZE",
    "DNK",
    "EST",
    "FIN",
    "FRA",
    "DEU",
    "GRC",
    "HUN",
    "IRL",
    "ITA",
    "LVA",
    "LTU",
    "LUX",
    "MLT",
    "NLD",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "ESP",
    "SWE",
}


def _states_under(coords: list[list[float]]) -> set[str]:
    """Every state whose airspace holds a point of the track, sampled every 5 km."""
    air = shipped_airspaces()
    xy = np.array(coords, dtype=float)
    xy[:, 0] = (xy[:, 0] + 180.0) % 360.0 - 180.0
    fine = densify(xy, km=5.0)
    return {air.units[u].sovereign for hit in air.at(fine[:, 0], fine[:, 1]) for u in hit}


def _plan(client: TestClient, **body: object) -> dict:
    base = {"nation": "IND", "departure": f"{DAY}T00:00:00Z"}
    resp = client.post("/plans", json={**base, **body})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_p8i_to_vladivostok_never_crosses_china(client: TestClient) -> None:
    """The great circle Vizag -> Knevichi runs 2,908 nm straight across China."""
    q = "/air-routes?origin=in-visakhapatnam-ins-dega&destination=ru-knevichi-air-base"
    alone = client.get(f"{q}&date={DAY}").json()["properties"]
    assert alone["feasible"] and "CHN" not in alone["overflies"]
    assert alone["great_circle_nm"] == pytest.approx(2908, abs=5)
    assert set(alone["overflies"]) <= {"IND", "RUS"}  # no clearance asked: own and RELOS only
    plan = _plan(
        client,
        platform="p-8i",
        origin="in-visakhapatnam-ins-dega",
        destination="ru-knevichi-air-base",
        allow_clearance=True,
        denied_countries=["CHN"],
    )
    assert plan["feasible"], plan["reason"]
    assert "CHN" not in plan["overflies"]
    for leg in plan["legs"]:
        assert "CHN" not in _states_under(leg["geometry"]["coordinates"])
    needed = {c["airspace"] for c in plan["clearances"] if c["basis"] == "clearance"}
    assert needed and needed <= set(plan["overflies"])
    assert all(c["request_by"] < plan["departure"] for c in plan["clearances"] if c["notice_days"])


def test_no_indian_flight_crosses_pakistan(client: TestClient) -> None:
    """Closed to Indian military aircraft since April 2025, whatever else is allowed."""
    for extra in ("", "&allow_clearance=true", "&allow_clearance=true&denied_countries=CHN"):
        props = client.get(
            f"/air-routes?origin={HINDON}&destination=ru-severomorsk-1-air-base&date={DAY}{extra}"
        ).json()
        assert props["properties"]["feasible"]
        assert "PAK" not in props["properties"]["overflies"]
        assert "PAK" not in _states_under(props["geometry"]["coordinates"])
        closed = {c["airspace"] for c in props["properties"]["airspace"]["closed"]}
        assert "PAK" in closed
    # before the closure Pakistan was a state like any other (by clearance)
    before = client.get(
        f"/air-routes?origin={HINDON}&destination=ru-severomorsk-1-air-base&date=2025-01-10"
        "&allow_clearance=true"
    ).json()["properties"]
    assert "PAK" not in {c["airspace"] for c in before["airspace"]["closed"]}


def test_il76_reaches_st_petersburg_by_iran_not_by_guam(client: TestClient) -> None:
    body = {
        "platform": "il-76md",
        "origin": HINDON,
        "destination": LEVASHOVO,
        "allow_clearance": True,
        "denied_countries": ["CHN"],
    }
    plan = _plan(client, **body)
    assert plan["feasible"], plan["reason"]
    assert plan["totals"]["distance_nm"] < 4000
    assert "IRN" in plan["overflies"] and "PAK" not in plan["overflies"]
    # the legs flown are the legs the stops were chosen on: none beyond the range
    assert all(leg["distance_nm"] <= plan["usable_range_nm"] + 0.5 for leg in plan["legs"])
    stops = {s["facility_id"] for s in plan["stops"]}
    assert not stops & {"us-andersen-afb", "au-raaf-darwin", "au-cocos-islands-airfield"}
    # with Iran closed too, the flight goes round by the Red Sea (Djibouti), longer
    round_ = _plan(client, **body, closed_airspace=["IRN"])
    assert round_["feasible"], round_["reason"]
    assert "IRN" not in round_["overflies"]
    assert round_["totals"]["distance_nm"] > plan["totals"]["distance_nm"] + 500
    # and with Turkey closed as well there is no way within three stops
    shut = _plan(client, **body, closed_airspace=["IRN", "TUR"], max_stops=3)
    assert not shut["feasible"] and shut["reason"]
    assert {"IRN", "TUR"} <= {c["airspace"] for c in shut["airspace"]["closed"]}


def test_a_russian_tu142_to_goa_under_relos_keeps_out_of_eu_airspace(client: TestClient) -> None:
    plan = _plan(
        client,
        nation="RUS",
        platform="tu-142",
        origin="ru-olenya-air-base",
        destination="in-goa-ins-hansa",
        allow_clearance=True,
    )
    assert plan["feasible"], plan["reason"]
    assert plan["destination"]["basis"] == "agreement"
    assert plan["destination"]["agreement"] == "relos"
    assert not set(plan["overflies"]) & EU
    for leg in plan["legs"]:
        assert not _states_under(leg["geometry"]["coordinates"]) & (EU | {"UKR", "NOR", "GBR"})
    india = [s for s in plan["legs"][-1]["airspace"] if s["airspace"] == "IND"]
    assert india and all(s["basis"] == "agreement" for s in india)


def test_an_iaf_c17_reaches_diego_garcia_under_lemoa(client: TestClient) -> None:
    plan = _plan(client, platform="c-17", origin=HINDON, destination="us-diego-garcia-airfield")
    assert plan["feasible"], plan["reason"]
    assert plan["destination"]["agreement"] == "lemoa"
    # entering British airspace to land is arranged with the call, not a clearance
    gbr = [c for c in plan["clearances"] if c["airspace"] == "GBR"]
    assert gbr and gbr[0]["basis"] == "visit"
    assert plan["overflies"][0] == "IND"


def test_an_endpoint_inside_closed_airspace_is_named(client: TestClient) -> None:
    resp = client.get(
        f"/air-routes?origin={HINDON}&destination={LEVASHOVO}&date={DAY}&closed_airspace=RUS"
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["geometry"] is None
    props = body["properties"]
    assert not props["feasible"] and "Russia" in props["reason"]
    assert [b["airspace"] for b in props["blocked_by"]] == ["RUS"]


def test_without_clearance_the_answer_says_a_cleared_route_exists(client: TestClient) -> None:
    plan = _plan(
        client, platform="su-30mki", origin=HINDON, destination="ru-severomorsk-1-air-base"
    )
    assert not plan["feasible"]
    assert plan["airspace"]["allow_clearance"] is False
    assert plan["airspace"]["needing_clearance"] > 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("closed_airspace=IRNN", "closed_airspace.0"),
        ("denied_countries=XX1", "denied_countries.0"),
        ("dropped_agreements=nope", "dropped_agreements.0"),
        ("platform=talwar", "platform"),
    ],
)
def test_bad_air_route_input_is_a_4xx_naming_the_field(
    client: TestClient, query: str, field: str
) -> None:
    resp = client.get(f"/air-routes?origin={HINDON}&destination={LEVASHOVO}&{query}")
    assert resp.status_code in (400, 404, 422), resp.text
    assert field in resp.text


def test_a_port_is_not_an_air_route_end(client: TestClient) -> None:
    resp = client.get(f"/air-routes?origin={HINDON}&destination=in-mumbai-naval-dockyard")
    assert resp.status_code == 422 and "not an airbase" in resp.text


def test_a_scenario_closing_airspace_changes_the_air_plan(client: TestClient) -> None:
    body = {
        "plan": {
            "nation": "IND",
            "platform": "il-76md",
            "origin": HINDON,
            "destination": LEVASHOVO,
            "departure": f"{DAY}T00:00:00Z",
            "allow_clearance": True,
            "denied_countries": ["CHN"],
        },
        "scenarios": [{"name": "Iran shut", "closed_airspace": ["IRN"]}],
    }
    resp = client.post("/compare", json=body)
    assert resp.status_code == 200, resp.text
    rows = resp.json()["results"]
    base, shut = rows[0], rows[1]
    assert base["feasible"] and shut["scenario"] == "Iran shut"
    assert "IRN" in base["plan"]["overflies"]
    assert not shut["feasible"] or "IRN" not in shut["plan"]["overflies"]
    if shut["feasible"]:
        assert shut["totals"]["distance_nm"] > base["totals"]["distance_nm"]
    bad = client.post(
        "/compare", json={**body, "scenarios": [{"name": "x", "closed_airspace": ["ZZZ"]}]}
    )
    assert bad.status_code == 422 and "closed_airspace" in bad.text


def test_the_air_route_map_shades_the_closed_airspace(client: TestClient) -> None:
    resp = client.get(
        f"/maps/air-route?origin={HINDON}&destination={LEVASHOVO}&date={DAY}"
        "&allow_clearance=true&denied_countries=CHN"
    )
    assert resp.status_code == 200
    page = resp.text
    assert "relos-airspace" in page and "Pakistan (PAK)" in page
    assert "overflies" in page and "Iran (IRN): ask by" in page  # the panel lists them
    assert "cdn" not in page.lower()


def test_a_what_if_lifting_pakistans_closure(client: TestClient) -> None:
    q = (
        f"/air-routes?origin={HINDON}&destination=ru-severomorsk-1-air-base&date={DAY}"
        "&allow_clearance=true&denied_countries=CHN"
    )
    shut = client.get(q).json()["properties"]
    opened = client.get(f"{q}&opened_airspace=PAK").json()["properties"]
    assert "PAK" not in shut["overflies"] and "PAK" in opened["overflies"]
    assert opened["distance_nm"] < shut["distance_nm"]
    pak = [c for c in opened["clearances"] if c["airspace"] == "PAK"]
    assert pak and pak[0]["basis"] == "clearance"
    assert "PAK" not in {c["airspace"] for c in opened["airspace"]["closed"]}
    bad = client.get(f"{q}&opened_airspace=PAKK")
    assert bad.status_code == 422 and "opened_airspace" in bad.text
