"""Fixtures for map tests: the real app with its map routes, served live, and a browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.maps.support import live_server


@pytest.fixture(scope="session")
def maps_client(client: TestClient) -> TestClient:
    """The session's client of the real app (map routes and static assets included)."""
    return client


@pytest.fixture(scope="session")
def server_url(maps_client: TestClient) -> Iterator[str]:
    """The same app served over HTTP on a free localhost port."""
    with live_server(maps_client.app) as url:  # type: ignore[arg-type]
        yield url
