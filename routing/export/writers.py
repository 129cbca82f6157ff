"""The file formats, each written from a :class:`~routing.export.voyage.Voyage` (its
tracks thinned, by default, before it gets here: :mod:`routing.export.simplify`).

- GPX 1.1 (gpxpy): a ``wpt`` per call (origin, stops, waypoints, destination), one
  ``rte`` whose points are the track's vertices (what a chart plotter follows), and one
  ``trk`` with a segment per leg (cut at the antimeridian: what a GIS draws).
- KML 2.2 (lxml): a folder of legs (LineStrings, a MultiGeometry where a leg crosses
  the antimeridian) and a folder of calls (Points), figures in ``ExtendedData``.
- RTZ 1.0 (IEC 61174:2015 Annex S, the route exchange format every type-approved
  ECDIS imports; lxml): a waypoint per vertex of the track, the calls named, each leg with its
  planned speed and great-circle geometry, and the calls' times in a calculated
  schedule when the answer has them.
- CSV: a row per leg and per call (``record`` says which).
- GeoPackage (geopandas, pyogrio): layers ``legs`` and ``calls``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gpxpy.gpx
from lxml import etree

from routing.errors import InvalidInputError
from routing.export.voyage import Call, Track, Voyage

if TYPE_CHECKING:
    import geopandas as gpd

CREATOR = "relos-planner"
KML_NS = "http://www.opengis.net/kml/2.2"
RTZ_NS = "http://www.cirm.org/RTZ/1/0"


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _call_text(c: Call) -> str:
    bits = [c.role]
    if c.id:
        bits.append(c.id)
    if c.agreement:
        bits.append(f"agreement {c.agreement}")
    if c.arrival:
        bits.append(f"arrival {c.arrival}")
    if c.departure:
        bits.append(f"departure {c.departure}")
    return "; ".join(bits)


def _leg_text(leg: Track) -> str:
    bits = [f"{leg.distance_nm:,.1f} nm"]
    if leg.duration_h is not None:
        bits.append(f"{leg.duration_h:,.1f} h")
    if leg.depart:
        bits.append(f"departs {leg.depart}")
    if leg.arrive:
        bits.append(f"arrives {leg.arrive}")
    if leg.passages:
        bits.append("through " + ", ".join(leg.passages))
    return "; ".join(bits)


# -- GPX ---------------------------------------------------------------------------------


def to_gpx(v: Voyage) -> str:
    """GPX 1.1: waypoints for the calls, the route through every vertex of the voyage's
    tracks (thinned or not: :mod:`routing.export.simplify`), a track per leg."""
    gpx = gpxpy.gpx.GPX()
    gpx.creator = CREATOR
    gpx.name = v.name
    gpx.description = f"{v.distance_nm:,.1f} nm" + (f", {v.platform}" if v.platform else "")
    for c in v.calls:
        gpx.waypoints.append(
            gpxpy.gpx.GPXWaypoint(
                latitude=c.lat,
                longitude=c.lon,
                time=_time(c.arrival or c.departure),
                name=c.name,
                description=_call_text(c),
                type=c.role,
            )
        )
    route = gpxpy.gpx.GPXRoute(name=v.name, description=f"{v.distance_nm:,.1f} nm")
    for i, p in enumerate(v.points(), start=1):
        route.points.append(
            gpxpy.gpx.GPXRoutePoint(
                latitude=p.lat,
                longitude=p.lon,
                name=p.name or f"WP{i:04d}",
                type=p.call.role if p.call else None,
            )
        )
    gpx.routes.append(route)
    track = gpxpy.gpx.GPXTrack(name=v.name, description=f"{v.distance_nm:,.1f} nm")
    for leg in v.legs:
        for piece in leg.pieces():
            seg = gpxpy.gpx.GPXTrackSegment()
            seg.points.extend(
                gpxpy.gpx.GPXTrackPoint(latitude=lat, longitude=lon) for lon, lat in piece.tolist()
            )
            track.segments.append(seg)
    gpx.tracks.append(track)
    return gpx.to_xml(version="1.1")


# -- KML ---------------------------------------------------------------------------------


def _k(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    el = etree.SubElement(parent, f"{{{KML_NS}}}{tag}", **attrs)
    if text is not None:
        el.text = text
    return el


def _coords(xy: Any) -> str:
    return " ".join(f"{lon:.6f},{lat:.6f}" for lon, lat in xy.tolist())


def _data(parent: Any, values: dict[str, Any]) -> None:
    ext = _k(parent, "ExtendedData")
    for key, value in values.items():
        if value is None:
            continue
        data = _k(ext, "Data", name=key)
        _k(data, "value", str(value))


def to_kml(v: Voyage) -> str:
    """KML 2.2: the legs (cut at the antimeridian) and the calls, with their figures."""
    root = etree.Element(f"{{{KML_NS}}}kml", nsmap={None: KML_NS})
    doc = _k(root, "Document")
    _k(doc, "name", v.name)
    _k(doc, "description", f"{v.distance_nm:,.1f} nm" + (f", {v.platform}" if v.platform else ""))
    style = _k(doc, "Style", id="leg")
    line = _k(style, "LineStyle")
    _k(line, "color", "ff2f6bd6")
    _k(line, "width", "3")
    legs = _k(doc, "Folder")
    _k(legs, "name", "Legs")
    for leg in v.legs:
        mark = _k(legs, "Placemark")
        _k(mark, "name", leg.name)
        _k(mark, "description", _leg_text(leg))
        _k(mark, "styleUrl", "#leg")
        _data(
            mark,
            {
                "record": "leg",
                "index": leg.index,
                "distance_nm": leg.distance_nm,
                "duration_h": leg.duration_h,
                "depart": leg.depart,
                "arrive": leg.arrive,
                "passages": ",".join(leg.passages),
            },
        )
        pieces = leg.pieces()
        holder = _k(mark, "MultiGeometry") if len(pieces) > 1 else mark
        for piece in pieces:
            ls = _k(holder, "LineString")
            _k(ls, "tessellate", "1")
            _k(ls, "coordinates", _coords(piece))
    calls = _k(doc, "Folder")
    _k(calls, "name", "Calls")
    for c in v.calls:
        mark = _k(calls, "Placemark")
        _k(mark, "name", c.name)
        _k(mark, "description", _call_text(c))
        _data(
            mark,
            {
                "record": c.role,
                "facility_id": c.id,
                "agreement": c.agreement,
                "arrival": c.arrival,
                "departure": c.departure,
            },
        )
        point = _k(mark, "Point")
        _k(point, "coordinates", f"{c.lon:.6f},{c.lat:.6f}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


# -- RTZ ---------------------------------------------------------------------------------


def _r(parent: Any, tag: str, **attrs: str) -> Any:
    return etree.SubElement(parent, f"{{{RTZ_NS}}}{tag}", **attrs)


def to_rtz(v: Voyage) -> str:
    """RTZ 1.0 (IEC 61174:2015): the route's waypoints, named calls, legs with speed.

    Raises
    ------
    InvalidInputError
        For a flight (RTZ is a ship's route): names ``format``.
    """
    if v.domain != "sea":
        raise InvalidInputError(
            "RTZ is a ship's route exchange format; export a flight as gpx, kml, csv or gpkg",
            field="format",
        )
    root = etree.Element(f"{{{RTZ_NS}}}route", nsmap={None: RTZ_NS}, version="1.0")
    info: dict[str, str] = {"routeName": v.stem, "routeAuthor": CREATOR, "routeStatus": "planned"}
    if v.platform:
        info["vesselName"] = v.platform
    if v.departure:
        info["validityPeriodStart"] = v.departure
    if v.eta:
        info["validityPeriodStop"] = v.eta
    _r(root, "routeInfo", **info)
    waypoints = _r(root, "waypoints")
    # every leg between two vertices is a short geodesic sailed at the plan's speed: said
    # once as the default, and again (with the leg's name) where each leg of the plan begins
    # (a 13,000 nm voyage stays under the 400 kB ECDIS commonly accept)
    leg_attrs: dict[str, str] = {"geometryType": "Orthodrome"}
    if v.speed_kn:
        leg_attrs["speedMax"] = f"{v.speed_kn:.1f}"
    default = _r(waypoints, "defaultWaypoint")
    _r(default, "leg", **leg_attrs)
    points = v.points()
    schedule: list[dict[str, str]] = []
    for i, p in enumerate(points, start=1):
        attrs = {"id": str(i), "name": p.name or f"WP{i:04d}"}
        wp = _r(waypoints, "waypoint", **attrs)
        _r(wp, "position", lat=f"{p.lat:.6f}", lon=f"{p.lon:.6f}")
        if p.leg is not None and points[i - 2].leg is not p.leg:
            _r(wp, "leg", **leg_attrs, legInfo=p.leg.name[:200])
        if p.call is not None and (p.call.arrival or p.call.departure):
            times = {"waypointId": str(i)}
            if p.call.arrival and p.call.role != "origin":
                times["eta"] = p.call.arrival
            if p.call.departure and p.call.role != "destination":
                times["etd"] = p.call.departure
            if v.speed_kn:
                times["speed"] = f"{v.speed_kn:.1f}"
            if len(times) > 1 and not any(s["waypointId"] == times["waypointId"] for s in schedule):
                schedule.append(times)
    if schedule:
        schedules = _r(root, "schedules")
        sched = _r(schedules, "schedule", id="1", name="relos plan")
        calc = _r(sched, "calculated")
        for times in schedule:
            # "sheduleElement" is the element's name in the RTZ 1.0 schema (IEC 61174:2015)
            _r(calc, "sheduleElement", **times)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


# -- tables ------------------------------------------------------------------------------

CSV_COLUMNS = (
    "record",
    "index",
    "name",
    "facility_id",
    "lon",
    "lat",
    "from",
    "to",
    "distance_nm",
    "duration_h",
    "depart",
    "arrive",
    "arrival",
    "departure",
    "agreement",
    "passages",
)


def _leg_row(leg: Track) -> dict[str, Any]:
    return {
        "record": "leg",
        "index": leg.index,
        "name": leg.name,
        "from": leg.start.id or leg.start.name,
        "to": leg.end.id or leg.end.name,
        "distance_nm": leg.distance_nm,
        "duration_h": leg.duration_h,
        "depart": leg.depart,
        "arrive": leg.arrive,
        "passages": ",".join(leg.passages),
    }


def _call_row(i: int, c: Call) -> dict[str, Any]:
    return {
        "record": c.role,
        "index": i,
        "name": c.name,
        "facility_id": c.id,
        "lon": round(c.lon, 6),
        "lat": round(c.lat, 6),
        "arrival": c.arrival,
        "departure": c.departure,
        "agreement": c.agreement,
    }


def to_csv(v: Voyage) -> str:
    """A row per leg (``record`` = ``leg``) and per call (``origin``, ``stop``,
    ``waypoint``, ``destination``), calls first, in voyage order."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for i, c in enumerate(v.calls):
        writer.writerow(_call_row(i, c))
    for leg in v.legs:
        writer.writerow(_leg_row(leg))
    return buf.getvalue()


def to_geodataframes(v: Voyage) -> dict[str, gpd.GeoDataFrame]:
    """The layers ``legs`` (MultiLineStrings cut at the antimeridian, longitudes in
    [-180, 180]) and ``calls`` (Points), EPSG:4326."""
    import geopandas as gpd
    from shapely import MultiLineString, Point

    legs = gpd.GeoDataFrame(
        [
            {
                **{k: val for k, val in _leg_row(leg).items() if k != "record"},
                "geometry": MultiLineString([p.tolist() for p in leg.pieces()]),
            }
            for leg in v.legs
        ],
        geometry="geometry",
        crs="EPSG:4326",
    )
    calls = gpd.GeoDataFrame(
        [
            {
                **{k: val for k, val in _call_row(i, c).items() if k not in ("lon", "lat")},
                "geometry": Point(c.lon, c.lat),
            }
            for i, c in enumerate(v.calls)
        ],
        geometry="geometry",
        crs="EPSG:4326",
    )
    return {"legs": legs, "calls": calls}


def to_gpkg(v: Voyage) -> bytes:
    """A GeoPackage with the layers of :func:`to_geodataframes`."""
    with tempfile.TemporaryDirectory(prefix="relos-gpkg-") as folder:
        path = Path(folder) / f"{v.stem}.gpkg"
        for layer, frame in to_geodataframes(v).items():
            frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        return path.read_bytes()
