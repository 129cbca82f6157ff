"""The commercial-port layer through HTTP: off by default, hidden from the catalogue views
unless asked for, never opened by an agreement, called at by diplomatic clearance only.

The whole layer (2,519 ports) takes tens of minutes to join to the sea graph, so the app
here loads the ports of two countries (``RELOS_COMMERCIAL_PORT_COUNTRIES=LKA,MDV``: seven
ports); its graph is built once through the graph cache like the default one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from routing.catalogue.load import DEFAULT_COMMERCIAL_PORTS
from routing.catalogue.model import Catalogue
from tests.conftest import LOCALHOST, LOOPBACK

COUNTRIES = ("LKA", "MDV")
KOCHI = "in-kochi-naval-base"
COLOMBO = "locode-lkcmb"
DEPARTURE = "2026-08-01T00:00:00Z"


@pytest.fixture(scope="module")
def layered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The real app with the layer on, for the ports of Sri Lanka and the Maldives."""
    folder = tmp_path_factory.mktemp("ports-db")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'relos.sqlite'}",
        sweeps_dir=folder / "sweeps",
        sweep_workers=1,
        commercial_ports=True,
        commercial_port_countries=COUNTRIES,
        extend_graph=True,  # their ports attached to the shipped graph, as README advises
    )
    with TestClient(create_app(settings), client=LOOPBACK, base_url=LOCALHOST) as c:
        yield c


def _get(client: TestClient, url: str) -> dict[str, Any]:
    resp = client.get(url)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _plan(client: TestClient, **extra: Any) -> dict[str, Any]:
    body = {
        "nation": "IND",
        "platform": "talwar",
        "origin": KOCHI,
        "destination": COLOMBO,
        "departure": DEPARTURE,
        **extra,
    }
    resp = client.post("/plans", json=body)
    assert resp.status_code == 200, resp.text
    plan: dict[str, Any] = resp.json()
    return plan


def test_settings_are_off_by_default_and_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert Settings().commercial_ports is False
    monkeypatch.setenv("RELOS_COMMERCIAL_PORTS", "1")
    monkeypatch.setenv("RELOS_COMMERCIAL_PORT_COUNTRIES", "lka, MDV")
    cfg = Settings()
    assert cfg.commercial_ports is True
    assert cfg.commercial_port_countries == ("LKA", "MDV")
    assert cfg.commercial_ports_path == DEFAULT_COMMERCIAL_PORTS
    monkeypatch.setenv("RELOS_DATA_DIR", str(tmp_path))
    assert Settings().commercial_ports_path == tmp_path / "commercial_ports.geojson"
    monkeypatch.setenv("RELOS_COMMERCIAL_PORT_COUNTRIES", "Sri Lanka")
    with pytest.raises(ValueError, match="alpha-3"):
        Settings()


def test_off_by_default_the_service_is_unchanged(client: TestClient, catalogue: Catalogue) -> None:
    """The default app: no commercial port anywhere, the catalogue's version as shipped."""
    listed = _get(client, "/facilities?include=commercial_port")
    assert listed["numberMatched"] == len(catalogue)
    assert _get(client, "/facilities?kind=commercial_port")["numberMatched"] == 0
    assert client.get(f"/facilities/{COLOMBO}").status_code == 404
    assert _get(client, "/health")["catalogue_version"] == catalogue.version()


def test_the_catalogue_views_hide_them_unless_asked(
    layered: TestClient, client: TestClient, catalogue: Catalogue
) -> None:
    default = _get(client, "/facilities")
    plain = _get(layered, "/facilities")
    assert plain["features"] == default["features"]
    assert plain["numberMatched"] == len(catalogue)

    ports = _get(layered, "/facilities?kind=commercial_port")
    ids = {f["id"] for f in ports["features"]}
    assert ids == {
        "locode-lkcmb",
        "locode-lkgal",
        "locode-lkjaf",
        "locode-lkknk",
        "locode-lkmat",
        "locode-lkneg",
        "locode-mvmle",
    }
    for feature in ports["features"]:
        props = feature["properties"]
        assert props["kind"] == "commercial_port"
        assert props["country"] in COUNTRIES
        assert props["sources"] and props["caveats"]

    both = _get(layered, "/facilities?include=commercial_port")
    assert both["numberMatched"] == len(catalogue) + len(ids)
    near = _get(layered, "/facilities?near=79.85,6.95&radius_nm=60&include=commercial_port")
    assert near["features"][0]["id"] == COLOMBO
    assert _get(layered, "/facilities?near=79.85,6.95&radius_nm=60")["numberMatched"] == 0

    bad = layered.get("/facilities?include=port")
    assert bad.status_code == 422

    colombo = _get(layered, f"/facilities/{COLOMBO}")
    assert colombo["properties"]["opened_by_agreements"] == []

    page = layered.get("/maps/catalogue?country=LKA,MDV")
    assert page.status_code == 200 and "Colombo" not in page.text
    shown = layered.get("/maps/catalogue?country=LKA,MDV&include=commercial_port")
    assert shown.status_code == 200 and "Colombo" in shown.text


def test_access_never_lists_them(layered: TestClient) -> None:
    for nation in ("IND", "LKA"):
        access = _get(layered, f"/access?nation={nation}&date=2026-08-01")
        assert all(f["kind"] != "commercial_port" for f in access["facilities"]), nation
        only = _get(layered, f"/access?nation={nation}&date=2026-08-01&kind=commercial_port")
        assert only["count"] == 0
    usable = _get(layered, "/facilities?usable_by=IND&date=2026-08-01&include=commercial_port")
    assert all(f["properties"]["kind"] != "commercial_port" for f in usable["features"])


def test_a_call_at_a_commercial_port_needs_clearance(layered: TestClient) -> None:
    refused = _plan(layered)
    assert refused["feasible"] is False
    assert "is a commercial port" in refused["reason"], refused["reason"]
    assert any("allow_clearance" in s for s in refused["suggestions"]), refused["suggestions"]
    assert refused["destination"]["basis"] is None

    cleared = _plan(layered, allow_clearance=True)
    assert cleared["feasible"] is True, cleared["reason"]
    dest = cleared["destination"]
    assert dest["id"] == COLOMBO
    assert dest["basis"] == "clearance" and dest["agreement"] is None
    assert dest["notice_days"] == 30
    assert any("services not published" in c for c in dest["caveats"]), dest["caveats"]
    assert any("diplomatic clearance" in w for w in cleared["warnings"]), cleared["warnings"]

    by_name = _plan(layered, destination="Colombo", allow_clearance=True)
    assert by_name["destination"]["id"] == COLOMBO

    denied = _plan(layered, allow_clearance=True, denied_countries=["LKA"])
    assert denied["feasible"] is False
    assert "refuses" in denied["reason"], denied["reason"]


def test_a_waypoint_at_a_commercial_port_is_a_clearance_call(layered: TestClient) -> None:
    """A waypoint (a stop the group must make) only a commercial port offers: Male."""
    body = {"destination": "in-port-blair-naval-base", "waypoints": ["locode-mvmle"]}
    refused = _plan(layered, **body)
    assert refused["feasible"] is False
    assert "Male (MDV) is a commercial port" in refused["reason"], refused["reason"]
    cleared = _plan(layered, **body, allow_clearance=True)
    assert cleared["feasible"] is True, cleared["reason"]
    (male,) = [c for c in cleared["waypoints"] if c["id"] == "locode-mvmle"]
    assert male["basis"] == "clearance" and male["caveats"]
    assert cleared["destination"]["basis"] == "own"


def test_a_commercial_port_is_never_a_resupply_stop(layered: TestClient) -> None:
    """The source publishes no fuel: with clearance stops allowed, none is taken there."""
    plan = _plan(
        layered,
        destination="ru-vladivostok-naval-base",
        allow_clearance=True,
        clearance_stops=True,
    )
    assert plan["feasible"] is True, plan["reason"]
    assert all(not s["facility_id"].startswith("locode-") for s in plan["stops"])


def test_the_command_line_lists_them_only_when_loaded_and_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from app.cli import app as cli
    from app.settings import get_settings

    runner = CliRunner()

    def ids(*args: str) -> set[str]:
        get_settings.cache_clear()
        try:
            result = runner.invoke(cli, ["facilities", "--json", "--country", "MDV", *args])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 0, result.output
        return {f["id"] for f in json.loads(result.output)["features"]}

    assert ids("--kind", "commercial_port") == set(), "off by default"
    monkeypatch.setenv("RELOS_COMMERCIAL_PORTS", "true")
    monkeypatch.setenv("RELOS_COMMERCIAL_PORT_COUNTRIES", "MDV")
    assert ids() == set()
    assert ids("--include", "commercial_port") == {"locode-mvmle"}
    assert ids("--kind", "commercial_port") == {"locode-mvmle"}


def test_serve_sets_the_layer_for_its_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from app.cli import app as cli

    seen: dict[str, str | None] = {}
    monkeypatch.setattr(
        uvicorn, "run", lambda *a, **k: seen.update(env=os.environ.get("RELOS_COMMERCIAL_PORTS"))
    )
    monkeypatch.setenv("RELOS_COMMERCIAL_PORTS", "false")  # restored (unset) after the test
    monkeypatch.setenv("RELOS_LISTEN_HOST", "127.0.0.1")  # serve sets it; restored after
    result = CliRunner().invoke(cli, ["serve", "--commercial-ports"])
    assert result.exit_code == 0, result.output
    assert seen["env"] == "true"


#: Kochi to Diego Garcia on a short-legged ship (750 nm usable with the 25 % reserve): the
#: Maldives (Male) are the only place to refuel on the way; Minicoy is too far from the atoll.
SHORT_HOP = {
    "origin": KOCHI,
    "destination": "us-diego-garcia-nsf",
    "platform": {"endurance_nm": 1000, "at_speed_kn": 14, "max_speed_kn": 28},
    "allow_clearance": True,
}


@pytest.fixture(scope="module")
def assumed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The layer on, with fuel, water and provisions assumed at every commercial port."""
    folder = tmp_path_factory.mktemp("assumed-db")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'relos.sqlite'}",
        commercial_ports=True,
        commercial_port_countries=COUNTRIES,
        commercial_port_services="fuel,water,provisions",
        extend_graph=True,
    )
    with TestClient(create_app(settings), client=LOOPBACK, base_url=LOCALHOST) as c:
        yield c


def test_assumed_services_make_a_commercial_port_a_clearance_resupply_stop(
    assumed: TestClient, layered: TestClient
) -> None:
    # berthing only (the source's word): never a fuel stop, even with clearance stops
    assert _plan(layered, **SHORT_HOP, clearance_stops=True)["feasible"] is False
    # assumed fuel: still only by clearance, as a clearance stop
    assert _plan(assumed, **SHORT_HOP)["feasible"] is False
    plan = _plan(assumed, **SHORT_HOP, clearance_stops=True)
    assert plan["feasible"] is True, plan.get("reason")
    (stop,) = plan["stops"]
    assert stop["facility_id"] == "locode-mvmle" and stop["basis"] == "clearance"
    assert "fuel" in stop["services"] and stop["confidence"] == "uncertain"
    assert any("assumed for planning" in c for c in stop["caveats"])
    assert stop["notice_days"] == 30
    port = _get(assumed, "/facilities/locode-mvmle")
    assert "fuel" in port["properties"]["services"]


def test_assumed_services_must_be_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELOS_COMMERCIAL_PORT_SERVICES", "fuel, bunkers")
    with pytest.raises(ValueError, match=r"RELOS_COMMERCIAL_PORT_SERVICES.*bunkers"):
        Settings()
    monkeypatch.setenv("RELOS_COMMERCIAL_PORT_SERVICES", "Fuel,water")
    assert Settings().commercial_port_services == ("fuel", "water")
