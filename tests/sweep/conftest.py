"""Fixtures of the sweep tests: the real services over the shipped data and the cached
sea graph (as ``relos`` loads them; ``RELOS_CACHE_DIR`` picks the cache), the small
sweeps of :mod:`tests.sweep.support` checked against them, and a local Dask cluster."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from distributed import Client

from routing.service import Services, default_services
from routing.sweep import Sweep, dask_client, parse_spec, prepare
from tests.sweep.support import REACH_SPEC, SPEC


@pytest.fixture(scope="session")
def services() -> Services:
    """The shipped data and the cached graph, loaded once per test process."""
    return default_services()


@pytest.fixture(scope="session")
def small_sweep(services: Services) -> Sweep:
    """The 36 cases of ``SPEC``."""
    return prepare(parse_spec(SPEC), services)


@pytest.fixture(scope="session")
def reach_sweep(services: Services) -> Sweep:
    """The 2 plan and 12 reach cases of ``REACH_SPEC``."""
    return prepare(parse_spec(REACH_SPEC), services)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Client]:
    """A local cluster of two worker processes, one thread each (as ``relos sweep``)."""
    with dask_client(workers=2) as client:
        yield client
