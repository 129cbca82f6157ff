"""Text from the data shows as text on every map, never as markup.

Names of facilities, scenarios, agreements and passages, reasons and notes reach
the page in places Leaflet inserts as HTML: popups, tooltips, the summary panel,
the legend, marker icons and the names of the layer control. Each of these is
checked in the page's source, and (in Chromium) in what the page builds from it.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import folium
import pytest

from maps import (
    render_catalogue,
    render_layers,
    render_plan,
    render_route,
    save_html,
    to_html,
    with_request,
)
from routing.catalogue.model import Catalogue
from tests.maps import fixtures as fx
from tests.maps.support import (
    OPEN_FACILITY_POPUP,
    Browser,
    ParsedHtml,
    external,
    html_slots,
    layer_names,
)

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
#: A title that a template engine would evaluate, were it read as a template.
TEMPLATE = "{{ 7 * 7 }}"


def assert_shown_as_text(m: folium.Map, *, slots: set[str]) -> dict[str, list[str]]:
    """The hostile text is nowhere markup in the page of ``m``, and shows as text in ``slots``."""
    page = to_html(m, standalone=True)
    assert HOSTILE not in page
    title = re.search(r"<title>(.*?)</title>", page)
    assert title is not None and ESCAPED in title.group(1)
    found = html_slots(page)
    for slot, pieces in found.items():
        for piece in pieces:
            parsed = ParsedHtml(piece)
            assert "img" not in parsed.tags, (slot, piece)
        shown = [p for p in pieces if HOSTILE in "".join(ParsedHtml(p).text)]
        if slot in slots:
            assert shown, f"the hostile text is not shown in the {slot}"
            assert all(ESCAPED in p for p in shown)
    return found


def hostile_facility(catalogue: Catalogue) -> dict[str, Any]:
    feature = catalogue.facility("in-mumbai-naval-dockyard").feature(
        access={
            "basis": "agreement",
            "agreement": HOSTILE,
            "agreements": [HOSTILE],
            "services": [HOSTILE],
        },
        distance_nm=12.0,
    )
    props = feature["properties"]
    props.update(
        name=HOSTILE,
        operator=HOSTILE,
        region=HOSTILE,
        services=[HOSTILE],
        confidence="contested",
        caveats=[HOSTILE],
    )
    props["sources"] = [
        {"title": HOSTILE, "url": "https://example.org/"},
        {"title": "scripted", "url": "javascript:alert(1)"},
    ]
    return feature


def hostile_catalogue(catalogue: Catalogue) -> folium.Map:
    return render_catalogue(
        [hostile_facility(catalogue)],
        title=HOSTILE,
        usable_by=HOSTILE,
        date=HOSTILE,
        agreement_names={HOSTILE: HOSTILE},
    )


def hostile_plan() -> dict[str, Any]:
    plan = copy.deepcopy(fx.mumbai_vladivostok_plan())
    plan["origin"]["name"] = HOSTILE
    plan["destination"]["name"] = HOSTILE
    plan["nation"] = HOSTILE
    plan["objective"] = HOSTILE
    plan["warnings"] = [HOSTILE]
    plan["legs"][0]["from_name"] = HOSTILE
    plan["legs"][1]["passages"] = [HOSTILE]
    stop = plan["stops"][0]
    stop.update(name=HOSTILE, agreement=HOSTILE, basis="agreement", services=[HOSTILE])
    stop.update(confidence="uncertain", caveats=[HOSTILE])
    plan["destination"].update(agreement=HOSTILE, agreements=[HOSTILE], caveats=[HOSTILE])
    plan["waypoints"] = [
        {**plan["destination"], "id": HOSTILE, "name": HOSTILE, "confidence": "contested"}
    ]
    return plan


def hostile_infeasible() -> dict[str, Any]:
    plan = copy.deepcopy(fx.infeasible_plan())
    plan["origin"]["name"] = HOSTILE
    plan["reason"] = HOSTILE
    plan["suggestions"] = [HOSTILE]
    return plan


def hostile_route() -> dict[str, Any]:
    route = copy.deepcopy(fx.mumbai_vladivostok_route())
    props = route["properties"]
    props["origin"]["name"] = HOSTILE
    props["destination"]["name"] = HOSTILE
    props["alternatives"][0]["properties"]["passages"] = [HOSTILE]
    return route


def hostile_passages() -> list[dict[str, Any]]:
    return [{**p, "name": HOSTILE} for p in copy.deepcopy(fx.PASSAGES)]


def hostile_layers() -> folium.Map:
    compared = {"scenario": HOSTILE, "plan": hostile_infeasible()}
    items = [
        (HOSTILE, compared),
        (f"{HOSTILE} plan", hostile_plan()),
        (f"{HOSTILE} route", hostile_route()),
    ]
    return render_layers(items, title=HOSTILE)


# ---------------------------------------------------------------- the page's source


def test_catalogue_shows_hostile_text_as_text(catalogue: Catalogue) -> None:
    found = assert_shown_as_text(
        hostile_catalogue(catalogue), slots={"layer control", "panel or legend", "facility popup"}
    )
    (popup,) = found["facility popup"]
    assert 'href="https://example.org/"' in popup
    assert "javascript:" not in popup and "scripted" in popup  # shown, but not a link


def test_plan_shows_hostile_text_as_text() -> None:
    m = render_plan(hostile_plan(), passages=hostile_passages(), title=HOSTILE)
    assert_shown_as_text(m, slots={"panel or legend", "popup or tooltip"})
    infeasible = render_plan(hostile_infeasible(), title=HOSTILE)
    assert_shown_as_text(infeasible, slots={"panel or legend", "popup or tooltip"})


def test_route_shows_hostile_text_as_text() -> None:
    m = render_route(hostile_route(), passages=hostile_passages(), title=HOSTILE)
    assert_shown_as_text(
        m, slots={"layer control", "panel or legend", "popup or tooltip", "marker icon"}
    )


def test_layers_show_hostile_scenario_names_as_text() -> None:
    found = assert_shown_as_text(
        hostile_layers(), slots={"layer control", "panel or legend", "popup or tooltip"}
    )
    names = [ParsedHtml(n).text for n in found["layer control"]]
    assert [HOSTILE] in names and [f"{HOSTILE} plan"] in names


def test_a_title_is_not_read_as_a_template() -> None:
    page = to_html(render_plan(fx.mumbai_vladivostok_plan(), title=TEMPLATE), standalone=False)
    assert f"<title>{TEMPLATE}</title>" in page


def test_a_posted_request_in_the_page_is_data_never_markup() -> None:
    """Whatever a POST body holds, the page carries it as one JSON data block that closes
    nothing and gives the body back exactly."""
    body = json.dumps(
        {"name": f"</script><script>alert(1)</script><!-- {HOSTILE} &amp; \u2028 \u00e9"},
        ensure_ascii=False,
    )
    page = with_request(
        to_html(render_plan(fx.mumbai_vladivostok_plan()), standalone=False),
        query="a=%3C%2Fscript%3E&download=true",
        body=body,
    )
    head = page.split("</head>")[0]
    blocks = re.findall(r'<script type="application/json" id="relos-request">(.*?)</script>', head)
    assert len(blocks) == 1
    assert not re.search(r"[<>&\u2028\u2029]", blocks[0])
    assert json.loads(blocks[0]) == {
        "method": "POST",
        "query": "a=%3C%2Fscript%3E&download=true",
        "body": body,
    }
    plain = to_html(render_plan(fx.mumbai_vladivostok_plan()), standalone=False)
    # one element more than the page without it (the block), none made from the body
    assert ParsedHtml(page).tags.count("script") == ParsedHtml(plain).tags.count("script") + 1


# ---------------------------------------------------------------- in the browser

#: JavaScript: elements of the page that the hostile text would have made.
INJECTED = "() => document.querySelectorAll('img[src=\"x\"], img[onerror]').length"


def _open(browser: Browser, tmp_path: Path, name: str, m: folium.Map) -> Any:
    path = tmp_path / f"{name}.html"
    save_html(m, path)
    return browser.open(path.as_uri(), name=name)


def test_layers_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    with _open(browser, tmp_path, "escaping-layers", hostile_layers()) as (page, visit):
        assert visit.errors == [] and external(visit) == []
        page.hover(".leaflet-control-layers")
        assert {HOSTILE, f"{HOSTILE} plan", f"{HOSTILE} route"} <= set(layer_names(page))
        assert HOSTILE in page.inner_text(".relos-panel")
        assert HOSTILE in page.inner_text(".relos-legend")
        page.click(".relos-stop >> nth=0")
        assert HOSTILE in page.inner_text(".leaflet-popup-content")
        assert page.evaluate(INJECTED) == 0


def test_catalogue_in_the_browser(browser: Browser, tmp_path: Path, catalogue: Catalogue) -> None:
    m = hostile_catalogue(catalogue)
    with _open(browser, tmp_path, "escaping-catalogue", m) as (page, visit):
        assert visit.errors == [] and external(visit) == []
        assert page.title() == HOSTILE
        page.hover(".leaflet-control-layers")
        assert f"Agreement: {HOSTILE} (1)" in layer_names(page)
        assert HOSTILE in page.inner_text(".relos-panel")
        assert page.evaluate(OPEN_FACILITY_POPUP, "in-mumbai-naval-dockyard")
        popup = page.inner_text(".leaflet-popup-content")
        assert f"Open to {HOSTILE} under {HOSTILE} ({HOSTILE})" in popup
        assert page.evaluate(INJECTED) == 0


@pytest.mark.parametrize("feasible", [True, False])
def test_plan_in_the_browser(browser: Browser, tmp_path: Path, feasible: bool) -> None:
    plan = hostile_plan() if feasible else hostile_infeasible()
    m = render_plan(plan, passages=hostile_passages(), title=HOSTILE)
    with _open(browser, tmp_path, f"escaping-plan-{feasible}", m) as (page, visit):
        assert visit.errors == [] and external(visit) == []
        assert HOSTILE in page.inner_text(".relos-panel")
        page.hover(".relos-end >> nth=0")
        assert HOSTILE in page.inner_text(".leaflet-tooltip")
        assert page.evaluate(INJECTED) == 0
