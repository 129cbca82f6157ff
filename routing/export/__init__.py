"""Plans and routes as files for other tools: GPX, KML, CSV, GeoPackage and RTZ.

Navigators load routes into ECDIS (RTZ, IEC 61174) and chart plotters (GPX); analysts
into QGIS (GeoPackage, CSV) and Google Earth (KML). Every format is written from the
answer a front end already has: a ``POST /plans`` answer (live, or a saved plan's
``result``) or a ``GET /routes`` Feature, so the HTTP API, the CLI and Python give the
same file for the same plan::

    from routing.export import export
    export(services.plan_json(spec), "rtz")      # bytes of the .rtz file
    plan.to_gpx()                                 # the same, from a Plan object

The waypoints follow the sea route itself (every vertex of each leg's track), the
calls are named after their facilities, and longitudes stay in [-180, 180] with lines
cut at the antimeridian (see :mod:`routing.export.voyage`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routing.errors import InvalidInputError
from routing.export.voyage import Call, Track, Voyage, is_plan, read
from routing.export.writers import to_csv as _csv
from routing.export.writers import to_geodataframes as _frames
from routing.export.writers import to_gpkg as _gpkg
from routing.export.writers import to_gpx as _gpx
from routing.export.writers import to_kml as _kml
from routing.export.writers import to_rtz as _rtz

if TYPE_CHECKING:
    import geopandas as gpd

FORMATS: tuple[str, ...] = ("gpx", "kml", "csv", "gpkg", "rtz")
"""The export formats, by their usual file extension."""

MEDIA_TYPES: dict[str, str] = {
    "gpx": "application/gpx+xml",
    "kml": "application/vnd.google-earth.kml+xml",
    "csv": "text/csv",
    "gpkg": "application/geopackage+sqlite3",
    "rtz": "application/xml",
}
"""The media type of each format (RTZ has none registered: it is XML)."""

DESCRIPTIONS: dict[str, str] = {
    "gpx": "GPX 1.1: the calls as waypoints, the route through every vertex, a track per leg",
    "kml": "KML 2.2 (Google Earth): the legs and the calls",
    "csv": "CSV: a row per call and per leg",
    "gpkg": "GeoPackage (QGIS): layers legs and calls",
    "rtz": "RTZ 1.0 (IEC 61174 route exchange, ECDIS): named waypoints, legs with speed",
}

_TEXT = {"gpx": _gpx, "kml": _kml, "csv": _csv, "rtz": _rtz}


def check_format(fmt: str, *, field: str = "format") -> str:
    """``fmt`` as one of :data:`FORMATS` (case-insensitive), or an error naming ``field``
    and the choices."""
    key = fmt.strip().lower().lstrip(".")
    if key not in FORMATS:
        raise InvalidInputError(
            f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}", field=field
        )
    return key


def format_for_path(path: str | Path, *, field: str = "output") -> str:
    """The format a file name asks for, by its extension (``plan.rtz`` -> ``rtz``)."""
    suffix = Path(path).suffix
    if not suffix:
        raise InvalidInputError(
            f"{path}: give the file an extension, one of: {', '.join(FORMATS)}", field=field
        )
    return check_format(suffix, field=field)


def voyage(answer: Mapping[str, Any]) -> Voyage:
    """The plan or route answer read as a voyage (calls, legs, tracks)."""
    return read(answer)


def export(answer: Mapping[str, Any], fmt: str) -> bytes:
    """The file of ``answer`` (a plan or route answer) in format ``fmt``.

    Raises
    ------
    InvalidInputError
        An unknown format, or RTZ for a flight (names ``format``).
    InfeasiblePlanError
        An infeasible plan: no route to export (names ``format``).
    """
    key = check_format(fmt)
    v = read(answer, fmt=key)
    if key == "gpkg":
        return _gpkg(v)
    return _TEXT[key](v).encode("utf-8")


def filename(answer: Mapping[str, Any], fmt: str) -> str:
    """The file name to offer: ``relos-plan-<origin>-<destination>.<ext>`` (an RTZ's
    ``routeName`` is the same stem, as ECDIS expect)."""
    key = check_format(fmt)
    return f"{read(answer, fmt=key).stem}.{key}"


def to_gpx(answer: Mapping[str, Any]) -> str:
    """GPX 1.1 text of a plan or route answer."""
    return _gpx(read(answer, fmt="gpx"))


def to_kml(answer: Mapping[str, Any]) -> str:
    """KML 2.2 text of a plan or route answer."""
    return _kml(read(answer, fmt="kml"))


def to_rtz(answer: Mapping[str, Any]) -> str:
    """RTZ 1.0 text of a plan or route answer (ships only)."""
    return _rtz(read(answer, fmt="rtz"))


def to_csv(answer: Mapping[str, Any]) -> str:
    """CSV text of a plan or route answer: a row per call and per leg."""
    return _csv(read(answer, fmt="csv"))


def to_gpkg(answer: Mapping[str, Any]) -> bytes:
    """GeoPackage bytes of a plan or route answer (layers ``legs`` and ``calls``)."""
    return _gpkg(read(answer, fmt="gpkg"))


def to_geodataframes(answer: Mapping[str, Any]) -> dict[str, gpd.GeoDataFrame]:
    """The GeoPackage's layers as GeoDataFrames: ``legs`` and ``calls``."""
    return _frames(read(answer, fmt="gpkg"))


def write(answer: Mapping[str, Any], path: str | Path, *, fmt: str | None = None) -> int:
    """Write the export to ``path`` (format from its extension unless ``fmt``); returns
    the size in bytes."""
    data = export(answer, fmt or format_for_path(path))
    Path(path).write_bytes(data)
    return len(data)


__all__ = [
    "DESCRIPTIONS",
    "FORMATS",
    "MEDIA_TYPES",
    "Call",
    "Track",
    "Voyage",
    "check_format",
    "export",
    "filename",
    "format_for_path",
    "is_plan",
    "to_csv",
    "to_geodataframes",
    "to_gpkg",
    "to_gpx",
    "to_kml",
    "to_rtz",
    "voyage",
    "write",
]
