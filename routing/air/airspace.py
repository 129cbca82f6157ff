"""National airspace: which state's airspace a point or a flight path is in.

Each unit of ``data/air/airspace.geojson`` (a Natural Earth admin-0 unit: a state, or a
territory such as Guam or the British Indian Ocean Territory) is its land plus its 12 nm
territorial sea (see :mod:`routing.air.build_airspace`), with the ISO 3166 code of the
state it belongs to (``sovereign``). Outside every unit is international airspace.

Lookups are vectorised through one shapely STRtree of every polygon; a flight path is
tested as the lines between its points, after the longitudes are unwrapped, against the
polygons shifted by a turn where it crosses the antimeridian.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from routing.files import file_digest, read_json
from routing.geo import GEOD, METRES_PER_NM, unwrap
from routing.paths import SHIPPED_DATA_DIR

AIRSPACE_FILE = SHIPPED_DATA_DIR / "air" / "airspace.geojson"
SAMPLE_KM = 25.0
"""Spacing of the points a geodesic is drawn through before it is tested (km): the
straight lines between them (in longitude and latitude) lie within about 20 m of the
geodesic up to 60 degrees of latitude."""


@dataclass(frozen=True)
class Unit:
    """One state's or territory's airspace."""

    code: str  # Natural Earth ADM0_A3
    name: str
    sovereign: str  # ISO 3166 alpha-3 of the state it belongs to
    geometry: BaseGeometry


class Airspaces:
    """Every unit's airspace, with point and path lookups."""

    def __init__(self, units: Sequence[Unit], *, digest: str = "") -> None:
        self.units = tuple(units)
        self.digest = digest
        self.index = {u.code: i for i, u in enumerate(self.units)}
        parts: list[BaseGeometry] = []
        owner: list[int] = []
        for i, u in enumerate(self.units):
            for p in getattr(u.geometry, "geoms", [u.geometry]):
                parts.append(p)
                owner.append(i)
        self._parts = np.array(parts, dtype=object)
        self._owner = np.array(owner, dtype=np.int32)
        self._tree = shapely.STRtree(self._parts)
        sov: dict[str, list[int]] = {}
        for i, u in enumerate(self.units):
            sov.setdefault(u.sovereign, []).append(i)
        self._by_sovereign = {k: tuple(v) for k, v in sov.items()}

    @classmethod
    def load(cls, path: Path = AIRSPACE_FILE) -> Airspaces:
        """The airspace file at ``path``."""
        data = read_json(path)
        units = [
            Unit(
                code=str(f["id"]),
                name=str(f["properties"]["name"]),
                sovereign=str(f["properties"]["sovereign"]),
                geometry=shape(f["geometry"]),
            )
            for f in data["features"]
        ]
        return cls(units, digest=file_digest(path))

    # ------------------------------------------------------------------ names
    def sovereigns(self) -> frozenset[str]:
        """Every state that holds some airspace."""
        return frozenset(self._by_sovereign)

    def units_of(self, code: str) -> tuple[int, ...]:
        """The units a code names: every unit of a state (``USA``: Guam too), or one
        territory by its own code (``GUM``); empty when it names none."""
        if code in self._by_sovereign:
            return self._by_sovereign[code]
        i = self.index.get(code)
        return () if i is None else (i,)

    def name(self, code: str) -> str:
        """A state's or unit's name."""
        units = self.units_of(code)
        if not units:
            return code
        for i in units:
            if self.units[i].code == code:
                return self.units[i].name
        return self.units[units[0]].name

    # ---------------------------------------------------------------- lookups
    def at(self, lon: np.ndarray, lat: np.ndarray) -> list[tuple[int, ...]]:
        """For each point, the units whose airspace holds it (two where territorial seas
        overlap; none over international waters)."""
        pts: Any = shapely.points(np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(lat))
        pi, gi = self._tree.query(pts, predicate="intersects")
        out: list[list[int]] = [[] for _ in range(len(pts))]
        for p, g in zip(pi.tolist(), self._owner[gi].tolist(), strict=True):
            if g not in out[p]:
                out[p].append(g)
        return [tuple(x) for x in out]

    def crossed(self, paths: Sequence[np.ndarray]) -> list[frozenset[int]]:
        """For each path (an (n, 2) lon/lat array of points close enough together that
        straight lines between them stand for the flight), the units it enters."""
        lines: list[Any] = []
        which: list[int] = []
        for k, xy in enumerate(paths):
            lon = unwrap(np.asarray(xy[:, 0], float))
            for shift in _shifts(lon):
                lines.append(shapely.linestrings(np.column_stack([lon + shift, xy[:, 1]])))
                which.append(k)
        if not lines:
            return []
        li, gi = self._tree.query(np.array(lines, dtype=object), predicate="intersects")
        hit: list[set[int]] = [set() for _ in paths]
        owners = self._owner[gi]
        for line, g in zip(li.tolist(), owners.tolist(), strict=True):
            hit[which[line]].add(g)
        return [frozenset(h) for h in hit]

    def crossings(self, coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For ``E`` short paths given as an (E, k, 2) array of lon/lat points, the
        (path, unit) pairs of the units each enters, vectorised."""
        lon = np.asarray(coords[..., 0], float).copy()
        lon = lon[:, :1] + (lon - lon[:, :1] + 180.0) % 360.0 - 180.0  # unwrap each path
        lat = np.asarray(coords[..., 1], float)
        edges: list[np.ndarray] = []
        units: list[np.ndarray] = []
        for shift in (0.0, -360.0, 360.0):
            moved = lon + shift
            rows = np.flatnonzero((moved.min(axis=1) <= 180.0) & (moved.max(axis=1) >= -180.0))
            if shift != 0.0:
                rows = rows[(lon[rows].min(axis=1) < -180.0) | (lon[rows].max(axis=1) > 180.0)]
            if len(rows) == 0:
                continue
            lines = shapely.linestrings(np.stack([moved[rows], lat[rows]], axis=-1))
            li, gi = self._tree.query(lines, predicate="intersects")
            edges.append(rows[li])
            units.append(self._owner[gi])
        pairs = np.unique(np.column_stack([np.concatenate(edges), np.concatenate(units)]), axis=0)
        return pairs[:, 0], pairs[:, 1]

    def runs(self, xy: np.ndarray) -> list[tuple[tuple[int, ...], float]]:
        """The airspace along a densified path, in order: (units, nm) for each stretch
        spent in the same units (``()``: international airspace)."""
        xy = np.asarray(xy, float)
        mid = (xy[1:] + xy[:-1]) / 2.0
        mid[:, 0] = np.where(np.abs(xy[1:, 0] - xy[:-1, 0]) > 180, _antimid(xy), mid[:, 0])
        here = self.at(mid[:, 0], mid[:, 1])
        seg = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2] / METRES_PER_NM
        out: list[tuple[tuple[int, ...], float]] = []
        for units, nm in zip(here, np.asarray(seg, float).tolist(), strict=True):
            if out and out[-1][0] == units:
                out[-1] = (units, out[-1][1] + nm)
            else:
                out.append((units, nm))
        return out


def _antimid(xy: np.ndarray) -> np.ndarray:
    lon = unwrap(np.asarray(xy[:, 0], float))
    mid = (lon[1:] + lon[:-1]) / 2.0
    return (mid + 180.0) % 360.0 - 180.0


def _shifts(lon: np.ndarray) -> Iterable[float]:
    """The turns an unwrapped path must be shifted by to meet polygons in [-180, 180]."""
    lo, hi = float(lon.min()), float(lon.max())
    for k in (-720.0, -360.0, 0.0, 360.0, 720.0):
        if lo + k <= 180.0 and hi + k >= -180.0:
            yield k


def densify(points: np.ndarray, km: float = SAMPLE_KM) -> np.ndarray:
    """The geodesics through ``points`` (lon/lat), as points at most ``km`` apart."""
    pts = np.asarray(points, float)
    a, b = pts[:-1], pts[1:]
    az, _, dist = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    dist = np.atleast_1d(np.asarray(dist, float))
    n = np.maximum(1, np.ceil(dist / (km * 1000.0)).astype(int))
    seg = np.repeat(np.arange(len(a)), n)
    step = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    frac = step / n[seg]
    lon, lat, _ = GEOD.fwd(a[seg, 0], a[seg, 1], np.atleast_1d(az)[seg], dist[seg] * frac)
    return np.vstack([np.column_stack([lon, lat]), pts[-1:]])


@functools.cache
def shipped_airspaces() -> Airspaces:
    """The shipped airspace file, loaded once per process."""
    return Airspaces.load()
