"""The structure holds: layering contracts, no private names across modules, one settings
object reading the environment, and a 503 (not a 422) when the sea graph is off."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import LOCALHOST, LOOPBACK

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("routing", "maps", "app")


def test_import_contracts_hold() -> None:
    """The contracts in pyproject.toml: app -> maps -> routing, no web framework in the core,
    service -> plan -> sea | catalogue inside it, no cycles, the CLI apart from the routers."""
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_no_private_name_is_imported_from_another_module() -> None:
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module:
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    if private and node.module.split(".")[0] in PACKAGES:
                        offenders.append(f"{path.relative_to(ROOT)}: {node.module} {private}")
    assert not offenders


def test_only_the_settings_read_the_environment() -> None:
    """The core takes paths as arguments; ``app/settings.py`` reads ``RELOS_*`` once."""
    readers = []
    for package in ("routing", "maps"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "os.environ" in text or "getenv" in text:
                readers.append(str(path.relative_to(ROOT)))
    # the graph cache's default location honours RELOS_CACHE_DIR at call time, for scripts
    assert readers == ["routing/paths.py"]


def test_settings_take_the_data_dir_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELOS_DATA_DIR", str(tmp_path))
    cfg = Settings()
    assert cfg.data_dir == tmp_path
    assert cfg.facilities_path == tmp_path / "facilities.geojson"
    assert cfg.sea_dir == tmp_path / "sea"
    monkeypatch.setenv("RELOS_FACILITIES_PATH", str(tmp_path / "mine.geojson"))
    assert Settings().facilities_path == tmp_path / "mine.geojson"


def test_without_the_sea_graph_sea_answers_are_503_and_air_plans_work(tmp_path: Path) -> None:
    cfg = Settings(load_sea_graph=False, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(cfg), client=LOOPBACK, base_url=LOCALHOST) as api:
        route = api.get("/routes?origin=ru-murmansk-port&destination=ru-vladivostok-naval-base")
        assert route.status_code == 503
        assert route.json()["detail"][0]["type"] == "unavailable"
        ship = api.post(
            "/plans",
            json={
                "nation": "IND",
                "platform": "talwar",
                "origin": "in-mumbai-naval-dockyard",
                "destination": "in-karwar-naval-base",
            },
        )
        assert ship.status_code == 503
        air = api.post(
            "/plans",
            json={
                "nation": "IND",
                "platform": "p-8i",
                "origin": "in-arakkonam-ins-rajali",
                "destination": "in-hindon-afs",
            },
        )
        assert air.status_code == 200 and air.json()["feasible"]
        assert api.get("/health").json()["graph_version"] is None
