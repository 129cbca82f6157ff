"""Shared fixtures: the real app over the shipped data, through its HTTP interface."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from routing.catalogue.load import load_catalogue
from routing.catalogue.model import Catalogue
from tests.maps.support import Browser, require_browser

# pytest-xdist's workers start with COLUMNS=80 LINES=24, which would fix the width of
# the CLI's console (rich reads them once, when both are set) for every test: a test's
# own COLUMNS (CliRunner(env=...)) must decide it, as a user's terminal does.
for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)

#: The address a test client calls from: this machine, as a planner on a laptop would
#: (starlette's default, "testclient", is not an address).
LOOPBACK = ("127.0.0.1", 50000)
#: The server a test client calls, by this machine's name (starlette's default,
#: "testserver", is a name no browser on this machine would send).
LOCALHOST = "http://localhost"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The shipped catalogue, loaded the way the service loads it."""
    return load_catalogue()


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of the real application, started once for the whole session.

    Its scenario and saved-plan store is a fresh SQLite file, not the user's; sweeps
    write their results next to it and run on a local cluster of one worker.
    """
    folder = tmp_path_factory.mktemp("db")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'relos.sqlite'}",
        sweeps_dir=folder / "sweeps",
        sweep_workers=1,
    )
    with TestClient(create_app(settings), client=LOOPBACK, base_url=LOCALHOST) as c:
        yield c


# One browser per test module, closed after it: while Playwright's sync API runs, the
# thread has a running event loop (a second browser, or asyncio.run() in a test that
# the same process runs next, would fail).
@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Headless Debian Chromium with a fresh profile (skipped only outside CI when missing)."""
    executable = require_browser()
    b = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield b
    finally:
        b.close()
