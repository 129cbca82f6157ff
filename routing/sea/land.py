"""The land raster: which places are water, and water paths between places.

The source is the ``global-land-mask`` package (GLOBE 30 arc-second data, about
1 km cells, lakes counted as land). Its 21600 x 43200 boolean raster is kept here
bit-packed (one bit a cell, 117 MB) in the graph cache directory and memory-mapped,
so a warm start does not decompress the package's archive (that takes seconds and
a gigabyte of memory).

Cell convention, the same as ``global_land_mask.globe.is_land``: row
``r = floor((90 - lat) * 120)``, column ``c = floor((lon + 180) * 120)``. Columns
may be given *unwrapped* (negative or beyond 43199) and are taken modulo the
raster width, so windows across the antimeridian need no special case.

:class:`Land` is the interface every land model offers (this raster, and the
GSHHG coastline of :mod:`routing.sea.coast`), on a :class:`Frame` of its own cell size.
Besides point look-ups the module offers

* :func:`sample_polyline`: dense points along a polyline's great-circle segments;
* :meth:`LandMask.land_run_km`: the longest stretch of a polyline on land;
* :class:`WaterGrid`: a raster window as a graph of water cells (8-connected,
  no corner cutting, steps weighted by their length on the sphere) with shortest
  paths over water, used to repair backbone edges and to build port connectors;
* :meth:`LandMask.pull_string`: shortens a water path by replacing runs of
  vertices by straight (great-circle) segments that stay off land.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from routing.files import atomic_save_npy, file_digest
from routing.geo import (
    EARTH_RADIUS_KM,
    LonLat,
    farthest_reach,
    from_unit_vectors,
    great_circle_km,
    to_unit_vectors,
    wrap,
)

CELLS_PER_DEG = 120
NROWS = 180 * CELLS_PER_DEG
NCOLS = 360 * CELLS_PER_DEG
CELL_KM = np.pi * EARTH_RADIUS_KM / 180.0 / CELLS_PER_DEG
"""North-south size of one raster cell in km (about 0.927 km)."""
GAP_MAX_KM = 0.95
"""Longest stretch of raster land a bridged (soft) path may cross at once."""

MASK_FILE = "globe_combined_mask_compressed.npz"


def mask_source_path() -> Path:
    """The land-mask archive shipped in ``global-land-mask``, found without importing it.

    Importing the package would decompress the whole raster; locating its folder does not.

    Returns
    -------
    Path
        Path of ``globe_combined_mask_compressed.npz``.
    """
    spec = importlib.util.find_spec("global_land_mask")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the global-land-mask package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / MASK_FILE


def sample_polyline(
    lon: np.ndarray, lat: np.ndarray, *, step_km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Dense points along the great-circle segments of a polyline.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Vertices, degrees; longitudes may be unwrapped.
    step_km : float
        Largest spacing between consecutive samples.

    Returns
    -------
    tuple of numpy.ndarray
        Longitudes (in [-180, 180]), latitudes, distance along the line in km of
        every sample, and the index of the segment each sample lies on. The
        vertices themselves are among the samples.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size < 2:
        return lon.copy(), lat.copy(), np.zeros(lon.size), np.zeros(lon.size, dtype=np.int64)
    v = to_unit_vectors(lon, lat)
    a, b = v[:-1], v[1:]
    dots = np.clip(np.einsum("ij,ij->i", a, b), -1.0, 1.0)
    ang = np.arccos(dots)
    seg_km = ang * EARTH_RADIUS_KM
    nseg = np.maximum(1, np.ceil(seg_km / step_km).astype(np.int64))
    seg_idx = np.repeat(np.arange(len(nseg)), nseg)
    starts = np.cumsum(nseg) - nseg
    t = (np.arange(int(nseg.sum())) - np.repeat(starts, nseg)) / np.repeat(nseg, nseg)
    th = ang[seg_idx]
    sin_th = np.sin(th)
    small = sin_th < 1e-12
    wa = np.where(small, 1.0 - t, np.sin((1.0 - t) * th) / np.where(small, 1.0, sin_th))
    wb = np.where(small, t, np.sin(t * th) / np.where(small, 1.0, sin_th))
    pts = wa[:, None] * a[seg_idx] + wb[:, None] * b[seg_idx]
    plon, plat = from_unit_vectors(pts)
    cum = np.concatenate([[0.0], np.cumsum(seg_km)])
    dist = cum[seg_idx] + t * seg_km[seg_idx]
    last_lon, last_lat = from_unit_vectors(b[-1:])
    return (
        np.concatenate([plon, last_lon]),
        np.concatenate([plat, last_lat]),
        np.concatenate([dist, cum[-1:]]),
        np.concatenate([seg_idx, [len(nseg) - 1]]),
    )


@dataclass(frozen=True)
class Frame:
    """A regular lon/lat grid of ``cpd`` cells per degree, rows counted from the north.

    Row ``r = floor((90 - lat) * cpd)``, column ``c = floor((lon + 180) * cpd)``;
    columns may be unwrapped (negative or beyond ``ncols``) and are taken modulo the
    width where cells are looked up.
    """

    cpd: int

    @property
    def nrows(self) -> int:
        """Rows from pole to pole."""
        return 180 * self.cpd

    @property
    def ncols(self) -> int:
        """Columns around the globe."""
        return 360 * self.cpd

    @property
    def cell_km(self) -> float:
        """North-south size of a cell in km."""
        return float(np.pi * EARTH_RADIUS_KM / 180.0 / self.cpd)

    def rows(self, lat: np.ndarray) -> np.ndarray:
        """Row index of latitudes (clipped to the grid)."""
        r = np.floor((90.0 - np.asarray(lat, dtype=float)) * self.cpd).astype(np.int64)
        return np.clip(r, 0, self.nrows - 1)

    def cols(self, lon: np.ndarray) -> np.ndarray:
        """Column index of longitudes, unwrapped (not reduced modulo the width)."""
        return np.floor((np.asarray(lon, dtype=float) + 180.0) * self.cpd).astype(np.int64)

    def cell_lonlat(self, r: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centre (lon, lat) of cells; lon is unwrapped like ``c``."""
        lat = 90.0 - (np.asarray(r, dtype=float) + 0.5) / self.cpd
        lon = -180.0 + (np.asarray(c, dtype=float) + 0.5) / self.cpd
        return lon, lat


RASTER = Frame(CELLS_PER_DEG)
"""The frame of the 1 km ``global-land-mask`` raster."""


class Land:
    """A land model: point look-ups, grid windows, and the line checks built on them.

    Subclasses give :attr:`frame`, :meth:`_land_at` (land flags of points, waivers
    not applied) and :meth:`_window_land` (land flags of a window of ``frame``'s
    cells). Waivers (polygons, lon/lat) count as water everywhere.
    """

    frame: Frame = RASTER

    def __init__(self, *, waivers: shapely.Geometry | None = None) -> None:
        self.waivers = waivers
        if waivers is not None:
            shapely.prepare(waivers)
            self._wb = shapely.bounds(waivers)

    def _land_at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _window_land(self, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        raise NotImplementedError

    def waived(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Whether points (lon in any turn) fall inside a waiver polygon."""
        lon = wrap(np.asarray(lon, dtype=float))
        lat = np.asarray(lat, dtype=float)
        out = np.zeros(lon.shape, dtype=bool)
        if self.waivers is None:
            return out
        x0, y0, x1, y1 = self._wb
        near = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
        if near.any():
            out[near] = shapely.contains_xy(self.waivers, lon[near], lat[near])
        return out

    def is_land(self, lon: np.ndarray | float, lat: np.ndarray | float) -> np.ndarray:
        """Whether points are on land, waivers counted as water (vectorised)."""
        lon_a = np.asarray(lon, dtype=float)
        lat_a = np.asarray(lat, dtype=float)
        land = self._land_at(lon_a, lat_a)
        if self.waivers is not None and land.any():
            land = land & ~self.waived(lon_a, lat_a)
        return land

    def window(self, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        """Land flags of rows ``r0:r1`` and (unwrapped) columns ``c0:c1`` of the frame."""
        r0, r1 = max(0, r0), min(self.frame.nrows, r1)
        land = self._window_land(r0, r1, c0, c1)
        if self.waivers is not None:
            rr = np.arange(r0, r1)
            lon_c, _ = self.frame.cell_lonlat(np.zeros(1), np.arange(c0, c1))
            _, lat_c = self.frame.cell_lonlat(rr, np.zeros(1))
            lon_w = wrap(lon_c)
            x0, y0, x1, y1 = self._wb
            cs = (lon_w >= x0) & (lon_w <= x1)
            rs = (lat_c >= y0) & (lat_c <= y1)
            if cs.any() and rs.any():
                ri, ci = np.nonzero(rs)[0], np.nonzero(cs)[0]
                gx, gy = np.meshgrid(lon_w[ci], lat_c[ri])
                inside = shapely.contains_xy(self.waivers, gx, gy)
                sub = land[np.ix_(ri, ci)]
                land[np.ix_(ri, ci)] = sub & ~inside
        return land

    # -- lines -----------------------------------------------------------------

    def land_samples(
        self, lon: np.ndarray, lat: np.ndarray, *, step_km: float = 0.25
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Samples along a polyline and which of them are on land.

        Returns
        -------
        tuple of numpy.ndarray
            Land flags, distance along the line (km) and segment index of each sample.
        """
        slon, slat, dist, seg = sample_polyline(lon, lat, step_km=step_km)
        return self.is_land(slon, slat), dist, seg

    def land_run_km(self, lon: np.ndarray, lat: np.ndarray, *, step_km: float = 0.25) -> float:
        """Length of the longest stretch of the polyline on land, in km (0 if none).

        A stretch of ``k`` consecutive land samples counts as ``k * step`` (each
        sample stands for the step around it), so a single grazed cell corner counts
        as one step, not as zero.
        """
        land, dist, _ = self.land_samples(lon, lat, step_km=step_km)
        if not land.any():
            return 0.0
        return float(longest_run(land, dist, step_km))

    def segment_clear(
        self,
        lon1: float,
        lat1: float,
        lon2: float,
        lat2: float,
        *,
        step_km: float = 0.2,
        allowed: set[tuple[int, int]] | None = None,
        max_run_km: float = GAP_MAX_KM,
    ) -> bool:
        """Whether the great-circle segment between two points stays on water.

        ``allowed`` names cells (row, column) of :attr:`frame` where land is tolerated
        (the bridged cells of a soft grid path); a segment may touch land only there,
        and only for at most ``max_run_km`` at a time.
        """
        slon, slat, dist, _ = sample_polyline(
            np.array([lon1, lon2]), np.array([lat1, lat2]), step_km=step_km
        )
        land = self.is_land(slon, slat)
        if not land.any():
            return True
        if not allowed:
            return False
        rr = self.frame.rows(slat[land])
        cc = np.mod(self.frame.cols(slon[land]), self.frame.ncols)
        if any((r, c) not in allowed for r, c in zip(rr.tolist(), cc.tolist(), strict=True)):
            return False
        step = float(dist[-1]) / max(1, len(dist) - 1)
        return longest_run(land, dist, step) <= max_run_km

    def pull_string(
        self,
        lon: np.ndarray,
        lat: np.ndarray,
        *,
        step_km: float = 0.2,
        allowed: set[tuple[int, int]] | None = None,
        max_run_km: float = GAP_MAX_KM,
    ) -> list[int]:
        """Indices of the vertices kept when a water path is straightened.

        Greedy: from the current vertex jump to the farthest later vertex that a
        land-free great-circle segment reaches (exponential then binary search),
        so the result keeps to water wherever the input did.
        """
        n = len(lon)

        def clear(i: int, j: int) -> bool:
            return self.segment_clear(
                lon[i],
                lat[i],
                lon[j],
                lat[j],
                step_km=step_km,
                allowed=allowed,
                max_run_km=max_run_km,
            )

        return farthest_reach(n, clear)

    def nearest_water(
        self, lon: float, lat: float, *, max_km: float
    ) -> tuple[LonLat, float] | None:
        """The centre of the nearest water cell and its distance in km, if within ``max_km``.

        A point on water is its own nearest water point (distance 0).
        """
        if not bool(self.is_land(np.array(lon), np.array(lat))):
            return LonLat(lon, lat), 0.0
        fr = self.frame
        r = int(fr.rows(np.array(lat)))
        c = int(fr.cols(np.array(lon)))
        coslat = max(np.cos(np.radians(lat)), 0.05)
        dr = int(np.ceil(max_km / fr.cell_km)) + 1
        dc = min(fr.ncols // 2, int(np.ceil(max_km / (fr.cell_km * coslat))) + 1)
        win = self.window(r - dr, r + dr + 1, c - dc, c + dc + 1)
        r0 = max(0, r - dr)
        wr, wc = np.nonzero(~win)
        if wr.size == 0:
            return None
        rr, cc = wr + r0, wc + c - dc
        clon, clat = fr.cell_lonlat(rr, cc)
        d = great_circle_km(np.full(clon.shape, lon), np.full(clat.shape, lat), clon, clat)
        k = int(np.argmin(d))
        if d[k] > max_km:
            return None
        return LonLat(float(wrap(clon[k])), float(clat[k])), float(d[k])


class LandMask(Land):
    """The 1 km land raster, bit-packed; ``True`` = land.

    Parameters
    ----------
    bits : numpy.ndarray
        ``uint8`` array of shape (NROWS, NCOLS // 8), big-endian bit order as
        :func:`numpy.packbits` writes it; a set bit is a land cell.
    digest : str
        SHA-256 of the source archive (for cache keys and provenance).
    waivers : shapely geometry or None
        Polygons counted as water (declared canals and rivers).
    """

    frame = RASTER

    def __init__(
        self, bits: np.ndarray, *, digest: str, waivers: shapely.Geometry | None = None
    ) -> None:
        if bits.shape != (NROWS, NCOLS // 8) or bits.dtype != np.uint8:
            raise ValueError(f"land bits have shape {bits.shape} / {bits.dtype}")
        super().__init__(waivers=waivers)
        self.bits = bits
        self.digest = digest

    def with_waivers(self, waivers: shapely.Geometry | None) -> LandMask:
        """The same raster with ``waivers`` (polygons, lon/lat) counted as water."""
        return LandMask(self.bits, digest=self.digest, waivers=waivers)

    @classmethod
    def from_package(cls) -> LandMask:
        """Decompress the package's archive (seconds, about 1 GB transient memory)."""
        src = mask_source_path()
        with np.load(src) as f:
            ocean = f["mask"]
        land = np.logical_not(ocean)
        del ocean
        bits = np.packbits(land, axis=1)
        return cls(bits, digest=file_digest(src))

    @classmethod
    def load(cls, cache_dir: Path, *, digest: str | None = None) -> LandMask:
        """The packed raster from ``cache_dir``, written there first if missing.

        Parameters
        ----------
        cache_dir : Path
            Directory of the graph cache.
        digest : str or None
            Digest of the source archive if the caller has it already.
        """
        digest = digest or file_digest(mask_source_path())
        path = cache_dir / f"landbits-{digest[:16]}.npy"
        if path.exists():
            try:
                bits = np.load(path, mmap_mode="r")
                return cls(bits, digest=digest)
            except (ValueError, OSError):
                path.unlink(missing_ok=True)
        mask = cls.from_package()
        atomic_save_npy(path, mask.bits)
        return cls(np.load(path, mmap_mode="r"), digest=mask.digest)

    # -- cells -----------------------------------------------------------------

    @staticmethod
    def rows(lat: np.ndarray) -> np.ndarray:
        """Row index of latitudes (clipped to the raster)."""
        return RASTER.rows(lat)

    @staticmethod
    def cols(lon: np.ndarray) -> np.ndarray:
        """Column index of longitudes, unwrapped (not reduced modulo the width)."""
        return RASTER.cols(lon)

    @staticmethod
    def cell_lonlat(r: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centre (lon, lat) of cells; lon is unwrapped like ``c``."""
        return RASTER.cell_lonlat(r, c)

    def cell_is_land(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Land flag of cells (columns taken modulo the width)."""
        r = np.asarray(r, dtype=np.int64)
        c = np.mod(np.asarray(c, dtype=np.int64), NCOLS)
        byte = self.bits[r, c >> 3]
        return ((byte >> (7 - (c & 7))) & 1).astype(bool)

    def _land_at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        return self.cell_is_land(self.rows(lat), self.cols(lon))

    def _window_land(self, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        cols = np.mod(np.arange(c0, c1), NCOLS)
        ub = np.unique(cols >> 3)
        unpacked = np.unpackbits(np.asarray(self.bits[r0:r1])[:, ub], axis=1)
        # position of each wanted column in the unpacked block
        pos = np.searchsorted(ub, cols >> 3) * 8 + (cols & 7)
        return unpacked[:, pos].astype(bool)


def nearest_water_far(
    mask: LandMask, lon: float, lat: float, *, max_km: float = 4000.0, stride: int = 8
) -> tuple[LonLat, float] | None:
    """The nearest water cell to a point deep inland, searched on a strided grid.

    Every ``stride``-th cell of a window of ``max_km`` is tested; the nearest
    water sample is then refined with :meth:`LandMask.nearest_water` around
    it. The answer is within about ``stride`` cells (8 km) of the true nearest
    water, which is what an error message for a point hundreds of km inland
    needs, at a small fraction of the cost of a full search.
    """
    r = int(mask.rows(np.array(lat)))
    c = int(mask.cols(np.array(lon)))
    coslat = max(np.cos(np.radians(lat)), 0.05)
    dr = int(np.ceil(max_km / CELL_KM))
    dc = min(NCOLS // 2, int(np.ceil(max_km / (CELL_KM * coslat))))
    rr, cc = np.meshgrid(
        np.arange(max(0, r - dr), min(NROWS, r + dr + 1), stride),
        np.arange(c - dc, c + dc + 1, stride),
        indexing="ij",
    )
    water = ~mask.cell_is_land(rr.ravel(), cc.ravel())
    if not water.any():
        return None
    clon, clat = mask.cell_lonlat(rr.ravel()[water], cc.ravel()[water])
    d = great_circle_km(np.full(clon.shape, lon), np.full(clat.shape, lat), clon, clat)
    k = int(np.argmin(d))
    if d[k] > max_km:
        return None
    # Refine: the nearest water near the coarse hit, measured from the original point.
    hit = mask.nearest_water(float(wrap(clon[k])), float(clat[k]), max_km=2 * stride * CELL_KM)
    best = (LonLat(float(wrap(clon[k])), float(clat[k])), float(d[k]))
    if hit is not None:
        (x, y), _ = hit
        dk = float(
            great_circle_km(np.array([lon]), np.array([lat]), np.array([x]), np.array([y]))[0]
        )
        if dk < best[1]:
            best = (LonLat(x, y), dk)
    return best


def longest_run(flags: np.ndarray, dist: np.ndarray, step_km: float) -> float:
    """Longest run of consecutive ``True`` flags, as ``count * step_km``."""
    del dist
    f = np.concatenate([[False], flags, [False]]).astype(np.int8)
    d = np.diff(f)
    starts = np.nonzero(d == 1)[0]
    ends = np.nonzero(d == -1)[0]
    if starts.size == 0:
        return 0.0
    return float((ends - starts).max() * step_km)


LAND_PENALTY = 60.0
"""Cost factor of stepping onto a one-cell-thick land barrier in a soft grid."""


@dataclass
class WaterGrid:
    """A window of a land model's grid (:attr:`Land.frame`) as a graph of its water cells.

    Nodes are the cells of rows ``r0:r1`` and unwrapped columns ``c0:c1``; edges
    join water 8-neighbours, a diagonal only when both cells beside it are water too
    (no corner cutting), weighted by the step length in km on the sphere.

    With ``bridge=1`` the grid may also step (orthogonally, at ``LAND_PENALTY``
    times the cost) onto a *thin* land cell, one with water on two opposite sides,
    and straight off it again: this bridges a harbour mouth or strait that the
    1 km raster closes with a single cell (the Golden Gate, for one) while never
    crossing more than one cell of land at a time. With ``bridge=2`` any land cell
    may be crossed at the penalty (used only for a port whose harbour the raster
    closes over several cells; the crossing is reported).
    """

    mask: Land
    r0: int
    r1: int
    c0: int
    c1: int
    bridge: int = 0

    def __post_init__(self) -> None:
        self.r0 = max(0, self.r0)
        fr = self.mask.frame
        self.r1 = min(fr.nrows, self.r1)
        land = self.mask.window(self.r0, self.r1, self.c0, self.c1)
        self.shape = land.shape
        self.water = ~land
        h, w = self.shape
        # 32-bit cell numbers where they fit: a window of millions of cells builds its
        # graph in half the memory (the graph is the same)
        idx = np.arange(h * w, dtype=np.int32 if h * w < 2**31 else np.int64).reshape(h, w)
        cell_km = fr.cell_km
        lat_rows = 90.0 - (np.arange(self.r0, self.r1) + 0.5) / fr.cpd
        dx_row = cell_km * np.cos(np.radians(lat_rows))  # east-west step per row
        us: list[np.ndarray] = []
        vs: list[np.ndarray] = []
        wts: list[np.ndarray] = []
        wat = self.water

        def add(m: np.ndarray, a: np.ndarray, b: np.ndarray, wt: np.ndarray) -> None:
            us.append(a[m])
            vs.append(b[m])
            wts.append(np.broadcast_to(wt, m.shape)[m])

        ew = dx_row[:, None]
        ns = np.full((1, 1), cell_km)
        add(wat[:, :-1] & wat[:, 1:], idx[:, :-1], idx[:, 1:], ew)
        add(wat[:-1, :] & wat[1:, :], idx[:-1, :], idx[1:, :], ns)
        dmid = 0.5 * (dx_row[:-1] + dx_row[1:])
        diag = np.sqrt(dmid**2 + cell_km**2)[:, None]
        # a diagonal step passes the shared corner only: allowed between water cells
        add(wat[:-1, :-1] & wat[1:, 1:], idx[:-1, :-1], idx[1:, 1:], diag)
        add(wat[:-1, 1:] & wat[1:, :-1], idx[:-1, 1:], idx[1:, :-1], diag)
        p = LAND_PENALTY
        if self.bridge == 1:
            pad = np.pad(wat, 1, constant_values=False)
            n_, s_ = pad[:-2, 1:-1], pad[2:, 1:-1]
            w_, e_ = pad[1:-1, :-2], pad[1:-1, 2:]
            t = land & ((n_ & s_) | (w_ & e_))
            # water <-> thin land, east-west then north-south
            m_ew = (wat[:, :-1] & t[:, 1:]) | (t[:, :-1] & wat[:, 1:])
            m_ns = (wat[:-1, :] & t[1:, :]) | (t[:-1, :] & wat[1:, :])
            add(m_ew, idx[:, :-1], idx[:, 1:], ew * p)
            add(m_ns, idx[:-1, :], idx[1:, :], ns * p)
        elif self.bridge >= 2:
            # any step touching land, at the penalty
            m_ew = land[:, :-1] | land[:, 1:]
            m_ns = land[:-1, :] | land[1:, :]
            add(m_ew, idx[:, :-1], idx[:, 1:], ew * p)
            add(m_ns, idx[:-1, :], idx[1:, :], ns * p)
            add(land[:-1, :-1] | land[1:, 1:], idx[:-1, :-1], idx[1:, 1:], diag * p)
            add(land[:-1, 1:] | land[1:, :-1], idx[:-1, 1:], idx[1:, :-1], diag * p)
        del idx
        # both ways of every step, each list emptied once joined (peak memory)
        rows = np.concatenate(us + vs)
        cols = np.concatenate(vs + us)
        us.clear()
        vs.clear()
        data = np.concatenate(wts + wts)
        wts.clear()
        n = h * w
        coo = coo_matrix((data, (rows, cols)), shape=(n, n))
        del data, rows, cols
        self.graph = coo.tocsr()

    def local(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Local node index of points (-1 outside the window)."""
        fr = self.mask.frame
        r = fr.rows(np.asarray(lat)) - self.r0
        c = fr.cols(np.asarray(lon))
        mid = self.c0 + (self.c1 - self.c0) / 2
        c = c + fr.ncols * np.round((mid - c) / fr.ncols).astype(np.int64)
        c = c - self.c0
        h, w = self.shape
        ok = (r >= 0) & (r < h) & (c >= 0) & (c < w)
        return np.where(ok, r * w + c, -1)

    def is_water(self, node: np.ndarray) -> np.ndarray:
        """Whether local nodes are water cells (``-1`` counts as not water)."""
        node = np.asarray(node)
        flat = self.water.ravel()
        return np.where(node >= 0, flat[np.maximum(node, 0)], False)

    def lonlat(self, node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centres of local nodes; longitudes reduced to [-180, 180)."""
        _, w = self.shape
        r, c = np.divmod(np.asarray(node), w)
        lon, lat = self.mask.frame.cell_lonlat(r + self.r0, c + self.c0)
        return wrap(lon), lat

    def global_cells(self, node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raster (row, column modulo the width) of local nodes."""
        _, w = self.shape
        r, c = np.divmod(np.asarray(node), w)
        return r + self.r0, np.mod(c + self.c0, self.mask.frame.ncols)

    def shortest(self, source: int, *, limit: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
        """Distances (km, penalties included) and predecessors from one local node."""
        dist, pred = dijkstra(
            self.graph, directed=False, indices=source, return_predecessors=True, limit=limit
        )
        return dist, pred

    @staticmethod
    def path(pred: np.ndarray, target: int) -> list[int]:
        """Local nodes from the source to ``target`` given a predecessor array."""
        out = [target]
        while pred[out[-1]] >= 0:
            out.append(int(pred[out[-1]]))
        out.reverse()
        return out

    def path_land_cells(self, nodes: list[int]) -> set[tuple[int, int]]:
        """Raster cells of the land (thin) nodes of a path, with their 8 neighbours."""
        arr = np.asarray(nodes)
        land = ~self.is_water(arr)
        if not land.any():
            return set()
        r, c = self.global_cells(arr[land])
        out = set()
        for rr, cc in zip(r.tolist(), c.tolist(), strict=True):
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    out.add((rr + dr, (cc + dc) % self.mask.frame.ncols))
        return out


def window_around(
    lon_min: float,
    lat_min: float,
    lon_max: float,
    lat_max: float,
    *,
    margin_km: float,
    frame: Frame = RASTER,
) -> tuple[int, int, int, int]:
    """Window (r0, r1, c0, c1) of ``frame`` covering a lon/lat box grown by ``margin_km``.

    ``lon_min``/``lon_max`` may be unwrapped (``lon_max`` beyond 180).
    """
    mlat = margin_km / (frame.cell_km * frame.cpd)
    lat_hi = min(89.9, lat_max + mlat)
    lat_lo = max(-89.9, lat_min - mlat)
    coslat = max(np.cos(np.radians(max(abs(lat_hi), abs(lat_lo)))), 0.05)
    mlon = min(179.0, margin_km / (frame.cell_km * frame.cpd * coslat))
    r0 = int(frame.rows(np.array(lat_hi)))
    r1 = int(frame.rows(np.array(lat_lo))) + 1
    c0 = int(frame.cols(np.array(lon_min - mlon)))
    c1 = int(frame.cols(np.array(lon_max + mlon))) + 1
    return r0, r1, c0, c1
