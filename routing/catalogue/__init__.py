"""The catalogue room: facilities and agreements, their loading and validation, the
access model (who may use what, when, for which services), queries, and platforms."""

from routing.catalogue.access import Grant, agreements_in_force, grant_for, usable_facilities
from routing.catalogue.load import load_catalogue
from routing.catalogue.model import Agreement, Catalogue, Facility, Source
from routing.catalogue.platforms import Platform, load_platforms

__all__ = [
    "Agreement",
    "Catalogue",
    "Facility",
    "Grant",
    "Platform",
    "Source",
    "agreements_in_force",
    "grant_for",
    "load_catalogue",
    "load_platforms",
    "usable_facilities",
]
