"""Validation of the shipped data at load: the one place its invariants are checked.

A bad file stops start-up with a :class:`~routing.errors.DataValidationError`
whose message names the file, the record (by id, or by position when it has
no id) and what is wrong with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from routing.catalogue.model import Agreement, Catalogue, Facility
from routing.errors import DataValidationError
from routing.files import read_json
from routing.paths import SHIPPED_DATA_DIR
from routing.vocab import COMMERCIAL_PORT, LIMIT_KEYS, SERVICES, is_iso3

DEFAULT_FACILITIES = SHIPPED_DATA_DIR / "facilities.geojson"
DEFAULT_AGREEMENTS = SHIPPED_DATA_DIR / "agreements.json"
DEFAULT_COMMERCIAL_PORTS = SHIPPED_DATA_DIR / "commercial_ports.geojson"
"""The opt-in commercial-port layer (``python -m routing.sea.port_list`` writes it)."""


def pydantic_reason(exc: ValidationError) -> str:
    """Every error of a pydantic validation as 'loc: msg', joined."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def _label(record: Any, index: int) -> str:
    rid = record.get("id") if isinstance(record, dict) else None
    return f"record {rid!r}" if rid else f"record #{index}"


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def parse_facility(feature: Any, *, where: str = "facility") -> Facility:
    """One GeoJSON Feature as a validated :class:`Facility`.

    Raises :class:`DataValidationError` naming ``where`` and the reason.
    """
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise DataValidationError(f"{where}: not a GeoJSON Feature")
    geom = feature.get("geometry") or {}
    coords = geom.get("coordinates")
    if (
        geom.get("type") != "Point"
        or not isinstance(coords, list)
        or len(coords) != 2
        or not all(isinstance(c, int | float) for c in coords)
    ):
        raise DataValidationError(f"{where}: geometry must be a Point [lon, lat]")
    props = dict(feature.get("properties") or {})
    try:
        facility = Facility(id=str(feature.get("id") or ""), lon=coords[0], lat=coords[1], **props)
    except ValidationError as exc:
        raise DataValidationError(f"{where}: {pydantic_reason(exc)}") from None
    if not facility.sources:
        raise DataValidationError(f"{where}: sources: must list at least one source")
    for code in facility.grantors:
        if not is_iso3(code):
            raise DataValidationError(
                f"{where}: country {code!r} is not an ISO 3166-1 alpha-3 code"
            )
    unknown = sorted(set(facility.limits) - LIMIT_KEYS)
    if unknown:
        raise DataValidationError(f"{where}: unknown limits {unknown}; known: {sorted(LIMIT_KEYS)}")
    return facility


def parse_agreement(record: Any, *, where: str = "agreement") -> Agreement:
    """One agreement record as a validated :class:`Agreement`."""
    if not isinstance(record, dict):
        raise DataValidationError(f"{where}: not a JSON object")
    try:
        agreement = Agreement(**record)
    except ValidationError as exc:
        raise DataValidationError(f"{where}: {pydantic_reason(exc)}") from None
    if not agreement.sources:
        raise DataValidationError(f"{where}: sources: must list at least one source")
    for code in agreement.parties:
        if not is_iso3(code):
            raise DataValidationError(f"{where}: party {code!r} is not an ISO 3166-1 alpha-3 code")
    if len(set(agreement.parties)) != len(agreement.parties):
        raise DataValidationError(f"{where}: a party is named twice")
    if agreement.in_force_from < agreement.signed:
        raise DataValidationError(f"{where}: in_force_from is before signed")
    if agreement.expires is not None and agreement.expires <= agreement.in_force_from:
        raise DataValidationError(f"{where}: expires is not after in_force_from")
    return agreement


def load_facilities(path: Path) -> dict[str, Facility]:
    """Read and validate a FeatureCollection of facilities."""
    doc = read_json(path)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise DataValidationError(f"{path}: not a GeoJSON FeatureCollection")
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise DataValidationError(f"{path}: 'features' must be a non-empty list")
    dupes = _duplicates(str(f["id"]) for f in features if isinstance(f, dict) and f.get("id"))
    if dupes:
        raise DataValidationError(f"{path}: duplicate facility ids {dupes}")
    out: dict[str, Facility] = {}
    for i, feat in enumerate(features):
        fac = parse_facility(feat, where=f"{path.name}: {_label(feat, i)}")
        out[fac.id] = fac
    return out


def load_commercial_ports(
    path: Path, *, countries: Collection[str] = (), services: Collection[str] = ()
) -> dict[str, Facility]:
    """Read and validate the commercial-port layer: every record of kind
    ``commercial_port``; only those of ``countries`` (ISO3) when any are given; each
    offering ``services`` too (a planning assumption its caveats state)."""
    ports = load_facilities(Path(path))
    wrong = sorted(f.id for f in ports.values() if f.kind != COMMERCIAL_PORT)
    if wrong:
        raise DataValidationError(
            f"{Path(path).name}: records {wrong[:5]} are not of kind {COMMERCIAL_PORT!r}"
        )
    unknown = sorted(c for c in countries if not is_iso3(c))
    if unknown:
        raise DataValidationError(
            f"commercial-port countries {unknown} are not ISO 3166-1 alpha-3 codes"
        )
    if countries:
        wanted = frozenset(countries)
        ports = {i: f for i, f in ports.items() if f.country in wanted}
    bad = sorted(s for s in services if s not in SERVICES)
    if bad:
        raise DataValidationError(f"commercial-port services {bad} are not services")
    if services:
        ports = {i: _assuming(f, tuple(services)) for i, f in ports.items()}
    return ports


def _assuming(port: Facility, services: tuple[str, ...]) -> Facility:
    added = [s for s in services if s not in port.services]
    if not added:
        return port
    caveat = (
        f"{', '.join(added)} assumed for planning (commercial_port_services), not published "
        "by the source: confirm with the port's agent before counting on the call"
    )
    return port.model_copy(
        update={
            "services": (*port.services, *added),
            "caveats": (*port.caveats, caveat),
            "confidence": "uncertain",
        }
    )


def load_agreements(path: Path) -> dict[str, Agreement]:
    """Read and validate the agreements registry (a JSON list)."""
    doc = read_json(path)
    if not isinstance(doc, list) or not doc:
        raise DataValidationError(f"{path}: must be a non-empty JSON list of agreements")
    dupes = _duplicates(str(r["id"]) for r in doc if isinstance(r, dict) and r.get("id"))
    if dupes:
        raise DataValidationError(f"{path}: duplicate agreement ids {dupes}")
    out: dict[str, Agreement] = {}
    for i, rec in enumerate(doc):
        agr = parse_agreement(rec, where=f"{path.name}: {_label(rec, i)}")
        out[agr.id] = agr
    return out


def load_catalogue(
    facilities_path: Path = DEFAULT_FACILITIES,
    agreements_path: Path = DEFAULT_AGREEMENTS,
    *,
    commercial_ports: Path | None = None,
    commercial_port_countries: Collection[str] = (),
    commercial_port_services: Collection[str] = (),
) -> Catalogue:
    """Load, validate and cross-check the facilities and agreements files; with
    ``commercial_ports`` (a layer file), its ports too (those of
    ``commercial_port_countries`` when any are given). Without it the catalogue, its
    content key and the sea graph built from it are those of the two files alone."""
    facilities = load_facilities(Path(facilities_path))
    agreements = load_agreements(Path(agreements_path))
    if commercial_ports is not None:
        layer = load_commercial_ports(
            Path(commercial_ports),
            countries=tuple(commercial_port_countries),
            services=tuple(commercial_port_services),
        )
        clash = sorted(set(layer) & set(facilities))
        if clash:
            raise DataValidationError(
                f"{Path(commercial_ports).name}: ids {clash[:5]} are catalogue facilities' ids"
            )
        facilities.update(layer)
    for agr in agreements.values():
        missing = sorted(set(agr.only_facilities) - set(facilities))
        if missing:
            raise DataValidationError(
                f"{Path(agreements_path).name}: record {agr.id!r}: only_facilities names "
                f"unknown facilities {missing}"
            )
    return Catalogue(facilities=facilities, agreements=agreements)
