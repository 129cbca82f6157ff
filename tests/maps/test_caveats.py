"""What is uncertain says so: confidence and caveats on the plan and catalogue maps.

A plan's stops and calls (origin, waypoints, destination) and a catalogue's
facilities carry a ``confidence`` and the ``caveats`` behind it. Whatever is less
than confirmed shows its confidence and its caveats (as text, escaped) in its popup,
and a plan's summary panel gives the call at the destination and the warnings.
Confirmed records show no confidence row at all.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from markupsafe import escape

from maps import facility_features, render_catalogue, render_plan, to_html
from routing.catalogue.model import Catalogue
from routing.catalogue.query import find_facilities
from tests.maps import fixtures as fx
from tests.maps.support import html_slots, shown_text

RELOS_CAVEAT = (
    "relos: Entry into force is assumed on 2025-12-15, the date of Russia's ratification "
    "law; the exchange of instruments of ratification has not been published."
)
RELOS_DAY = dt.date(2026, 6, 1)


def _plan_page(plan: dict[str, Any]) -> str:
    return to_html(render_plan(plan, passages=fx.PASSAGES), standalone=True)


def _panel_html(page: str) -> str:
    """The HTML of the summary panel (the first box) of a map's page."""
    panel, _legend = html_slots(page)["panel or legend"]
    return panel


def _panel(page: str) -> str:
    """The text of the summary panel of a map's page."""
    return shown_text(_panel_html(page))


def _popups(page: str) -> list[str]:
    """The popups and tooltips of a map's page, as their text."""
    return [shown_text(p) for p in html_slots(page)["popup or tooltip"]]


def _popup(page: str, heading: str) -> str:
    (found,) = [p for p in _popups(page) if p.startswith(heading) and "access" in p]
    return found


# ---------------------------------------------------------------- plan map


def test_the_fixture_destination_is_an_assumed_date_relos_call() -> None:
    dest = fx.mumbai_vladivostok_plan()["destination"]
    assert dest["basis"] == "agreement" and dest["agreement"] == "relos"
    assert dest["confidence"] == "assumed_date"
    assert dest["notice_days"] == 14 and dest["request_by"] == "2026-08-08T08:42:26Z"
    assert RELOS_CAVEAT in dest["caveats"]


def test_plan_page_gives_the_destination_call_notice_and_caveat_escaped() -> None:
    page = _plan_page(fx.mumbai_vladivostok_plan())
    # The caveat reaches the page's HTML escaped (its apostrophe as an entity), never raw.
    escaped = str(escape(RELOS_CAVEAT))
    assert "&#39;" in escaped
    slots = html_slots(page)
    assert escaped in "".join(slots["panel or legend"])
    assert escaped in "".join(slots["popup or tooltip"])
    assert RELOS_CAVEAT not in page

    panel = _panel(page)
    assert (
        "destination callrelos (14 days' notice, request by 2026-08-08 08:42Z) assumed date"
        in panel
    )
    assert f"Vladivostok Naval Base (Ulysses Bay) (assumed date): {RELOS_CAVEAT}" in panel

    popup = _popup(page, "Destination: Vladivostok Naval Base")
    for text in (
        "accessagreement relos",
        "arrival2026-08-22 08:42Z",
        "notice14 days",
        "request by2026-08-08 08:42Z",
        "confidenceassumed date",
        RELOS_CAVEAT,
    ):
        assert text in popup, text


def test_origin_popup_gives_its_basis_and_no_confidence_when_confirmed() -> None:
    page = _plan_page(fx.mumbai_vladivostok_plan())
    popup = _popup(page, "Origin: Naval Dockyard Mumbai")
    assert "accessown facility" in popup and "departure2026-08-01 00:00Z" in popup
    assert "confidence" not in popup and "Caveats" not in popup
    assert "origin call" not in _panel(page)  # an own origin needs no call


def test_foreign_origin_call_is_in_the_panel() -> None:
    page = _plan_page(fx.pacific_plan())
    panel = _panel(page)
    assert "origin callrelos (14 days' notice, request by 2026-07-18 00:00Z) assumed date" in panel
    assert "destination calllemoa" in panel
    # The notice due before departure is a warning of the plan, listed once.
    assert panel.count("relos needs 14 days' notice of the call") == 1


def test_stop_popups_say_basis_and_what_is_uncertain() -> None:
    page = _plan_page(fx.pacific_plan())
    stop = _popup(page, "Stop 1: Port of Petropavlovsk-Kamchatsky")
    assert "accessagreement relos" in stop
    assert "notice14 days" in stop and "request by2026-07-22 09:35Z" in stop
    assert "confidenceassumed date" in stop and RELOS_CAVEAT in stop
    tooltip = [p for p in _popups(page) if p.startswith("1. Port of Petropavlovsk")]
    assert tooltip and tooltip[0].endswith("assumed date")

    plan = fx.mumbai_vladivostok_plan()
    changi = _popup(_plan_page(plan), f"Stop 2: {plan['stops'][1]['name']}")
    assert "accessagreement india-singapore" in changi
    assert "confidence" not in changi and "Caveats" not in changi


def test_clearance_stop_and_waypoint_call() -> None:
    plan = fx.waypoint_plan()
    page = _plan_page(plan)
    cam_ranh = _popup(page, "Stop 2: Cam Ranh Bay")
    assert "accessdiplomatic clearance" in cam_ranh and "notice30 days" in cam_ranh

    waypoint = _popup(page, f"Waypoint 1: {plan['waypoints'][0]['name']}")
    assert "sg-changi-naval-base" in waypoint
    assert "accessagreement india-singapore" in waypoint and "arrival2026-08-" in waypoint

    slots = html_slots(page)
    assert page.count('"className": "relos-waypoint"') == len(plan["waypoints"]) == 1
    assert any("waypoint" in shown_text(legend) for legend in slots["panel or legend"][1:])
    panel = _panel(page)
    assert f"waypoint 1{plan['waypoints'][0]['name']}: india-singapore" in panel
    cam_ranh_name = plan["stops"][1]["name"]
    assert f"{cam_ranh_name}: no logistics agreement; the call needs diplomatic clearance" in panel


def test_caveats_missing_from_the_warnings_are_listed_once() -> None:
    plan = copy.deepcopy(fx.mumbai_vladivostok_plan())
    line = f"Vladivostok Naval Base (Ulysses Bay) (assumed date): {RELOS_CAVEAT}"
    listed = _plan_page(plan)
    assert "<th>caveat</th>" not in _panel_html(listed)  # the warnings give them already
    assert _panel(listed).count(line) == 1

    plan["warnings"] = []
    page = _plan_page(plan)
    assert _panel_html(page).count("<th>caveat</th>") == len(plan["destination"]["caveats"])
    assert _panel(page).count(line) == 1
    assert "caveat" + line in _panel(page)


def test_infeasible_plan_has_no_call_rows() -> None:
    plan = fx.infeasible_plan()
    page = _plan_page(plan)
    assert "destination call" not in _panel(page)
    heading = f"Destination: {plan['destination']['name']}"
    popup = [p for p in _popups(page) if p.startswith(heading)]
    assert popup and all("access" not in p for p in popup)


# ---------------------------------------------------------------- catalogue map


def _facility_popups(catalogue: Catalogue, **query: Any) -> dict[str, str]:
    """Each facility's popup (HTML) on the catalogue map of a query, by facility name."""
    usable_by = query.get("usable_by")
    features = facility_features(find_facilities(catalogue, **query), catalogue)
    m = render_catalogue(features, title="Facilities", usable_by=usable_by, date=None)
    popups = html_slots(to_html(m, standalone=True))["facility popup"]
    return {shown_text(p).split(" naval base ·")[0].split(" port ·")[0]: p for p in popups}


def _popup_of(popups: dict[str, str], name: str) -> str:
    (found,) = [p for key, p in popups.items() if key.startswith(name)]
    return found


def test_contested_facility_popup_shows_contested_and_its_caveat(catalogue: Catalogue) -> None:
    fac = catalogue.facility("ua-sevastopol-naval-base")
    assert fac.confidence == "contested" and fac.caveats
    popup = _popup_of(_facility_popups(catalogue, countries=["UKR"]), "Sevastopol Naval Base")
    assert '<th>confidence</th><td><span class="relos-caveat">contested</span>' in popup
    assert str(escape(fac.caveats[0])) in popup  # "Ukraine's" escaped
    assert fac.caveats[0] in shown_text(popup)


def test_uncertain_facility_popup(catalogue: Catalogue) -> None:
    fac = catalogue.facility("sy-tartus-naval-facility")
    popup = shown_text(_popup_of(_facility_popups(catalogue, countries=["SYR"]), fac.name))
    assert "confidenceuncertain" in popup and fac.caveats[0] in popup


def test_confirmed_facility_popup_has_no_confidence_row(catalogue: Catalogue) -> None:
    fac = catalogue.facility("in-mumbai-naval-dockyard")
    assert fac.confidence == "confirmed"
    popup = _popup_of(_facility_popups(catalogue, countries=["IND"]), fac.name)
    assert "confidence" not in popup.lower()
    assert "Caveats" not in popup and "relos-caveat" not in popup


def test_usable_by_popup_gives_the_grant_confidence(catalogue: Catalogue) -> None:
    """For a nation, a facility opened by an assumed-date agreement says so."""
    popups = _facility_popups(catalogue, countries=["RUS"], usable_by="IND", date=RELOS_DAY)
    popup = shown_text(_popup_of(popups, "Vladivostok Naval Base"))
    assert "Open to IND under relos" in popup
    assert "confidenceassumed date" in popup and RELOS_CAVEAT in popup


@pytest.mark.parametrize("usable_by", [None, "IND"])
def test_facility_features_carry_confidence(catalogue: Catalogue, usable_by: str | None) -> None:
    matches = find_facilities(catalogue, countries=["RUS"], usable_by=usable_by, date=RELOS_DAY)
    features = {f["id"]: f for f in facility_features(matches, catalogue)}
    props = features["ru-vladivostok-naval-base"]["properties"]
    assert props["confidence"] == "confirmed" and props["caveats"] == []
    if usable_by:
        assert props["access"]["confidence"] == "assumed_date"
        assert RELOS_CAVEAT in props["access"]["caveats"]
