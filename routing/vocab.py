"""Controlled vocabularies shared by the catalogue, the agreements and the planner."""

from __future__ import annotations

from typing import Literal, get_args

import pycountry

Kind = Literal["naval_base", "port", "airbase"]
KINDS: tuple[str, ...] = get_args(Kind)

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
SEA_KINDS: frozenset[str] = frozenset({"naval_base", "port"})

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
