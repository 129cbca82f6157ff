"""The maps as a user sees them: opened in headless Chromium with the internet blocked.

Each test opens a map (from the running app, or as a standalone file as if from a USB
stick), checks that it loaded with no console error and no request outside localhost,
counts what Leaflet has on the map, and saves a screenshot in ``test-artifacts/maps/``.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from maps import cli_render_catalogue, render_layers, render_plan, render_route, save_html
from routing.catalogue.model import Catalogue
from tests.maps import fixtures as fx
from tests.maps.support import (
    COUNT_LAYERS,
    LINE_EXTENTS,
    MARKER_XS,
    OPEN_FACILITY_POPUP,
    Browser,
    Visit,
    external,
    html_slots,
    layer_names,
    legend_is_unambiguous,
    shot,
    shown_text,
)

RELOS_DAY = "2026-06-01"


def _clean(visit: Visit) -> None:
    assert visit.errors == [], visit.errors
    assert external(visit) == [], external(visit)


def _panel(page: Any) -> str:
    text: str = page.inner_text(".relos-panel")
    return text


def _standalone(tmp_path: Path, name: str, m: Any) -> str:
    path = tmp_path / f"{name}.html"
    save_html(m, path)
    return path.as_uri()


# ---------------------------------------------------------------- catalogue


def test_catalogue_map_from_the_app(
    browser: Browser, server_url: str, maps_client: TestClient, catalogue: Catalogue
) -> None:
    query = f"usable_by=IND&date={RELOS_DAY}"
    expected = maps_client.get(f"/facilities?{query}").json()
    rus = sum(1 for f in expected["features"] if f["properties"]["country"] == "RUS")
    total = expected["numberMatched"]
    assert total > 50 and rus > 10

    with browser.open(f"{server_url}/maps/catalogue?{query}", name="catalogue") as (page, visit):
        _clean(visit)
        assert any("/static/leaflet/leaflet.js" in u for u in visit.requests)
        assert page.evaluate(COUNT_LAYERS)["clustered"] == total
        names = layer_names(page)
        assert "Land and sea (offline)" in names
        assert f"Facilities ({total})" in names
        assert f"Country: Russian Federation (RUS) ({rus})" in names
        assert any(n.startswith("Kind: naval base (") for n in names)
        assert any(n.startswith("Agreement: relos (") for n in names)
        assert any(n.startswith("Agreement: own facility (") for n in names)
        assert f"{total} of {total}" in _panel(page)
        shot(page, "catalogue-overview")

        assert page.evaluate(OPEN_FACILITY_POPUP, "ru-vladivostok-naval-base")
        popup = page.inner_text(".leaflet-popup-content")
        assert "Vladivostok Naval Base" in popup
        assert "Open to IND under relos" in popup
        assert "Sources:" in popup
        assert page.eval_on_selector(".leaflet-popup-content a", "a => a.href").startswith("http")
        page.keyboard.press("Escape")

        # Untick Russia in the layer control: its facilities leave the map.
        page.hover(".leaflet-control-layers")
        page.locator("label", has_text="Country: Russian Federation").locator("input").click()
        assert page.evaluate(COUNT_LAYERS)["clustered"] == total - rus
        assert f"{total - rus} of {total}" in _panel(page)
        _clean(visit)


def test_catalogue_standalone_file_opens_with_no_server(
    browser: Browser, tmp_path: Path, catalogue: Catalogue
) -> None:
    path = tmp_path / "catalogue.html"
    cli_render_catalogue(catalogue, output=path)
    with browser.open(path.as_uri(), name="catalogue-standalone") as (page, visit):
        _clean(visit)
        assert all(u.startswith(("file:", "data:")) for u in visit.requests), visit.requests
        assert page.evaluate(COUNT_LAYERS)["clustered"] == len(catalogue)
        names = layer_names(page)
        assert any(n.startswith("Agreement: relos (") for n in names)


def test_online_tiles_only_when_asked(browser: Browser, server_url: str) -> None:
    with browser.open(f"{server_url}/maps/catalogue?country=OMN", name="tiles-offline") as (
        page,
        visit,
    ):
        _clean(visit)
        assert page.evaluate(COUNT_LAYERS)["tiles"] == 0
    with browser.open(f"{server_url}/maps/catalogue?country=OMN&tiles=osm", name="tiles-osm") as (
        page,
        visit,
    ):
        assert page.evaluate(COUNT_LAYERS)["tiles"] == 1
        assert any("openstreetmap" in u for u in external(visit))
        assert "OpenStreetMap (online)" in layer_names(page)


# ---------------------------------------------------------------- routes


def test_route_map_from_the_app(browser: Browser, server_url: str, maps_client: TestClient) -> None:
    query = (
        "origin=in-mumbai-naval-dockyard&destination=ru-vladivostok-naval-base"
        "&closed=suez&alternatives=2"
    )
    route = maps_client.get(f"/routes?{query}").json()
    alternatives = len(route["properties"]["alternatives"])
    with browser.open(f"{server_url}/maps/route?{query}", name="route") as (page, visit):
        _clean(visit)
        counts = page.evaluate(COUNT_LAYERS)
        assert counts["lines"].get("relos-track") == 1
        assert counts["lines"].get("relos-alt", 0) == alternatives
        assert counts["lines"].get("relos-gate", 0) >= 1  # the straits it goes through
        closed = route["properties"]["closed"]  # suez, and seasonal closures
        assert "suez" in closed
        # a closed strait as red dots across it, a closed region (the NSR) as its area
        shut = counts["lines"].get("relos-gate-closed", 0)
        assert shut + counts["lines"].get("relos-region-closed", 0) >= len(closed)
        assert shut >= 1
        assert counts["markers"] == {"relos-end": 2, "relos-gate-label": len(closed)}
        assert {"Route", "Passages"} <= set(layer_names(page))
        panel = _panel(page)
        assert "Suez Canal" in panel
        assert f"{route['properties']['distance_nm']:,.0f} nm" in panel
        legend_is_unambiguous(page)


def test_air_route_map_from_the_app(
    browser: Browser, server_url: str, maps_client: TestClient
) -> None:
    query = (
        "origin=in-hindon-afs&destination=ru-levashovo-air-base&date=2026-12-01"
        "&allow_clearance=true&denied_countries=CHN"
    )
    route = maps_client.get(f"/air-routes?{query}").json()
    assert route["properties"]["feasible"]
    with browser.open(f"{server_url}/maps/air-route?{query}", name="air-route") as (page, visit):
        _clean(visit)
        counts = page.evaluate(COUNT_LAYERS)
        assert counts["lines"].get("relos-track") == 1
        # Pakistan and Ukraine (standing closures) and China (refusing) at least
        assert counts["lines"].get("relos-airspace", 0) >= 3
        assert {"Flight", "Closed airspace"} <= set(layer_names(page))
        panel = _panel(page)
        assert "overflies" in panel and "IRN" in panel
        legend_is_unambiguous(page)
        assert f"{route['properties']['distance_nm']:,.0f} nm" in panel


#: JavaScript: the reach layers a user sees, counted by their RELOS class.
COUNT_REACH = """
() => {
  const name = Object.keys(window).find(
    (k) => /^map_[0-9a-f]+$/.test(k) && window[k] instanceof L.Map);
  const map = window[name];
  const out = {areas: 0, reached: 0, refused: 0, west: 180, east: -180, middles: []};
  map.eachLayer((layer) => {
    const cls = (layer.options && layer.options.className) || "";
    if (layer instanceof L.Polygon && cls === "relos-reach") {
      out.areas += 1;
      const b = layer.getBounds();
      out.west = Math.min(out.west, b.getWest());
      out.east = Math.max(out.east, b.getEast());
      for (const ring of layer.getLatLngs()) {
        const lngs = ring.flat(2).map((p) => p.lng);
        out.middles.push((Math.min(...lngs) + Math.max(...lngs)) / 2);
      }
    } else if (layer instanceof L.CircleMarker && cls === "relos-reached") {
      out.reached += 1;
    } else if (layer instanceof L.CircleMarker && cls === "relos-refused") {
      out.refused += 1;
    }
  });
  return out;
}
"""


def test_reach_map_from_the_app(browser: Browser, server_url: str, maps_client: TestClient) -> None:
    body = {
        "nation": "RUS",
        "platform": "udaloy",
        "origins": ["ru-vladivostok-naval-base"],
        "departure": "2027-07-01T00:00:00Z",
        "max_stops": 1,
    }
    answer = maps_client.post("/reach", json=body).json()
    assert answer["facilities"]
    with browser.open(f"{server_url}/maps/reach", name="reach", post_json=json.dumps(body)) as (
        page,
        visit,
    ):
        _clean(visit)
        counts = page.evaluate(COUNT_REACH)
        assert counts["areas"] >= len(answer["frontier"]["features"])
        assert counts["reached"] == len(answer["facilities"])
        assert counts["refused"] == 0  # that layer starts hidden
        # One frame about Vladivostok: the Pacific east of 180 is drawn beside it, not a
        # world away (the frontier is cut at the antimeridian).
        assert counts["west"] < 131.9 < counts["east"]
        assert counts["middles"] and all(abs(m - 131.9) <= 180 for m in counts["middles"])
        names = set(layer_names(page))
        assert {"Facilities within reach", "Origins", "Within reach, no call"} <= names
        assert any(n.startswith("Reach: no stop") for n in names)
        panel = _panel(page)
        assert "sea area" in panel and f"{answer['area_km2'] / 1e6:,.1f} M km²" in panel
        assert "Northwest Passage" in panel and "nwp" not in panel  # closed, by name
        legend_is_unambiguous(page)
        assert page.locator(".relos-save").is_visible()  # a POSTed map is saved too


def test_route_across_the_antimeridian_is_one_short_line(browser: Browser, tmp_path: Path) -> None:
    route = fx.pacific_route()
    assert max(c[0] for c in route["geometry"]["coordinates"]) > 180
    url = _standalone(tmp_path, "pacific", render_route(route, passages=fx.PASSAGES))
    with browser.open(url, name="route-antimeridian") as (page, visit):
        _clean(visit)
        extents = page.evaluate(LINE_EXTENTS, "relos-track")
        (line,) = extents["lines"]
        width = line["x1"] - line["x0"]
        # About 70 degrees of longitude: a fifth of the world, not a stripe across it.
        assert width < 0.3 * extents["worldWidth"]
        assert width <= extents["mapWidth"]
        # Origin and destination (Pearl Harbor, given at -157.9) sit on the line's ends.
        ends = sorted(page.evaluate(MARKER_XS, "relos-end"))
        assert ends[0] == pytest.approx(line["first"], abs=2)
        assert ends[1] == pytest.approx(line["last"], abs=2)
        # The Tsugaru gate is drawn on the track.
        (gate,) = page.evaluate(LINE_EXTENTS, "relos-gate")["lines"]
        assert line["x0"] <= gate["x0"] <= line["x1"]


def test_route_from_the_app_across_the_antimeridian(browser: Browser, server_url: str) -> None:
    query = "origin=ru-petropavlovsk-kamchatsky-port&destination=us-pearl-harbor-naval-station"
    with browser.open(f"{server_url}/maps/route?{query}", name="route-pacific-app") as (
        page,
        visit,
    ):
        _clean(visit)
        extents = page.evaluate(LINE_EXTENTS, "relos-track")
        (line,) = extents["lines"]
        assert line["x1"] - line["x0"] < 0.3 * extents["worldWidth"]
        ends = sorted(page.evaluate(MARKER_XS, "relos-end"))
        assert ends[0] == pytest.approx(line["x0"], abs=3)
        assert ends[1] == pytest.approx(line["x1"], abs=3)


# ---------------------------------------------------------------- plans


def test_plan_map_shows_legs_stops_rings_and_summary(browser: Browser, tmp_path: Path) -> None:
    plan = fx.mumbai_vladivostok_plan()
    url = _standalone(tmp_path, "plan", render_plan(plan, passages=fx.PASSAGES))
    with browser.open(url, name="plan") as (page, visit):
        _clean(visit)
        counts = page.evaluate(COUNT_LAYERS)
        assert counts["lines"] == {"relos-leg": 5, "relos-ring": 5}  # from origin and 4 stops
        assert counts["markers"] == {"relos-stop": 4, "relos-end": 2}
        numbers = page.eval_on_selector_all(".relos-num", "els => els.map(e => e.textContent)")
        assert numbers == ["1", "2", "3", "4"]
        panel = _panel(page)
        assert "5,834 nm" in panel and "21.4" in panel
        assert "2026-08-22 08:42Z" in panel  # ETA
        assert "Strait of Malacca" in panel
        legend = page.inner_text(".relos-legend")
        assert "numbered resupply stop" in legend and "usable range (3,638 nm)" in legend
        assert {"Plan", "Usable range rings"} <= set(layer_names(page))
        page.hover(".relos-stop >> nth=1")
        tip = page.inner_text(".leaflet-tooltip")
        assert "Changi" in tip and "fuel on arrival 80 %" in tip


def test_plan_map_says_what_is_uncertain(browser: Browser, tmp_path: Path) -> None:
    """The caveats of an assumed-date RELOS destination show in the summary panel and in
    the destination's popup; the waypoint is drawn, with its call in its popup."""
    plan = fx.waypoint_plan()
    dest = plan["destination"]
    caveat = dest["caveats"][0]
    assert dest["confidence"] == "assumed_date" and "Russia's" in caveat
    url = _standalone(tmp_path, "plan-caveats", render_plan(plan, passages=fx.PASSAGES))
    with browser.open(url, name="plan-caveats") as (page, visit):
        _clean(visit)
        counts = page.evaluate(COUNT_LAYERS)
        assert counts["markers"] == {"relos-stop": 3, "relos-end": 2, "relos-waypoint": 1}
        panel = _panel(page)
        assert "relos (14 days' notice, request by 2026-08-07 08:42Z) assumed date" in panel
        assert caveat in panel
        assert "waypoint" in page.inner_text(".relos-legend")
        page.click(".relos-destination")
        popup = page.inner_text(".leaflet-popup-content")
        assert caveat in popup and "request by" in popup
        page.keyboard.press("Escape")
        page.hover(".relos-waypoint")
        # the way there may open a range ring's tooltip too: look among all open tooltips
        name = plan["waypoints"][0]["name"]
        # (read in the page in one step: a tooltip may close again between two calls)
        page.wait_for_function(
            """(name) => [...document.querySelectorAll(".leaflet-tooltip")]
                .some((t) => t.innerText.includes(name))""",
            arg=name,
            timeout=5000,
        )


def test_plan_map_from_the_app(browser: Browser, server_url: str, maps_client: TestClient) -> None:
    body = {
        "nation": "IND",
        "platform": "talwar",
        "origin": "in-mumbai-naval-dockyard",
        "destination": "ru-vladivostok-naval-base",
        "departure": "2026-08-01T00:00:00Z",
        "closed": ["suez"],
    }
    plan = maps_client.post("/plans", json=body).json()
    assert plan["feasible"], plan
    with browser.open(f"{server_url}/maps/plan", name="plan-app", post_json=json.dumps(body)) as (
        page,
        visit,
    ):
        _clean(visit)
        counts = page.evaluate(COUNT_LAYERS)
        assert counts["lines"].get("relos-leg") == len(plan["legs"])
        assert counts["lines"].get("relos-ring") == len(plan["stops"]) + 1
        assert counts["markers"].get("relos-stop", 0) == len(plan["stops"])
        assert "ETA" in _panel(page)
        stop = plan["stops"][0]
        page.click(".relos-stop >> nth=0")
        popup = page.inner_text(".leaflet-popup-content")
        assert stop["facility_id"] in popup
        assert (stop["agreement"] or "own facility") in popup


def test_plan_from_the_app_across_the_pacific(
    browser: Browser, server_url: str, maps_client: TestClient
) -> None:
    body = {
        "nation": "IND",
        "platform": "talwar",
        "origin": "in-mumbai-naval-dockyard",
        "destination": "us-san-diego-naval-base",
        "departure": "2026-08-01T00:00:00Z",
    }
    plan = maps_client.post("/plans", json=body).json()
    assert plan["feasible"] and len(plan["legs"]) >= 3, plan.get("reason")
    with browser.open(
        f"{server_url}/maps/plan", name="plan-pacific-app", post_json=json.dumps(body)
    ) as (page, visit):
        _clean(visit)
        extents = page.evaluate(LINE_EXTENTS, "relos-leg")
        legs = extents["lines"]
        assert len(legs) == len(plan["legs"])
        # Each leg starts where the last one ended: no jump of a world's width.
        for before, after in itertools.pairwise(legs):
            assert after["first"] == pytest.approx(before["last"], abs=2)
        west = min(leg["x0"] for leg in legs)
        east = max(leg["x1"] for leg in legs)
        assert east - west < 0.75 * extents["worldWidth"]
        assert east - west <= extents["mapWidth"]
        ends = sorted(page.evaluate(MARKER_XS, "relos-end"))
        assert ends[0] == pytest.approx(west, abs=3)
        assert ends[1] == pytest.approx(east, abs=3)
        stops = page.evaluate(MARKER_XS, "relos-stop")
        assert len(stops) == len(plan["stops"])
        assert all(west - 2 <= x <= east + 2 for x in stops)


def test_infeasible_plan_shows_the_reason(browser: Browser, tmp_path: Path) -> None:
    plan = fx.infeasible_plan()
    url = _standalone(tmp_path, "infeasible", render_plan(plan))
    with browser.open(url, name="plan-infeasible") as (page, visit):
        _clean(visit)
        counts = page.evaluate(COUNT_LAYERS)
        assert counts["lines"] == {}
        assert counts["markers"] == {"relos-end": 2}
        panel = _panel(page)
        assert "infeasible" in panel
        assert plan["reason"] in panel.replace("\n", " ")
        assert "lemoa" in panel


def test_alternatives_side_by_side_as_layers(browser: Browser, tmp_path: Path) -> None:
    plan = fx.mumbai_vladivostok_plan()
    alternative = fx.mumbai_vladivostok_route()["properties"]["alternatives"][0]
    items = [("Via Malacca (plan)", plan), ("Via Sunda", alternative)]
    url = _standalone(tmp_path, "layers", render_layers(items))
    with browser.open(url, name="layers") as (page, visit):
        _clean(visit)
        counts = page.evaluate(COUNT_LAYERS)
        assert counts["lines"] == {"relos-leg": 5, "relos-track": 1}
        assert {"Via Malacca (plan)", "Via Sunda"} <= set(layer_names(page))
        rows = page.eval_on_selector_all(
            ".relos-panel tr", "els => els.map(e => e.textContent.replace(/\\\\s+/g, ' '))"
        )
        assert any("Via Malacca (plan)" in r and "5,834 nm" in r for r in rows)
        assert any("Via Sunda" in r for r in rows)
        colours = page.eval_on_selector_all(
            ".relos-panel .relos-swatch", "els => els.map(e => getComputedStyle(e).color)"
        )
        assert len(set(colours)) == 2
        page.hover(".leaflet-control-layers")
        page.locator("label", has_text="Via Sunda").locator("input").click()
        assert page.evaluate(COUNT_LAYERS)["lines"] == {"relos-leg": 5}


def test_compare_map_from_the_app(
    browser: Browser, server_url: str, maps_client: TestClient, tmp_path: Path
) -> None:
    body = {
        "plan": {
            "nation": "IND",
            "platform": "talwar",
            "origin": "in-visakhapatnam-naval-dockyard",
            "destination": "ru-severomorsk-naval-base",
            "departure": "2026-08-01T00:00:00Z",
        },
        "scenarios": [{"name": "Red Sea shut", "closed": ["suez", "bab-el-mandeb"]}],
    }
    answer = maps_client.post("/compare", json=body).json()
    legs = sum(len(r["plan"]["legs"]) for r in answer["results"])
    with browser.open(
        f"{server_url}/maps/compare", name="compare-app", post_json=json.dumps(body)
    ) as (page, visit):
        _clean(visit)
        assert {"baseline", "Red Sea shut"} <= set(layer_names(page))
        counts = page.evaluate(COUNT_LAYERS)
        assert counts["lines"].get("relos-leg") == legs
        panel = _panel(page)
        assert "baseline" in panel and "Red Sea shut" in panel
        legend_is_unambiguous(page)
        # the legs' tooltips name the passages they go through
        tips = " ".join(shown_text(t) for t in html_slots(page.content())["popup or tooltip"])
        assert "Suez Canal" in tips and "via suez" not in tips
        # Save posts the comparison again for its standalone file
        with page.expect_download() as asked:
            page.click(".relos-save")
        download = asked.value
        assert download.suggested_filename == "relos-compare.html"
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        saved = path.read_text(encoding="utf-8")
        assert '<script src="' not in saved and "Red Sea shut" in saved


# ---------------------------------------------------------------- the API docs


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/docs", "() => document.querySelectorAll('.opblock').length >= 20"),
        ("/redoc", "() => document.querySelectorAll('[data-section-id]').length >= 20"),
    ],
)
def test_the_api_docs_work_with_no_internet(
    browser: Browser, server_url: str, path: str, ready: str
) -> None:
    """Swagger UI and ReDoc load their scripts from the service, render every operation,
    and ask nothing of the internet (no CDN, no validator badge, no web fonts)."""
    name = f"docs{path.replace('/', '-')}"
    with browser.open(f"{server_url}{path}", name=name, ready=ready) as (page, visit):
        _clean(visit)
        text = page.inner_text("body")
        for operation in ("/plans", "/routes", "/scenarios/{scenario_id}", "/maps/plan"):
            assert operation in text, operation


def test_a_map_page_runs_no_script_it_was_not_served_with(
    browser: Browser, server_url: str, maps_client: TestClient
) -> None:
    """The Content-Security-Policy lists the page's own inline scripts by hash: a script
    or an event handler that gets into the page later (say, through a name shown with
    innerHTML) does not run."""
    url = f"{server_url}/maps/catalogue?usable_by=IND&date={RELOS_DAY}"
    headers = maps_client.get(url.removeprefix(server_url)).headers
    csp = headers["content-security-policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'sha256-" in script_src
    assert "frame-ancestors 'none'" in csp and headers["x-content-type-options"] == "nosniff"
    with browser.open(url, name="csp-catalogue") as (page, visit):
        _clean(visit)  # the page's own scripts all ran
        injected = page.evaluate(
            """() => new Promise((done) => {
                const s = document.createElement("script");
                s.textContent = "window.pwned = (window.pwned || 0) + 1";
                document.body.appendChild(s);
                const box = document.createElement("div");
                box.innerHTML =
                    '<img src="data:," onerror="window.pwned = (window.pwned || 0) + 1">';
                document.body.appendChild(box);
                setTimeout(() => done(window.pwned || 0), 300);
            })"""
        )
        assert injected == 0
        assert any("Content Security Policy" in e for e in visit.errors)
