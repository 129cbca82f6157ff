"""What a user of the maps notices (issue 16): tooltips that can be reached, boxes that do
not cover popups, views fitted to the route (Arctic routes included), a legend where no two
meanings look alike, names rather than ids, and a way to print or keep the map (Save, on
every map a service answered, GET or POST).

Each test opens a map in headless Chromium (internet blocked) and checks it the way a
user would meet it: what is under the pointer, what is visible, what the view shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth import Authenticator
from app.settings import Settings
from maps import render_layers, render_plan, render_route, save_html, to_html
from tests.maps import fixtures as fx
from tests.maps.support import (
    FIND_MAP,
    Browser,
    Visit,
    external,
    html_slots,
    legend_is_unambiguous,
    shot,
    shown_text,
)

#: A Northern Sea Route deployment: Severomorsk to Vladivostok in the summer season.
NSR_PLAN = {
    "nation": "RUS",
    "platform": "steregushchiy",
    "origin": "ru-severomorsk-naval-base",
    "destination": "ru-vladivostok-naval-base",
    "departure": "2026-08-01T00:00:00Z",
}

#: JavaScript: each line of a class at its middle vertex, and what a pointer there is on.
LINE_MIDDLES = f"""
(cls) => {{
  const map = ({FIND_MAP})();
  const box = map.getContainer().getBoundingClientRect();
  const out = [];
  map.eachLayer((layer) => {{
    if (!(layer instanceof L.Polyline) || layer.options.className !== cls) return;
    const pts = layer.getLatLngs().flat(3);
    const p = map.latLngToContainerPoint(pts[Math.floor(pts.length / 2)]);
    const inside = p.x > 2 && p.y > 2 && p.x < box.width - 2 && p.y < box.height - 2;
    const x = box.left + p.x, y = box.top + p.y;
    const stack = inside ? document.elementsFromPoint(x, y) : [];
    const top = stack[0];
    out.push({{
      x, y, inside,
      ours: !!top && top === layer.getElement(),
      covered: !!top && !!top.closest(".leaflet-control, .leaflet-marker-icon"),
      ring: stack.some((e) => (e.getAttribute("class") || "").includes("relos-ring")),
    }});
  }});
  return out;
}}
"""

#: JavaScript: put each marker with a popup under the summary panel, open its popup, and
#: say whether all of the popup can be seen (its corners and middle are the popup's).
POPUPS_UNDER_THE_PANEL = f"""
() => {{
  const map = ({FIND_MAP})();
  const box = map.getContainer().getBoundingClientRect();
  const panelBox = () => document.querySelector(".relos-panel").getBoundingClientRect();
  const markers = [];
  map.eachLayer((l) => {{ if (l instanceof L.Marker && l.getPopup()) markers.push(l); }});
  return markers.map((marker) => {{
    map.closePopup();
    document.querySelectorAll(".leaflet-popup").forEach((e) => e.remove());  // fading out
    const panel = panelBox();
    const at = map.latLngToContainerPoint(marker.getLatLng());
    const under = L.point(panel.left - box.left + panel.width / 2,
                          panel.top - box.top + panel.height / 2);
    map.panBy(at.subtract(under), {{animate: false}});
    marker.openPopup();
    const own = marker.getPopup().getElement();
    const r = own.querySelector(".leaflet-popup-content-wrapper").getBoundingClientRect();
    const points = [[r.left + 4, r.top + 4], [r.right - 4, r.top + 4], [r.left + 4, r.bottom - 4],
                    [r.right - 4, r.bottom - 4], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]];
    return points.every(([x, y]) => {{
      const e = document.elementFromPoint(x, y);
      return !!e && e.closest(".leaflet-popup") === own;
    }});
  }});
}}
"""

#: JavaScript: the view's bounds, and the extent of the lines of a class.
VIEW_AND_EXTENT = f"""
(cls) => {{
  const map = ({FIND_MAP})();
  const b = map.getBounds();
  const pts = [];
  map.eachLayer((l) => {{
    if (l instanceof L.Polyline && l.options.className === cls) pts.push(...l.getLatLngs().flat(3));
  }});
  const lngs = pts.map((p) => p.lng), lats = pts.map((p) => p.lat);
  return {{
    view: {{west: b.getWest(), east: b.getEast(), south: b.getSouth(), north: b.getNorth()}},
    line: {{west: Math.min(...lngs), east: Math.max(...lngs),
            south: Math.min(...lats), north: Math.max(...lats)}},
  }};
}}
"""


def _clean(visit: Visit) -> None:
    assert visit.errors == [], visit.errors
    assert external(visit) == [], external(visit)


def _standalone(tmp_path: Path, name: str, m: Any) -> str:
    path = tmp_path / f"{name}.html"
    save_html(m, path)
    return path.as_uri()


# ---------------------------------------------------------------- layers


def test_a_legs_tooltip_can_be_reached_where_a_range_ring_lies_over_it(
    browser: Browser, tmp_path: Path
) -> None:
    url = _standalone(tmp_path, "plan-rings", render_plan(fx.mumbai_vladivostok_plan()))
    with browser.open(url, name="leg-over-ring") as (page, visit):
        _clean(visit)
        middles = [m for m in page.evaluate(LINE_MIDDLES, "relos-leg") if m["inside"]]
        in_sight = [m for m in middles if not m["covered"]]
        assert len(in_sight) >= 3
        # At each leg's middle the pointer is on the leg, not on a ring drawn over it ...
        assert all(m["ours"] for m in in_sight), in_sight
        under_rings = [m for m in in_sight if m["ring"]]
        assert under_rings  # ... and there are rings there
        # Hovering shows the leg's figures (nm, days, fuel).
        page.mouse.move(under_rings[0]["x"], under_rings[0]["y"])
        page.wait_for_selector(".leaflet-tooltip:has-text('leg')")
        tip = page.inner_text(".leaflet-tooltip:has-text('leg')")
        assert " nm" in tip and "days" in tip and "fuel on arrival" in tip


# ---------------------------------------------------------------- boxes


def test_the_summary_folds_and_never_covers_a_popup(browser: Browser, tmp_path: Path) -> None:
    url = _standalone(tmp_path, "plan-popups", render_plan(fx.waypoint_plan()))
    with browser.open(url, name="panel-and-popups") as (page, visit):
        _clean(visit)
        body = page.locator(".relos-panel .relos-box-body")
        assert body.is_visible()
        page.click(".relos-panel .relos-fold")
        assert not body.is_visible()
        assert page.eval_on_selector(".relos-panel", "e => e.offsetHeight") < 50
        assert page.inner_text(".relos-panel .relos-box-label") == "Summary"
        assert page.get_attribute(".relos-panel .relos-fold", "aria-expanded") == "false"
        page.click(".relos-panel .relos-fold")
        assert body.is_visible()
        # Every marker's popup, opened where the panel is, comes out whole and in sight.
        seen = page.evaluate(POPUPS_UNDER_THE_PANEL)
        assert len(seen) == 6 and all(seen), seen  # 3 stops, a waypoint and 2 ends
        page.keyboard.press("Escape")


# ---------------------------------------------------------------- views


def test_an_arctic_plan_is_fitted_to_its_route(
    browser: Browser, server_url: str, maps_client: TestClient
) -> None:
    plan = maps_client.post("/plans", json=NSR_PLAN).json()
    assert plan["feasible"] and "nsr" in plan["passages"], plan.get("reason")
    with browser.open(
        f"{server_url}/maps/plan",
        name="plan-nsr-small-window",
        post_json=json.dumps(NSR_PLAN),
        viewport=(900, 640),
    ) as (page, visit):
        _clean(visit)
        got = page.evaluate(VIEW_AND_EXTENT, "relos-leg")
        view, line = got["view"], got["line"]
        # The whole route is in view ...
        assert view["west"] <= line["west"] and line["east"] <= view["east"]
        assert view["south"] <= line["south"] and line["north"] <= view["north"]
        # ... and the view is the route's, not a world and a half around it.
        across = view["east"] - view["west"]
        assert across < 360
        assert line["east"] - line["west"] >= 0.6 * across
        # In a window this narrow the summary starts folded, out of the route's way.
        assert "relos-folded" in page.eval_on_selector(".relos-panel", "e => e.className")


def test_an_arctic_route_shows_the_nsr_as_its_area_and_fits_the_track(
    browser: Browser, server_url: str
) -> None:
    query = "origin=ru-severomorsk-naval-base&destination=ru-vladivostok-naval-base&date=2026-08-15"
    with browser.open(f"{server_url}/maps/route?{query}", name="route-nsr") as (page, visit):
        _clean(visit)
        got = page.evaluate(VIEW_AND_EXTENT, "relos-track")
        view, line = got["view"], got["line"]
        assert view["west"] <= line["west"] and line["east"] <= view["east"]
        # the track takes a good part of the view (the summary panel takes the rest)
        assert view["east"] - view["west"] < 360
        assert line["east"] - line["west"] >= 0.4 * (view["east"] - view["west"])
        # The NSR is drawn as the area it is (a shaded region), under the track.
        regions = page.locator("path.relos-region")
        assert regions.count() >= 1
        legend = legend_is_unambiguous(page)
        assert any("region" in k["label"] for k in legend)
        middles = [m for m in page.evaluate(LINE_MIDDLES, "relos-track") if not m["covered"]]
        assert middles and all(m["ours"] for m in middles)


# ---------------------------------------------------------------- legend and names


def test_alternatives_and_closed_passages_do_not_look_alike(
    browser: Browser, tmp_path: Path
) -> None:
    route = fx.mumbai_vladivostok_route()
    route["properties"]["closed"] = ["suez", "tsugaru"]  # an area and a strait
    url = _standalone(tmp_path, "route-legend", render_route(route, passages=fx.PASSAGES))
    with browser.open(url, name="route-legend") as (page, visit):
        _clean(visit)
        keys = legend_is_unambiguous(page)
        labels = [k["label"] for k in keys]
        assert "passage closed" in labels and "alternative 1" in labels
        strokes = page.evaluate(
            """() => Object.fromEntries(["relos-alt", "relos-gate-closed"].map((cls) => [cls,
                [...document.querySelectorAll("path." + cls)].map((p) =>
                    p.getAttribute("stroke") + " " + p.getAttribute("stroke-dasharray"))]))"""
        )
        assert strokes["relos-alt"] and strokes["relos-gate-closed"]
        assert not set(strokes["relos-alt"]) & set(strokes["relos-gate-closed"])
        assert all(s.startswith("#c0392b") for s in strokes["relos-gate-closed"])
        assert not any(s.startswith("#c0392b") for s in strokes["relos-alt"])


def test_plan_legend_and_tooltips_give_names(browser: Browser, tmp_path: Path) -> None:
    """No passage is shown by its id: not in the legs' tooltips of a comparison drawn
    without the passages list, nor in the panel of a plan."""
    plan = fx.mumbai_vladivostok_plan()
    page_html = to_html(render_layers([("baseline", plan)]), standalone=False)
    tips = [shown_text(t) for t in html_slots(page_html)["popup or tooltip"]]
    legs = [t for t in tips if ": leg " in t]
    assert legs and any("via Strait of Malacca, Singapore Strait" in t for t in legs), legs
    assert not any("malacca" in t for t in legs)
    # a compared route names its ends by id only; the map names them
    route = fx.mumbai_vladivostok_route()
    route["properties"].update(origin=plan["origin"]["id"], destination=plan["destination"]["id"])
    page_html = to_html(render_layers([("as routed", route)]), standalone=False)
    tips = [shown_text(t) for t in html_slots(page_html)["popup or tooltip"]]
    assert f"Origin: {plan['origin']['name']}" in tips, tips
    url = _standalone(tmp_path, "plan-names", render_plan(plan))
    with browser.open(url, name="plan-names") as (page, visit):
        _clean(visit)
        legend_is_unambiguous(page)
        panel = page.inner_text(".relos-panel")
        assert "Strait of Malacca" in panel and "malacca" not in panel


def test_a_waypoint_at_a_stop_is_seen_beside_it(
    browser: Browser, server_url: str, maps_client: TestClient
) -> None:
    body = {
        "nation": "IND",
        "platform": "talwar",
        "origin": "in-mumbai-naval-dockyard",
        "destination": "ru-vladivostok-naval-base",
        "departure": "2026-08-01T00:00:00Z",
        "waypoints": ["sg-changi-naval-base"],
    }
    plan = maps_client.post("/plans", json=body).json()
    stops = {s["facility_id"] for s in plan["stops"]}
    assert "sg-changi-naval-base" in stops, plan["stops"]
    with browser.open(
        f"{server_url}/maps/plan", name="plan-waypoint-at-stop", post_json=json.dumps(body)
    ) as (page, visit):
        _clean(visit)
        # Both marks are on top at their own middles: neither hides the other.
        on_top = page.evaluate(
            """() => [".relos-waypoint", ".relos-stop"].map((sel) => {
                const el = document.querySelector(sel);
                const r = el.getBoundingClientRect();
                const top = document.elementFromPoint((r.left + r.right) / 2,
                                                      (r.top + r.bottom) / 2);
                return !!top && !!top.closest(sel);
            })"""
        )
        assert on_top == [True, True]
        page.hover(".relos-waypoint")
        page.wait_for_selector(".leaflet-tooltip:has-text('Waypoint 1')")


# ---------------------------------------------------------------- print and save


def test_print_and_save_a_route_map(
    browser: Browser, server_url: str, maps_client: TestClient, tmp_path: Path
) -> None:
    query = "origin=in-kochi-naval-base&destination=om-duqm-port"
    with browser.open(f"{server_url}/maps/route?{query}", name="route-export") as (page, visit):
        _clean(visit)
        href = page.get_attribute(".relos-save", "href")
        assert href is not None and "download=true" in href
        saved = maps_client.get(href.removeprefix(server_url))
        assert saved.status_code == 200
        assert saved.headers["content-disposition"].startswith("attachment;")
        assert '<script src="' not in saved.text  # one standalone file
        with page.expect_download() as asked:
            page.click(".relos-save")
        download = asked.value
        assert download.suggested_filename == "relos-route-in-kochi-naval-base-om-duqm-port.html"
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        assert "Duqm" in _standalone_text(path)
        page.evaluate("() => { window.printed = 0; window.print = () => window.printed++; }")
        page.click(".relos-print")
        assert page.evaluate("() => window.printed") == 1
        page.click(".relos-panel .relos-fold")
        page.emulate_media(media="print")
        # On paper: the summary and legend unfolded, no buttons or layer switcher.
        assert page.locator(".relos-panel .relos-box-body").is_visible()
        for control in (".leaflet-control-zoom", ".leaflet-control-layers", ".relos-export"):
            assert not page.locator(control).is_visible(), control
        page.emulate_media(media="screen")


#: A plan with stops on the way (Suez closed: round the Cape, or east about).
PLAN_WITH_STOPS = {
    "nation": "IND",
    "platform": "talwar",
    "origin": "in-mumbai-naval-dockyard",
    "destination": "ru-vladivostok-naval-base",
    "departure": "2026-08-01T00:00:00Z",
    "closed": ["suez"],
}


#: An address of the service's assets, as a page would load it (src, href, url(...)).
STATIC_REFERENCE = re.compile(r"""[\"'(=]\s*(?:https?://[^/\s"']+)?/static/""")


def _saved_plans(client: TestClient) -> int:
    count: int = client.get("/plans/saved").json()["count"]
    return count


def _standalone_text(path: Path) -> str:
    """The text of a downloaded map, checked to be one standalone file."""
    text = path.read_text(encoding="utf-8")
    assert not STATIC_REFERENCE.findall(text)  # (the scripts' comments name maps/static/)
    assert '<script src="' not in text and '<link rel="stylesheet" href="' not in text
    assert 'id="relos-request"' not in text  # nothing to post again: it is the file
    return text


def _tooltips_and_popups(page_source: str) -> str:
    return " ".join(shown_text(t) for t in html_slots(page_source)["popup or tooltip"])


def test_a_posted_plan_map_saves_its_standalone_file_and_not_the_plan_again(
    browser: Browser, server_url: str, maps_client: TestClient, tmp_path: Path
) -> None:
    """Save on a map answered to ``POST /maps/plan?save=true`` posts the same body again
    for the file (``download=true``), without ``save``: one plan saved, not two."""
    plan = maps_client.post("/plans", json=PLAN_WITH_STOPS).json()
    assert plan["feasible"] and plan["stops"], plan.get("reason")
    before = _saved_plans(maps_client)
    with browser.open(
        f"{server_url}/maps/plan?save=true&tiles=offline",
        name="plan-save",
        post_json=json.dumps(PLAN_WITH_STOPS),
    ) as (page, visit):
        _clean(visit)
        assert _saved_plans(maps_client) == before + 1  # the page saved it, once
        save = page.locator(".relos-save")
        assert save.is_visible() and save.inner_text() == "Save HTML"
        with page.expect_download() as asked:
            save.click()
        download = asked.value
        assert download.failure() is None
        assert download.suggested_filename == (
            "relos-plan-in-mumbai-naval-dockyard-ru-vladivostok-naval-base.html"
        )
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        _clean(visit)
        assert page.locator(".relos-save-note").count() == 0
        assert page.locator(".relos-save").inner_text() == "Save HTML"  # ready again
        posts = [u for u in visit.requests if "/maps/plan" in u and "download=true" in u]
        assert len(posts) == 1 and "save=" not in posts[0] and "tiles=offline" in posts[0]
    assert _saved_plans(maps_client) == before + 1  # and saving the map saved no plan
    text = _standalone_text(path)
    shown = _tooltips_and_popups(text)
    for stop in plan["stops"]:
        assert stop["name"] in shown, stop["name"]
    # The file opens from disk, whole, and offers no Save of its own.
    with browser.open(path.as_uri(), name="plan-saved-file") as (page, visit):
        _clean(visit)
        assert page.locator(".relos-print").is_visible()
        assert page.locator(".relos-save").count() == 0
        assert page.locator(".relos-stop").count() == len(plan["stops"])


@pytest.fixture
def keys_needed(maps_client: TestClient) -> Iterator[str]:
    """The live server, for one test, as one that reads for no one without a key (not even
    this machine's user); yields a viewer's key."""
    app: Any = maps_client.app
    open_policy = app.state.auth
    closed = Settings(
        database_url="sqlite://",
        listen_host="0.0.0.0",
        open_reads=False,
        local_writes=False,
        rate_limit="",
    )
    key = app.state.store.create_key("save-test-viewer", "viewer")["key"]
    app.state.auth = Authenticator(closed)
    try:
        yield str(key)
    finally:
        app.state.auth = open_policy


def test_saving_a_map_asked_for_with_a_key_says_why_it_cannot(
    browser: Browser, server_url: str, keys_needed: str
) -> None:
    """The page was posted for with an API key, which the browser does not send again:
    Save says so (and how to get the file) instead of doing nothing."""
    with browser.open(
        f"{server_url}/maps/plan",
        name="plan-save-needs-key",
        post_json=json.dumps(PLAN_WITH_STOPS),
        post_headers={"Authorization": f"Bearer {keys_needed}"},
    ) as (page, visit):
        _clean(visit)
        page.click(".relos-save")
        note = page.wait_for_selector(".relos-save-note", timeout=15_000)
        assert note is not None and note.is_visible()
        said = note.inner_text()
        assert said.startswith("Could not save the map") and "API key (HTTP 401)" in said
        assert "download=true" in said
        assert page.locator(".relos-save").inner_text() == "Save HTML"
        shot(page, "plan-save-needs-key-note")
        note.click()  # dismissed
        assert page.locator(".relos-save-note").count() == 0


def test_a_standalone_file_offers_print_but_no_save(browser: Browser, tmp_path: Path) -> None:
    """A file already standalone has nothing to ask a service for: Print, and no Save."""
    url = _standalone(tmp_path, "plan-export", render_plan(fx.mumbai_vladivostok_plan()))
    with browser.open(url, name="plan-export-file") as (page, visit):
        _clean(visit)
        assert page.locator(".relos-print").is_visible()
        assert page.locator(".relos-save").count() == 0
