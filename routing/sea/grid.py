"""Open water as a hexagonal grid joined to the sea-lane graph: the ground reach is
measured on.

A ship's reach is an area of sea, not a set of lanes: within its range it can go
anywhere at sea. :class:`SeaGrid` holds the sea as H3 cells of resolution 3 (about
12,400 km^2 each, centres about 100 km apart) whose centre is water on the 1 km land
raster, between 66 S and 80 N (beyond, pack ice the service does not model). Each
cell is joined to its six neighbours and to the six cells a knight's move away (so
paths turn every 30 degrees and a grid path is at most 3.5 % longer than the
straight line), by steps whose geodesic is tested against the land raster every
15 km. The grid is joined both ways to the lane graph's backbone nodes (a node to
the cells around it, over water), so the canals and narrow straits the grid cannot
resolve (Suez, the Bosporus, Gibraltar) are passed on the lanes.

Closing a passage closes what crosses it: a grid step or a node-to-cell join whose
geodesic crosses one of the passage's gates, every step into a cell inside a closed
region (the Northern Sea Route out of season), and the passage's lanes as the
router closes them. :class:`ReachField` gives, per closure set, the sea distance
(nm) from a port to every cell and backbone node: a Dijkstra per port, on demand,
cached per closure set.

Built once per sea graph (about a minute on a 2-core machine) and cached on disk
next to it.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
import shapely.affinity
import shapely.geometry
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.files import atomic_save_npz
from routing.geo import geodesic_samples, h3_cells

if TYPE_CHECKING:
    from routing.sea.router import SeaRouter

RES = 3
"""H3 resolution of the grid."""
NORTH, SOUTH = 80.0, -66.0
"""Latitudes beyond which the sea counts as pack ice (not navigable, not modelled)."""
STEP_SAMPLES = 12
"""Points a grid step's geodesic is tested at (about 15 km apart)."""
LINK_SAMPLES = 8
"""Points a node-to-cell join is tested at."""
VERSION = "v1"


@dataclass
class SeaGrid:
    """The water cells and their steps (see the module docstring); plain arrays."""

    cells: np.ndarray  # uint64 H3 ids
    lon: np.ndarray
    lat: np.ndarray
    area_km2: np.ndarray
    src: np.ndarray  # undirected steps between cells (indices), with their length
    dst: np.ndarray
    nm: np.ndarray
    link_node: np.ndarray  # joins between a backbone node and a cell, with their length
    link_cell: np.ndarray
    link_nm: np.ndarray
    gate_seg: np.ndarray  # (segment, passage) pairs: steps, then joins, crossing a gate
    gate_pid: np.ndarray
    region_cell: np.ndarray  # (cell, passage) pairs: cells inside a region
    region_pid: np.ndarray
    passage_ids: tuple[str, ...]

    @property
    def n_cells(self) -> int:
        """Number of water cells."""
        return len(self.cells)

    def arrays(self) -> dict[str, np.ndarray]:
        """The grid as arrays for ``np.savez``."""
        out = {k: v for k, v in vars(self).items() if isinstance(v, np.ndarray)}
        out["passage_ids"] = np.array(self.passage_ids)
        return out

    @classmethod
    def from_arrays(cls, z: dict[str, np.ndarray]) -> SeaGrid:
        """The grid from :meth:`arrays`."""
        fields = {k: np.asarray(z[k]) for k in z if k != "passage_ids"}
        return cls(**fields, passage_ids=tuple(str(p) for p in z["passage_ids"]))


def _neighbour_pairs(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undirected (i, j), i < j, between water cells one step or a knight's move apart."""
    import h3

    index = {int(c): i for i, c in enumerate(cells.tolist())}
    src: list[int] = []
    dst: list[int] = []
    for i, c in enumerate(cells.tolist()):
        h = h3.int_to_str(c)
        ring2 = h3.grid_ring(h, 2)
        # a knight's move: the ring-2 cells two ring-1 cells touch (not straight on)
        ring1 = set(h3.grid_ring(h, 1))
        knights = [n for n in ring2 if sum(1 for m in h3.grid_ring(n, 1) if m in ring1) == 2]
        for n in (*ring1, *knights):
            j = index.get(h3.str_to_int(n))
            if j is not None and j > i:
                src.append(i)
                dst.append(j)
    return np.array(src, dtype=np.int32), np.array(dst, dtype=np.int32)


def _clear(router: SeaRouter, coords: np.ndarray, *, skip_first: bool = False) -> np.ndarray:
    """Whether each sampled geodesic (E, k, 2) stays off land."""
    pts = coords[:, 1:] if skip_first else coords
    land = router.mask.is_land(pts[..., 0].ravel(), pts[..., 1].ravel())
    return np.asarray(~np.reshape(land, pts.shape[:2]).any(axis=1))


def _gate_crossings(router: SeaRouter, coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(segment, passage) pairs for the sampled segments that cross a passage's gate."""
    lines: list[shapely.Geometry] = []
    owner: list[int] = []
    for k, p in enumerate(router.sea.passages):
        for g in p.gate_lines:
            lines.append(g)
            owner.append(k)
    if not lines:
        return np.zeros(0, np.int32), np.zeros(0, np.int16)
    lon = coords[..., 0].copy()
    lon = lon[:, :1] + (lon - lon[:, :1] + 180.0) % 360.0 - 180.0  # unwrap each segment
    segs = shapely.linestrings(np.stack([lon, coords[..., 1]], axis=-1))
    tree = shapely.STRtree(lines)
    si, gi = tree.query(segs, predicate="intersects")
    pairs = np.unique(np.column_stack([si, np.asarray(owner)[gi]]), axis=0)
    if len(pairs) == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.int16)
    return pairs[:, 0].astype(np.int32), pairs[:, 1].astype(np.int16)


def build_grid(router: SeaRouter) -> SeaGrid:
    """The grid for ``router``'s graph and passages (about a minute)."""
    import h3

    cells, lon, lat = h3_cells(RES)
    keep = (lat <= NORTH) & (lat >= SOUTH) & ~router.mask.is_land(lon, lat)
    cells, lon, lat = cells[keep], lon[keep], lat[keep]
    area = np.array([h3.cell_area(h3.int_to_str(c), unit="km^2") for c in cells.tolist()])
    src, dst = _neighbour_pairs(cells)
    coords, nm = geodesic_samples(lon[src], lat[src], lon[dst], lat[dst], STEP_SAMPLES)
    ok = _clear(router, coords)
    src, dst, nm, coords = src[ok], dst[ok], nm[ok], coords[ok]
    # joins: each backbone node to the water cells around it
    g = router.graph
    nodes = g.node_xy[: g.n_core]
    index = {int(c): i for i, c in enumerate(cells.tolist())}
    ln: list[int] = []
    lc: list[int] = []
    for n, (x, y) in enumerate(nodes.tolist()):
        home = h3.latlng_to_cell(y, x, RES)
        for c in h3.grid_disk(home, 1):
            j = index.get(h3.str_to_int(c))
            if j is not None:
                ln.append(n)
                lc.append(j)
    link_node, link_cell = np.array(ln, np.int32), np.array(lc, np.int32)
    lcoords, link_nm = geodesic_samples(
        nodes[link_node, 0], nodes[link_node, 1], lon[link_cell], lat[link_cell], LINK_SAMPLES
    )
    ok = _clear(router, lcoords, skip_first=True)
    link_node, link_cell, link_nm, lcoords = link_node[ok], link_cell[ok], link_nm[ok], lcoords[ok]
    gate_seg, gate_pid = _gate_crossings(
        router, np.concatenate([coords[:, :: STEP_SAMPLES // 4], lcoords[:, :: LINK_SAMPLES // 4]])
    )
    rc: list[np.ndarray] = []
    rp: list[np.ndarray] = []
    for k, p in enumerate(router.sea.passages):
        inside = np.zeros(len(cells), bool)
        for poly in p.region_polygons:
            inside |= shapely.contains_xy(poly, lon, lat)
        rc.append(np.flatnonzero(inside).astype(np.int32))
        rp.append(np.full(int(inside.sum()), k, np.int16))
    return SeaGrid(
        cells,
        lon,
        lat,
        area,
        src,
        dst,
        nm,
        link_node,
        link_cell,
        link_nm,
        gate_seg,
        gate_pid,
        np.concatenate(rc),
        np.concatenate(rp),
        tuple(router.sea.passage_ids),
    )


def load_grid(router: SeaRouter, cache_dir: Path | None) -> SeaGrid:
    """The grid for ``router``, from the cache when built for the same graph and passages."""
    path = None
    if cache_dir is not None:
        key = f"{router.graph_version[:16]}-{router.sea.graph_digest[:12]}"
        path = cache_dir / f"sea-grid-{VERSION}-r{RES}-{key}.npz"
        if path.exists():
            with np.load(path) as z:
                return SeaGrid.from_arrays(dict(z))
    grid = build_grid(router)
    if path is not None:
        atomic_save_npz(path, grid.arrays())
    return grid


class ReachField:
    """Sea distances from ports to every water cell and backbone node, per closure set.

    Nodes of its graph: the lane graph's (backbone, then each port's out- and in-node),
    then the grid's cells. A port's distances are one Dijkstra from its out-node, run
    when first asked for under a closure set and kept (``CLOSURE_SETS`` sets).
    """

    CLOSURE_SETS = 8
    STACKED = 4

    def __init__(self, router: SeaRouter, grid: SeaGrid) -> None:
        self.router = router
        self.grid = grid
        self.n_lane = router.n_nodes
        self.n_core = router.graph.n_core
        self._lock = threading.Lock()
        self._rows: OrderedDict[frozenset[str], dict[int, np.ndarray]] = OrderedDict()
        # the last few stacked answers: the same origins under the same closures repeat
        self._stacked: OrderedDict[tuple[frozenset[str], tuple[int, ...]], np.ndarray] = (
            OrderedDict()
        )
        self._csr = functools.lru_cache(maxsize=self.CLOSURE_SETS)(self._build_csr)
        self._pid = {p: k for k, p in enumerate(grid.passage_ids)}
        self._seam_hexes: dict[int, shapely.Geometry] | None = None

    def _seam(self) -> dict[int, shapely.Geometry]:
        """The hexagons of the cells across the antimeridian, cut there (built once)."""
        import h3

        with self._lock:
            if self._seam_hexes is None:
                world = shapely.box(-180.0, -90.0, 180.0, 90.0)
                out: dict[int, shapely.Geometry] = {}
                for i, c in enumerate(self.grid.cells.tolist()):
                    b = np.array(h3.cell_to_boundary(h3.int_to_str(c)))[:, ::-1]
                    if b[:, 0].max() - b[:, 0].min() <= 180.0:
                        continue
                    x = self.grid.lon[i]
                    b[:, 0] = x + (b[:, 0] - x + 180.0) % 360.0 - 180.0  # round the centre
                    poly = shapely.Polygon(b)
                    parts = [
                        shapely.intersection(shapely.affinity.translate(poly, s), world)
                        for s in (-360.0, 0.0, 360.0)
                    ]
                    out[i] = shapely.union_all([q for q in parts if not q.is_empty])
                self._seam_hexes = out
            return self._seam_hexes

    def area(self, cells: np.ndarray) -> shapely.Geometry:
        """The union of the chosen cells (bool, the grid's order) as a (Multi)Polygon in
        lon/lat, cut at the antimeridian: H3's own outline of the cells clear of it,
        joined to the cut hexagons of those across it."""
        import h3

        seam = self._seam()
        across = np.zeros(len(cells), bool)
        across[list(seam)] = True
        ids = [h3.int_to_str(c) for c in self.grid.cells[cells & ~across].tolist()]
        parts: list[shapely.Geometry] = []
        if ids:
            main = shapely.geometry.shape(h3.cells_to_h3shape(ids).__geo_interface__)
            parts = list(getattr(main, "geoms", [main]))
        wide = [bool(b[0] < -179.0 or b[2] > 179.0) for b in shapely.bounds(parts)]
        edge = [p for p, w in zip(parts, wide, strict=True) if w]
        rest = [p for p, w in zip(parts, wide, strict=True) if not w]
        edge += [seam[i] for i in np.flatnonzero(cells & across).tolist()]
        if edge:
            joined = shapely.union_all(edge, grid_size=1e-7)
            rest += list(getattr(joined, "geoms", [joined]))
        polys = [p for p in rest if isinstance(p, shapely.Polygon) and not p.is_empty]
        return shapely.MultiPolygon(polys)

    @property
    def core_edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The backbone's edges: (from node, to node, nm)."""
        g = self.router.graph
        core = (g.a_from < g.n_core) & (g.a_to < g.n_core)
        return g.a_from[core], g.a_to[core], g.length_nm[core]

    def _build_csr(self, closed: frozenset[str]) -> csr_matrix:
        g = self.grid
        lane = self.router._csr_for(closed).tocoo()
        shut = np.array([self._pid[p] for p in closed if p in self._pid], dtype=np.int16)
        seg_shut = np.zeros(len(g.src) + len(g.link_node), bool)
        seg_shut[g.gate_seg[np.isin(g.gate_pid, shut)]] = True
        cell_shut = np.zeros(g.n_cells, bool)
        cell_shut[g.region_cell[np.isin(g.region_pid, shut)]] = True
        n_steps = len(g.src)
        step_ok = ~seg_shut[:n_steps] & ~cell_shut[g.src] & ~cell_shut[g.dst]
        link_ok = ~seg_shut[n_steps:] & ~cell_shut[g.link_cell]
        off = self.n_lane
        s, d, w = g.src[step_ok] + off, g.dst[step_ok] + off, g.nm[step_ok]
        ln, lc, lw = g.link_node[link_ok], g.link_cell[link_ok] + off, g.link_nm[link_ok]
        rows = np.concatenate([lane.row, s, d, ln, lc])
        cols = np.concatenate([lane.col, d, s, lc, ln])
        data = np.concatenate([lane.data, w, w, lw, lw])
        n = self.n_lane + g.n_cells
        return csr_matrix((np.maximum(data, 1e-9), (rows, cols)), shape=(n, n))

    def rows(self, closed: frozenset[str], ports: list[int]) -> np.ndarray:
        """Distances (nm, float32; ``inf`` unreachable) from each port (index into the
        router's ``port_ids``) to the backbone nodes then the cells: shape
        (len(ports), n_core + n_cells)."""
        with self._lock:
            cache = self._rows.setdefault(closed, {})
            self._rows.move_to_end(closed)
            while len(self._rows) > self.CLOSURE_SETS:
                self._rows.popitem(last=False)
            missing = sorted({p for p in ports if p not in cache})
            if missing:
                out_nodes = [self.n_core + 2 * p for p in missing]
                dist = dijkstra(self._csr(closed), directed=True, indices=out_nodes)
                keep = np.r_[0 : self.n_core, self.n_lane : self.n_lane + self.grid.n_cells]
                for p, row in zip(missing, dist[:, keep].astype(np.float32), strict=True):
                    cache[p] = row
            if not ports:
                return np.zeros((0, self.n_core + self.grid.n_cells), np.float32)
            key = (closed, tuple(ports))
            stacked = self._stacked.get(key)
            if stacked is None:
                stacked = np.stack([cache[p] for p in ports])
                stacked.flags.writeable = False  # shared between callers
                self._stacked[key] = stacked
                while len(self._stacked) > self.STACKED:
                    self._stacked.popitem(last=False)
            self._stacked.move_to_end(key)
            return stacked
