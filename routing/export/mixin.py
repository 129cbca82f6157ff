"""The export methods a :class:`~routing.plan.planner.Plan` and a sea
:class:`~routing.sea.router.Route` share: ``export``, ``to_file``, ``to_gpx``, ...

Light to import (the writers load on the first export): a class mixes
:class:`Exportable` in and says which answer it exports (:meth:`Exportable.export_answer`:
a plan's ``POST /plans`` answer, a route's GeoJSON Feature), so the object writes the same
file the API and the CLI give for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from routing.export import export, write
from routing.export.simplify import DEFAULT_SIMPLIFY_NM


class Exportable:
    """Exports of an object with a JSON answer (see the module docstring).

    ``simplify_nm`` thins the tracks (every vertex dropped lies within that many nm of
    the leg replacing it, which stays at sea; ``0`` keeps every vertex): see
    :func:`routing.export.export`.
    """

    __slots__ = ()

    def export_answer(self) -> Mapping[str, Any]:
        """The answer the files are written from."""
        raise NotImplementedError

    def export(self, fmt: str, *, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> bytes:
        """The file in format ``fmt``: ``gpx``, ``kml``, ``csv``, ``gpkg`` or ``rtz``
        (:func:`routing.export.export`, the same file the API and the CLI give)."""
        return export(self.export_answer(), fmt, simplify_nm=simplify_nm)

    def to_file(self, path: str | Path, *, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> int:
        """Write the file to ``path`` in the format its extension names; returns bytes."""
        return write(self.export_answer(), path, simplify_nm=simplify_nm)

    def to_gpx(self, *, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> str:
        """GPX 1.1: the calls as waypoints, the route through the track's waypoints, the legs."""
        return self.export("gpx", simplify_nm=simplify_nm).decode()

    def to_kml(self, *, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> str:
        """KML 2.2 (Google Earth): the legs and the calls."""
        return self.export("kml", simplify_nm=simplify_nm).decode()

    def to_rtz(self, *, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> str:
        """RTZ 1.0 (IEC 61174, ECDIS): named waypoints along the route, legs with speed."""
        return self.export("rtz", simplify_nm=simplify_nm).decode()

    def to_csv(self) -> str:
        """CSV: a row per call and per leg."""
        return self.export("csv").decode()

    def to_gpkg(self, *, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> bytes:
        """GeoPackage bytes: layers ``legs`` and ``calls``."""
        return self.export("gpkg", simplify_nm=simplify_nm)
