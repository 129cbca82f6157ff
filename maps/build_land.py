"""Convert Natural Earth land (world-atlas TopoJSON) to the compact GeoJSON the maps draw.

Run once, by hand, when the basemap is to be refreshed; the result is committed as
``maps/static/basemap/land.geojson`` (see ``maps/static/basemap/SOURCE.md``)::

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python -m maps.build_land /tmp/package/land-50m.json maps/static/basemap/land.geojson

The TopoJSON is decoded here (quantised, delta-encoded arcs), polygons that run
across the antimeridian are cut there, each polygon is simplified with shapely
(Douglas-Peucker, topology preserved), polygons smaller than ``min_area`` square
degrees are dropped, and coordinates are rounded.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry
from shapely.validation import make_valid

from routing.geo import unwrap

Ring = list[tuple[float, float]]


def decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """The topology's arcs as absolute lon/lat positions."""
    transform = topology.get("transform")
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points: Ring = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indices: Sequence[int], arcs: list[Ring]) -> Ring:
    out: Ring = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(arc if not out else arc[1:])
    return out


def topology_polygons(topology: dict[str, Any], name: str) -> list[Polygon]:
    """Every polygon of the object ``name`` (a geometry collection of (multi)polygons)."""
    arcs = decode_arcs(topology)
    obj = topology["objects"][name]
    geometries = obj["geometries"] if obj["type"] == "GeometryCollection" else [obj]
    polygons: list[Polygon] = []
    for geom in geometries:
        parts = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        for part in parts:
            rings = [_ring(r, arcs) for r in part]
            if len(rings[0]) >= 4:
                polygons.append(Polygon(rings[0], [r for r in rings[1:] if len(r) >= 4]))
    return polygons


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [p for g in getattr(geom, "geoms", []) for p in _polygons(g)]


def _unwrap_ring(ring: Ring) -> Ring:
    lon = unwrap(np.array([x for x, _ in ring]))
    return [(float(x), y) for x, (_, y) in zip(lon, ring, strict=True)]


def _coords(seq: Any) -> Ring:
    return [(float(c[0]), float(c[1])) for c in seq]


def _crosses(ring: Ring) -> bool:
    return any(abs(a[0] - b[0]) > 180 for a, b in itertools.pairwise(ring))


def split_antimeridian(poly: Polygon) -> list[Polygon]:
    """A polygon whose rings jump across the antimeridian, as pieces within [-180, 180].

    The TopoJSON is spherical: Chukotka, Wrangel Island, Fiji and Antarctica run
    across 180 degrees, which a flat map would draw as a band round the world.
    Rings are unwrapped, a ring round a pole (Antarctica) is closed along the pole,
    and the shape is cut at the antimeridian.
    """
    exterior = _coords(poly.exterior.coords)
    if not _crosses(exterior):
        return [poly]
    outer = _unwrap_ring(exterior)
    if abs(outer[-1][0] - outer[0][0]) > 180:
        pole = -90.0 if sum(y for _, y in outer) < 0 else 90.0
        outer = [*outer, (outer[-1][0], pole), (outer[0][0], pole)]
    shell = Polygon(outer)
    holes: list[Ring] = []
    for interior in poly.interiors:
        hole = _unwrap_ring(_coords(interior.coords))
        for k in (0.0, 360.0, -360.0):
            moved = [(x + k, y) for x, y in hole]
            if shell.contains(Point(moved[0])):
                holes.append(moved)
                break
    shape = make_valid(Polygon(outer, holes))
    pieces: list[Polygon] = []
    for k in (-1, 0, 1):
        piece = shape.intersection(box(-180 + 360 * k, -90, 180 + 360 * k, 90))
        if not piece.is_empty:
            pieces += _polygons(translate(piece, xoff=-360 * k))
    return pieces


def _rounded(coords: Any, digits: int) -> Any:
    if isinstance(coords[0], float | int):
        return [round(float(c), digits) for c in coords]
    return [_rounded(c, digits) for c in coords]


def compact_land(
    polygons: list[Polygon], *, tolerance: float, min_area: float, digits: int
) -> dict[str, Any]:
    """Simplified land as one GeoJSON Feature with a MultiPolygon geometry."""
    kept: list[Polygon] = []
    for whole in polygons:
        for poly in split_antimeridian(whole):
            valid = poly if poly.is_valid else make_valid(poly)
            for part in _polygons(valid.simplify(tolerance, preserve_topology=True)):
                if part.area >= min_area and not part.is_empty:
                    kept.append(part)
    geometry = mapping(MultiPolygon(kept))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "land"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": _rounded(geometry["coordinates"], digits),
                },
            }
        ],
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point: ``python -m maps.build_land SRC DEST``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="world-atlas land-50m.json (TopoJSON)")
    parser.add_argument("dest", type=Path, help="output GeoJSON")
    parser.add_argument("--tolerance", type=float, default=0.02, help="degrees")
    parser.add_argument("--min-area", type=float, default=0.0, help="square degrees")
    parser.add_argument("--digits", type=int, default=2, help="decimals kept")
    args = parser.parse_args(argv)
    topology = json.loads(args.source.read_text(encoding="utf-8"))
    land = compact_land(
        topology_polygons(topology, "land"),
        tolerance=args.tolerance,
        min_area=args.min_area,
        digits=args.digits,
    )
    args.dest.parent.mkdir(parents=True, exist_ok=True)
    args.dest.write_text(json.dumps(land, separators=(",", ":")) + "\n", encoding="utf-8")
    count = len(land["features"][0]["geometry"]["coordinates"])
    print(f"{args.dest}: {count} polygons, {args.dest.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":  # pragma: no cover
    main()
