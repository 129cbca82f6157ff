"""Plans and routes as files for other tools: GPX, KML, CSV, GeoPackage and RTZ.

Navigators load routes into ECDIS (RTZ, IEC 61174) and chart plotters (GPX); analysts
into QGIS (GeoPackage, CSV) and Google Earth (KML). Every format is written from the
answer a front end already has: a ``POST /plans`` answer (live, or a saved plan's
``result``) or a ``GET /routes`` Feature, so the HTTP API, the CLI and Python give the
same file for the same plan::

    from routing.export import export
    export(services.plan_json(spec), "rtz")      # bytes of the .rtz file
    plan.to_gpx()                                 # the same, from a Plan object

The waypoints follow the sea route itself: each leg's track, thinned by default to
within :data:`DEFAULT_SIMPLIFY_NM` of it where the leg that replaces the vertices stays
at sea however it is drawn (``simplify_nm=0`` keeps every vertex; see
:mod:`routing.export.simplify`). The calls are named after their facilities, and
longitudes stay in [-180, 180] with lines cut at the antimeridian (see
:mod:`routing.export.voyage`).

This package is light to import: the writers (lxml, gpxpy, geopandas) and the land mask
load on the first export, so :mod:`routing.plan` and :mod:`routing.sea` (whose ``Plan``
and ``Route`` export through :class:`routing.export.mixin.Exportable`) do not pull them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routing.errors import InvalidInputError
from routing.export.simplify import (
    DEFAULT_SIMPLIFY_NM,
    MAX_SIMPLIFY_NM,
    LandTest,
    check_simplify_nm,
    thin_voyage,
)
from routing.export.voyage import Call, Track, Voyage, is_plan, read

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
    "gpx": "GPX 1.1: the calls as waypoints, the route through the track's waypoints, "
    "a track per leg",
    "kml": "KML 2.2 (Google Earth): the legs and the calls",
    "csv": "CSV: a row per call and per leg",
    "gpkg": "GeoPackage (QGIS): layers legs and calls",
    "rtz": "RTZ 1.0 (IEC 61174 route exchange, ECDIS): named waypoints, legs with speed",
}


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


def voyage(
    answer: Mapping[str, Any],
    *,
    simplify_nm: float = 0.0,
    land: LandTest | None = None,
) -> Voyage:
    """The plan or route answer read as a voyage (calls, legs, tracks); with
    ``simplify_nm`` its tracks thinned (:func:`routing.export.simplify.thin_voyage`)."""
    v = read(answer)
    return thin_voyage(v, check_simplify_nm(simplify_nm), land=land) if simplify_nm else v


def _voyage(
    answer: Mapping[str, Any], fmt: str, simplify_nm: float, land: LandTest | None
) -> Voyage:
    tolerance = check_simplify_nm(simplify_nm)
    v = read(answer, fmt=fmt)
    return v if fmt == "csv" else thin_voyage(v, tolerance, land=land)  # CSV has no vertices


def _write(v: Voyage, fmt: str) -> bytes:
    from routing.export import writers  # lxml, gpxpy, geopandas: on the first export only

    if fmt == "gpkg":
        return writers.to_gpkg(v)
    text = {"gpx": writers.to_gpx, "kml": writers.to_kml, "csv": writers.to_csv}
    return text.get(fmt, writers.to_rtz)(v).encode("utf-8")


def export(
    answer: Mapping[str, Any],
    fmt: str,
    *,
    simplify_nm: float = DEFAULT_SIMPLIFY_NM,
    land: LandTest | None = None,
) -> bytes:
    """The file of ``answer`` (a plan or route answer) in format ``fmt``.

    Parameters
    ----------
    simplify_nm
        Thin each leg's track: drop vertices lying within this many nm of the leg that
        replaces them, where that leg stays at sea drawn as a great circle, a rhumb line or
        straight in lon/lat (``0``: every vertex). The calls and the passage gates are
        always kept; flights are never thinned.
    land
        The land test of thinning (default: GSHHG, :class:`~routing.export.simplify.GshhgLand`).

    Raises
    ------
    InvalidInputError
        An unknown format, or RTZ for a flight (names ``format``); a negative, NaN or too
        large ``simplify_nm`` (names ``simplify_nm``).
    InfeasiblePlanError
        An infeasible plan: no route to export (names ``format``).
    """
    key = check_format(fmt)
    return _write(_voyage(answer, key, simplify_nm, land), key)


def filename(answer: Mapping[str, Any], fmt: str) -> str:
    """The file name to offer: ``relos-plan-<origin>-<destination>.<ext>`` (an RTZ's
    ``routeName`` is the same stem, as ECDIS expect)."""
    key = check_format(fmt)
    return f"{read(answer, fmt=key).stem}.{key}"


def to_gpx(answer: Mapping[str, Any], *, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> str:
    """GPX 1.1 text of a plan or route answer."""
    return export(answer, "gpx", simplify_nm=simplify_nm).decode()


def to_kml(answer: Mapping[str, Any], *, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> str:
    """KML 2.2 text of a plan or route answer."""
    return export(answer, "kml", simplify_nm=simplify_nm).decode()


def to_rtz(answer: Mapping[str, Any], *, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> str:
    """RTZ 1.0 text of a plan or route answer (ships only)."""
    return export(answer, "rtz", simplify_nm=simplify_nm).decode()


def to_csv(answer: Mapping[str, Any]) -> str:
    """CSV text of a plan or route answer: a row per call and per leg (no vertices)."""
    return export(answer, "csv").decode()


def to_gpkg(answer: Mapping[str, Any], *, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> bytes:
    """GeoPackage bytes of a plan or route answer (layers ``legs`` and ``calls``)."""
    return export(answer, "gpkg", simplify_nm=simplify_nm)


def to_geodataframes(
    answer: Mapping[str, Any], *, simplify_nm: float = DEFAULT_SIMPLIFY_NM
) -> dict[str, gpd.GeoDataFrame]:
    """The GeoPackage's layers as GeoDataFrames: ``legs`` and ``calls``."""
    from routing.export.writers import to_geodataframes as frames

    return frames(_voyage(answer, "gpkg", simplify_nm, None))


def write(
    answer: Mapping[str, Any],
    path: str | Path,
    *,
    fmt: str | None = None,
    simplify_nm: float = DEFAULT_SIMPLIFY_NM,
) -> int:
    """Write the export to ``path`` (format from its extension unless ``fmt``); returns
    the size in bytes."""
    data = export(answer, fmt or format_for_path(path), simplify_nm=simplify_nm)
    Path(path).write_bytes(data)
    return len(data)


__all__ = [
    "DEFAULT_SIMPLIFY_NM",
    "DESCRIPTIONS",
    "FORMATS",
    "MAX_SIMPLIFY_NM",
    "MEDIA_TYPES",
    "Call",
    "Track",
    "Voyage",
    "check_format",
    "check_simplify_nm",
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
