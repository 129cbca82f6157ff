"""Names where ids are, in a sweep: a spec may say "Bombay Dockyard", "Talwar-class
frigate", "Suez Canal", "RELOS" or "India" wherever it takes an id, and gets the cases
(ids, rows) of the same spec written with ids; an ambiguous name is refused listing the
candidates, a misspelt one with the nearest ids, both naming the field."""

from __future__ import annotations

import copy
import io
import time
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from routing.errors import AmbiguousNameError, RelosError
from routing.service import Services
from routing.sweep import Case, ReachCase, parse_spec, prepare

BY_ID: dict[str, Any] = {
    "name": "by id",
    "base": {
        "nation": "IND",
        "closed": ["malacca"],
        "avoid_facilities": ["sg-changi-naval-base"],
        "denied_countries": ["PAK"],
    },
    "scenarios": [
        {"name": "baseline"},
        {"name": "Red Sea shut", "closed": ["suez", "bab-el-mandeb"]},
        {
            "name": "no RELOS",
            "dropped_agreements": ["relos"],
            "closed_facilities": ["om-duqm-port"],
        },
    ],
    "platforms": ["talwar", {"name": "destroyers", "group": [{"platform": "kolkata", "count": 2}]}],
    "pairs": [["in-mumbai-naval-dockyard", "ru-severomorsk-naval-base"]],
    "origins": ["in-kochi-naval-base"],
    "destinations": ["fr-toulon-naval-base", "in-port-blair-naval-base"],
    "dates": ["2027-01-15"],
    "reach": {
        "nations": ["IND", "RUS"],
        "platforms": ["talwar"],
        "origins": [
            "home",
            "in-mumbai-naval-dockyard",
            ["in-kochi-naval-base", "in-karwar-naval-base"],
        ],
        "base": {"closed_facilities": ["om-duqm-port"]},
    },
}
"""A spec giving every id it can: plan and reach cases."""

BY_NAME: dict[str, Any] = {
    **BY_ID,
    "name": "by name",
    "base": {
        "nation": "India",
        "closed": ["Malacca Strait"],
        "avoid_facilities": ["Changi"],
        "denied_countries": ["Pakistan"],
    },
    "scenarios": [
        {"name": "baseline"},
        {"name": "Red Sea shut", "closed": ["Suez Canal", "Bab-el-Mandeb"]},
        {"name": "no RELOS", "dropped_agreements": ["RELOS"], "closed_facilities": ["Duqm"]},
    ],
    "platforms": [
        "Talwar-class frigate",
        {"name": "destroyers", "group": [{"platform": "Kolkata-class destroyer", "count": 2}]},
    ],
    "pairs": [["Bombay Dockyard", "Severomorsk"]],
    "origins": ["Kochi Naval Base"],
    "destinations": ["Toulon", "Port Blair"],
    "reach": {
        "nations": ["India", "Russia"],
        "platforms": ["Talwar-class frigate"],
        "origins": ["home", "Bombay Dockyard", ["kochi naval base", "Karwar"]],
        "base": {"closed_facilities": ["Duqm"]},
    },
}
"""``BY_ID`` written with names and aliases."""


def _with(spec: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(spec)
    reach = changes.pop("reach", None)
    out.update(changes)
    if reach is not None:
        out["reach"] = {**out["reach"], **reach}
    return out


def test_a_spec_with_names_has_the_cases_of_the_same_spec_with_ids(services: Services) -> None:
    by_id = prepare(parse_spec(BY_ID), services)
    by_name = prepare(parse_spec(BY_NAME), services)
    assert by_name.describe() == by_id.describe()
    assert by_name.recipe == by_id.recipe
    assert by_name.cases == by_id.cases
    # plans: 3 scenarios x 2 platforms x 3 pairs; reach: 3 scenarios x 2 nations x 3 origins
    assert len({c.case_id for c in by_name.cases}) == len(by_name.cases) == 18 + 18
    plans = [c for c in by_name.cases if isinstance(c, Case)]
    assert {c.platform for c in plans} == {"talwar", "destroyers"}
    assert {(c.origin, c.destination) for c in plans} == {
        ("in-mumbai-naval-dockyard", "ru-severomorsk-naval-base"),
        ("in-kochi-naval-base", "fr-toulon-naval-base"),
        ("in-kochi-naval-base", "in-port-blair-naval-base"),
    }
    reach = [c for c in by_name.cases if isinstance(c, ReachCase)]
    assert {c.nation for c in reach} == {"IND", "RUS"}
    assert {c.origin for c in reach} == {
        "home",
        "in-mumbai-naval-dockyard",
        "in-kochi-naval-base+in-karwar-naval-base",
    }


def test_a_name_and_its_id_count_once(services: Services) -> None:
    """A place given by name and by id is one place; a platform, one label."""
    same_place = _with(BY_ID, pairs=[["Bombay Dockyard", "in-mumbai-naval-dockyard"]])
    with pytest.raises(RelosError, match="both 'in-mumbai-naval-dockyard'") as err:
        prepare(parse_spec(same_place), services)
    assert err.value.field == "pairs.0"
    twice = _with(BY_ID, platforms=["talwar", "Talwar-class frigate"])
    with pytest.raises(RelosError, match="same label 'talwar'") as err:
        prepare(parse_spec(twice), services)
    assert err.value.field == "platforms.1"
    crossed = _with(BY_ID, origins=["Kochi Naval Base"], destinations=["in-kochi-naval-base"])
    crossed["pairs"] = []
    with pytest.raises(RelosError, match="no pair is left") as err:
        prepare(parse_spec(crossed), services)
    assert err.value.field == "destinations"


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (_with(BY_NAME, pairs=[["Bombay Dockyard", "Vladivostok"]]), "pairs.0.1"),
        (_with(BY_NAME, destinations=["Toulon", "Vladivostok"]), "destinations.1"),
        (_with(BY_NAME, reach={"origins": ["home", "Vladivostok"]}), "reach.origins.1"),
        (_with(BY_NAME, reach={"origins": [["Karwar", "vladivostok"]]}), "reach.origins.0.1"),
    ],
)
def test_an_ambiguous_name_is_refused_naming_the_field_and_the_candidates(
    services: Services, spec: dict[str, Any], field: str
) -> None:
    """ "Vladivostok" is the naval base and the port (for a ship, not the airbase)."""
    with pytest.raises(AmbiguousNameError) as err:
        prepare(parse_spec(spec), services)
    assert err.value.field == field
    assert err.value.candidates == ["ru-vladivostok-naval-base", "ru-vladivostok-port"]
    assert "vladivostok' matches 2 facilities" in err.value.message.lower()
    assert "ru-vladivostok-naval-base (Vladivostok Naval Base" in err.value.message
    assert "give one of their ids" in err.value.message


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        (
            _with(BY_NAME, origins=["Bombay Dokyard"]),
            "origins.0",
            "unknown facility id 'Bombay Dokyard'; did you mean in-mumbai-naval-dockyard",
        ),
        (
            _with(BY_NAME, reach={"origins": ["home", "Bombay Dokyard"]}),
            "reach.origins.1",
            "unknown facility id 'Bombay Dokyard'; did you mean in-mumbai-naval-dockyard",
        ),
        (
            _with(BY_NAME, platforms=["Talwar-clas frigate"]),
            "platforms.0",
            "unknown platform id 'Talwar-clas frigate'; did you mean talwar",
        ),
        (
            _with(BY_NAME, scenarios=[{"name": "x", "closed": ["Suez Canl"]}]),
            "scenarios.0.closed.0",
            "unknown passage id 'Suez Canl'; did you mean suez",
        ),
        (
            _with(BY_NAME, scenarios=[{"name": "x", "dropped_agreements": ["LEMAO"]}]),
            "scenarios.0.dropped_agreements.0",
            "unknown agreement id 'LEMAO'; did you mean lemoa",
        ),
        (
            _with(BY_NAME, scenarios=[{"name": "x", "closed_facilities": ["Duqmm Port"]}]),
            "scenarios.0.closed_facilities.0",
            "unknown facility id 'Duqmm Port'; did you mean om-duqm-port",
        ),
        (_with(BY_NAME, reach={"nations": ["India", "Rusia"]}), "reach.nations.1", "RUS"),
    ],
)
def test_a_misspelt_name_is_refused_naming_the_field_with_the_nearest_ids(
    services: Services, spec: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(RelosError) as err:
        prepare(parse_spec(spec), services)
    assert err.value.field == field
    assert words in err.value.message, err.value.message


HTTP_SPEC: dict[str, Any] = {
    "name": "names over HTTP",
    "base": {"nation": "India"},
    "scenarios": [{"name": "Red Sea shut", "closed": ["Suez Canal", "Bab-el-Mandeb"]}],
    "platforms": ["Talwar-class frigate"],
    "pairs": [["Bombay Dockyard", "Toulon"]],
    "dates": ["2027-01-01"],
}


def test_post_sweeps_takes_names_and_answers_with_ids(
    client: TestClient, services: Services
) -> None:
    started = client.post("/sweeps", json=HTTP_SPEC)
    assert started.status_code == 202, started.text
    assert started.json()["total"] == 1
    end = time.monotonic() + 300
    while (job := client.get(f"/sweeps/{started.json()['id']}").json())["status"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < end, job
        time.sleep(0.25)
    assert job["status"] == "done", job
    rows = pd.read_parquet(io.BytesIO(client.get(f"/sweeps/{job['id']}/results").content))
    ids = {
        **HTTP_SPEC,
        "base": {"nation": "IND"},
        "scenarios": [{"name": "Red Sea shut", "closed": ["suez", "bab-el-mandeb"]}],
        "platforms": ["talwar"],
        "pairs": [["in-mumbai-naval-dockyard", "fr-toulon-naval-base"]],
    }
    (case,) = prepare(parse_spec(ids), services).cases
    assert list(rows["case_id"]) == [case.case_id]
    assert (rows["origin"][0], rows["destination"][0], rows["platform"][0]) == (
        "in-mumbai-naval-dockyard",
        "fr-toulon-naval-base",
        "talwar",
    )


def test_post_sweeps_refuses_an_ambiguous_name_listing_the_candidates(
    client: TestClient,
) -> None:
    r = client.post("/sweeps", json={**HTTP_SPEC, "pairs": [["Bombay Dockyard", "Vladivostok"]]})
    assert r.status_code == 422, r.text
    (item,) = r.json()["detail"]
    assert item["loc"] == ["body", "pairs.0.1"]
    assert item["type"] == "ambiguous"
    assert item["candidates"] == ["ru-vladivostok-naval-base", "ru-vladivostok-port"]
