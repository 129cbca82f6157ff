"""``POST /impact`` and ``POST /maps/impact`` through the real app: what each agreement adds."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from routing.catalogue.model import Catalogue
from routing.plan.impact import standard_voyages
from tests.app.checks import assert_names_field

BODY: dict[str, Any] = {
    "nation": "IND",
    "platform": "talwar",
    "departure": "2027-07-01T00:00:00Z",
    "max_stops": 2,
}


@pytest.fixture(scope="module")
def india(client: TestClient) -> dict[str, Any]:
    r = client.post("/impact", json={**BODY, "agreements": ["relos", "lemoa", "india-oman"]})
    assert r.status_code == 200, r.text
    return r.json()


def _row(answer: dict[str, Any], agreement: str) -> dict[str, Any]:
    (row,) = [a for a in answer["agreements"] if a["agreement"] == agreement]
    return row


def test_what_relos_adds_for_indias_navy(client: TestClient, india: dict[str, Any]) -> None:
    relos = _row(india, "relos")
    trip = {v["id"]: v for v in relos["voyages"]}["ind-mumbai-vladivostok"]
    assert trip["becomes_feasible"] and not trip["feasible_without"]
    assert "relos" in trip["reason_without"]
    gained = {f["id"] for f in relos["facilities_gained"]}
    assert "ru-vladivostok-naval-base" in gained and "ru-severomorsk-naval-base" in gained
    # every facility gained is one RELOS opens in the reach with it
    reach = client.post("/reach", json={**BODY, "frontier": "none"}).json()
    opened = {f["id"] for f in reach["facilities"] if "relos" in f["agreements"]}
    assert gained <= opened
    # the figures are those of /reach with and without it
    without = client.post(
        "/reach", json={**BODY, "frontier": "none", "dropped_agreements": ["relos"]}
    ).json()
    assert relos["reach_with"]["area_km2"] == reach["area_km2"]
    assert relos["reach_without"]["area_km2"] == without["area_km2"]
    assert relos["area_km2"] == reach["area_km2"] - without["area_km2"]
    assert relos["reach_without"]["facilities"] == len(without["facilities"])


def test_agreements_are_ranked_by_what_they_add(india: dict[str, Any]) -> None:
    rows = india["agreements"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    made = [r["voyages_made_feasible"] for r in rows]
    assert made == sorted(made, reverse=True) and made[0] > 0
    oman = _row(india, "india-oman")
    assert oman["rank"] == 3 and oman["voyages_made_feasible"] == 0
    for r in rows:
        for v in r["voyages"]:
            if v["days_saved"] is not None:
                assert v["days_saved"] >= -0.01  # an agreement never makes a voyage slower


def test_every_agreement_in_force_by_default_and_alone(client: TestClient) -> None:
    r = client.post("/impact", json={**BODY, "basis": "alone", "max_stops": 1, "voyages": []})
    assert r.status_code == 200, r.text
    rows = r.json()["agreements"]
    assert {"relos", "lemoa", "india-france"} <= {x["agreement"] for x in rows}
    assert all(x["voyages"] == [] for x in rows)
    alone = _row(r.json(), "relos")
    assert (
        alone["area_km2"] > 0
        and alone["reach_without"]["facilities"] < alone["reach_with"]["facilities"]
    )


def test_russia_in_the_indian_ocean(client: TestClient) -> None:
    body = {
        "nation": "RUS",
        "platform": "udaloy",
        "origins": ["ru-vladivostok-naval-base"],
        "departure": "2027-07-01T00:00:00Z",
        "max_stops": 2,
    }
    r = client.post("/impact", json=body)
    assert r.status_code == 200, r.text
    (relos,) = r.json()["agreements"]
    assert relos["agreement"] == "relos"
    assert {f["country"] for f in relos["facilities_gained"]} == {"IND"}
    made = {v["id"] for v in relos["voyages"] if v["becomes_feasible"]}
    assert "rus-vladivostok-mumbai" in made


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"agreements": ["relso"]}, "agreements.0", 404),
        ({"nation": "RUS", "platform": "udaloy", "agreements": ["lemoa"]}, "agreements.0", 422),
        ({"basis": "both"}, "basis", 422),
        (
            {"voyages": [{"id": "x", "name": "x", "origin": "nope", "destination": "nope"}]},
            "voyages.0.origin",
            404,
        ),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(
    client: TestClient, change: dict[str, Any], field: str, status: int
) -> None:
    assert_names_field(client.post("/impact", json={**BODY, **change}), status, field)


def test_the_impact_map_draws_the_area_each_agreement_adds(client: TestClient) -> None:
    r = client.post("/maps/impact", json={**BODY, "agreements": ["relos"], "voyages": []})
    assert r.status_code == 200, r.text
    assert "relos-gained" in r.text and "What each agreement adds" in r.text


def test_standard_voyages_name_real_facilities(catalogue: Catalogue) -> None:
    trips = standard_voyages()
    assert {v.nation for v in trips} >= {"IND", "RUS"}
    for v in trips:
        for ref in (v.origin, v.destination):
            assert catalogue.facility(ref).kind in {"naval_base", "port"}, (v.id, ref)
