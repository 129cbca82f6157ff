"""Coordinate conventions and distances.

One convention everywhere: GeoJSON order (lon, lat), EPSG:4326. Distances are
computed on the WGS84 ellipsoid with :class:`pyproj.Geod` and reported in
nautical miles.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from pyproj import Geod

METRES_PER_NM = 1852.0
GEOD = Geod(ellps="WGS84")


class LonLat(NamedTuple):
    """A point in GeoJSON order: longitude then latitude, degrees, EPSG:4326."""

    lon: float
    lat: float


def geodesic_nm(a: LonLat, b: LonLat) -> float:
    """Ellipsoidal distance between two points, in nautical miles."""
    _, _, metres = GEOD.inv(a.lon, a.lat, b.lon, b.lat)
    return float(metres) / METRES_PER_NM


def geodesic_nm_many(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Vectorised ellipsoidal distances, in nautical miles."""
    _, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(metres, dtype=float) / METRES_PER_NM


def haversine_nm(
    lon1: np.ndarray | float,
    lat1: np.ndarray | float,
    lon2: np.ndarray | float,
    lat2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance on a sphere of the mean Earth radius, in nautical miles.

    Cheaper than :func:`geodesic_nm_many`; use it for screening, not for reported figures.
    """
    r_nm = 6371008.8 / METRES_PER_NM
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * r_nm * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def unwrap_array(coords: np.ndarray) -> np.ndarray:
    """Longitudes of an (n, 2) lon/lat array shifted so no step exceeds 180 degrees.

    The first point keeps its longitude; the result may leave [-180, 180], which
    is what a web map needs to draw one continuous line across the antimeridian.
    """
    out = np.array(coords, dtype=float).reshape(-1, 2)
    if len(out) > 1:
        steps = np.diff(out[:, 0])
        shift = -360.0 * np.round(steps / 360.0)
        out[1:, 0] += np.cumsum(shift)
    return out


def unwrap_longitudes(coords: list[LonLat]) -> list[LonLat]:
    """Make a line continuous across the antimeridian (see :func:`unwrap_array`)."""
    if not coords:
        return []
    return [LonLat(lon, lat) for lon, lat in unwrap_array(np.asarray(coords)).tolist()]
