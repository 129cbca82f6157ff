"""Names where ids are: facilities, agreements, platforms, passages and nations are found
by id, name or alias, any case; an ambiguous name lists its candidates, an unknown one
suggests the nearest ("did you mean"), and every error names the field."""

from __future__ import annotations

import pytest

from routing.catalogue.access import check_nation
from routing.catalogue.model import Catalogue
from routing.catalogue.platforms import get_platform, load_platforms
from routing.errors import (
    AmbiguousNameError,
    InvalidInputError,
    RelosError,
    UnknownAgreementError,
    UnknownFacilityError,
    UnknownPassageError,
    UnknownPlatformError,
)
from routing.plan.request import PlanSpec, build_request
from routing.sea.passages import default_sea_data
from routing.vocab import SEA_KINDS

SEA = default_sea_data()
PLATFORMS = load_platforms()


@pytest.mark.parametrize(
    ("text", "kinds", "expected"),
    [
        ("Severomorsk", SEA_KINDS, "ru-severomorsk-naval-base"),  # not its two airfields
        ("Port Blair", SEA_KINDS, "in-port-blair-naval-base"),
        ("Port Blair", ("airbase",), "in-port-blair-ins-utkrosh"),
        ("port blair airport", None, "in-port-blair-ins-utkrosh"),  # an alias
        ("Vladivostok naval base", None, "ru-vladivostok-naval-base"),
        ("Port of Vladivostok", None, "ru-vladivostok-port"),
        ("Vizag Port", None, "in-visakhapatnam-port"),
        ("RU-MURMANSK-PORT", None, "ru-murmansk-port"),  # an id in any case
        ("Bombay Dockyard", None, "in-mumbai-naval-dockyard"),
        ("nhava sheva", None, "in-jnpt-port"),
        ("Tien Sa", None, "vn-da-nang-port"),
        ("Tiên Sa", None, "vn-da-nang-port"),  # accents do not matter
        ("Camp Lemonnier", None, "dj-djibouti-ambouli-airbase"),
        ("Duqm", SEA_KINDS, "om-duqm-port"),
    ],
)
def test_facilities_by_name(
    catalogue: Catalogue, text: str, kinds: tuple[str, ...] | None, expected: str
) -> None:
    assert catalogue.facility(text, field="origin", kinds=kinds).id == expected


@pytest.mark.parametrize(
    ("text", "kinds", "candidates"),
    [
        ("Vladivostok", SEA_KINDS, {"ru-vladivostok-naval-base", "ru-vladivostok-port"}),
        (
            "Vladivostok",
            None,
            {"ru-vladivostok-naval-base", "ru-vladivostok-port", "ru-knevichi-air-base"},
        ),
        ("Vizag", SEA_KINDS, {"in-visakhapatnam-naval-dockyard", "in-visakhapatnam-port"}),
        (
            "Visakhapatnam",
            SEA_KINDS,
            {"in-visakhapatnam-naval-dockyard", "in-visakhapatnam-port"},
        ),
        ("Kochi", SEA_KINDS, {"in-kochi-naval-base", "in-cochin-port"}),
        ("Port Blair", None, {"in-port-blair-naval-base", "in-port-blair-ins-utkrosh"}),
    ],
)
def test_an_ambiguous_name_lists_the_candidates(
    catalogue: Catalogue, text: str, kinds: tuple[str, ...] | None, candidates: set[str]
) -> None:
    with pytest.raises(AmbiguousNameError) as err:
        catalogue.facility(text, field="destination", kinds=kinds)
    assert err.value.field == "destination"
    assert set(err.value.candidates) == candidates
    for fid in candidates:
        assert fid in err.value.message


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("Vladivostock", "ru-vladivostok-naval-base"),
        ("Sevromorsk", "ru-severomorsk-naval-base"),
        ("Portsmuth", "gb-portsmouth-naval-base"),
        ("in-mumbai-naval-dock", "in-mumbai-naval-dockyard"),
    ],
)
def test_an_unknown_facility_suggests_the_nearest(
    catalogue: Catalogue, text: str, suggested: str
) -> None:
    with pytest.raises(UnknownFacilityError) as err:
        catalogue.facility(text, field="waypoints.0")
    assert err.value.field == "waypoints.0"
    assert "did you mean" in err.value.message and suggested in err.value.message
    assert suggested in err.value.candidates


def test_nothing_near_is_said_plainly(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownFacilityError, match=r"unknown facility 'qqqqzz'$"):
        catalogue.facility("qqqqzz")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LEMOA", "lemoa"),
        ("relos", "relos"),
        ("France", "india-france"),
        ("India-Japan", "india-japan"),
        ("ACSA", "india-japan"),
        ("MLSA", "india-australia"),
    ],
)
def test_agreements_by_name(catalogue: Catalogue, text: str, expected: str) -> None:
    assert catalogue.agreement(text).id == expected


def test_an_unknown_agreement_suggests(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownAgreementError, match="did you mean lemoa") as err:
        catalogue.agreement("lemao", field="dropped_agreements")
    assert err.value.field == "dropped_agreements"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Suez", "suez"),
        ("Suez Canal", "suez"),
        ("strait of hormuz", "hormuz"),
        ("Malacca Strait", "malacca"),  # words in any order
        ("Red Sea", "red-sea"),  # a closure group
        ("Cape Horn", "cape-horn"),
        ("good hope", "cape-of-good-hope"),
    ],
)
def test_passages_by_name(text: str, expected: str) -> None:
    assert SEA.passage_id(text) == expected


def test_passage_names_close_and_suggest() -> None:
    assert SEA.check_passage_ids(["Suez Canal", "Red Sea"]) == {"suez", "bab-el-mandeb"}
    with pytest.raises(UnknownPassageError, match="did you mean suez") as err:
        SEA.check_passage_ids(["Sues"], field_name="closed")
    assert err.value.field == "closed"
    with pytest.raises(AmbiguousNameError, match="hormuz") as amb:
        SEA.passage_id("Strait", field="via")
    assert len(amb.value.candidates) > 10 and amb.value.field == "via"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IND", "IND"),
        ("ind", "IND"),
        ("India", "IND"),
        ("Russia", "RUS"),
        ("Russian Federation", "RUS"),
        ("UK", "GBR"),
        ("United States", "USA"),
        ("South Korea", "KOR"),
        ("Vietnam", "VNM"),
        ("Viet Nam", "VNM"),
        ("Türkiye", "TUR"),
    ],
)
def test_nations_by_code_or_name(text: str, expected: str) -> None:
    assert check_nation(text) == expected


def test_nations_ambiguous_or_unknown() -> None:
    with pytest.raises(AmbiguousNameError) as amb:
        check_nation("Korea", field="usable_by")
    assert set(amb.value.candidates) == {"KOR", "PRK"} and amb.value.field == "usable_by"
    with pytest.raises(InvalidInputError, match="did you mean IND") as err:
        check_nation("Inida")
    assert err.value.field == "nation"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Talwar", "talwar"),
        ("Talwar-class frigate", "talwar"),
        ("Globemaster", "c-17"),
        ("Su-30MKI", "su-30mki"),
        ("kuznetsov", "kuznetsov"),
    ],
)
def test_platforms_by_name(text: str, expected: str) -> None:
    assert get_platform(PLATFORMS, text).id == expected


def test_an_unknown_platform_suggests() -> None:
    with pytest.raises(UnknownPlatformError, match="did you mean talwar") as err:
        get_platform(PLATFORMS, "Talwr", field="group.0.platform")
    assert err.value.field == "group.0.platform"


def test_the_request_takes_names_and_keeps_ids(catalogue: Catalogue) -> None:
    spec = PlanSpec(
        nation="India",
        platform="Talwar-class frigate",
        origin="Bombay Dockyard",
        destination="Severomorsk",
        waypoints=["Port Blair", "72.5,10.0"],
        closed=["Panama Canal"],
        dropped_agreements=["LEMOA"],
        closed_facilities=["Changi Naval Base"],
        avoid=["Suez", "Port of Djibouti", "Red Sea"],
    )
    req = build_request(spec, PLATFORMS, catalogue=catalogue, sea=SEA)
    assert (req.nation, req.group[0].platform.id) == ("IND", "talwar")
    assert (req.origin, req.destination) == (
        "in-mumbai-naval-dockyard",
        "ru-severomorsk-naval-base",
    )
    assert req.waypoints[0] == "in-port-blair-naval-base"  # ships: the naval base
    assert req.closed == {"panama", "suez", "red-sea"}
    assert req.dropped_agreements == {"lemoa"}
    assert req.closed_facilities == {"sg-changi-naval-base"}
    assert req.avoid_facilities == {"dj-djibouti-port"}


@pytest.mark.parametrize(
    ("avoid", "error", "field", "words"),
    [
        (["Sues"], InvalidInputError, "avoid.0", ["did you mean", "suez"]),
        (["Suez", "Vladivostok"], AmbiguousNameError, "avoid.1", ["ru-vladivostok-port"]),
        (["Strait"], AmbiguousNameError, "avoid.0", ["malacca", "hormuz"]),
    ],
)
def test_avoid_errors_name_the_item(
    catalogue: Catalogue,
    avoid: list[str],
    error: type[RelosError],
    field: str,
    words: list[str],
) -> None:
    spec = PlanSpec(nation="IND", platform="talwar", origin="0,0", destination="1,1", avoid=avoid)
    with pytest.raises(error) as err:
        build_request(spec, PLATFORMS, catalogue=catalogue, sea=SEA)
    assert err.value.field == field
    for word in words:
        assert word in err.value.message
