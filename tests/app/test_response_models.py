"""Every JSON answer matches the schema /openapi.json documents for it.

The routers return plain dicts and declare their shape only for the document
(``responses={200: {"model": ...}}``, ``response_model=None``): nothing checks the
answers against it at run time. Here real answers of the real app, over HTTP and in
each of the shapes they take (feasible and infeasible plans, task groups, sea
points, alternatives, saved scenarios...), are validated against the published
schema, twice:

- as documented: every required field present, with its type and nullability;
- closed: every field of every object in the answer is declared in the document
  (the models accept unknown fields, so a field added to an answer without adding
  it to ``app/schemas.py`` would otherwise go unnoticed).
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

MUMBAI = "in-mumbai-naval-dockyard"
VIZAG = "in-visakhapatnam-naval-dockyard"
VLADIVOSTOK = "ru-vladivostok-naval-base"
SEVEROMORSK = "ru-severomorsk-naval-base"
MURMANSK = "ru-murmansk-port"
KASPIYSK = "ru-kaspiysk-naval-base"
AUGUST = "2026-08-01T00:00:00Z"
FEBRUARY = "2026-02-01T00:00:00Z"
PLAN: dict[str, Any] = {
    "nation": "IND",
    "platform": "talwar",
    "origin": MUMBAI,
    "destination": VLADIVOSTOK,
    "departure": AUGUST,
}
INFEASIBLE: dict[str, Any] = {
    "nation": "IND",
    "platform": "talwar",
    "origin": VIZAG,
    "destination": SEVEROMORSK,
    "departure": FEBRUARY,
    "closed": ["suez"],
}

#: The operations whose answers were untyped dicts: (method, path, success status).
OPERATIONS = [
    ("get", "/health", 200),
    ("get", "/facilities", 200),
    ("get", "/facilities/{facility_id}", 200),
    ("get", "/agreements", 200),
    ("get", "/agreements/{agreement_id}", 200),
    ("get", "/access", 200),
    ("get", "/routes", 200),
    ("post", "/matrix", 200),
    ("get", "/passages", 200),
    ("get", "/scenarios", 200),
    ("post", "/plans", 200),
    ("get", "/plans/saved", 200),
    ("get", "/plans/{plan_id}", 200),
    ("get", "/platforms", 200),
    ("get", "/platforms/{platform_id}", 200),
    ("post", "/compare", 200),
    ("post", "/critical", 200),
]

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(f"{value!r} has no time zone")
    return True


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        dt.date.fromisoformat(value)
    return True


# -- the checker -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    resp = client.get("/openapi.json")
    assert resp.status_code == 200, resp.text
    doc: dict[str, Any] = resp.json()
    return doc


def _documented(spec: dict[str, Any], method: str, path: str, status: int) -> dict[str, Any]:
    """The schema the document gives for this answer: a reference to a named model."""
    responses = spec["paths"][path][method]["responses"]
    assert str(status) in responses, (method, path, sorted(responses))
    schema: dict[str, Any] = responses[str(status)]["content"]["application/json"]["schema"]
    assert "$ref" in schema, f"{method.upper()} {path} {status}: no named schema: {schema}"
    return schema


def _closed(node: Any) -> Any:
    """A copy of a schema in which every object that lists its properties allows no others."""
    if isinstance(node, list):
        return [_closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "$defs", "schemas", "patternProperties"):
            out[key] = {name: _closed(sub) for name, sub in value.items()}
        elif key in ("enum", "const", "required", "examples", "example", "default"):
            out[key] = value
        else:
            out[key] = _closed(value)
    if "properties" in node and out.get("additionalProperties", True) is True:
        out["additionalProperties"] = False
    return out


def _explain(err: ValidationError) -> str:
    """Where and why; for an anyOf, why the branch with the fewest faults fails."""
    if err.context:
        branches: dict[object, list[ValidationError]] = {}
        for sub in err.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        closest = min(branches.values(), key=len)
        return "; ".join(_explain(sub) for sub in closest[:3])
    where = "/".join(str(p) for p in err.absolute_path) or "(top)"
    return f"{where}: {err.message[:300]}"


def check_answer(
    spec: dict[str, Any], method: str, path: str, status: int, body: Any
) -> dict[str, Any]:
    """Validate ``body`` against the documented schema of the operation, then closed.

    Raises AssertionError naming the first fields at fault."""
    ref = _documented(spec, method, path, status)["$ref"]
    name = ref.rsplit("/", 1)[-1]
    components = spec["components"]
    for label, comps in (("documented", components), ("closed", _closed(components))):
        validator = Draft202012Validator({"$ref": ref, "components": comps}, format_checker=FORMATS)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, f"{method.upper()} {path}: answer does not match {name} ({label}):\n" + (
            "\n".join(f"  {_explain(e)}" for e in errors[:10])
        )
    declared = set(components["schemas"][name]["properties"])
    undeclared = sorted(set(body) - declared)
    assert not undeclared, f"{method.upper()} {path}: fields not in {name}: {undeclared}"
    assert isinstance(body, dict)
    return body


def _call(
    client: TestClient,
    spec: dict[str, Any],
    method: str,
    path: str,
    url: str,
    *,
    json: Any = None,
    status: int = 200,
) -> dict[str, Any]:
    resp = client.request(method.upper(), url, json=json)
    assert resp.status_code == status, f"{method.upper()} {url}: {resp.status_code} {resp.text}"
    return check_answer(spec, method, path, status, resp.json())


# -- the document ----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "status"), OPERATIONS)
def test_every_operation_documents_a_named_answer(
    spec: dict[str, Any], method: str, path: str, status: int
) -> None:
    ref = _documented(spec, method, path, status)["$ref"]
    model = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert model["type"] == "object" and model["properties"], ref
    assert model.get("additionalProperties") is True, f"{ref} must accept unlisted fields"
    assert spec["paths"][path][method]["responses"][str(status)]["description"]


def test_the_checker_catches_missing_mistyped_undeclared_and_non_nullable(
    client: TestClient, spec: dict[str, Any]
) -> None:
    plan = client.post("/plans", json=INFEASIBLE).json()
    check_answer(spec, "post", "/plans", 200, plan)

    def fails(body: Any, docs: dict[str, Any] = spec) -> str:
        with pytest.raises(AssertionError) as err:
            check_answer(docs, "post", "/plans", 200, body)
        return str(err.value)

    missing = copy.deepcopy(plan)
    del missing["feasible"]
    assert "'feasible' is a required property" in fails(missing)
    mistyped = copy.deepcopy(plan)
    mistyped["usable_range_nm"] = "3,638 nm"
    assert "usable_range_nm" in fails(mistyped)
    undeclared = copy.deepcopy(plan)
    undeclared["surprise"] = 1
    assert "surprise" in fails(undeclared)
    nested = copy.deepcopy(plan)
    nested["origin"]["surprise"] = 1
    assert "surprise" in fails(nested) and "closed" in fails(nested)
    # A null the document does not allow: `reason` documented as a plain string.
    strict = copy.deepcopy(spec)
    strict["components"]["schemas"]["PlanResult"]["properties"]["reason"] = {"type": "string"}
    feasible = client.post("/plans", json=PLAN).json()
    assert feasible["reason"] is None
    assert "reason" in fails(feasible, strict)


# -- the answers -----------------------------------------------------------------------------


def test_health(client: TestClient, spec: dict[str, Any]) -> None:
    body = _call(client, spec, "get", "/health", "/health")
    assert body["graph"] is not None


def test_facilities(client: TestClient, spec: dict[str, Any]) -> None:
    path = "/facilities"
    first = _call(client, spec, "get", path, "/facilities?limit=20")
    assert first["links"] and "date" not in first
    near = _call(
        client,
        spec,
        "get",
        path,
        "/facilities?usable_by=IND&date=2026-06-01&near=72.83,18.92&radius_nm=3000&limit=50",
    )
    props = near["features"][0]["properties"]
    assert "distance_nm" in props and "access" in props and near["date"] == "2026-06-01"
    airbases = _call(client, spec, "get", path, "/facilities?kind=airbase&limit=1000")
    assert not airbases["links"], "one page: no next link"
    assert any(f["properties"]["icao"] for f in airbases["features"])
    _call(client, spec, "get", path, "/facilities?agreement=relos&service=fuel&bbox=100,0,180,60")
    everything = _call(client, spec, "get", path, "/facilities?limit=1000")
    path = "/facilities/{facility_id}"
    for feature in everything["features"]:
        one = _call(client, spec, "get", path, f"/facilities/{feature['id']}")
        assert "opened_by_agreements" in one["properties"]


def test_agreements(client: TestClient, spec: dict[str, Any]) -> None:
    listed = _call(client, spec, "get", "/agreements", "/agreements")
    assert listed["count"] == len(listed["agreements"]) > 1
    _call(client, spec, "get", "/agreements", "/agreements?party=IND&in_force_on=2026-06-01")
    for agreement in listed["agreements"]:
        url = f"/agreements/{agreement['id']}"
        _call(client, spec, "get", "/agreements/{agreement_id}", url)


def test_access(client: TestClient, spec: dict[str, Any]) -> None:
    every = _call(client, spec, "get", "/access", "/access?nation=IND&date=2026-06-01")
    assert every["service"] is None and {f["basis"] for f in every["facilities"]} >= {
        "own",
        "agreement",
    }
    narrowed = _call(
        client,
        spec,
        "get",
        "/access",
        "/access?nation=IND&date=2026-06-01&service=fuel&kind=port&dropped_agreements=lemoa",
    )
    assert narrowed["service"] == "fuel"
    _call(client, spec, "get", "/access", "/access?nation=RUS&date=2026-06-01")


def test_routes(client: TestClient, spec: dict[str, Any]) -> None:
    summer = _call(
        client,
        spec,
        "get",
        "/routes",
        f"/routes?origin={MURMANSK}&destination={VLADIVOSTOK}&alternatives=2&date=2026-08-15",
    )
    props = summer["properties"]
    assert props["alternatives"] and "entered" in props["transits"][0]
    late = _call(
        client,
        spec,
        "get",
        "/routes",
        f"/routes?origin={MURMANSK}&destination={VLADIVOSTOK}&date=2026-11-10&alternatives=3",
    )
    assert late["properties"]["season_closed"] == ["nsr"], "the NSR shuts on the way"
    ice = _call(
        client,
        spec,
        "get",
        "/routes",
        f"/routes?origin={MURMANSK}&destination=ru-arkhangelsk-port&date=2026-03-15&ice_class=ice2",
    )
    assert ice["properties"]["warnings"], "White Sea ice rules"
    to_sea = _call(client, spec, "get", "/routes", f"/routes?origin={MUMBAI}&destination=72,10")
    assert to_sea["properties"]["destination"]["id"] is None
    assert to_sea["properties"]["date"] is None
    _call(
        client,
        spec,
        "get",
        "/routes",
        f"/routes?origin={VIZAG}&destination={SEVEROMORSK}&platform=vikramaditya&via=suez"
        "&speed_kn=18",
    )


def test_matrix(client: TestClient, spec: dict[str, Any]) -> None:
    body = _call(
        client,
        spec,
        "post",
        "/matrix",
        "/matrix",
        json={
            "facilities": [MUMBAI, VLADIVOSTOK, SEVEROMORSK, KASPIYSK],
            "closed": ["suez"],
            "date": "2026-02-15",
        },
    )
    assert body["distance_nm"][0][3] is None, "the Caspian is not reachable: null"


def test_passages(client: TestClient, spec: dict[str, Any]) -> None:
    body = _call(client, spec, "get", "/passages", "/passages")
    assert any(p["ice_rules"] for p in body["passages"])
    assert {p["geometry"]["type"] for p in body["passages"]} == {"MultiLineString", "Polygon"}


def _scenario(client: TestClient, spec: dict[str, Any], **body: Any) -> dict[str, Any]:
    body.setdefault("name", f"Red Sea shut ({uuid.uuid4().hex[:8]})")
    return _call(client, spec, "post", "/scenarios", "/scenarios", json=body, status=201)


def test_scenarios(client: TestClient, spec: dict[str, Any]) -> None:
    saved = _scenario(
        client,
        spec,
        date="2027-02-01",
        closed=["suez", "bab-el-mandeb"],
        dropped_agreements=["relos"],
        platform_overrides={"talwar": {"replace_with": "kolkata"}},
    )
    page = _call(client, spec, "get", "/scenarios", "/scenarios?limit=1000")
    assert saved in page["scenarios"]
    _call(client, spec, "get", "/scenarios", "/scenarios?limit=1&offset=0")
    url = f"/scenarios/{saved['id']}"
    _call(client, spec, "get", "/scenarios/{scenario_id}", url)


def test_plans_in_each_shape(client: TestClient, spec: dict[str, Any]) -> None:
    path = "/plans"
    feasible = _call(client, spec, "post", path, "/plans?save=true", json=PLAN)
    assert feasible["feasible"] and feasible["stops"] and "saved" in feasible

    infeasible = _call(client, spec, "post", path, "/plans?save=true", json=INFEASIBLE)
    assert infeasible["feasible"] is False and infeasible["totals"] is None
    assert infeasible["suggestions"] and not infeasible["legs"]

    group = {**INFEASIBLE, "group": [{"platform": "talwar", "count": 2}, {"platform": "deepak"}]}
    del group["platform"]
    tanker = _call(client, spec, "post", path, "/plans", json=group)
    assert tanker["feasible"] and len(tanker["platform"]["members"]) == 2
    assert tanker["legs"][0]["cargo_t"] is not None

    at_sea = _call(
        client,
        spec,
        "post",
        path,
        "/plans",
        json={**PLAN, "waypoints": ["80,5", "in-port-blair-naval-base"], "destination": "70,10"},
    )
    assert at_sea["feasible"] and at_sea["destination"]["basis"] is None
    assert at_sea["waypoints"][0]["id"] is None

    custom = {
        "name": "a slow patrol vessel",
        "endurance_nm": 6000,
        "at_speed_kn": 12,
        "max_speed_kn": 20,
        "fuel_capacity_t": 300,
    }
    _call(
        client,
        spec,
        "post",
        path,
        "/plans",
        json={
            **PLAN,
            "platform": custom,
            "allow_clearance": True,
            "clearance_stops": True,
            "notice_from": "2026-07-20T00:00:00Z",
            "objective": "min_stops",
        },
    )

    air = _call(
        client,
        spec,
        "post",
        path,
        "/plans",
        json={
            "nation": "IND",
            "platform": "p-8i",
            "origin": "in-arakkonam-ins-rajali",
            "destination": "ru-yelizovo-air-base",
            "departure": AUGUST,
        },
    )
    assert air["platform"]["domain"] == "air"

    page = _call(client, spec, "get", "/plans/saved", "/plans/saved?limit=1000")
    ids = {p["id"] for p in page["plans"]}
    assert {feasible["saved"]["id"], infeasible["saved"]["id"]} <= ids
    for saved in (feasible["saved"], infeasible["saved"]):
        one = _call(client, spec, "get", "/plans/{plan_id}", saved["href"])
        assert one["result"]["feasible"] is (saved is feasible["saved"])


def test_platforms(client: TestClient, spec: dict[str, Any]) -> None:
    listed = _call(client, spec, "get", "/platforms", "/platforms")
    assert {p["domain"] for p in listed["platforms"]} == {"sea", "air"}
    for platform in listed["platforms"]:
        url = f"/platforms/{platform['id']}"
        one = _call(client, spec, "get", "/platforms/{platform_id}", url)
        assert one["fuel_model"]["range_nm_at"]


def test_compare_plans_and_routes(client: TestClient, spec: dict[str, Any]) -> None:
    saved = _scenario(client, spec, closed=["suez", "bab-el-mandeb"], dropped_agreements=["relos"])
    plan = {**PLAN, "origin": VIZAG, "destination": SEVEROMORSK}
    inline = {"name": "no Suez", "closed": ["suez"]}
    body = _call(
        client,
        spec,
        "post",
        "/compare",
        "/compare",
        json={"plan": plan, "scenarios": [saved["id"], inline]},
    )
    feasible = [row["feasible"] for row in body["results"]]
    assert True in feasible and False in feasible and "plan" in body["baseline"]

    bare = _call(
        client,
        spec,
        "post",
        "/compare",
        "/compare",
        json={"plan": plan, "scenarios": [inline], "include_plans": False},
    )
    assert "plan" not in bare["baseline"]

    routes = _call(
        client,
        spec,
        "post",
        "/compare",
        "/compare",
        json={
            "route": {"origin": MURMANSK, "destination": VLADIVOSTOK},
            "scenarios": [
                saved["id"],
                {"name": "August", "date": "2026-08-15"},
                {
                    "name": "everything shut",
                    "closed": ["suez", "panama", "cape-of-good-hope", "cape-horn", "magellan"],
                },
            ],
        },
    )
    shut = routes["results"][-1]
    assert shut["feasible"] is False and shut["closures"] and "route" not in shut
    assert "route" in routes["baseline"]


def test_critical(client: TestClient, spec: dict[str, Any]) -> None:
    body = _call(client, spec, "post", "/critical", "/critical", json=PLAN)
    kinds = {item["kind"] for item in body["ranking"]}
    assert {"facility", "passage", "agreement"} <= kinds
    assert any(not item["feasible"] for item in body["ranking"])
    none = _call(client, spec, "post", "/critical", "/critical", json=INFEASIBLE)
    assert none["baseline"]["totals"] is None and none["ranking"] == []
