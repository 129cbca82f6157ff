"""Shared fixtures: the real app over the shipped data, through its HTTP interface."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from routing.catalogue import Catalogue
from routing.validation import load_catalogue


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The shipped catalogue, loaded the way the service loads it."""
    return load_catalogue()


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """A client of the real application, started once for the whole session."""
    with TestClient(create_app(Settings())) as c:
        yield c
