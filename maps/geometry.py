"""Geometry for drawing: continuous lines across the antimeridian, geodesic range rings.

Everything here is GeoJSON order (lon, lat). A map draws in one longitude *frame*:
lines are unwrapped (longitudes may leave [-180, 180]) and every point drawn with a
line (a stop, a gate, a ring) is shifted by a multiple of 360 degrees into the
line's frame, so that it sits on the line rather than a world away.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from routing.geo import GEOD, METRES_PER_NM, LonLat, unwrap_longitudes

Coords = list[tuple[float, float]]


def unwrap(coords: Sequence[Sequence[float]]) -> Coords:
    """A line made continuous: no step between consecutive points exceeds 180 degrees."""
    return [
        (p.lon, p.lat)
        for p in unwrap_longitudes([LonLat(float(c[0]), float(c[1])) for c in coords])
    ]


def shift_near(lon: float, ref: float) -> float:
    """``lon`` moved by a multiple of 360 degrees to lie within 180 degrees of ``ref``."""
    return lon + 360.0 * round((ref - lon) / 360.0)


def shift_into(lon: float, west: float, east: float) -> float:
    """``lon`` moved by a multiple of 360 degrees to lie in, or nearest to, [west, east]."""
    best, best_gap = lon, float("inf")
    base = shift_near(lon, (west + east) / 2)
    for candidate in (base - 360.0, base, base + 360.0):
        gap = max(west - candidate, candidate - east, 0.0)
        if gap < best_gap:
            best, best_gap = candidate, gap
    return best


def shift_coords(coords: Coords, dlon: float) -> Coords:
    """Every point moved east by ``dlon`` degrees."""
    return [(lon + dlon, lat) for lon, lat in coords]


def compact_frame(lons: Sequence[float]) -> list[float]:
    """Longitudes of scattered points moved by 360 degrees so that they span the least.

    The world is cut at the widest empty gap between the points, so that points on both
    sides of the antimeridian (Anadyr and Provideniya, Guam and Pearl Harbor) sit side
    by side and the view fits them tighter. Order and count are kept.
    """
    if len(lons) < 2:
        return list(lons)
    ordered = sorted(((lon + 180.0) % 360.0) - 180.0 for lon in lons)
    gaps = [(b - a, a) for a, b in itertools.pairwise(ordered)]
    wrap_gap = ordered[0] + 360.0 - ordered[-1]
    widest, cut = max(gaps)
    if widest <= wrap_gap:
        return [((lon + 180.0) % 360.0) - 180.0 for lon in lons]
    out = []
    for lon in lons:
        natural = ((lon + 180.0) % 360.0) - 180.0
        out.append(natural + 360.0 if natural <= cut else natural)
    return out


def chain(
    lines: Sequence[Sequence[Sequence[float]]], *, start_near: float | None = None
) -> list[Coords]:
    """Lines drawn one after another (legs), each unwrapped and moved to start where the last ended.

    Parameters
    ----------
    lines
        Each a list of [lon, lat] positions.
    start_near
        A longitude the first line should start near (the origin's, in its frame).
    """
    out: list[Coords] = []
    ref = start_near
    for line in lines:
        coords = unwrap(line)
        if coords and ref is not None:
            coords = shift_coords(coords, shift_near(coords[0][0], ref) - coords[0][0])
        if coords:
            ref = coords[-1][0]
        out.append(coords)
    return out


def geodesic_ring(lon: float, lat: float, radius_nm: float, *, n: int = 180) -> Coords:
    """The closed ring of points ``radius_nm`` from (lon, lat) on the WGS84 ellipsoid.

    The ring is continuous in longitude around the centre (it may leave [-180, 180]
    when the centre is near the antimeridian). When the circle encloses a pole, the
    ring runs once round the globe, and is closed along the pole's latitude so that
    the enclosed side is the one with the pole and the centre.

    Parameters
    ----------
    lon, lat
        The centre, degrees.
    radius_nm
        Geodesic radius in nautical miles (must be positive).
    n
        Number of azimuths (points before closing).
    """
    if radius_nm <= 0:
        raise ValueError(f"radius must be positive, got {radius_nm}")
    azimuths = np.linspace(0.0, 360.0, n, endpoint=False)
    lons, lats, _ = GEOD.fwd(
        np.full(n, lon), np.full(n, lat), azimuths, np.full(n, radius_nm * METRES_PER_NM)
    )
    ring = unwrap([(shift_near(float(x), lon), float(y)) for x, y in zip(lons, lats, strict=True)])
    if not encloses_pole(lat, radius_nm):
        return [*ring, ring[0]]
    # The circle encloses a pole: its longitudes sweep a whole turn; close along the pole.
    pole_lat = 90.0 if lat > 0 else -90.0
    first, last = ring[0], ring[-1]
    end = shift_near(first[0], last[0])
    return [*ring, (end, first[1]), (end, pole_lat), (first[0], pole_lat), first]


def encloses_pole(lat: float, radius_nm: float) -> bool:
    """True when a circle of ``radius_nm`` about a point at ``lat`` contains a pole."""
    pole_lat = 90.0 if lat >= 0 else -90.0
    _, _, metres = GEOD.inv(0.0, lat, 0.0, pole_lat)
    return bool(metres < radius_nm * METRES_PER_NM)
