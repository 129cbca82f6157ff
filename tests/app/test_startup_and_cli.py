"""Start-up refuses bad data and imports only what answering needs; the ``relos`` command
line lists and filters the catalogue."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import app as cli
from app.main import create_app
from app.settings import Settings
from routing.catalogue.load import DEFAULT_AGREEMENTS, DEFAULT_FACILITIES
from routing.catalogue.model import Catalogue
from routing.errors import DataValidationError
from tests.conftest import LOCALHOST, LOOPBACK

runner = CliRunner(env={"COLUMNS": "220"})

ROOT = Path(__file__).resolve().parents[2]
#: Libraries a server loads on first use, not at start: maps (folium, and pandas under
#: it), sweeps (Dask, distributed, Arrow).
HEAVY = ("folium", "pandas", "dask", "distributed", "pyarrow")


def test_broken_catalogue_stops_start_up_naming_the_record(tmp_path: Path) -> None:
    doc = json.loads(DEFAULT_FACILITIES.read_text(encoding="utf-8"))
    bad_id = doc["features"][7]["id"]
    doc["features"][7]["geometry"]["coordinates"] = [0.0, 95.0]
    broken = tmp_path / "facilities.geojson"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    settings = Settings(facilities_path=broken, agreements_path=DEFAULT_AGREEMENTS)
    with pytest.raises(DataValidationError, match=bad_id), TestClient(create_app(settings)):
        pass


def _python(code: str) -> list[str]:
    """The lines ``code`` prints, run by a fresh interpreter in the repo."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    return out.stdout.splitlines()


def test_importing_the_app_loads_no_map_or_sweep_library() -> None:
    lines = _python(
        f"import app.main, sys; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    assert lines[-1] == "[]"


def test_a_started_server_loads_folium_with_its_first_map(tmp_path: Path) -> None:
    settings = {
        "database_url": f"sqlite:///{tmp_path / 'relos.sqlite'}",
        "sweeps_dir": str(tmp_path / "sweeps"),
        "load_sea_graph": False,  # the catalogue map needs no graph: a quick start
    }
    lines = _python(
        f"""
import sys
from fastapi.testclient import TestClient
from app.main import create_app
from app.settings import Settings

def heavy():
    return sorted(m for m in {HEAVY!r} if m in sys.modules)

app = create_app(Settings(**{settings!r}))
with TestClient(app, client={LOOPBACK!r}, base_url={LOCALHOST!r}) as c:
    assert c.get("/health").status_code == 200
    print(heavy())
    asset = c.get("/static/leaflet/leaflet.js")  # the console's first request
    assert asset.status_code == 200 and asset.content
    print(heavy())
    page = c.get("/maps/catalogue?country=IND")
    assert page.status_code == 200, page.text
    assert "leaflet" in page.text and "/static/" in page.text
    print(heavy())
"""
    )
    started, served, mapped = lines[-3:]
    assert started == "[]"  # the app built and its lifespan run: services, store, sweeps
    assert served == "[]"  # the map assets come without the map library
    assert "folium" in mapped


def test_cli_usable_by_prints_a_readable_table(catalogue: Catalogue) -> None:
    result = runner.invoke(cli, ["facilities", "--usable-by", "IND", "--date", "2026-06-01"])
    assert result.exit_code == 0, result.output
    assert "usable by IND on 2026-06-01" in result.output
    assert "relos" in result.output and "own" in result.output
    vladivostok = [f for f in catalogue if f.country == "RUS" and "Vladivostok" in f.name]
    assert vladivostok and any(f.id in result.output for f in vladivostok)


def test_cli_json_filters_match_the_api(client: TestClient) -> None:
    result = runner.invoke(cli, ["facilities", "--country", "RUS", "--kind", "airbase", "--json"])
    assert result.exit_code == 0, result.output
    cli_ids = {f["id"] for f in json.loads(result.output)["features"]}
    api = client.get("/facilities?country=RUS&kind=airbase").json()
    assert cli_ids == {f["id"] for f in api["features"]} and cli_ids


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["facilities", "--usable-by", "XX", "--date", "2026-06-01"], "--usable-by"),
        (["facilities", "--kind", "spaceport"], "--kind"),
        (["facilities", "--near", "10,95"], "--near"),
        (["facilities", "--agreement", "nope"], "agreement"),
    ],
)
def test_cli_bad_input_names_the_option(args: list[str], needle: str) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert needle in result.output


def test_console_script_is_installed() -> None:
    exe = shutil.which("relos") or str(Path(sys.executable).parent / "relos")
    out = subprocess.run(
        [exe, "agreements"], capture_output=True, text=True, timeout=120, check=True
    )
    assert "relos" in out.stdout and "lemoa" in out.stdout


def test_the_service_leaves_numpys_large_arrays_unmarked_for_huge_pages(tmp_path: Path) -> None:
    """Fresh distance blocks of a big catalogue stall for memory compaction when marked
    for transparent huge pages (routing/memory.py): the service's start-up unmarks them
    unless RELOS_NUMPY_HUGEPAGES asks otherwise, and says so to the worker processes."""
    from app.main import data_paths
    from app.settings import Settings
    from routing.memory import set_numpy_hugepages
    from routing.service import load_services

    before = set_numpy_hugepages(True)
    try:
        for wanted in (False, True):
            cfg = Settings(database_url=f"sqlite:///{tmp_path}/h.sqlite", numpy_hugepages=wanted)
            paths = data_paths(cfg)
            assert paths["numpy_hugepages"] is wanted
            load_services(**{**paths, "load_sea_graph": False})
            assert set_numpy_hugepages(wanted) is wanted  # what start-up left
        assert Settings().numpy_hugepages is False
    finally:
        set_numpy_hugepages(bool(before))


def test_the_kernel_threads_are_a_setting(tmp_path: Path) -> None:
    """RELOS_KERNEL_THREADS: how many threads a big catalogue's block products are split
    over (routing/memory.py); start-up sets it, and a bad value is refused by name."""
    from pydantic import ValidationError

    from app.main import data_paths
    from app.settings import Settings
    from routing.memory import kernel_threads, set_kernel_threads
    from routing.service import load_services

    before = kernel_threads()
    try:
        for wanted in (1, 3):
            cfg = Settings(database_url=f"sqlite:///{tmp_path}/k.sqlite", kernel_threads=wanted)
            load_services(**{**data_paths(cfg), "load_sea_graph": False})
            assert kernel_threads() == wanted
        assert Settings().kernel_threads is None  # the default: the usable cores, up to 4
        with pytest.raises(ValidationError, match="kernel_threads"):
            Settings(kernel_threads=0)
    finally:
        set_kernel_threads(before)


@pytest.mark.parametrize(
    ("name", "value"), [("RELOS_KERNEL_THREADS", "0"), ("RELOS_KERNEL_THREADS", "abc")]
)
def test_a_bad_setting_stops_the_start_naming_its_variable(name: str, value: str) -> None:
    """``relos serve`` with a setting the environment gets wrong: one line naming the
    variable and what is wrong, exit code 2, no traceback and no server."""
    exe = shutil.which("relos") or str(Path(sys.executable).parent / "relos")
    env = {**os.environ, name: value}
    out = subprocess.run(
        [exe, "serve", "--port", "0"], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 2
    assert f"error: {name}:" in out.stderr and value in out.stderr
    assert "Traceback" not in out.stderr
