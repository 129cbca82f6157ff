"""The commercial-port layer: its data file, its loading, and its place in the access model.

The layer (``data/commercial_ports.geojson``, written by ``routing/sea/port_list.py``
from searoute's port list) is merged into the catalogue only when asked for; its ports
are never opened by an agreement, never a nation's ``own``: they are clearance calls.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pycountry
import pytest

from routing.catalogue.access import clearance_grant, grant_for, usable_facilities
from routing.catalogue.load import (
    DEFAULT_AGREEMENTS,
    DEFAULT_COMMERCIAL_PORTS,
    DEFAULT_FACILITIES,
    load_catalogue,
    load_commercial_ports,
    parse_agreement,
)
from routing.catalogue.model import Catalogue
from routing.catalogue.query import find_facilities
from routing.errors import DataValidationError, InvalidInputError
from routing.vocab import COMMERCIAL_PORT, SERVICES

DAY = dt.date(2026, 8, 1)


@pytest.fixture(scope="module")
def layer_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(DEFAULT_COMMERCIAL_PORTS.read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="module")
def with_layer() -> Catalogue:
    """The shipped catalogue with the ports of Sri Lanka, the Maldives and Russia."""
    return load_catalogue(
        commercial_ports=DEFAULT_COMMERCIAL_PORTS,
        commercial_port_countries=("LKA", "MDV", "RUS"),
    )


def test_the_data_file_is_sound(layer_doc: dict[str, Any], catalogue: Catalogue) -> None:
    features = layer_doc["features"]
    assert "Apache-2.0" in layer_doc["license"]
    assert len(features) == 2519
    ids = [f["id"] for f in features]
    assert len(set(ids)) == len(ids)
    assert not set(ids) & set(catalogue.facilities), "no clash with the curated catalogue"
    for f in features:
        props = f["properties"]
        code = props["aliases"][0]
        assert f["id"] == f"locode-{code.lower()}"
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90, f["id"]
        country = pycountry.countries.get(alpha_3=props["country"])
        assert country is not None and country.alpha_2 == code[:2], f["id"]
        assert props["kind"] == COMMERCIAL_PORT
        assert props["sources"] and all(s["url"].startswith("https://") for s in props["sources"])
        assert "searoute" in props["sources"][0]["title"]
        assert set(props["services"]) <= set(SERVICES)
        assert props["caveats"], f["id"]
    # every record loads through the catalogue's own validation
    assert len(load_commercial_ports(DEFAULT_COMMERCIAL_PORTS)) == 2519


def test_the_data_file_is_what_the_script_writes(layer_doc: dict[str, Any]) -> None:
    """``python -m routing.sea.port_list`` over the installed searoute gives this file."""
    from routing.paths import default_cache_dir
    from routing.sea.land import LandMask
    from routing.sea.passages import load_sea_data
    from routing.sea.port_list import build_records, searoute_ports_path

    mask = LandMask.load(default_cache_dir()).with_waivers(load_sea_data().waterway_union)
    source = json.loads(searoute_ports_path().read_text())["features"]
    records, dropped = build_records(source, mask)
    assert records == layer_doc["features"]
    assert dropped == Counter(
        {
            "over 3 km from water (river or lake terminal)": 1393,
            "country code AN no longer assigned": 8,
            "country code CS no longer assigned": 3,
            "not a UN/LOCODE": 1,
        }
    )


def test_the_script_keeps_sea_ports_and_names_duplicates(tmp_path: Path) -> None:
    from routing.paths import default_cache_dir
    from routing.sea.land import LandMask
    from routing.sea.port_list import build_records

    def point(code: str, name: str, lon: float, lat: float) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"port": code, "name": name, "cty": "x"},
        }

    source = [
        point("DKCPH", "Copenhagen", 12.578659, 55.671554),
        point("DKCPH", "Kobenhavn", 12.59794, 55.703871),  # the same code, 4 km away
        point("CNLZH", "Liuzhou", 109.416667, 24.333333),  # 300 km up the Liu river
        point("ANWIL", "Willemstad", -68.93, 12.1),  # Netherlands Antilles: no longer a code
    ]
    records, dropped = build_records(source, LandMask.load(default_cache_dir()))
    assert [r["id"] for r in records] == ["locode-dkcph"]
    assert records[0]["properties"]["aliases"] == ["DKCPH", "Kobenhavn"]
    assert records[0]["properties"]["country"] == "DNK"
    assert sum(dropped.values()) == 2


def test_off_by_default_nothing_changes(catalogue: Catalogue) -> None:
    plain = load_catalogue(DEFAULT_FACILITIES, DEFAULT_AGREEMENTS)
    assert plain.content_key() == catalogue.content_key()
    assert COMMERCIAL_PORT not in {f.kind for f in plain}


def test_the_layer_is_merged_for_the_countries_asked(
    with_layer: Catalogue, catalogue: Catalogue
) -> None:
    ports = [f for f in with_layer if f.kind == COMMERCIAL_PORT]
    assert {f.country for f in ports} == {"LKA", "MDV", "RUS"}
    assert len(with_layer) == len(catalogue) + len(ports)
    assert with_layer.content_key() != catalogue.content_key()
    colombo = with_layer.facility("locode-lkcmb")
    assert colombo.name == "Colombo" and colombo.services == ("berthing",)
    with pytest.raises(DataValidationError, match="alpha-3"):
        load_commercial_ports(DEFAULT_COMMERCIAL_PORTS, countries=("LK",))
    with pytest.raises(DataValidationError, match="not of kind"):
        load_commercial_ports(DEFAULT_FACILITIES)


def test_names_find_the_curated_facility_first(with_layer: Catalogue) -> None:
    sea = ("naval_base", "port", COMMERCIAL_PORT)
    # Vladivostok is also a commercial port of the layer: the catalogue's two stay the answer
    assert "locode-ruvvo" in with_layer.facilities
    found = with_layer.facility_names.matches("Vladivostok", kinds=sea)
    assert found == ["ru-vladivostok-naval-base", "ru-vladivostok-port"]
    # a name only the layer has, and its UN/LOCODE
    assert with_layer.facility("Colombo", kinds=sea).id == "locode-lkcmb"
    assert with_layer.facility("LKCMB").id == "locode-lkcmb"


def test_no_agreement_and_no_sovereign_opens_a_commercial_port(with_layer: Catalogue) -> None:
    novorossiysk = with_layer.facility("locode-runvs")
    relos = with_layer.agreement("relos")
    assert not relos.covers(novorossiysk)
    assert grant_for(novorossiysk, "IND", [relos]) is None
    assert grant_for(novorossiysk, "RUS", []) is None, "not even its own nation's"
    for nation in ("IND", "RUS", "LKA"):
        grants = usable_facilities(with_layer, nation, DAY)
        assert all(g.facility.kind != COMMERCIAL_PORT for g in grants), nation
    grant = clearance_grant(novorossiysk, "IND")
    assert grant.basis == "clearance" and grant.agreements == ()
    assert grant.services == ("berthing",)
    assert any("services not published" in c for c in grant.caveats)
    # an agreement cannot be written to open them
    record = {**relos.model_dump(mode="json"), "kinds": ["port", COMMERCIAL_PORT]}
    with pytest.raises(DataValidationError, match="kinds"):
        parse_agreement(record)


def test_queries_hide_them_unless_asked(with_layer: Catalogue, catalogue: Catalogue) -> None:
    plain = find_facilities(with_layer)
    assert [m.facility.id for m in plain] == [f.id for f in catalogue]
    listed = find_facilities(with_layer, include=[COMMERCIAL_PORT])
    assert len(listed) == len(with_layer)
    only = find_facilities(with_layer, kind=COMMERCIAL_PORT, countries=["LKA"])
    assert {m.facility.id for m in only} >= {"locode-lkcmb", "locode-lkgal"}
    assert all(m.facility.kind == COMMERCIAL_PORT for m in only)
    usable = find_facilities(with_layer, usable_by="IND", date=DAY, include=[COMMERCIAL_PORT])
    assert all(m.facility.kind != COMMERCIAL_PORT for m in usable)
    with pytest.raises(InvalidInputError, match="include"):
        find_facilities(with_layer, include=["port"])


def test_a_commercial_port_is_a_clearance_call_never_a_fuel_stop(with_layer: Catalogue) -> None:
    from routing.catalogue.platforms import load_platforms
    from routing.plan.calls import CallRules
    from routing.plan.request import PlanSpec, build_request

    spec = PlanSpec(
        nation="IND",
        platform="talwar",
        origin="in-kochi-naval-base",
        destination="locode-lkcmb",
        departure=dt.datetime(2026, 8, 1, tzinfo=dt.UTC),
        allow_clearance=True,
        clearance_stops=True,
    )
    req = build_request(spec, load_platforms(), catalogue=with_layer)
    rules = CallRules(with_layer, req)
    colombo = with_layer.facility("locode-lkcmb")
    assert rules.grant(colombo, DAY, "berthing", clearance=False) is None
    call = rules.grant(colombo, DAY, "berthing", clearance=True)
    assert call is not None and call.basis == "clearance"
    assert rules.grant(colombo, DAY, "fuel", clearance=True) is None
    assert "offers no fuel" in rules.refusal(colombo, DAY, "fuel")
