"""Saved scenarios and saved plans through HTTP, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.store import Store
from routing.errors import InvalidInputError, UnknownPassageError
from routing.plan.scenario import resolve_scenarios
from tests.app.test_persistence import BACKENDS, fresh_database
from tests.conftest import LOCALHOST, LOOPBACK

RED_SEA: dict[str, Any] = {
    "name": "Red Sea shut, RELOS lapsed",
    "date": "2027-02-01",
    "closed": ["suez", "bab-el-mandeb"],
    "closed_facilities": ["ru-vladivostok-naval-base"],
    "dropped_agreements": ["relos"],
    "added_facilities": [],
    "added_agreements": [],
    "platform_overrides": {"talwar": {"replace_with": "kolkata"}},
}
SABANG: dict[str, Any] = {
    "type": "Feature",
    "id": "id-sabang-hypothetical",
    "geometry": {"type": "Point", "coordinates": [95.32, 5.89]},
    "properties": {
        "name": "Sabang (hypothetical)",
        "country": "IDN",
        "kind": "port",
        "services": ["fuel"],
    },
}


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The real app (without the sea graph, which scenarios do not need) on a fresh database."""
    folder = tmp_path_factory.mktemp(f"api-{request.param}")
    with fresh_database(request.param, folder) as url:
        app = create_app(Settings(database_url=url, load_sea_graph=False))
        with TestClient(app, client=LOOPBACK, base_url=LOCALHOST) as c:
            yield c


@pytest.fixture
def store(api: TestClient) -> Store:
    """The app's own store."""
    app: Any = api.app
    result: Store = app.state.store
    return result


def _body(name: str, **changes: Any) -> dict[str, Any]:
    return {**RED_SEA, "name": name, **changes}


def _post(api: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    resp = api.post("/scenarios", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def _loc(resp: Any) -> list[Any]:
    detail = resp.json()["detail"]
    assert isinstance(detail, list) and detail, detail
    return list(detail[0]["loc"])


# -- scenarios -------------------------------------------------------------------------------


def test_scenario_round_trip(api: TestClient) -> None:
    resp = api.post("/scenarios", json=_body("round trip"))
    assert resp.status_code == 201, resp.text
    saved = resp.json()
    assert resp.headers["location"] == f"/scenarios/{saved['id']}"
    assert saved["version"] == 1 and saved["created_at"] == saved["updated_at"]
    assert {k: saved[k] for k in RED_SEA} == _body("round trip")

    got = api.get(f"/scenarios/{saved['id']}")
    assert got.status_code == 200 and got.json() == saved

    listed = api.get("/scenarios", params={"limit": 1000}).json()
    assert listed["count"] == len(listed["scenarios"])
    assert saved in listed["scenarios"]

    new = _body("round trip, renamed", closed=["hormuz"], date=None, platform_overrides={})
    assert got.headers["etag"] == '"1"'
    put = api.put(f"/scenarios/{saved['id']}", json=new, headers={"If-Match": '"1"'})
    assert put.status_code == 200, put.text
    assert put.headers["etag"] == '"2"'
    updated = put.json()
    assert updated["id"] == saved["id"] and updated["version"] == 2
    assert updated["created_at"] == saved["created_at"]
    assert updated["updated_at"] > saved["updated_at"]
    assert {k: updated[k] for k in RED_SEA} == new
    assert api.get(f"/scenarios/{saved['id']}").json() == updated
    again = api.put(f"/scenarios/{saved['id']}", json=new, headers={"If-Match": "*"}).json()
    assert again["version"] == 3

    gone = api.delete(f"/scenarios/{saved['id']}", headers={"If-Match": '"3"'})
    assert gone.status_code == 204 and gone.content == b""
    missing = api.get(f"/scenarios/{saved['id']}")
    assert missing.status_code == 404
    assert missing.json()["detail"][0] == {
        "loc": ["path", "scenario_id"],
        "msg": f"no saved scenario with id {saved['id']}",
        "type": "not_found",
    }
    left = api.get("/scenarios", params={"limit": 1000}).json()["scenarios"]
    assert saved["id"] not in {s["id"] for s in left}


def test_a_stale_write_is_refused_not_lost(api: TestClient) -> None:
    """Two planners read version 1; the first saves its change; the second, still
    holding version 1, gets 412 and the first one's change stays. A write that does not
    say which version it replaces gets 428."""
    saved = _post(api, _body(f"shared {uuid.uuid4().hex[:8]}"))
    url, v1 = f"/scenarios/{saved['id']}", {"If-Match": '"1"'}
    first = api.put(url, json={**_body(saved["name"]), "closed": ["hormuz"]}, headers=v1)
    assert first.status_code == 200 and first.json()["version"] == 2
    second = api.put(url, json={**_body(saved["name"]), "closed": ["malacca"]}, headers=v1)
    assert second.status_code == 412, second.text
    (item,) = second.json()["detail"]
    assert item["type"] == "stale_version" and "version 2, not 1" in item["msg"]
    assert api.get(url).json()["closed"] == ["hormuz"]
    blind = api.put(url, json=_body(saved["name"]))
    assert blind.status_code == 428 and '(now "2")' in blind.json()["detail"][0]["msg"]
    assert api.delete(url, headers=v1).status_code == 412
    assert api.delete(url).status_code == 428
    assert api.get(url).status_code == 200
    assert (
        api.put(url, json=_body(saved["name"]), headers={"If-Match": "latest"}).status_code == 422
    )
    # digits Python calls digits but int() does not read (superscripts) were a 500
    for odd in (b'"\xb2"', b'"\xb9\xb3"'):  # as the server reads them (latin-1): "²", "¹³"
        resp = api.delete(url, headers={"If-Match": odd})  # type: ignore[dict-item]
        assert resp.status_code == 422, odd
    assert api.delete(url, headers={"If-Match": 'W/"2"'}).status_code == 204


def test_defaults_are_filled_in(api: TestClient) -> None:
    saved = _post(api, {"name": "only a name"})
    assert saved["closed"] == [] and saved["date"] is None and saved["platform_overrides"] == {}


def test_duplicate_name_is_a_conflict(api: TestClient) -> None:
    first = _post(api, _body("taken"))
    resp = api.post("/scenarios", json=_body("taken", closed=[]))
    assert resp.status_code == 409, resp.text
    assert resp.json()["detail"][0]["loc"] == ["body", "name"]
    assert resp.json()["detail"][0]["type"] == "conflict"
    other = _post(api, _body("not taken"))
    clash = api.put(f"/scenarios/{other['id']}", json=_body("taken"), headers={"If-Match": "*"})
    assert clash.status_code == 409, clash.text
    assert api.get(f"/scenarios/{first['id']}").json() == first
    assert api.get(f"/scenarios/{other['id']}").json() == other  # the failed PUT left no trace


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closed": ["atlantis"]}, "closed"),
        ({"closed_facilities": ["nowhere"]}, "closed_facilities"),
        ({"date": "01/02/2027"}, "date"),
        ({"dropped_agreements": ["no-such-agreement"]}, "dropped_agreements"),
        (
            {
                "added_facilities": [
                    {**SABANG, "geometry": {"type": "Point", "coordinates": [95.32, 91.0]}}
                ]
            },
            "added_facilities",
        ),
        ({"platform_overrides": {"talwar": {"replace_with": "zumwalt"}}}, "platform_overrides"),
        ({"platform_overrides": {"talwar": {"colour": "grey"}}}, "platform_overrides"),
        ({"name": ""}, "name"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_scenario_is_refused_naming_the_field(
    api: TestClient, changes: dict[str, Any], field: str
) -> None:
    before = api.get("/scenarios").json()["count"]
    body = {**_body(f"bad {field} {uuid.uuid4().hex[:8]}"), **changes}
    resp = api.post("/scenarios", json=body)
    assert resp.status_code == 422, resp.text
    loc = _loc(resp)
    assert loc[0] == "body" and any(str(part).startswith(field) for part in loc[1:]), loc
    assert api.get("/scenarios").json()["count"] == before, "a refused scenario was saved"

    target = _post(api, _body(f"good, then bad {field} {uuid.uuid4().hex[:8]}"))
    put = body if field == "name" else {**body, "name": target["name"]}
    resp = api.put(f"/scenarios/{target['id']}", json=put, headers={"If-Match": '"1"'})
    assert resp.status_code == 422, resp.text
    assert api.get(f"/scenarios/{target['id']}").json() == target


def test_hypothetical_facility_is_accepted_and_kept(api: TestClient) -> None:
    saved = _post(api, _body("Sabang opens", added_facilities=[SABANG], closed_facilities=[]))
    assert saved["added_facilities"] == [SABANG]
    assert api.get(f"/scenarios/{saved['id']}").json()["added_facilities"] == [SABANG]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_unknown_scenario_id_is_404(api: TestClient, method: str) -> None:
    kwargs: dict[str, Any] = {"json": _body("never saved")} if method == "put" else {}
    resp = api.request(method.upper(), "/scenarios/987654", **kwargs)
    assert resp.status_code == 404, resp.text
    assert _loc(resp) == ["path", "scenario_id"]
    bad = api.request(method.upper(), "/scenarios/not-a-number", **kwargs)
    assert bad.status_code == 422 and _loc(bad) == ["path", "scenario_id"]


# -- saved plans -----------------------------------------------------------------------------

REQUEST: dict[str, Any] = {
    "nation": "IND",
    "platform": "talwar",
    "origin": "in-mumbai-naval-dockyard",
    "destination": "ru-vladivostok-naval-base",
    "departure": "2026-08-01T00:00:00Z",
}
RESULT: dict[str, Any] = {
    "scenario": "baseline",
    "feasible": True,
    "reason": None,
    "nation": "IND",
    "stops": [{"facility_id": "lk-colombo-port", "arrival": "2026-08-04T10:00:00Z"}],
    "totals": {"distance_nm": 5612.3, "duration_h": 401.2, "stops": 1},
    "versions": {"catalogue": "cat-1", "graph": "graph-1"},
}


def test_saved_plan_is_served_with_its_data_versions(api: TestClient, store: Store) -> None:
    scenario = _post(api, _body("plan under it"))
    saved = store.save_plan(
        request=REQUEST,
        result=RESULT,
        scenario_id=scenario["id"],
        catalogue_version="cat-1",
        graph_version="graph-1",
    )
    resp = api.get(f"/plans/{saved['id']}")
    assert resp.status_code == 200, resp.text
    plan = resp.json()
    assert plan["request"] == REQUEST and plan["result"] == RESULT
    assert plan["catalogue_version"] == "cat-1" and plan["graph_version"] == "graph-1"
    assert plan["scenario_id"] == scenario["id"] and plan["created_at"] == saved["created_at"]

    listed = api.get("/plans/saved").json()
    summary = next(p for p in listed["plans"] if p["id"] == saved["id"])
    assert summary == saved
    assert summary["nation"] == "IND" and summary["origin"] == REQUEST["origin"]
    assert summary["feasible"] is True and summary["totals"] == RESULT["totals"]
    assert "result" not in summary

    # Deleting the scenario keeps the plan, unlinked.
    deleted = api.delete(f"/scenarios/{scenario['id']}", headers={"If-Match": "*"})
    assert deleted.status_code == 204
    assert api.get(f"/plans/{saved['id']}").json()["scenario_id"] is None

    assert api.delete(f"/plans/{saved['id']}").status_code == 204
    gone = api.get(f"/plans/{saved['id']}")
    assert gone.status_code == 404 and _loc(gone) == ["path", "plan_id"]
    assert api.delete(f"/plans/{saved['id']}").status_code == 404


def test_saved_plans_are_paged_newest_first(api: TestClient, store: Store) -> None:
    ids = [
        store.save_plan(
            request={**REQUEST, "origin": f"origin-{i}"},
            result={**RESULT, "feasible": i % 2 == 0},
            catalogue_version="cat-1",
            graph_version=None,
        )["id"]
        for i in range(5)
    ]
    first = api.get("/plans/saved?limit=2").json()
    assert first["count"] >= 5 and first["limit"] == 2 and first["offset"] == 0
    assert [p["id"] for p in first["plans"]] == ids[::-1][:2]
    second = api.get("/plans/saved?limit=2&offset=2").json()
    assert [p["id"] for p in second["plans"]] == ids[::-1][2:4]
    assert api.get("/plans/saved?limit=0").status_code == 422


def test_plan_under_unknown_scenario_is_refused(store: Store) -> None:
    from app.store import UnknownRecordError

    with pytest.raises(UnknownRecordError) as err:
        store.save_plan(
            request=REQUEST,
            result=RESULT,
            scenario_id=987654,
            catalogue_version="cat-1",
            graph_version="graph-1",
        )
    assert err.value.field == "scenario_id"


# -- scenarios for POST /compare -------------------------------------------------------------


def test_resolve_scenarios_takes_saved_ids_and_inline_bodies(api: TestClient, store: Store) -> None:
    app: Any = api.app
    cat, platforms = app.state.services.catalogue, app.state.services.platforms
    get = store.get_scenario
    saved = _post(api, _body("for compare"))
    inline = {"name": "Hormuz shut", "closed": ["hormuz"]}
    out = resolve_scenarios([saved["id"], inline], cat, platforms, saved=get)
    assert [s.name for s in out] == ["for compare", "Hormuz shut"]
    assert out[0].closed == frozenset(RED_SEA["closed"]) and out[1].closed == {"hormuz"}
    assert out[0].dropped_agreements == {"relos"}

    with pytest.raises(InvalidInputError) as err:
        resolve_scenarios([inline, 987654], cat, platforms, saved=get)
    assert err.value.field == "scenarios.1"
    with pytest.raises(UnknownPassageError) as passage:
        resolve_scenarios(
            [inline, {"name": "x", "closed": ["atlantis"]}], cat, platforms, saved=get
        )
    assert passage.value.field == "scenarios.1.closed"
    with pytest.raises(InvalidInputError) as date:
        resolve_scenarios([{"name": "x", "date": "01/02/2027"}], cat, platforms, saved=get)
    assert date.value.field == "scenarios.0.date"
