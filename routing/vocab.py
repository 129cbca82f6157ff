"""Controlled vocabularies shared by the catalogue, the agreements and the planner."""

from __future__ import annotations

from typing import Literal, get_args

import pycountry

from routing.errors import InvalidInputError

Kind = Literal["naval_base", "port", "airbase", "commercial_port"]
KINDS: tuple[str, ...] = get_args(Kind)

AgreementKind = Literal["naval_base", "port", "airbase"]
"""Kinds an agreement can open: never ``commercial_port`` (the commercial-port layer,
``data/commercial_ports.geojson``, is called at by diplomatic clearance only)."""

COMMERCIAL_PORT = "commercial_port"
"""The kind of the opt-in commercial-port layer's records."""

HIDDEN_KINDS: frozenset[str] = frozenset({COMMERCIAL_PORT})
"""Kinds the catalogue views leave out unless asked for (``kind=`` or ``include=``)."""

Service = Literal[
    "fuel",
    "aviation_fuel",
    "provisions",
    "water",
    "repairs",
    "berthing",
    "medical",
    "ammunition",
    "spares",
    "maintenance",
    "transport",
    "storage",
    "communications",
    "accommodation",
]
SERVICES: tuple[str, ...] = get_args(Service)

#: Kinds a ship can call at (and that the sea graph connects).
SEA_KINDS: frozenset[str] = frozenset({"naval_base", "port", COMMERCIAL_PORT})

LIMIT_KEYS: frozenset[str] = frozenset(
    {
        "max_draught_m",
        "max_loa_m",
        "berth_length_m",
        "runway_length_m",
        "runway_width_m",
        "elevation_m",
    }
)


def is_iso3(code: str) -> bool:
    """True when ``code`` is an ISO 3166-1 alpha-3 country code (upper case)."""
    return code.isupper() and pycountry.countries.get(alpha_3=code) is not None


def country_name(code: str) -> str:
    """The ISO short name of an alpha-3 code, or the code itself when unknown."""
    country = pycountry.countries.get(alpha_3=code)
    return str(country.name) if country is not None else code


ICE_CLASSES: tuple[str, ...] = (
    "none",
    "ice1",
    "ice2",
    "ice3",
    "arc4",
    "arc5",
    "arc6",
    "arc7",
    "arc8",
    "arc9",
)
"""Russian Maritime Register ice classes, weakest first (``none`` = no ice strengthening)."""

_POLAR_CLASSES = {
    "pc1": "arc9",
    "pc2": "arc9",
    "pc3": "arc9",
    "pc4": "arc8",
    "pc5": "arc7",
    "pc6": "arc5",
    "pc7": "arc4",
}


def normalise_ice_class(ice_class: str | None, *, field: str = "ice_class") -> str:
    """Canonical ice class (``none`` for ``None``); ``InvalidInputError`` if unknown.

    Accepts e.g. ``"Arc4"``, ``"ARC 4"``, ``"ice2"``, ``"none"``; Polar Classes
    ``PC1``-``PC7`` map to Arc9-Arc4 (PC1-PC3 to Arc9, PC4 to Arc8, PC5 to Arc7,
    PC6 to Arc5, PC7 to Arc4), an approximate correspondence.
    """
    if ice_class is None:
        return "none"
    key = ice_class.strip().lower().replace(" ", "").replace("-", "")
    if key in ("", "no", "none", "noice"):
        return "none"
    key = _POLAR_CLASSES.get(key, key)
    if key not in ICE_CLASSES:
        raise InvalidInputError(
            f"unknown ice class {ice_class!r}; use one of {', '.join(ICE_CLASSES)} or PC1-PC7",
            field=field,
        )
    return key


def weakest_ice_class(classes: list[str | None]) -> str:
    """The weakest of several ice classes (a group sails as its weakest ship)."""
    if not classes:
        return "none"
    return min((normalise_ice_class(c) for c in classes), key=ICE_CLASSES.index)


Confidence = Literal["confirmed", "assumed_date", "uncertain", "contested"]
CONFIDENCE_LEVELS: tuple[str, ...] = ("contested", "uncertain", "assumed_date", "confirmed")
"""How sure the record is, weakest first: ``confirmed`` (published and current),
``assumed_date`` (in force, but a date was assumed where none is published),
``uncertain`` (its status is in doubt, e.g. Tartus since December 2024) and
``contested`` (its legal basis is disputed, e.g. occupied territory)."""


def confidence_rank(level: str) -> int:
    """Position of a confidence level, weakest (0) to strongest."""
    return CONFIDENCE_LEVELS.index(level)
