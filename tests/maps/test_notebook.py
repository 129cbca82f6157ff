"""Plans, routes and comparisons display themselves in Jupyter, with their map.

IPython's own display formatter (what a notebook calls on the last value of a cell)
gets a one-line ``text/plain`` and a ``text/html`` made of a compact summary and the
map, drawn by this package through the ``relos.display`` entry point the core looks up
(the core never imports the maps).
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from IPython.core.formatters import DisplayFormatter

from maps.notebook import notebook_map
from routing import Planner, Scenario, compare, default_planner
from routing.display import map_renderer


@pytest.fixture(scope="module")
def planner() -> Planner:
    return default_planner()


def shown(obj: object) -> tuple[str, str]:
    """What a notebook shows for ``obj``: its text and HTML forms."""
    data, _ = DisplayFormatter().format(obj)
    return data["text/plain"], data["text/html"]


def page_of(fragment: str) -> str:
    """The map page inside the display's ``<iframe srcdoc>``."""
    found = re.search(r'srcdoc="([^"]*)"', fragment)
    assert found, "the display carries its map in an iframe"
    return html.unescape(found.group(1))


def _offline(page: str) -> None:
    assert "leaflet" in page.lower()
    assert not re.search(r"<script[^>]+src=[\"']https?://", page), "no script from a CDN"


def test_the_core_finds_the_maps_renderer_through_its_entry_point() -> None:
    assert map_renderer() is notebook_map


def test_a_plan_shows_a_summary_and_its_map(planner: Planner) -> None:
    req = planner.request(
        nation="IND",
        platform="talwar",
        origin="in-mumbai-naval-dockyard",
        destination="ru-vladivostok-naval-base",
        departure="2026-08-01",
    )
    plan = planner.plan(req)
    text, fragment = shown(plan)
    assert "\n" not in text and text.startswith("<Plan IND Talwar")
    assert f"{plan.distance_nm:,.0f} nm" in text and "1 stop>" in text
    summary = fragment.split("<iframe", 1)[0]
    assert "5,517 nm" in summary or f"{plan.distance_nm:,.0f} nm" in summary
    assert html.escape(plan.stops[0].place.name) in summary
    page = page_of(fragment)
    _offline(page)
    assert plan.stops[0].place.name in page, "the stop is on the map"


def test_an_infeasible_plan_shows_why(planner: Planner) -> None:
    req = planner.request(
        nation="IND",
        platform="talwar",
        origin="in-visakhapatnam-naval-dockyard",
        destination="ru-severomorsk-naval-base",
        departure="2026-02-01",
        closed=["suez"],
    )
    plan = planner.plan(req, suggest=False)
    text, fragment = shown(plan)
    assert text.endswith("infeasible>") and "\n" not in text
    assert plan.reason is not None and html.escape(plan.reason) in fragment


def test_a_route_across_the_antimeridian_and_a_comparison_show_themselves(
    planner: Planner,
) -> None:
    assert planner.sea is not None
    route = planner.sea.route("ru-anadyr-port", "ru-provideniya-port")
    text, fragment = shown(route)
    assert text == f"<Route ru-anadyr-port -> ru-provideniya-port: {route.distance_nm:,.0f} nm" + (
        f" via {', '.join(route.passages)}>" if route.passages else ">"
    )
    _offline(page_of(fragment))
    req = planner.request(
        nation="IND",
        platform="talwar",
        origin="in-visakhapatnam-naval-dockyard",
        destination="ru-vladivostok-naval-base",
        departure="2026-08-01",
    )
    table = compare(planner, req, [Scenario(name="Malacca shut", closed=frozenset({"malacca"}))])
    text, fragment = shown(table)
    assert text == "<Comparison of 2 plans: baseline, Malacca shut>"
    summary: Any = fragment.split("<iframe", 1)[0]
    assert "baseline" in summary and "Malacca shut" in summary
    page = page_of(fragment)
    assert "Malacca shut" in page, "each scenario is a layer of the map"
    assert table[0].scenario.name == "baseline" and len(table) == 2, "still a list"
