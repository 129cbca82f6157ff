"""The planning console (``/console``): the page and its files, then a planner's session in
headless Chromium against the real app, every request outside this machine blocked.

The browser session runs on a server that says it listens beyond loopback, so saving a
scenario needs a planner's API key, entered in the page. The console shows passages,
agreements and facilities by name, never by id; applying a saved scenario loads the whole
what-if into the form and plans it. Screenshots land in ``test-artifacts/maps/console-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.console import MEDIA_TYPES, STATIC_DIR
from app.main import create_app
from app.settings import Settings
from tests.conftest import LOCALHOST, LOOPBACK
from tests.maps.support import Browser, external, live_server, shot

SRC = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]*)\"", re.IGNORECASE)
READY = "() => window.relosConsole && window.relosConsole.ready"
FINDING_TIMEOUT_MS = 30_000

#: Ids of passages, closure groups, agreements, facilities and platforms these plans meet:
#: none may show where a planner reads (their names do).
RAW_IDS = (
    "suez",
    "bab-el-mandeb",
    "gibraltar",
    "malacca",
    "singapore",
    "nsr",
    "bering",
    "red-sea",
    "relos",
    "lemoa",
    "india-uk",
    "india-france",
    "india-singapore",
    "india-south-korea",
    "dj-djibouti-port",
    "gb-gibraltar-naval-base",
    "in-visakhapatnam-naval-dockyard",
    "ru-severomorsk-naval-base",
    "talwar",
    "kolkata",
)

#: The text of every leg's tooltip on the map.
LEG_TOOLTIPS = """
() => {
  const out = [];
  relosConsole.map.eachLayer((layer) => {
    const tip = layer instanceof L.Polyline && layer.getTooltip && layer.getTooltip();
    if (tip) out.push(tip.getContent().textContent);
  });
  return out;
}
"""


# -- the page and its files -------------------------------------------------------------------


def test_front_page_leads_to_the_console(client: TestClient) -> None:
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["location"] == "/console"


def test_console_loads_only_its_own_files_and_runs_no_inline_script(client: TestClient) -> None:
    answer = client.get("/console")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self';" in csp  # no inline script hashed in: there is none
    sources = SRC.findall(answer.text)
    assert len(sources) == 7, sources
    for url in sources:
        if url.startswith("data:"):
            continue
        assert url.startswith(("/static/", "/console/static/")), url
        assert client.get(url).status_code == 200, url


def test_console_follows_the_root_path_behind_a_proxy(client: TestClient) -> None:
    proxied = TestClient(client.app, root_path="/relos", client=LOOPBACK, base_url=LOCALHOST)
    page = proxied.get("/console").text
    assert 'data-root="/relos"' in page and "__RELOS_ROOT__" not in page
    assert all(u.startswith(("/relos/", "data:")) for u in SRC.findall(page))
    assert proxied.get("/", follow_redirects=False).headers["location"] == "/relos/console"


@pytest.mark.parametrize(
    "name", sorted(p.name for p in STATIC_DIR.iterdir() if p.suffix != ".html")
)
def test_console_files_are_served_with_their_type(client: TestClient, name: str) -> None:
    answer = client.get(f"/console/static/{name}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == MEDIA_TYPES[Path(name).suffix]


@pytest.mark.parametrize(
    "name", ["index.html", "..%2F__init__.py", "%2E%2E%2Fstatic%2Fconsole.js", "nothing.js"]
)
def test_only_the_console_files_are_served(client: TestClient, name: str) -> None:
    assert client.get(f"/console/static/{name}").status_code == 404


def test_console_modules_never_read_data_as_html() -> None:
    for path in STATIC_DIR.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, path.name
        assert "http://" not in text and "https://" not in text, path.name


# -- a planner's session in the browser -------------------------------------------------------


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The real app as a team server (writes need a key), on loopback; its URL and a
    planner's key."""
    folder = tmp_path_factory.mktemp("console")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'relos.sqlite'}",
        sweeps_dir=folder / "sweeps",
        sweep_workers=1,
        listen_host="0.0.0.0",
    )
    with TestClient(create_app(settings), client=LOOPBACK, base_url=LOCALHOST) as c:
        key = c.app.state.store.create_key("console-tester", "planner")["key"]  # type: ignore[attr-defined]
        with live_server(c.app) as url:  # type: ignore[arg-type]
            yield url, key


def status(page: Any) -> str:
    text: str = page.inner_text("#status")
    return text


def raw_ids(text: str) -> list[str]:
    """The ids in ``RAW_IDS`` that stand alone in ``text``."""
    return [i for i in RAW_IDS if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]


def wait_for_plan(page: Any, count: int) -> None:
    """Wait until the console has shown ``count`` plans."""
    page.wait_for_function(
        f"() => window.relosConsole.state.asked === {count} && "
        "!document.getElementById('status').classList.contains('busy')",
        timeout=FINDING_TIMEOUT_MS,
    )


def test_planner_plans_flips_a_closure_and_saves_the_scenario(
    shared_server: tuple[str, str], browser: Browser
) -> None:
    url, key = shared_server
    with browser.open(f"{url}/console", name="console-end", ready=READY) as (page, visit):
        # Where from: search the catalogue by a name people use.
        page.fill("#origin input", "Vizag")
        page.click("#origin .hits button[data-id='in-visakhapatnam-naval-dockyard']")
        assert "Naval Dockyard Visakhapatnam" in page.inner_text("#origin .chosen")

        # Where to: click Severomorsk on the map (zoomed in so Murmansk is apart).
        page.evaluate("() => { relosConsole.map.setView([69.08, 33.4], 8, {animate: false}); }")
        page.click("[data-facility='ru-severomorsk-naval-base']")
        page.click(".leaflet-popup button:has-text('To here')")
        assert "Severomorsk Naval Base" in page.inner_text("#destination .chosen")

        page.select_option("#nation", "IND")
        page.select_option("#platform", "talwar")
        page.fill("#departure", "2027-08-01")
        page.click("#plan-button")
        wait_for_plan(page, 1)
        summary = page.inner_text("#summary")
        assert "Feasible plan" in summary and "9,263 nm" in summary, summary
        calls = page.inner_text("#stops")
        for name in ("Port of Djibouti", "HM Naval Base Gibraltar", "Severomorsk"):
            assert name in calls
        assert "14 d, ask by" in calls  # RELOS's port-call notice at Severomorsk
        assert "%" in calls  # fuel on arrival
        assert page.locator(".leaflet-overlay-pane path.leg-current").count() == 3
        assert page.locator(".stop-label").count() == 4  # two stops and both ends, named
        warnings = page.inner_text("#warnings")
        assert "Warnings" in warnings and "RELOS:" in warnings, warnings  # not "relos:"
        assert page.inner_text("#delta") == ""
        # Passages and agreements by name, in the panel and on the map's legs.
        assert "Bab-el-Mandeb; Suez Canal; Strait of Gibraltar" in summary, summary
        assert "LEMOA" in calls and "RELOS" in calls, calls
        assert raw_ids(page.inner_text("#tab-plan")) == []
        tips = " | ".join(page.evaluate(LEG_TOOLTIPS))
        assert "through Bab-el-Mandeb; Suez Canal" in tips and raw_ids(tips) == [], tips
        assert "IND · naval base" in page.inner_text("#origin .chosen")  # not its id
        shot(page, "console-1-plan")

        # Close Suez: the console re-plans and shows what changed.
        page.check("#passages input[value='suez']")
        wait_for_plan(page, 2)
        summary = page.inner_text("#summary")
        assert "10,350 nm" in summary and "Northern Sea Route" in summary, summary
        assert "Suez Canal" not in summary  # the plan's passages: Suez is closed
        delta = page.inner_text("#delta")
        assert "closed +Suez Canal" in delta, delta
        assert "+1,087 nm" in delta and "+4.2 d" in delta
        assert "+RELOS" not in delta and "−LEMOA" in delta
        assert "−India-UK Logistic Exchange Memorandum of Agreement" in delta
        assert "+India-Singapore Bilateral Agreement for Navy Cooperation" in delta
        assert "−Suez Canal" in delta and "+Northern Sea Route" in delta
        assert raw_ids(page.inner_text("#tab-plan")) == [], page.inner_text("#tab-plan")
        assert page.locator(".leaflet-overlay-pane path.leg-previous").count() == 3
        what_if = re.search(r"Distance\n(.+ nm)", summary)
        assert what_if is not None
        shot(page, "console-2-suez-closed")

        # Saving needs a planner's key on a shared server: the refusal says so.
        name = "<b>Suez</b> shut"
        page.fill("#scenario-name", name)
        page.click("#save")
        page.wait_for_function("() => document.getElementById('status').className === 'error'")
        assert "401" in status(page) and "API key" in status(page)

        page.fill("#key", key)
        page.click("#key-form button[type='submit']")
        page.wait_for_function(
            "() => document.getElementById('who').textContent.includes('console-tester')"
        )
        assert page.evaluate("() => sessionStorage.getItem('relos-api-key')") == key
        page.click("#save")
        page.wait_for_selector("#scenarios li[data-id]")
        saved = page.inner_text("#scenarios")
        assert name in saved and "closed: Suez Canal" in saved and "console-tester" in saved
        assert "date: 2027-08-01" in saved  # the what-if's season, saved with it
        assert "→ Severomorsk Naval Base, Talwar-class frigate (IND)" in saved, saved
        assert raw_ids(saved) == [], saved
        assert page.locator("#scenarios b").count() == 0  # the name is text, not markup
        assert "Saved scenario" in status(page)
        shot(page, "console-3-saved")

        # Compare and critical: tables beside the map.
        page.uncheck("#passages input[value='suez']")
        wait_for_plan(page, 3)
        page.click(".tabs button[data-tab='compare']")
        page.click("#compare-run")
        page.wait_for_selector("#compare-out table", timeout=FINDING_TIMEOUT_MS)
        rows = page.inner_text("#compare-out tbody")
        assert "baseline" in rows and name in rows and "+4.2" in rows, rows
        assert "Port of Djibouti" in rows and raw_ids(rows) == [], rows
        page.click("#compare-out tbody tr:nth-child(2) button.link")
        assert page.locator(".leaflet-overlay-pane path.leg-compared").count() == 4
        shot(page, "console-4-compare")

        page.click(".tabs button[data-tab='critical']")
        page.click("#critical-run")
        page.wait_for_selector("#critical-out table", timeout=FINDING_TIMEOUT_MS)
        first = page.inner_text("#critical-out tbody tr:first-child")
        assert "agreement: RELOS" in first and "no plan" in first, first
        ranked = page.inner_text("#critical-out tbody")
        assert "passage: Suez Canal" in ranked and raw_ids(ranked) == [], ranked
        shot(page, "console-5-critical")

        # Reach: the frontier shaded on the map, a row per stop count.
        page.click(".tabs button[data-tab='reach']")
        page.fill("#reach-stops", "1")
        page.click("#reach-run")
        page.wait_for_selector("#reach-out table", timeout=FINDING_TIMEOUT_MS)
        assert page.locator("#reach-out tbody tr").count() == 2
        assert page.locator(".leaflet-overlay-pane path.reach").count() >= 2
        shot(page, "console-6-reach")

        # Apply the saved scenario after the form has moved on: the whole what-if comes
        # back (nation, platform, date, speed, reserve, closures) and is planned again.
        page.select_option("#nation", "RUS")
        page.select_option("#platform", "udaloy")
        page.fill("#departure", "2028-01-15")
        page.fill("#speed", "18")
        page.fill("#reserve", "30")
        page.fill("#destination input", "Djibouti")
        page.click("#destination .hits button[data-id='dj-djibouti-port']")
        page.click("#scenarios li[data-id] button:has-text('Apply')")
        wait_for_plan(page, 4)
        assert page.input_value("#nation") == "IND"
        assert page.input_value("#platform") == "talwar"
        assert page.input_value("#departure") == "2027-08-01"
        assert page.input_value("#speed") == "" and page.input_value("#reserve") == "25"
        assert page.is_checked("#passages input[value='suez']")
        assert page.locator("#passages input:checked").count() == 1
        assert "Severomorsk Naval Base" in page.inner_text("#destination .chosen")
        assert "Naval Dockyard Visakhapatnam" in page.inner_text("#origin .chosen")
        summary = page.inner_text("#summary")
        assert f"Distance\n{what_if.group(1)}\n" in summary, summary  # the saved what-if's
        assert "Applied" in status(page) and name in status(page), status(page)
        assert page.locator(".leaflet-overlay-pane path.leg-current").count() == 4
        assert raw_ids(page.inner_text("#tab-plan")) == []
        shot(page, "console-7-applied")

        # The one error the browser logs is the refused save (401) above.
        refused = [e for e in visit.errors if "status of 401" in e]
        assert len(refused) == 1 and len(visit.errors) == 1, visit.errors
        assert external(visit) == []
        assert all(u.startswith(url) or u.startswith("data:") for u in visit.requests), [
            u for u in visit.requests if not u.startswith(url)
        ]


def test_applying_a_scenario_saved_elsewhere_plans_all_it_holds(
    shared_server: tuple[str, str], browser: Browser
) -> None:
    """A scenario saved through the API (no voyage remembered in this browser) holds more
    than the form shows: Apply loads what the form can show, lists the rest, and the plan
    is the one the service gives for the saved scenario."""
    url, key = shared_server
    scenario = {
        "name": "Red Sea shut, Kolkata instead",
        "date": "2027-08-01",
        "closed": ["red-sea"],
        "dropped_agreements": ["india-uk"],
        "denied_countries": ["PAK"],
        "platform_overrides": {"talwar": {"replace_with": "kolkata"}},
    }
    answer = httpx.post(
        f"{url}/scenarios", json=scenario, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 201, answer.text
    saved = answer.json()
    voyage = {
        "nation": "IND",
        "platform": "talwar",
        "origin": "in-visakhapatnam-naval-dockyard",
        "destination": "ru-severomorsk-naval-base",
        "departure": "2027-03-01T00:00:00Z",
    }
    compared = httpx.post(
        f"{url}/compare",
        json={"plan": voyage, "scenarios": [saved["id"]], "include_plans": False},
        timeout=60,
    ).json()["results"][1]
    assert compared["feasible"], compared
    expected = f"{compared['totals']['distance_nm']:,.0f} nm"

    with browser.open(f"{url}/console", name="console-extras-end", ready=READY) as (page, visit):
        page.fill("#origin input", "Vizag")
        page.click("#origin .hits button[data-id='in-visakhapatnam-naval-dockyard']")
        page.fill("#destination input", "Severomorsk")
        page.click("#destination .hits button[data-id='ru-severomorsk-naval-base']")
        page.fill("#departure", "2027-03-01")
        row = page.locator(f"#scenarios li[data-id='{saved['id']}']")
        listed = row.inner_text()
        assert "closed: The Red Sea route" in listed and "dropped: India-UK Logistic" in listed
        assert "Talwar-class frigate → Kolkata-class destroyer" in listed, listed
        assert raw_ids(listed) == [], listed

        row.locator("button:has-text('Apply')").click()
        wait_for_plan(page, 1)
        assert page.input_value("#departure") == "2027-08-01"
        assert page.is_checked("#passages input[value='red-sea']")
        assert page.is_checked("#agreements input[value='india-uk']")
        extras = page.inner_text("#extras")
        assert "Also from “Red Sea shut, Kolkata instead”" in extras, extras
        assert "clearance refused by: PAK" in extras
        assert "Talwar-class frigate → Kolkata-class destroyer" in extras
        summary = page.inner_text("#summary")
        assert f"Distance\n{expected}\n" in summary, (expected, summary)  # the saved what-if's
        assert "Kolkata-class destroyer" in summary and "Suez Canal" not in summary, summary
        assert raw_ids(page.inner_text("#tab-plan")) == [], page.inner_text("#tab-plan")
        page.click("#plan-form details:has(#agreements) summary")
        shot(page, "console-8-applied-elsewhere")

        # What the form cannot show can be dropped: the plan is for the Talwar again.
        page.click("#extras button:has-text('Drop these')")
        wait_for_plan(page, 2)
        assert page.locator("#extras").is_hidden()
        assert "Talwar-class frigate" in page.inner_text("#summary")
        delta = page.inner_text("#delta")
        assert "under Red Sea shut, Kolkata instead → no scenario" in delta, delta
        assert "clearance refused by −PAK" in delta, delta
        assert visit.errors == [] and external(visit) == []
