"""Parsers for compound parameters (bbox, points, comma lists), shared by every front end.

Each raises :class:`~routing.errors.InvalidInputError` naming the parameter,
which the error table turns into a 422.
"""

from __future__ import annotations

import math

from routing.errors import InvalidInputError
from routing.geo import BBox, LonLat


def _floats(text: str, n: int, *, field: str, shape: str) -> list[float]:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != n:
        raise InvalidInputError(f"expected {shape}, got {text!r}", field=field)
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InvalidInputError(f"expected {shape} as numbers, got {text!r}", field=field) from None
    if not all(math.isfinite(v) for v in values):
        raise InvalidInputError(f"expected finite numbers, got {text!r}", field=field)
    return values


def check_lonlat(lon: float, lat: float, *, field: str) -> LonLat:
    """A validated point: longitude in [-180, 180], latitude in [-90, 90]."""
    if not -90 <= lat <= 90:
        raise InvalidInputError(f"latitude {lat} is outside [-90, 90]", field=field)
    if not -180 <= lon <= 180:
        raise InvalidInputError(f"longitude {lon} is outside [-180, 180]", field=field)
    return LonLat(lon, lat)


def parse_lonlat(text: str, *, field: str) -> LonLat:
    """``"lon,lat"`` as a validated point."""
    lon, lat = _floats(text, 2, field=field, shape="'lon,lat'")
    return check_lonlat(lon, lat, field=field)


def looks_like_point(text: str) -> bool:
    """True when ``text`` has the form of ``lon,lat`` rather than a facility id."""
    parts = text.split(",")
    if len(parts) != 2:
        return False
    try:
        [float(p) for p in parts]
    except ValueError:
        return False
    return True


def parse_bbox(text: str, *, field: str = "bbox") -> BBox:
    """``"west,south,east,north"`` as a box; ``west > east`` crosses the antimeridian."""
    west, south, east, north = _floats(text, 4, field=field, shape="'west,south,east,north'")
    check_lonlat(west, south, field=field)
    check_lonlat(east, north, field=field)
    if south >= north:
        raise InvalidInputError(
            f"empty box: south ({south}) must be less than north ({north})", field=field
        )
    if west == east:
        raise InvalidInputError(f"empty box: west and east are both {west}", field=field)
    return BBox(west, south, east, north)


def split_list(text: str | None) -> list[str]:
    """A comma-separated list, blanks dropped; ``None`` is the empty list."""
    if not text:
        return []
    return [p.strip() for p in text.split(",") if p.strip()]
