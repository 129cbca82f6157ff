"""Fixtures of the sweep tests: the real services over the shipped data and the cached
sea graph (as ``relos`` loads them; ``RELOS_CACHE_DIR`` picks the cache), and the small
sweep of :mod:`tests.sweep.support` checked against them."""

from __future__ import annotations

import pytest

from routing.service import Services, default_services
from routing.sweep import Sweep, parse_spec, prepare
from tests.sweep.support import SPEC


@pytest.fixture(scope="session")
def services() -> Services:
    """The shipped data and the cached graph, loaded once per test process."""
    return default_services()


@pytest.fixture(scope="session")
def small_sweep(services: Services) -> Sweep:
    """The 36 cases of ``SPEC``."""
    return prepare(parse_spec(SPEC), services)
