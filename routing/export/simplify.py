"""Land-safe thinning of a voyage's tracks: fewer waypoints, the same sea route.

A sea route keeps every vertex the router drew (a 12,910 nm voyage has 1,401), more than
an ECDIS or a chart plotter wants to hold. :func:`thin_voyage` drops vertices the
Douglas-Peucker way (a vertex goes if it lies within ``tolerance_nm`` of the leg that
replaces it), with two rules besides:

* the leg that replaces vertices must stay at sea however a reader draws it: as the great
  circle an RTZ leg of ``geometryType="Orthodrome"`` sails (and KML draws with
  ``tessellate``), as the rhumb line a chart plotter may sail a GPX route on, or straight
  in lon/lat as a GIS draws a GeoPackage. Each of the three must keep within
  ``tolerance_nm`` of the great circle, and all are sampled every :data:`SAMPLE_NM` and
  tested against GSHHG full resolution as ``roaring-landmask`` ships it, in its
  conservative form (a cell of 1/240 degree, about 460 m, counts as land if any land is
  in it: :class:`GshhgLand`), so a new leg keeps that clear of the shore;
* the ends of each leg (the origin, each stop, each waypoint, the destination), any
  vertex at a call's position, and both ends of each segment where the track crosses
  the gate of a passage it lists (``data/sea/passages.geojson``: a strait's or canal's
  gate, a seasonal route's entry lines, an ice region's edge) are always kept, so the
  file crosses each gate where the route does.

The router's own segments (consecutive vertices) are never tested: they stand. No leg
comes out more than :data:`MAX_SHORTENING` (0.1 %) shorter than its track (it is thinned
again at half the tolerance if it would). Flights are not thinned: what bounds them is
closed airspace, not land, and this does not check that.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from routing.errors import InvalidInputError
from routing.export.voyage import Track, Voyage
from routing.geo import EARTH_RADIUS_NM, from_unit_vectors, line_nm, to_unit_vectors
from routing.paths import SHIPPED_DATA_DIR

DEFAULT_SIMPLIFY_NM = 1.0
"""Default cross-track tolerance of thinning, nm (``0`` keeps every vertex)."""
MAX_SIMPLIFY_NM = 20.0
"""Largest tolerance accepted, nm."""
SAMPLE_NM = 0.1
"""Spacing of the land test along a segment that would replace vertices (185 m, under
half a land cell)."""
MAX_SHORTENING = 0.001
"""A thinned leg is at most this share shorter than the router's track (0.1 %): where
it would be more, the leg is thinned again at half the tolerance (:data:`RETRIES`
times at most, then left whole)."""
RETRIES = 4
SHAPE_POINTS = 33
"""Points at which a leg drawn as a rhumb line or straight in lon/lat is compared with
the great circle (the gap between them is smooth, widest near the middle)."""
PASSAGES_FILE = SHIPPED_DATA_DIR / "sea" / "passages.geojson"

LandTest = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""Land flags of points: ``(lon, lat) -> bool array`` (lon in [-180, 180])."""


def check_simplify_nm(value: Any, *, field: str = "simplify_nm") -> float:
    """``value`` as a tolerance in nm (0 to :data:`MAX_SIMPLIFY_NM`), or an error naming
    ``field``: a negative, not-a-number or infinite tolerance, or one above the limit."""
    try:
        nm = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{field} must be a number of nautical miles, not {str(value)[:40]!r}", field=field
        ) from None
    if not math.isfinite(nm) or nm < 0 or nm > MAX_SIMPLIFY_NM:
        raise InvalidInputError(
            f"{field} must be between 0 (keep every vertex) and {MAX_SIMPLIFY_NM:g} nm, "
            f"not {str(value)[:40]}",
            field=field,
        )
    return nm


# -- the land test -------------------------------------------------------------------------


class GshhgLand:
    """GSHHG full resolution from ``roaring-landmask``: its raster of 1/240 degree cells,
    a cell set wherever any land lies in it (conservative: never water where GSHHG has
    land). Loaded on first use (about 3 s and 400 MB), once per process."""

    _lock = threading.Lock()
    _mask: Any = None

    @classmethod
    def mask(cls) -> Any:
        """The ``RoaringMask`` (loaded once, thread-safe)."""
        with cls._lock:
            if cls._mask is None:
                from roaring_landmask import LandmaskProvider, RoaringMask

                cls._mask = RoaringMask.new(LandmaskProvider.Gshhg)
            return cls._mask

    def __call__(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray((np.asarray(lon, float) + 180.0) % 360.0 - 180.0)
        y = np.ascontiguousarray(np.asarray(lat, float))
        if x.size == 0:
            return np.zeros(0, dtype=bool)
        return np.asarray(self.mask().contains_many(x, y), dtype=bool)


# -- passage gates ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _gates() -> dict[str, tuple[np.ndarray, ...]]:
    """The lines a route through each passage crosses, by passage id: a gate passage's
    gates, a seasonal route's ``transit`` lines, an ice region's edge."""
    data = json.loads(PASSAGES_FILE.read_text(encoding="utf-8"))
    out: dict[str, tuple[np.ndarray, ...]] = {}
    for feature in data.get("features", []):
        props, geom = feature.get("properties") or {}, feature.get("geometry") or {}
        if props.get("transit"):
            lines = props["transit"]
        elif geom.get("type") == "MultiLineString":
            lines = geom["coordinates"]
        elif geom.get("type") == "LineString":
            lines = [geom["coordinates"]]
        elif geom.get("type") == "Polygon":
            lines = geom["coordinates"][:1]
        else:
            continue
        out[str(props.get("id"))] = tuple(np.asarray(line, dtype=float) for line in lines)
    return out


def gate_segments(coords: np.ndarray, passages: Iterable[str]) -> np.ndarray:
    """Indices ``i`` of the track's segments ``i -> i + 1`` that cross a gate of one of
    ``passages`` (lon/lat lines, as the sea graph tags its edges; the track's longitudes
    may be unwrapped, so the gates are also tried shifted by +-360 degrees)."""
    known = _gates()
    lines = [g for p in passages for g in known.get(p, ())]
    if not lines or len(coords) < 2:
        return np.zeros(0, dtype=np.int64)
    p0, p1 = coords[:-1], coords[1:]
    hit = np.zeros(len(p0), dtype=bool)
    for line in lines:
        for shift in (-360.0, 0.0, 360.0):
            g = line + np.array([shift, 0.0])
            for q0, q1 in itertools.pairwise(g):
                hit |= _crosses(p0, p1, q0, q1)
    return np.nonzero(hit)[0]


def _crosses(p0: np.ndarray, p1: np.ndarray, q0: np.ndarray, q1: np.ndarray) -> np.ndarray:
    """Whether segments ``p0 -> p1`` (arrays) meet the segment ``q0 -> q1`` (planar)."""

    def orient(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        return np.sign(
            (b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1])
            - (b[..., 1] - a[..., 1]) * (c[..., 0] - a[..., 0])
        )

    lo = np.minimum(p0, p1)
    hi = np.maximum(p0, p1)
    near = (
        (hi[:, 0] >= min(q0[0], q1[0]))
        & (lo[:, 0] <= max(q0[0], q1[0]))
        & (hi[:, 1] >= min(q0[1], q1[1]))
        & (lo[:, 1] <= max(q0[1], q1[1]))
    )
    d1 = orient(q0, q1, p0)
    d2 = orient(q0, q1, p1)
    d3 = orient(p0, p1, q0[None, :])
    d4 = orient(p0, p1, q1[None, :])
    return np.asarray(near & (d1 * d2 <= 0) & (d3 * d4 <= 0))


# -- Douglas-Peucker with a land test ----------------------------------------------------------


def _offsets_nm(v: np.ndarray, a: int, b: int) -> np.ndarray:
    """Distance (nm, sphere) of vertices ``a + 1 .. b - 1`` from the great-circle segment
    ``a -> b`` (from its nearer end where they lie beyond it)."""
    p = v[a + 1 : b]
    va, vb = v[a], v[b]
    to_a = np.arccos(np.clip(p @ va, -1.0, 1.0))
    n = np.cross(va, vb)
    size = float(np.linalg.norm(n))
    if size < 1e-12:
        return np.asarray(to_a * EARTH_RADIUS_NM)
    n = n / size
    s = p @ n
    foot = p - s[:, None] * n
    inside = (np.cross(va, foot) @ n >= 0) & (np.cross(foot, vb) @ n >= 0)
    to_b = np.arccos(np.clip(p @ vb, -1.0, 1.0))
    across = np.arcsin(np.clip(np.abs(s), 0.0, 1.0))
    return np.asarray(np.where(inside, across, np.minimum(to_a, to_b)) * EARTH_RADIUS_NM)


def _mercator(lat: np.ndarray) -> np.ndarray:
    phi = np.radians(np.clip(lat, -89.9, 89.9))
    return np.asarray(np.log(np.tan(np.pi / 4 + phi / 2)))


def _drawn(
    va: np.ndarray, vb: np.ndarray, xa: np.ndarray, xb: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points at fractions ``t`` of the leg between two vertices, along the great circle
    (unit vectors ``va``, ``vb``), and along the rhumb line and the straight line in
    lon/lat (``xa``, ``xb``: lon, lat, the longitudes continuous), as unit vectors: the
    great circle's (m, 3), and the other two's (2m, 3)."""
    angle = float(np.arccos(np.clip(va @ vb, -1.0, 1.0)))
    sin = math.sin(angle)
    great = (np.sin((1.0 - t) * angle) / sin)[:, None] * va + (np.sin(t * angle) / sin)[
        :, None
    ] * vb
    lon = xa[0] + t * (xb[0] - xa[0])
    ya, yb = _mercator(xa[1]), _mercator(xb[1])
    rhumb_lat = np.degrees(2 * np.arctan(np.exp(ya + t * (yb - ya))) - np.pi / 2)
    flat_lat = xa[1] + t * (xb[1] - xa[1])
    others = to_unit_vectors(np.concatenate([lon, lon]), np.concatenate([rhumb_lat, flat_lat]))
    return great, others


def _clear(
    v: np.ndarray, xy: np.ndarray, a: int, b: int, tolerance_nm: float, land: LandTest, step: float
) -> bool:
    """Whether the leg ``a -> b`` may replace the vertices between: drawn as a great
    circle, a rhumb line or straight in lon/lat, it keeps within ``tolerance_nm`` of the
    great circle (checked at :data:`SHAPE_POINTS` points) and off land (every ``step``
    nm or closer)."""
    va, vb = v[a], v[b]
    angle = float(np.arccos(np.clip(va @ vb, -1.0, 1.0)))
    if angle < 1e-12:
        return True
    n = np.cross(va, vb)
    size = float(np.linalg.norm(n))
    if size < 1e-9:  # ends half the world apart: no one great circle
        return False
    n = n / size
    _, others = _drawn(va, vb, xy[a], xy[b], np.linspace(0.0, 1.0, SHAPE_POINTS + 2)[1:-1])
    off = np.arcsin(np.clip(np.abs(others @ n), 0.0, 1.0)) * EARTH_RADIUS_NM
    if float(off.max()) > tolerance_nm:
        return False
    steps = max(2, math.ceil(1.1 * angle * EARTH_RADIUS_NM / step))
    great, others = _drawn(va, vb, xy[a], xy[b], np.linspace(0.0, 1.0, steps + 1)[1:-1])
    lon, lat = from_unit_vectors(np.concatenate([great, others]))
    return not bool(np.any(land(lon, lat)))


def thin_indices(
    coords: np.ndarray,
    tolerance_nm: float,
    *,
    land: LandTest,
    keep: Sequence[int] = (),
    step_nm: float = SAMPLE_NM,
) -> np.ndarray:
    """The indices of the vertices of ``coords`` (n, 2 lon/lat) that thinning keeps, in
    order: the ends, ``keep``, and those Douglas-Peucker needs for ``tolerance_nm`` with
    every replacing leg at sea by ``land`` (sampled every ``step_nm``) and within the
    tolerance of the great circle however it is drawn (:func:`_clear`). Consecutive
    vertices are never tested: the router's own segments stand."""
    n = len(coords)
    if n <= 2 or tolerance_nm <= 0:
        return np.arange(n)
    v = to_unit_vectors(coords[:, 0], coords[:, 1])
    kept = np.zeros(n, dtype=bool)
    kept[[0, n - 1]] = True
    kept[[k for k in keep if 0 <= k < n]] = True
    fixed = np.nonzero(kept)[0]
    stack = [(int(a), int(b)) for a, b in itertools.pairwise(fixed.tolist()) if b - a > 1]
    while stack:
        a, b = stack.pop()
        off = _offsets_nm(v, a, b)
        k = int(np.argmax(off))
        if off[k] <= tolerance_nm and _clear(v, coords, a, b, tolerance_nm, land, step_nm):
            continue
        mid = a + 1 + k
        kept[mid] = True
        if mid - a > 1:
            stack.append((a, mid))
        if b - mid > 1:
            stack.append((mid, b))
    return np.nonzero(kept)[0]


def thin_track(
    leg: Track,
    tolerance_nm: float,
    *,
    land: LandTest,
    calls: Sequence[tuple[float, float]] = (),
) -> Track:
    """The leg with its track thinned (:func:`thin_indices`), the vertices at ``calls``
    and at the gates of its passages kept."""
    xy = leg.coords
    if len(xy) <= 2:
        return leg
    keep: set[int] = set()
    for i in gate_segments(xy, leg.passages).tolist():
        keep.update((i, i + 1))
    if calls:
        wrapped = (xy[:, 0] + 180.0) % 360.0 - 180.0
        for lon, lat in calls:
            dx = np.abs((wrapped - lon + 180.0) % 360.0 - 180.0)
            keep.update(np.nonzero((dx < 1e-6) & (np.abs(xy[:, 1] - lat) < 1e-6))[0].tolist())
    full = float(line_nm(xy).sum())
    tol = tolerance_nm
    for _ in range(RETRIES):
        idx = thin_indices(xy, tol, land=land, keep=sorted(keep))
        if full - float(line_nm(xy[idx]).sum()) <= MAX_SHORTENING * full:
            return dataclasses.replace(leg, coords=xy[idx])
        tol /= 2
    return leg


def thin_voyage(
    v: Voyage, tolerance_nm: float = DEFAULT_SIMPLIFY_NM, *, land: LandTest | None = None
) -> Voyage:
    """The voyage with each leg's track thinned to ``tolerance_nm`` (see the module
    docstring); a flight, or a tolerance of 0, comes back as it was."""
    if tolerance_nm <= 0 or v.domain != "sea":
        return v
    test = land or GshhgLand()
    calls = [(c.lon, c.lat) for c in v.calls]
    legs = tuple(thin_track(leg, tolerance_nm, land=test, calls=calls) for leg in v.legs)
    return dataclasses.replace(v, legs=legs)
