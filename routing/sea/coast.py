"""The fine coastline: GSHHG full resolution, and repairs of lines that cross it.

The 1 km raster of :mod:`routing.sea.land` is fast and global but coarse: it opens
channels that are not there (a headland thinner than a cell) and closes ones that are
(a harbour mouth). The sea graph is therefore checked and repaired a second time
against the full-resolution GSHHG shoreline (Wessel and Smith, LGPL), which the
``roaring-landmask`` package ships as an exact, offline point-in-land test (a
roaring-bitmap raster of about 460 m cells answers most points; the shoreline
polygons decide the rest).

:class:`Coastline` is that test as a :class:`~routing.sea.land.Land`: point look-ups,
and windows of a fine grid (``cpd`` cells a degree, 480 by default: about 230 m)
sampled at the cell centres, on which :class:`~routing.sea.land.WaterGrid` finds
water paths. :func:`refine_line` repairs one polyline:

1. it is sampled every ``STEP_KM``; runs of samples on GSHHG land closer than
   ``MERGE_KM`` are merged, and each run is cut out together with ``PAD_KM`` of water
   on either side;
2. the cut is replaced by the shortest water path on a fine grid window around it
   (230 m cells, then 77 m cells for narrow channels), straightened by string
   pulling, and the new polyline is checked again by sampling;
3. a run whose land lies wholly inside a declared waterway (a canal or river of
   ``data/sea/waterways.geojson``) is kept when no water path at most
   ``WAIVED_DETOUR`` times as long exists, and reported as waived;
4. a run that cannot be repaired makes the line unrepairable (``None``): backbone
   edges are then dropped, port connectors replaced by others.

Land at the very start of a line (a port whose position is on a quay) is left
alone up to ``free_start_km``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import numpy as np
import shapely

from routing.geo import great_circle_km, km_chord, to_unit_vectors, unwrap, wrap
from routing.sea.land import Frame, Land, WaterGrid, sample_polyline, window_around

log = logging.getLogger(__name__)

FINE_CPD = 480
"""Cells a degree of the first repair grid (about 230 m north-south)."""
FINER_CPD = 1440
"""Cells a degree of the second repair grid, for channels narrower than two fine cells."""
STEP_KM = 0.1
"""Sampling step of the check and of string pulling."""
PAD_KM = 1.0
"""Water kept on either side of a land run when it is cut out for repair."""
MERGE_KM = 3.0
"""Land runs closer than this are repaired together."""
MAX_GROUP_KM = 30.0
"""Longest stretch of line repaired at once (longer ones are repaired piece by piece)."""
MAX_CELLS = 4_000_000
"""Largest repair grid (cells)."""
CORNER_OFFSET = 0.4
"""Where a grid cell is probed besides its centre, in cells from the centre."""
MIN_CPD = 120
"""Coarsest repair grid (the 1 km raster's cells), used only for stretches of many km."""
REPAIR_WINDOWS = (
    (FINE_CPD, 0.0, 3.0),
    (FINE_CPD, 0.5, 3.0),
    (FINE_CPD, 1.5, 10.0),
    (FINER_CPD, 0.5, 3.0),
    (FINER_CPD, 1.5, 10.0),
    (FINE_CPD, 4.0, 30.0),
)
"""Repair grids tried in turn: (cells a degree, margin as a share of the stretch, least
margin in km). Harbours need room: a bay entrance may lie several km off the line."""
WAIVED_DETOUR = 1.6
"""A waived run is rerouted over GSHHG water only if that is at most this much longer."""


def coastline_digest() -> str:
    """Provenance string of the coastline (package and version), for cache keys."""
    try:
        version = metadata.version("roaring-landmask")
    except metadata.PackageNotFoundError:
        version = "missing"
    return f"roaring-landmask {version} GSHHG full resolution"


class Coastline(Land):
    """GSHHG full resolution as a :class:`~routing.sea.land.Land` (``True`` = land).

    Parameters
    ----------
    cpd : int
        Cells a degree of the grid windows (:meth:`window`).
    waivers : shapely geometry or None
        Polygons counted as water.
    """

    def __init__(
        self,
        cpd: int = FINE_CPD,
        *,
        waivers: shapely.Geometry | None = None,
        _mask: Any = None,
    ) -> None:
        super().__init__(waivers=waivers)
        self.frame = Frame(cpd)
        if _mask is None:
            from roaring_landmask import RoaringLandmask  # 7 s and 1.4 GB: only when building

            _mask = RoaringLandmask.new()
        self._mask = _mask
        self.digest = coastline_digest()

    def at(self, cpd: int) -> Coastline:
        """The same coastline with windows of ``cpd`` cells a degree."""
        return Coastline(cpd, waivers=self.waivers, _mask=self._mask)

    def with_waivers(self, waivers: shapely.Geometry | None) -> Coastline:
        """The same coastline with ``waivers`` counted as water."""
        return Coastline(self.frame.cpd, waivers=waivers, _mask=self._mask)

    def _land_at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        shape = np.shape(lon)
        x = np.ascontiguousarray(wrap(np.ravel(lon)), dtype=np.float64)
        y = np.ascontiguousarray(np.ravel(lat), dtype=np.float64)
        if x.size == 0:
            return np.zeros(shape, dtype=bool)
        return np.asarray(self._mask.contains_many(x, y), dtype=bool).reshape(shape)

    def _window_land(self, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        """A cell is land unless its centre and four points near its corners are water.

        Conservative on purpose: a straight step between the centres of two such
        cells rarely grazes the shore, so repaired paths pass the sampled check.
        """
        lon_c, _ = self.frame.cell_lonlat(np.zeros(1), np.arange(c0, c1))
        _, lat_c = self.frame.cell_lonlat(np.arange(r0, r1), np.zeros(1))
        gx, gy = np.meshgrid(lon_c, lat_c)
        land = self._land_at(gx, gy)
        off = CORNER_OFFSET / self.frame.cpd
        for dx, dy in ((-off, -off), (-off, off), (off, -off), (off, off)):
            water = ~land
            if not water.any():
                break
            land[water] = self._land_at(gx[water] + dx, gy[water] + dy)
        return land


@dataclass
class Refined:
    """A repaired polyline and what the repair did."""

    coords: np.ndarray
    repaired_runs: int = 0
    waived: list[float] = field(default_factory=list)
    """Land kept inside declared waterways, km per run."""
    start_land_km: float = 0.0
    """Land kept at the start of the line (a berth on a quay)."""


def land_runs(
    coast: Land, coords: np.ndarray, *, step_km: float = STEP_KM
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Samples of a polyline and its runs of land samples.

    Returns
    -------
    tuple
        Sample longitudes (unwrapped like ``coords``), latitudes, distances (km),
        segment indices, and the (first, last) sample index of every land run.
    """
    slon, slat, dist, seg = sample_polyline(coords[:, 0], coords[:, 1], step_km=step_km)
    slon = unwrap(np.concatenate([coords[:1, 0], slon]))[1:]
    land = coast.is_land(slon, slat)
    if not land.any():
        return slon, slat, dist, seg, []
    f = np.diff(np.concatenate([[0], land.astype(np.int8), [0]]))
    starts = np.nonzero(f == 1)[0]
    ends = np.nonzero(f == -1)[0] - 1
    return slon, slat, dist, seg, list(zip(starts.tolist(), ends.tolist(), strict=True))


def refine_line(
    coast: Coastline,
    coords: np.ndarray,
    *,
    waived: Coastline | None = None,
    free_start_km: float = 0.0,
) -> Refined | None:
    """A version of a polyline clear of GSHHG land, or None (see the module docstring).

    Parameters
    ----------
    coast : Coastline
        GSHHG without waivers.
    coords : numpy.ndarray
        (n, 2) lon/lat, lon unwrapped; the end points must be on water (the start
        may be on land for up to ``free_start_km``).
    waived : Coastline or None
        The same coastline with the declared waterways counted as water.
    free_start_km : float
        Land tolerated at the start of the line (a port's berth).
    """
    coords = np.asarray(coords, dtype=float)
    slon, slat, dist, seg, runs = land_runs(coast, coords)
    out = Refined(coords)
    if not runs:
        return out
    total = float(dist[-1])
    n = len(slon)

    def declared(run: tuple[int, int]) -> bool:
        a, b = run
        return waived is not None and not waived.is_land(slon[a : b + 1], slat[a : b + 1]).any()

    def in_waterway(k: int) -> bool:
        return waived is not None and not bool(waived.is_land(slon[k], slat[k]))

    # Land at an end: wholly inside a declared waterway (kept), an end inside a
    # waterway (repaired like any run), a berth at the start, or unrepairable.
    first_cut = 0
    if runs[0][0] == 0 and not in_waterway(0):
        if declared(runs[0]):
            out.waived.append(float(dist[runs[0][1]] + STEP_KM))
        elif dist[runs[0][1]] > free_start_km or runs[0][1] == n - 1:
            return None
        else:
            out.start_land_km = float(dist[runs[0][1]])
        first_cut = runs[0][1] + 1
        runs = runs[1:]
    if runs and runs[-1][1] == n - 1 and not in_waterway(n - 1):
        if not declared(runs[-1]):
            return None  # the far end is on land
        out.waived.append(float(dist[-1] - dist[runs[-1][0]] + STEP_KM))
        runs = runs[:-1]
    if not runs:
        return out
    land = waived if waived is not None else coast
    # merge close runs, pad with water
    groups: list[list[int]] = []
    for a, b in runs:
        if (
            groups
            and dist[a] - dist[groups[-1][1]] < MERGE_KM
            and dist[b] - dist[groups[-1][0]] < MAX_GROUP_KM
        ):
            groups[-1][1] = b
        else:
            groups.append([a, b])
    pieces: list[np.ndarray] = []
    cursor_seg = 0  # next original vertex to copy
    cursor_pt: np.ndarray | None = None  # where the output currently ends (a cut point)
    floor = first_cut  # a repair starts no earlier than where the previous one ended
    for a, b in groups:
        lo_d = max(dist[floor], dist[a] - PAD_KM)
        hi_d = min(total, dist[b] + PAD_KM)
        i = int(np.searchsorted(dist, lo_d, side="left"))
        i = max(i, floor)
        while i > floor and bool(land.is_land(slon[i], slat[i])):
            i -= 1
        j = int(np.searchsorted(dist, hi_d, side="right")) - 1
        j = min(max(j, b + 1), n - 1)
        while j < n - 1 and bool(land.is_land(slon[j], slat[j])):
            j += 1
        p = np.array([slon[i], slat[i]])
        q = np.array([slon[j], slat[j]])
        land_km = float(dist[b] - dist[a] + STEP_KM)
        in_waiver = declared((a, b))
        # a long crossing is no detour round a headland: go straight to the waterways
        rep = None if land_km > MAX_GROUP_KM else _repair(coast, slon[i : j + 1], slat[i : j + 1])
        if (
            rep is not None
            and in_waiver
            and _km(rep) > WAIVED_DETOUR * float(dist[j] - dist[i]) + 1.0
        ):
            rep = None
        if rep is None and in_waiver:
            out.waived.append(land_km)
            continue  # keep the original stretch
        if rep is None and waived is not None:
            rep = _repair(waived, slon[i : j + 1], slat[i : j + 1])
            if rep is not None:
                out.waived.append(land_km)
        if rep is None:
            return None
        # original vertices up to the cut, then the repair
        si = int(seg[i])
        head = coords[cursor_seg : si + 1]
        if cursor_pt is not None:
            head = np.vstack([cursor_pt[None, :], coords[cursor_seg : si + 1]])
        pieces.append(head)
        pieces.append(np.vstack([p[None, :], rep[1:-1], q[None, :]]))
        cursor_seg = int(seg[j]) + 1
        cursor_pt = q
        floor = j
        out.repaired_runs += 1
    tail = coords[cursor_seg:]
    if cursor_pt is not None:
        tail = np.vstack([cursor_pt[None, :], tail])
    pieces.append(tail)
    res = np.concatenate([pc for pc in pieces if len(pc)])
    res[:, 0] = unwrap(res[:, 0])
    keep = np.ones(len(res), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(res, axis=0)) > 1e-9, axis=1)
    out.coords = res[keep]
    return out


def reroute(land: Coastline, coords: np.ndarray) -> np.ndarray | None:
    """A new water path between a polyline's end points on ``land``, or None.

    The last resort for a port connector whose repairs fail piece by piece (a
    river port whose channel the raster and the declared centre line follow
    differently): one search over the whole connector's box.
    """
    coords = np.asarray(coords, dtype=float)
    return _repair(land, coords[:, 0], coords[:, 1])


HAIRPIN_CHORD_KM = 0.3
"""Two points of a line this close are the two sides of a hairpin ..."""
HAIRPIN_MIN_KM = 1.5
"""... when the line between them is at least this long."""


def trim_hairpins(coords: np.ndarray, land: Land, *, max_cuts: int = 8) -> np.ndarray | None:
    """The polyline with its out-and-back spurs cut off, or None if it has none.

    A spur is a stretch that leaves a point and comes back within
    ``HAIRPIN_CHORD_KM`` of it after at least ``HAIRPIN_MIN_KM``; it is replaced by
    the straight line between its two ends when that line is clear of ``land``.
    The longest spur is cut first, and the search repeats.
    """
    from scipy.spatial import cKDTree  # only needed while building

    coords = np.asarray(coords, dtype=float)
    if _turning_deg(coords) < 150.0:  # a line that never turns back has no hairpin
        return None
    changed = False
    for _ in range(max_cuts):
        slon, slat, dist, seg = sample_polyline(coords[:, 0], coords[:, 1], step_km=0.25)
        slon = unwrap(np.concatenate([coords[:1, 0], slon]))[1:]
        xyz = to_unit_vectors(slon, slat)
        pairs = cKDTree(xyz).query_pairs(km_chord(HAIRPIN_CHORD_KM), output_type="ndarray")
        if len(pairs) == 0:
            break
        sep = np.abs(dist[pairs[:, 1]] - dist[pairs[:, 0]])
        cut = None
        for k in np.argsort(-sep):
            if sep[k] < HAIRPIN_MIN_KM:
                break
            i, j = sorted(int(x) for x in pairs[k])
            if land.segment_clear(slon[i], slat[i], slon[j], slat[j], step_km=0.05):
                cut = (i, j)
                break
        if cut is None:
            break
        i, j = cut
        coords = np.vstack(
            [
                coords[: int(seg[i]) + 1],
                [[slon[i], slat[i]], [slon[j], slat[j]]],
                coords[int(seg[j]) + 1 :],
            ]
        )
        keep = np.ones(len(coords), dtype=bool)
        keep[1:] = np.any(np.abs(np.diff(coords, axis=0)) > 1e-9, axis=1)
        coords = coords[keep]
        coords[:, 0] = unwrap(coords[:, 0])
        changed = True
    return coords if changed else None


def _turning_deg(coords: np.ndarray) -> float:
    """Total absolute change of heading along a polyline, degrees (local plane)."""
    if len(coords) < 3:
        return 0.0
    k = np.cos(np.radians(coords[:, 1]))
    dx = np.diff(coords[:, 0]) * 0.5 * (k[:-1] + k[1:])
    dy = np.diff(coords[:, 1])
    ok = (np.abs(dx) + np.abs(dy)) > 0
    head = np.unwrap(np.arctan2(dy[ok], dx[ok]))
    return float(np.degrees(np.abs(np.diff(head)).sum()))


def _km(coords: np.ndarray) -> float:
    return float(
        great_circle_km(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]).sum()
    )


def _repair(land: Coastline, lon: np.ndarray, lat: np.ndarray) -> np.ndarray | None:
    """A water path from the first to the last of the points, straightened, or None."""
    lon = unwrap(lon)
    span = float(great_circle_km(lon[:1], lat[:1], lon[-1:], lat[-1:])[0])
    extent = _km(np.column_stack([lon, lat]))
    for cpd, factor, least in REPAIR_WINDOWS:
        fine = land.at(cpd)
        margin = max(least, factor * max(span, extent / 2))
        box = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
        r0, r1, c0, c1 = window_around(*box, margin_km=margin, frame=fine.frame)
        cells = (r1 - r0) * (c1 - c0)
        if cells > MAX_CELLS:  # a long stretch: coarser cells, never coarser than the raster
            coarser = int(cpd * np.sqrt(MAX_CELLS / cells))
            if coarser < MIN_CPD:
                continue
            fine = land.at(coarser)
            r0, r1, c0, c1 = window_around(*box, margin_km=margin, frame=fine.frame)
        grid = WaterGrid(fine, r0, r1, c0, c1)
        ends = grid.local(np.array([lon[0], lon[-1]]), np.array([lat[0], lat[-1]]))
        if (ends < 0).any():
            continue
        ends = np.array([_nearest_water_node(grid, int(e)) for e in ends])
        if (ends < 0).any():
            continue
        dist, pred = grid.shortest(int(ends[0]))
        if not np.isfinite(dist[ends[1]]):
            continue
        path = grid.path(pred, int(ends[1]))
        plon, plat = grid.lonlat(np.array(path))
        pts = np.vstack([[lon[0], lat[0]], np.column_stack([plon, plat]), [lon[-1], lat[-1]]])
        pts[:, 0] = unwrap(pts[:, 0])
        keep = land.pull_string(pts[:, 0], pts[:, 1], step_km=STEP_KM / 2)
        res = pts[keep]
        _, _, _, _, bad = land_runs(land, res)
        if not bad:
            return res
    return None


def _nearest_water_node(grid: WaterGrid, node: int) -> int:
    """``node`` if it is a water cell, else the nearest water cell among its neighbours."""
    if grid.is_water(np.array([node]))[0]:
        return node
    h, w = grid.shape
    r, c = divmod(node, w)
    best, best_d = -1, np.inf
    for dr in (-2, -1, 0, 1, 2):
        for dc in (-2, -1, 0, 1, 2):
            rr, cc = r + dr, c + dc
            if 0 <= rr < h and 0 <= cc < w and grid.water[rr, cc] and dr * dr + dc * dc < best_d:
                best, best_d = rr * w + cc, dr * dr + dc * dc
    return best
