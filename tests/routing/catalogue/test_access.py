"""The access model, tested directly on the shipped catalogue (no server, no sea graph)."""

from __future__ import annotations

import datetime as dt

import pytest

from routing.catalogue import Catalogue, agreements_in_force, grant_for, usable_facilities
from routing.catalogue.access import check_nation
from routing.catalogue.load import load_catalogue
from routing.errors import InvalidInputError, UnknownAgreementError, UnknownFacilityError

DAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def _grant(cat: Catalogue, fid: str, nation: str, day: dt.date, service: str | None = None):  # type: ignore[no-untyped-def]
    return grant_for(
        cat.facility(fid), nation, agreements_in_force(cat, nation, day), service=service
    )


@pytest.mark.parametrize(
    ("facility", "nation", "day", "basis", "agreement"),
    [
        ("in-mumbai-naval-dockyard", "IND", DAY, "own", None),
        ("ru-vladivostok-naval-base", "IND", DAY, "agreement", "relos"),
        ("ru-vladivostok-naval-base", "IND", dt.date(2024, 8, 1), None, None),  # before RELOS
        ("in-mumbai-naval-dockyard", "RUS", DAY, "agreement", "relos"),
        ("us-diego-garcia-nsf", "IND", DAY, "agreement", "lemoa"),  # British, US-operated
        ("us-diego-garcia-nsf", "USA", DAY, "own", None),
        ("fr-reunion-port-des-galets-naval-base", "IND", DAY, "agreement", "india-france"),
        ("om-duqm-port", "IND", DAY, "agreement", "india-oman"),
        ("om-salalah-port", "IND", DAY, None, None),  # the Oman pact opens Duqm only
        ("sg-changi-naval-base", "IND", DAY, "agreement", "india-singapore"),
        ("sg-paya-lebar-air-base", "IND", DAY, None, None),  # navy-only pact
        ("ru-vladivostok-naval-base", "USA", DAY, None, None),  # no US-Russia pact
        ("ru-vladivostok-naval-base", "IND", dt.date(2035, 1, 1), "agreement", "relos"),  # renews
    ],
)
def test_grants(
    cat: Catalogue, facility: str, nation: str, day: dt.date, basis: str | None, agreement: str
) -> None:
    grant = _grant(cat, facility, nation, day)
    if basis is None:
        assert grant is None
        return
    assert grant is not None
    assert (grant.basis, grant.agreement) == (basis, agreement)
    assert grant.services


def test_service_must_be_covered(cat: Catalogue) -> None:
    grant = _grant(cat, "ru-vladivostok-naval-base", "IND", DAY, service="fuel")
    assert grant is not None and "fuel" in grant.services
    assert _grant(cat, "ru-vladivostok-naval-base", "IND", DAY, service="ammunition") is None


def test_scenario_knobs_are_arguments_not_mutations(cat: Catalogue) -> None:
    before = cat.version()
    base = {g.facility.id for g in usable_facilities(cat, "IND", DAY)}
    no_relos = {
        g.facility.id for g in usable_facilities(cat, "IND", DAY, dropped_agreements=["relos"])
    }
    closed = {
        g.facility.id
        for g in usable_facilities(cat, "IND", DAY, closed_facilities=["om-duqm-port"])
    }
    assert "ru-vladivostok-naval-base" in base and "ru-vladivostok-naval-base" not in no_relos
    assert not {f for f in no_relos if f.startswith("ru-")}
    assert base - closed == {"om-duqm-port"}
    assert cat.version() == before


def test_unknown_ids_name_the_field(cat: Catalogue) -> None:
    with pytest.raises(UnknownFacilityError) as fac:
        usable_facilities(cat, "IND", DAY, closed_facilities=["atlantis-port"])
    assert fac.value.field == "closed_facilities"
    with pytest.raises(UnknownAgreementError) as agr:
        usable_facilities(cat, "IND", DAY, dropped_agreements=["warsaw-pact"])
    assert agr.value.field == "dropped_agreements"
    with pytest.raises(InvalidInputError) as nation:
        check_nation("XXX", field="nation")
    assert nation.value.field == "nation"
    assert check_nation(" ind ") == "IND"


def test_catalogue_as_a_geodataframe(cat: Catalogue) -> None:
    frame = cat.to_geodataframe()
    assert len(frame) == len(cat)
    assert frame.crs.to_epsg() == 4326
    vlad = frame.loc["ru-vladivostok-naval-base"]
    assert vlad["country"] == "RUS"
    assert vlad.geometry.x == pytest.approx(cat.facility("ru-vladivostok-naval-base").lon)


def test_a_hypothetical_catalogue_keys_by_what_was_added(cat: Catalogue) -> None:
    # planners' caches key hypothetical catalogues cheaply: a key that missed an
    # addition would plan a what-if on the catalogue without it
    base = cat.facilities["in-mumbai-naval-dockyard"]
    moved = base.model_copy(update={"id": "xx-hypothetical", "lat": base.lat + 0.1})
    other = moved.model_copy(update={"lon": base.lon + 0.1})
    relos = cat.agreements["relos"]
    keys = {
        "base": cat.content_key(),
        "moved": cat.with_additions(facilities=[moved]).content_key(),
        "other": cat.with_additions(facilities=[other]).content_key(),
        "agreement": cat.with_additions(
            agreements=[relos.model_copy(update={"id": "relos-2"})]
        ).content_key(),
    }
    assert len(set(keys.values())) == len(keys), keys
    assert cat.with_additions(facilities=[moved]).content_key() == keys["moved"]
    assert cat.content_key() == cat.version()  # a loaded catalogue: its content hash
