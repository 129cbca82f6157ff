"""Shared helpers of the sea-routing tests: the router under test and independent checks.

The router under test is the product's own: :func:`routing.service.sea_router_for`
over :func:`routing.catalogue.load.load_catalogue`, exactly what the API, the CLI and the
planner use, so the tests check the graph users get and a fresh machine builds one
graph, not two. It is built once per test process (first run: about four minutes,
the GSHHG pass included; later runs load it from the graph cache). Its ports are the
catalogue's ports and naval bases (``data/facilities.geojson``).

The land and passage checks here are deliberately independent of the code under
test: they sample route geometry along WGS84 geodesics with pyproj and look points
up with ``global_land_mask.globe.is_land`` (the 1 km raster) or with both GSHHG
full resolution and OSM land polygons (:func:`coast_land_flags`), and they find gate
crossings with shapely on the passage definitions.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import numpy as np
import shapely
from pyproj import Geod
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.catalogue.load import load_catalogue
from routing.catalogue.model import Catalogue
from routing.geo import LonLat
from routing.sea.passages import default_sea_data
from routing.sea.router import Route, SeaRouter
from routing.service import sea_router_for

GEOD = Geod(ellps="WGS84")

#: The one catalogue port with no sea link: Kaspiysk, on the Caspian Sea.
UNCONNECTED = frozenset({"ru-kaspiysk-naval-base"})


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The shipped catalogue, as the product loads it."""
    return load_catalogue()


@functools.lru_cache(maxsize=1)
def sea_router() -> SeaRouter:
    """The router under test: the product's (built or loaded once per process)."""
    return sea_router_for(catalogue())


@functools.lru_cache(maxsize=1)
def _globe() -> object:
    from global_land_mask import globe

    return globe


@functools.lru_cache(maxsize=1)
def _coastlines() -> tuple[object, object]:
    """GSHHG full resolution and OSM land polygons (``roaring-landmask``; about 20 s)."""
    from roaring_landmask import LandmaskProvider, RoaringLandmask

    return RoaringLandmask.new(), RoaringLandmask.new_with_provider(LandmaskProvider.Osm)


def coast_land_flags(samples: np.ndarray, waivers: shapely.Geometry | None) -> np.ndarray:
    """Land on which GSHHG full resolution and OSM agree, outside ``waivers``.

    Two independent fine coastlines, as issue #11 measured: a point counts as land
    only when both say so (each has its own errors: GSHHG predates some reclaimed
    land, OSM maps some piers and dry docks as land).
    """
    gshhg, osm = _coastlines()
    x = np.ascontiguousarray(samples[:, 0], dtype=np.float64)
    y = np.ascontiguousarray(samples[:, 1], dtype=np.float64)
    land: np.ndarray = np.array(gshhg.contains_many(x, y), dtype=bool)  # type: ignore[attr-defined]
    if land.any():
        idx = np.nonzero(land)[0]
        land[idx] = np.asarray(osm.contains_many(x[idx], y[idx]), dtype=bool)  # type: ignore[attr-defined]
    if waivers is not None and land.any():
        idx = np.nonzero(land)[0]
        land[idx[shapely.contains_xy(waivers, x[idx], y[idx])]] = False
    return land


def gshhg_land_flags(samples: np.ndarray) -> np.ndarray:
    """Land on GSHHG full resolution (no waivers)."""
    gshhg, _ = _coastlines()
    x = np.ascontiguousarray(samples[:, 0], dtype=np.float64)
    y = np.ascontiguousarray(samples[:, 1], dtype=np.float64)
    return np.array(gshhg.contains_many(x, y), dtype=bool)  # type: ignore[attr-defined]


def longest_hairpin_km(
    coords: Sequence[LonLat], *, step_km: float = 1.0, chord_km: float = 0.7
) -> tuple[float, LonLat]:
    """Half the longest stretch of a track that leaves a point and comes back to it.

    The track is sampled every ``step_km`` along its great circles (plain numpy
    slerp, independent of the code under test); two samples within ``chord_km`` of
    each other bound a hairpin as long as the track between them. A track that never
    doubles back has none longer than a step or two.
    """
    from scipy.spatial import cKDTree

    lon = np.radians([c.lon for c in coords])
    lat = np.radians([c.lat for c in coords])
    v = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    a, b = v[:-1], v[1:]
    ang = np.arccos(np.clip(np.einsum("ij,ij->i", a, b), -1.0, 1.0))
    n = np.maximum(1, np.ceil(ang * 6371.0 / step_km).astype(int))
    seg = np.repeat(np.arange(len(n)), n)
    t = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(n, n)
    th = ang[seg]
    s_th = np.where(np.sin(th) < 1e-12, 1.0, np.sin(th))
    wa = np.where(th < 1e-9, 1 - t, np.sin((1 - t) * th) / s_th)
    wb = np.where(th < 1e-9, t, np.sin(t * th) / s_th)
    pts = wa[:, None] * a[seg] + wb[:, None] * b[seg]
    along = (np.concatenate([[0.0], np.cumsum(ang)])[seg] + t * th) * 6371.0
    pairs = cKDTree(pts).query_pairs(chord_km / 6371.0, output_type="ndarray")
    if len(pairs) == 0:
        return 0.0, coords[0]
    sep = np.abs(along[pairs[:, 1]] - along[pairs[:, 0]])
    k = int(np.argmax(sep))
    p = pts[int(pairs[k].min())]
    where = LonLat(float(np.degrees(np.arctan2(p[1], p[0]))), float(np.degrees(np.arcsin(p[2]))))
    return float(sep[k]) / 2, where


def declared_waterways(router: SeaRouter) -> shapely.Geometry:
    """Union of the declared canals and rivers (``data/sea/waterways.geojson``)."""
    return router.sea.waterway_union


def geodesic_samples(coords: list[LonLat], *, step_m: float = 250.0) -> np.ndarray:
    """Points every ``step_m`` along the geodesics between consecutive vertices.

    Returns an (n, 3) array: lon, lat, distance along the line in km.
    """
    out = []
    dist0 = 0.0
    for a, b in itertools.pairwise(coords):
        _, _, seg = GEOD.inv(a.lon, a.lat, b.lon, b.lat)
        n = max(0, int(np.ceil(seg / step_m)) - 1)
        pts = [(a.lon, a.lat)] + (list(GEOD.npts(a.lon, a.lat, b.lon, b.lat, n)) if n else [])
        d = dist0 + np.arange(len(pts)) * (seg / (n + 1)) / 1000.0
        out.append(np.column_stack([np.array(pts), d]))
        dist0 += seg / 1000.0
    last = coords[-1]
    out.append(np.array([[last.lon, last.lat, dist0]]))
    res = np.concatenate(out)
    res[:, 0] = (res[:, 0] + 180.0) % 360.0 - 180.0
    return res


def land_flags(samples: np.ndarray, waivers: shapely.Geometry | None) -> np.ndarray:
    """``globe.is_land`` of samples, with points inside ``waivers`` counted as water."""
    globe = _globe()
    land = np.asarray(globe.is_land(samples[:, 1], samples[:, 0]))  # type: ignore[attr-defined]
    if waivers is not None and land.any():
        idx = np.nonzero(land)[0]
        inside = shapely.contains_xy(waivers, samples[idx, 0], samples[idx, 1])
        land[idx[inside]] = False
    return land


def longest_land_km(samples: np.ndarray, land: np.ndarray) -> float:
    """Longest stretch of consecutive land samples, in km along the line."""
    if not land.any():
        return 0.0
    f = np.concatenate([[False], land, [False]]).astype(np.int8)
    d = np.diff(f)
    starts, ends = np.nonzero(d == 1)[0], np.nonzero(d == -1)[0]
    step = np.diff(samples[:, 2]).max(initial=0.25)
    lengths = samples[ends - 1, 2] - samples[starts, 2] + step
    return float(lengths.max())


def waiver_geometry(router: SeaRouter) -> shapely.Geometry:
    """Union of the router's declared land waivers (canals, raster-closed waters, bridges)."""
    return shapely.union_all([shapely.Polygon(w["polygon"]) for w in router.land_waivers])


def crossed_passages(route: Route) -> list[str]:
    """Passages whose gates or regions the route geometry meets, in order (independent check)."""
    coords = np.array(route.geojson_coordinates())
    events: list[tuple[float, str]] = []
    seg_len = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])
    line = shapely.LineString(coords)
    for p in (p for p in default_sea_data().passages if p.closable):
        for shift in (-360.0, 0.0, 360.0):
            for gate in p.gates:
                g = shapely.LineString([(x + shift, y) for x, y in gate])
                if not line.intersects(g):
                    continue
                for pt in shapely.get_parts(line.intersection(g)):
                    for x, y in shapely.get_coordinates(pt):
                        events.append((float(line.project(shapely.Point(x, y))), p.id))
            if p.region is not None:
                poly = shapely.Polygon([(x + shift, y) for x, y in p.region])
                inside = shapely.contains_xy(poly, coords[:, 0], coords[:, 1])
                for k in np.nonzero(inside)[0]:
                    if k == 0 or not inside[k - 1]:
                        events.append((float(cum[k]), p.id))
    events.sort()
    out: list[str] = []
    for _, pid in events:
        if not out or out[-1] != pid:
            out.append(pid)
    return out


def plain_port_distances(router: SeaRouter, closed: frozenset[str]) -> np.ndarray:
    """Shortest distances (nm) from every port's out-node to every node, by Dijkstra over
    the graph's edges (arcs of closed passages left out; parallel arcs: the shortest),
    independent of the router's tables."""
    g = router.graph
    shut = g.closed_edges([g.passage_ids.index(p) for p in closed])
    back = g.b_from >= 0
    frm = np.concatenate([g.a_from, g.b_from[back]])
    to = np.concatenate([g.a_to, g.b_to[back]])
    w = np.concatenate([g.length_nm, g.length_nm[back]])
    keep = ~np.concatenate([shut, shut[back]])
    frm, to, w = frm[keep], to[keep], np.maximum(w[keep], 1e-9)
    n = g.n_nodes
    key = frm * n + to
    order = np.lexsort((w, key))
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    sel = order[first]
    csr = csr_matrix((w[sel], (frm[sel], to[sel])), shape=(n, n))
    sources = g.n_core + 2 * np.arange(len(g.port_ids))
    return np.asarray(dijkstra(csr, directed=True, indices=sources))
