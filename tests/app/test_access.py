"""Access control as a team on a shared network meets it: API keys with roles made by
``relos keys``, owners on saved records, open reads, rate limits, and bearer tokens
from a real (local) OpenID Connect provider.

The shared server here listens beyond loopback (``listen_host=0.0.0.0``), as
``relos serve --host 0.0.0.0`` and the Docker image do.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import app as cli
from app.main import create_app
from app.settings import Settings
from tests.conftest import LOCALHOST, LOOPBACK

REMOTE = ("10.20.30.40", 51000)
SCENARIO = {"name": "red sea shut", "closed": ["bab-el-mandeb", "suez"]}
PLAN = {
    "nation": "IND",
    "platform": "talwar",
    "origin": "in-visakhapatnam-naval-dockyard",
    "destination": "ru-vladivostok-naval-base",
    "departure": "2027-08-01T00:00:00Z",
}


def _keys(db_url: str, *args: str) -> Any:
    ran = CliRunner().invoke(cli, ["keys", *args, "--database-url", db_url, "--json"])
    assert ran.exit_code == 0, ran.output
    return json.loads(ran.stdout)


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    """A server listening on every interface, no rate limit, called from another host."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('access') / 'relos.sqlite'}"
    settings = Settings(database_url=db_url, listen_host="0.0.0.0", rate_limit="")
    with TestClient(create_app(settings), client=REMOTE) as c:
        yield c, db_url


@pytest.fixture(scope="module")
def keys(shared: tuple[TestClient, str]) -> dict[str, str]:
    """Keys made with the CLI, as an administrator does on the server's machine."""
    _, db_url = shared
    made = {
        who: _keys(db_url, "create", "--role", role, "--name", who)
        for who, role in [
            ("vera", "viewer"),
            ("alice", "planner"),
            ("bob", "planner"),
            ("root", "admin"),
        ]
    }
    return {who: record["key"] for who, record in made.items()}


def test_anyone_reads_but_writes_need_a_key_beyond_loopback(
    shared: tuple[TestClient, str],
) -> None:
    api, _ = shared
    assert api.get("/facilities", params={"limit": 1}).status_code == 200
    assert api.get("/me").json() == {
        "name": "anonymous@10.20.30.40",
        "role": "viewer",
        "via": "open",
    }
    # The same server, called from its own machine: still no anonymous writes, since it
    # listens beyond loopback (a proxy on the host would make every caller local).
    local = TestClient(api.app, client=LOOPBACK, base_url=LOCALHOST)
    for caller in (api, local):
        resp = caller.post("/scenarios", json=SCENARIO)
        assert resp.status_code == 401, resp.text
        assert resp.headers["www-authenticate"].startswith("Bearer")
        (err,) = resp.json()["detail"]
        assert err["loc"] == ["header", "Authorization"]
        assert "relos keys create --role planner" in err["msg"]
    assert api.delete("/plans/1").status_code == 401
    assert api.get("/scenarios").json()["count"] == 0


def test_roles_and_owners(shared: tuple[TestClient, str], keys: dict[str, str]) -> None:
    api, _ = shared
    as_ = {who: _bearer(key) for who, key in keys.items()}
    assert api.get("/me", headers=as_["alice"]).json() == {
        "name": "alice",
        "role": "planner",
        "via": "key",
    }
    # a viewer reads and plans, but may not save
    assert api.get("/scenarios", headers=as_["vera"]).status_code == 200
    refused = api.post("/scenarios", json=SCENARIO, headers=as_["vera"])
    assert refused.status_code == 403 and "needs planner" in refused.json()["detail"][0]["msg"]

    saved = api.post("/scenarios", json=SCENARIO, headers=as_["alice"])
    assert saved.status_code == 201, saved.text
    mine = saved.json()
    assert mine["owner"] == "alice"
    sid, tag = mine["id"], saved.headers["etag"]
    # bob (another planner) reads alice's scenario but may not change or delete it
    assert api.get(f"/scenarios/{sid}", headers=as_["bob"]).json()["owner"] == "alice"
    changed = {**SCENARIO, "closed": ["suez"]}
    for resp in (
        api.put(f"/scenarios/{sid}", json=changed, headers={**as_["bob"], "If-Match": tag}),
        api.delete(f"/scenarios/{sid}", headers={**as_["bob"], "If-Match": tag}),
    ):
        assert resp.status_code == 403, resp.text
        assert "belongs to 'alice'" in resp.json()["detail"][0]["msg"]
    assert api.get(f"/scenarios/{sid}").json()["version"] == 1  # nothing changed
    # alice may; an admin may change anyone's
    put = api.put(f"/scenarios/{sid}", json=changed, headers={**as_["alice"], "If-Match": tag})
    assert put.status_code == 200 and put.json()["closed"] == ["suez"]
    gone = api.delete(f"/scenarios/{sid}", headers={**as_["root"], "If-Match": '"2"'})
    assert gone.status_code == 204
    assert api.get(f"/scenarios/{sid}").status_code == 404


def test_saving_a_plan_needs_a_planner_and_records_the_owner(
    shared: tuple[TestClient, str], keys: dict[str, str]
) -> None:
    api, _ = shared
    assert api.post("/plans", json=PLAN).json()["feasible"] is True  # anyone may plan
    assert api.post("/plans", json=PLAN, params={"save": "true"}).status_code == 401
    viewer = api.post("/plans", json=PLAN, params={"save": "true"}, headers=_bearer(keys["vera"]))
    assert viewer.status_code == 403
    resp = api.post("/plans", json=PLAN, params={"save": "true"}, headers=_bearer(keys["bob"]))
    assert resp.status_code == 200, resp.text
    pid = resp.json()["saved"]["id"]
    assert api.get(f"/plans/{pid}").json()["owner"] == "bob"
    assert api.delete(f"/plans/{pid}", headers=_bearer(keys["alice"])).status_code == 403
    assert api.delete(f"/plans/{pid}", headers=_bearer(keys["bob"])).status_code == 204


def test_keys_over_http_and_revocation(
    shared: tuple[TestClient, str], keys: dict[str, str]
) -> None:
    api, db_url = shared
    root, alice = _bearer(keys["root"]), _bearer(keys["alice"])
    assert api.get("/keys", headers=alice).status_code == 403
    assert api.post("/keys", json={"name": "x", "role": "admin"}, headers=alice).status_code == 403
    made = api.post("/keys", json={"name": "carol", "role": "planner"}, headers=root)
    assert made.status_code == 201, made.text
    assert made.headers["cache-control"] == "no-store"
    carol = made.json()
    assert carol["key"].startswith("relos_") and carol["created_by"] == "root"
    assert api.get("/me", headers=_bearer(carol["key"])).json()["name"] == "carol"
    listed = api.get("/keys", headers=root).json()
    assert listed["count"] == len(listed["keys"]) >= 5
    # no secret and no hash ever leaves the server, and the database holds no secret
    assert all(set(k) == set(carol) - {"key"} for k in listed["keys"])
    assert carol["key"] not in Path(db_url.removeprefix("sqlite:///")).read_bytes().decode(
        "latin-1"
    )
    bad = api.post("/keys", json={"name": "dave", "role": "captain"}, headers=root)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "role"]
    # names that belong to other callers cannot be taken by a key (they would own their
    # records): the laptop's user, identity-provider users, anonymous callers
    for name in ("local", "oidc:asha", "anonymous@10.0.0.1"):
        taken = api.post("/keys", json={"name": name, "role": "planner"}, headers=root)
        assert taken.status_code == 422 and "reserved" in taken.json()["detail"][0]["msg"]
    # credentials in another scheme are refused, not taken as anonymous
    basic = api.get("/me", headers={"Authorization": "Basic YWxpY2U6cHc="})
    assert basic.status_code == 401 and "Bearer" in basic.json()["detail"][0]["msg"]

    revoked = api.delete(f"/keys/{carol['id']}", headers=root)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    after = api.get("/me", headers=_bearer(carol["key"]))
    assert after.status_code == 401 and "revoked" in after.json()["detail"][0]["msg"]
    # the CLI lists it as revoked; a key that never existed is refused the same way
    (row,) = [k for k in _keys(db_url, "list") if k["id"] == carol["id"]]
    assert row["revoked_at"] == revoked.json()["revoked_at"]
    assert api.get("/me", headers=_bearer("relos_" + "x" * 43)).status_code == 401
    assert api.get("/me", headers={"X-API-Key": keys["vera"]}).json()["name"] == "vera"
    assert api.delete("/keys/999999", headers=root).status_code == 404


def test_the_local_user_writes_without_a_key_on_a_laptop(tmp_path: Path) -> None:
    """Listening on loopback, a caller on this machine is the local admin; one that a
    proxy forwarded, or from elsewhere, is an anonymous reader."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'relos.sqlite'}", load_sea_graph=False)
    with TestClient(create_app(settings), client=LOOPBACK, base_url=LOCALHOST) as api:
        assert api.get("/me").json() == {"name": "local", "role": "admin", "via": "local"}
        saved = api.post("/scenarios", json=SCENARIO)
        assert saved.status_code == 201 and saved.json()["owner"] == "local"
        proxied = api.post(
            "/scenarios",
            json={**SCENARIO, "name": "via proxy"},
            headers={"X-Forwarded-For": "1.2.3.4"},
        )
        assert proxied.status_code == 401
        remote = TestClient(api.app, client=REMOTE)
        assert remote.get("/me").json()["via"] == "open"
        assert remote.get(f"/scenarios/{saved.json()['id']}").status_code == 200
        # a web page whose name was rebound to 127.0.0.1 (DNS rebinding) is not the user
        for headers in (
            {"Host": "evil.example"},
            {"Host": "evil.example:8000"},
            {"Origin": "http://evil.example"},
        ):
            assert api.get("/me", headers=headers).json()["via"] == "open", headers
            made = api.post("/keys", json={"name": "x", "role": "admin"}, headers=headers)
            assert made.status_code == 401
        for host in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
            me = api.get("/me", headers={"Host": host, "Origin": f"http://{host}"})
            assert me.json()["via"] == "local", host


def test_closed_reads(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'relos.sqlite'}",
        load_sea_graph=False,
        listen_host="0.0.0.0",
        open_reads=False,
    )
    with TestClient(create_app(settings), client=REMOTE) as api:
        for path in ("/facilities", "/scenarios", "/agreements", "/platforms", "/me"):
            assert api.get(path).status_code == 401, path
        assert api.get("/health").status_code == 200  # for load balancers and probes


def test_rate_limit_per_key(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'relos.sqlite'}"
    settings = Settings(
        database_url=db_url, load_sea_graph=False, listen_host="0.0.0.0", rate_limit="5/minute"
    )
    with TestClient(create_app(settings), client=REMOTE) as api:
        one = _bearer(_keys(db_url, "create", "--role", "viewer", "--name", "one")["key"])
        two = _bearer(_keys(db_url, "create", "--role", "viewer", "--name", "two")["key"])
        assert [api.get("/me", headers=one).status_code for _ in range(5)] == [200] * 5
        over = api.get("/facilities", headers=one)
        assert over.status_code == 429
        assert 1 <= int(over.headers["retry-after"]) <= 60
        assert "5/minute" in over.json()["detail"][0]["msg"]
        assert api.get("/me", headers=two).status_code == 200  # counted apart
        assert api.get("/health").status_code == 200  # never limited
        # refused credentials count against the caller's address: guessing is limited too
        guesses = [api.get("/me", headers=_bearer(f"relos_guess{i}")).status_code for i in range(7)]
        assert guesses[:5] == [401] * 5 and guesses[5:] == [429, 429]


def test_bad_settings_are_named() -> None:
    with pytest.raises(ValueError, match="RELOS_RATE_LIMIT 'lots' is not a rate"):
        Settings(rate_limit="lots")


# -- OpenID Connect, against a real provider on loopback --------------------------------------


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    """oidc-provider-mock: a real OpenID provider (authlib), for tests."""
    with warnings.catch_warnings():  # authlib warns about its own modules the mock uses
        warnings.simplefilter("ignore")
        oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://127.0.0.1:{server.server_port}"


def _login(issuer: str, sub: str, claims: dict[str, Any]) -> dict[str, Any]:
    """The authorization-code flow a browser would go through; the provider's tokens."""
    assert httpx.put(f"{issuer}/users/{sub}", json=claims).status_code == 204
    redirect = "http://127.0.0.1/callback"
    client = {"client_id": "relos-test", "client_secret": "s3cret"}
    consent = httpx.post(
        f"{issuer}/oauth2/authorize",
        params={
            "client_id": client["client_id"],
            "redirect_uri": redirect,
            "response_type": "code",
            "scope": "openid profile",
        },
        data={"sub": sub},
    )
    assert consent.status_code == 302, consent.text
    code = parse_qs(urlparse(consent.headers["location"]).query)["code"][0]
    tokens = httpx.post(
        f"{issuer}/oauth2/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect, **client},
    )
    assert tokens.status_code == 200, tokens.text
    return dict(tokens.json())


def _oidc_app(tmp_path: Path, issuer: str, **oidc: Any) -> TestClient:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'relos.sqlite'}",
        load_sea_graph=False,
        listen_host="0.0.0.0",
        oidc_issuer=issuer,
        **oidc,
    )
    return TestClient(create_app(settings), client=REMOTE)


def test_oidc_jwt_access_tokens(tmp_path: Path, issuer: str) -> None:
    tokens = _login(issuer, "asha", {"roles": ["viewer", "planner"]})
    jwt_token = tokens["id_token"]  # a JWT signed with the provider's published key
    with _oidc_app(tmp_path, issuer, oidc_audience="relos-test") as api:
        me = api.get("/me", headers=_bearer(jwt_token)).json()
        assert me == {"name": "oidc:asha", "role": "planner", "via": "oidc"}
        saved = api.post("/scenarios", json=SCENARIO, headers=_bearer(jwt_token))
        assert saved.status_code == 201 and saved.json()["owner"] == "oidc:asha"
        # a token altered after signing, or for another audience, is refused
        head, body, sig = jwt_token.split(".")
        forged = f"{head}.{body}.{sig[:-4]}AAAA"
        assert api.get("/me", headers=_bearer(forged)).status_code == 401
        opaque = api.get("/me", headers=_bearer(tokens["access_token"]))
        assert opaque.status_code == 401
    with _oidc_app(tmp_path, issuer, oidc_audience="someone-else") as api:
        resp = api.get("/me", headers=_bearer(jwt_token))
        assert resp.status_code == 401 and "audience" in resp.json()["detail"][0]["msg"].lower()


def test_oidc_userinfo_tokens_and_roles(tmp_path: Path, issuer: str) -> None:
    admin = _login(issuer, "ravi", {"groups": {"relos": ["admin"]}})
    nobody = _login(issuer, "nina", {"groups": {"relos": ["pilot"]}})
    with _oidc_app(
        tmp_path, issuer, oidc_tokens="userinfo", oidc_roles_claim="groups.relos"
    ) as api:
        me = api.get("/me", headers=_bearer(admin["access_token"])).json()
        assert me == {"name": "oidc:ravi", "role": "admin", "via": "oidc"}
        assert api.get("/keys", headers=_bearer(admin["access_token"])).status_code == 200
        no_role = api.get("/me", headers=_bearer(nobody["access_token"]))
        assert no_role.status_code == 403 and "groups.relos" in no_role.json()["detail"][0]["msg"]
        revoked = httpx.post(f"{issuer}/users/nina/revoke-tokens")
        assert revoked.status_code == 204
        assert api.get("/me", headers=_bearer("not-a-token")).status_code == 401
        # API keys still work beside the provider
        assert api.get("/me", headers=_bearer("relos_unknown")).status_code == 401


def test_oidc_provider_unreachable_is_a_503_not_a_500(tmp_path: Path) -> None:
    with _oidc_app(tmp_path, "http://127.0.0.1:9") as api:
        resp = api.get("/me", headers=_bearer("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"))
        assert resp.status_code == 503
        assert "identity provider is unreachable" in resp.json()["detail"][0]["msg"]
