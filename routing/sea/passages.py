"""Named sea passages, waterways and seasons, loaded from ``data/sea/`` and validated.

Code holds the rules; the coordinates live in data files, each feature with its
sources:

* ``passages.geojson``: canals, straits, capes and seasonal Arctic routes. A
  passage has *gates* (a MultiLineString drawn from land on one side across the
  waterway to land on the other; for the Cape of Good Hope and Cape Horn from the
  coast out to Antarctica) or a *region* (a Polygon: the Northern Sea Route, the
  Northwest Passage). An edge of the sea graph whose geometry crosses a gate is
  tagged with the passage at the crossing; an edge with a stretch inside a region
  is tagged at its entry. Closing a passage removes every tagged edge, so a route
  can neither use nor report a closed passage. Longitudes may be unwrapped (beyond
  180) so that a polygon spanning the antimeridian stays one polygon.
* ``waterways.geojson``: canals and narrow waters the 1 km land raster closes
  (``role: waiver``; inside the buffered centre line the land check is waived)
  and through-canal edges MARNET lacks (``role: canal_edge``, the Kiel Canal).
* ``seasons.json``: the dates a seasonal passage is open, by ice-class band.

:attr:`SeaData.graph_digest` (the passages and waterways files) is part of the
sea graph's cache key, so editing a gate or a waterway rebuilds the graph.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from shapely.geometry import LineString, Polygon

from routing.errors import DataValidationError, UnknownPassageError
from routing.files import file_digest, read_json
from routing.geo import EARTH_RADIUS_KM, line_nm
from routing.parse import Named, NameIndex
from routing.paths import SHIPPED_DATA_DIR
from routing.vocab import ICE_CLASSES, normalise_ice_class

PassageKind = Literal["canal", "strait", "cape", "seasonal_route", "ice_region"]
KM_PER_DEG = EARTH_RADIUS_KM * np.pi / 180.0
SHIPPED_SEA_DIR = SHIPPED_DATA_DIR / "sea"
FILES = ("passages.geojson", "waterways.geojson", "seasons.json", "closure_groups.json")
"""The sea data files; the first two shape the graph."""

MonthDay = tuple[int, int]

LIMIT_FIELDS = {
    "max_draught_m": ("draught_m", "draught"),
    "max_beam_m": ("beam_m", "beam"),
    "max_air_draught_m": ("air_draught_m", "air draught"),
    "max_length_m": ("length_m", "length"),
}
"""Passage limit -> (the ship's dimension it bounds, its name in reasons)."""


@dataclass(frozen=True)
class ShipSize:
    """The dimensions that decide whether a ship fits a passage (metres; ``None``: unknown)."""

    draught_m: float | None = None
    beam_m: float | None = None
    air_draught_m: float | None = None
    length_m: float | None = None

    @classmethod
    def largest(cls, sizes: Iterable[ShipSize]) -> ShipSize:
        """The envelope of a group: each dimension's largest known value."""
        items = list(sizes)

        def top(name: str) -> float | None:
            known = [v for s in items if (v := getattr(s, name)) is not None]
            return max(known) if known else None

        return cls(top("draught_m"), top("beam_m"), top("air_draught_m"), top("length_m"))

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.draught_m, self.beam_m, self.air_draught_m))


class SeaSource(BaseModel):
    """Where a feature's position or rule comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1)
    url: str | None = Field(None, pattern=r"^https?://")
    note: str | None = None


@dataclass(frozen=True)
class Passage:
    """A named, closable passage: ``gates`` (lines) or a ``region`` (polygon ring)."""

    id: str
    name: str
    kind: PassageKind
    gates: tuple[tuple[tuple[float, float], ...], ...] = ()
    region: tuple[tuple[float, float], ...] | None = None
    note: str = ""
    sources: tuple[SeaSource, ...] = ()
    limits: Mapping[str, float] = field(default_factory=dict)
    """Published limits of a transit: ``max_draught_m``, ``max_beam_m``,
    ``max_air_draught_m``, ``max_length_m`` (see :data:`LIMIT_FIELDS`)."""
    transit: tuple[tuple[tuple[float, float], ...], ...] = ()
    """Lines a transit end to end crosses, in one direction or the other: the gates of a
    gate passage; for a region, its entry lines (the NSR's Kara Gate side and Bering side)."""
    ice_rules: tuple[IceRule, ...] = ()
    """Winter navigation rules of an ice region (``kind == "ice_region"``)."""

    @property
    def closable(self) -> bool:
        """Whether closing it can cut a route: every passage but an ice region whose rules
        only warn (those are found on a route's track, not in the graph)."""
        return self.kind != "ice_region" or any(
            r.action == "close" and r.confidence != "low" for r in self.ice_rules
        )

    @property
    def transit_lines(self) -> tuple[tuple[tuple[float, float], ...], ...]:
        """The lines a transit crosses (``transit`` if given, else the gates)."""
        return self.transit or self.gates

    @cached_property
    def gate_lines(self) -> list[LineString]:
        """The gates as shapely lines, also shifted by +-360 degrees of longitude."""
        return [
            LineString([(x + shift, y) for x, y in g])
            for g in self.gates
            for shift in (-360.0, 0.0, 360.0)
        ]

    @cached_property
    def region_polygons(self) -> list[Polygon]:
        """The region as shapely polygons, also shifted by +-360 degrees of longitude."""
        if self.region is None:
            return []
        polys = [Polygon([(x + s, y) for x, y in self.region]) for s in (-360.0, 0.0, 360.0)]
        for poly in polys:
            shapely.prepare(poly)
        return polys

    def too_big(self, size: ShipSize) -> str | None:
        """Why a ship of ``size`` may not transit this passage, or ``None`` if it fits."""
        for key, (dim, name) in LIMIT_FIELDS.items():
            cap = self.limits.get(key)
            value = getattr(size, dim)
            if cap is not None and value is not None and value > cap:
                return f"{name} {value:g} m over the {self.name}'s limit of {cap:g} m"
        return None

    def geometry(self) -> dict[str, Any]:
        """The gate or region as a GeoJSON geometry."""
        if self.region is not None:
            return {"type": "Polygon", "coordinates": [[list(xy) for xy in self.region]]}
        return {
            "type": "MultiLineString",
            "coordinates": [[list(xy) for xy in gate] for gate in self.gates],
        }


@dataclass(frozen=True)
class Waterway:
    """A canal or narrow water the land raster closes: land checks are waived inside.

    ``centerline`` runs along the fairway (a few hundred metres off on the canals,
    up to a few km on long river reaches drawn straight between published points);
    ``half_width_km`` is the half-width of the buffer treated as water.
    """

    id: str
    name: str
    centerline: tuple[tuple[float, float], ...]
    half_width_km: float
    canal: bool = True
    note: str = ""
    sources: tuple[SeaSource, ...] = ()

    @cached_property
    def polygon(self) -> Polygon:
        """The buffered centre line (a local equirectangular buffer)."""
        lat0 = float(np.mean([y for _, y in self.centerline]))
        k = np.cos(np.radians(lat0))
        line = LineString([(x * k, y) for x, y in self.centerline])
        buf = line.buffer(self.half_width_km / KM_PER_DEG, quad_segs=4)
        xs, ys = np.asarray(buf.exterior.coords).T
        return Polygon(np.column_stack([xs / k, ys]))


LEAP_START = np.array([0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335])
"""Day-of-year (0-based) of each month's first day in a leap year: every calendar
day, 29 February included, has one place in a 366-day mask."""

_MASKS: dict[tuple[str, tuple[tuple[MonthDay, MonthDay], ...]], np.ndarray] = {}


@dataclass(frozen=True)
class SeasonRule:
    """Dates (inclusive, month/day) a seasonal passage is open, by ice-class band.

    ``windows`` maps the weakest ice class of a band to its open window(s); a ship
    gets the window of the strongest band at or below its class. An empty tuple
    means closed all year; ``((1, 1), (12, 31))`` means all year.
    """

    passage: str
    windows: Mapping[str, tuple[tuple[MonthDay, MonthDay], ...]] = field(default_factory=dict)
    source: str = ""
    closed_without_date: bool = True
    """An Arctic route is closed when no date is given (nobody gets one by accident); an
    ice region around ports is not (a route with no date is not a winter route)."""

    def open_on(self, date: dt.date | None, ice_class: str | None) -> bool:
        """Whether the passage is open on ``date`` to a ship of ``ice_class``.

        With no date it is **closed**: nobody gets an Arctic route by accident.
        """
        if date is None:
            return not self.closed_without_date
        md = (date.month, date.day)
        return any(start <= md <= end for start, end in self.windows_for(ice_class))

    def ever_shut(self, ice_class: str | None) -> bool:
        """Whether the passage is shut to a ship of ``ice_class`` on some day of the year."""
        return not bool(self.year_mask(ice_class).all())

    def year_mask(self, ice_class: str | None) -> np.ndarray:
        """Whether the passage is open to ``ice_class`` on each day of a leap year (index:
        :data:`LEAP_START` of the month plus the day, 0-based); read-only, cached."""
        windows = self.windows_for(ice_class)
        key = (self.passage, windows)
        hit = _MASKS.get(key)
        if hit is None:
            idx = np.arange(366)
            month = np.searchsorted(LEAP_START, idx, side="right")  # 1..12
            md = month * 100 + idx - LEAP_START[month - 1] + 1
            hit = np.zeros(366, dtype=bool)
            for (m0, d0), (m1, d1) in windows:
                hit |= (md >= m0 * 100 + d0) & (md <= m1 * 100 + d1)
            hit.setflags(write=False)
            _MASKS[key] = hit
        return hit

    def windows_for(self, ice_class: str | None) -> tuple[tuple[MonthDay, MonthDay], ...]:
        """The open window(s) of the strongest band at or below ``ice_class`` (none: closed
        all year to it)."""
        rank = ICE_CLASSES.index(normalise_ice_class(ice_class))
        band = max(
            (b for b in self.windows if ICE_CLASSES.index(b) <= rank),
            key=ICE_CLASSES.index,
            default=None,
        )
        return () if band is None else tuple(self.windows[band])


# -- the files' schemas ----------------------------------------------------------------------


class _Props(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    note: str = ""
    sources: list[SeaSource] = Field(min_length=1)


class IceRule(BaseModel):
    """A winter navigation rule of an ice region: ships below ``min_ice_class`` are
    refused (``close``) or warned (``warn``) between ``from`` and ``to`` (month, day;
    the period may run over the new year)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    start: tuple[int, int] = Field(alias="from")
    end: tuple[int, int] = Field(alias="to")
    min_ice_class: str
    action: Literal["close", "warn"]
    text: str = Field(min_length=1)
    source: SeaSource
    confidence: Literal["high", "medium", "low"] = "high"

    def active(self, date: dt.date) -> bool:
        """Whether ``date`` falls in the rule's period."""
        md = (date.month, date.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end

    def binds(self, date: dt.date, ice_class: str | None) -> bool:
        """Whether the rule applies to a ship of ``ice_class`` on ``date``."""
        rank = ICE_CLASSES.index(normalise_ice_class(ice_class))
        return self.active(date) and rank < ICE_CLASSES.index(self.min_ice_class)


class _PassageProps(_Props):
    kind: PassageKind
    ice_rules: list[IceRule] = Field(default_factory=list)
    limits: dict[
        Literal["max_draught_m", "max_beam_m", "max_air_draught_m", "max_length_m"], float
    ] = Field(default_factory=dict)
    transit: list[list[tuple[float, float]]] = Field(
        default_factory=list,
        description="For a region: the lines a transit end to end crosses (two or more).",
    )


class _WaterwayProps(_Props):
    role: Literal["waiver", "canal_edge"]
    canal: bool = True
    half_width_km: float | None = Field(None, gt=0, le=10)

    @model_validator(mode="after")
    def _width(self) -> _WaterwayProps:
        if self.role == "waiver" and self.half_width_km is None:
            raise ValueError("a waiver needs half_width_km")
        return self


class ClosureGroup(BaseModel):
    """Passages that together are every way through a barrier: closing the group closes all."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    passages: tuple[str, ...] = Field(min_length=1)
    note: str = ""
    sources: tuple[SeaSource, ...] = Field(min_length=1)


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passage: str
    windows: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]
    sources: list[SeaSource] = Field(min_length=1)


_M = TypeVar("_M", bound=BaseModel)


def _reason(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc']) or 'record'}: {err['msg']}"


def _validated(model: type[_M], records: list[Any], where: str) -> Iterator[tuple[int, _M]]:
    """Each record validated as ``model``, with its index; the first bad one stops the
    load, named ``{where} #{index}``."""
    for i, raw in enumerate(records):
        try:
            rec = model.model_validate(raw)
        except ValidationError as exc:
            raise DataValidationError(f"{where} #{i}: {_reason(exc)}") from None
        yield i, rec


def _json_list(path: Path, key: str) -> list[Any]:
    """The list under ``key`` of a JSON object file."""
    doc = read_json(path)
    items = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise DataValidationError(f"{path.name}: '{key}' must be a list")
    return items


def _properties(features: list[Any]) -> list[Any]:
    return [(feat or {}).get("properties") for feat in features]


def _features(path: Path) -> list[dict[str, Any]]:
    doc = read_json(path)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise DataValidationError(f"{path.name}: not a GeoJSON FeatureCollection")
    feats = doc.get("features")
    if not isinstance(feats, list):
        raise DataValidationError(f"{path.name}: 'features' must be a list")
    return feats


def _coords(geom: Any, kinds: tuple[str, ...], where: str) -> tuple[str, Any]:
    if not isinstance(geom, dict) or geom.get("type") not in kinds:
        raise DataValidationError(f"{where}: geometry must be one of {', '.join(kinds)}")
    coords = geom.get("coordinates")
    arr = np.asarray(coords, dtype=object)
    flat = np.asarray(shapely.get_coordinates(shapely.geometry.shape(geom)))
    if arr.size == 0 or flat.size == 0:
        raise DataValidationError(f"{where}: empty geometry")
    if not (np.all(np.abs(flat[:, 1]) <= 90) and np.all(np.abs(flat[:, 0]) <= 540)):
        raise DataValidationError(f"{where}: coordinates out of range (lon, lat order)")
    return str(geom["type"]), coords


def _load_passages(path: Path) -> tuple[Passage, ...]:
    out: list[Passage] = []
    feats = _features(path)
    for i, props in _validated(_PassageProps, _properties(feats), f"{path.name}: feature"):
        where = f"{path.name}: {props.id!r}"
        kind, coords = _coords(feats[i].get("geometry"), ("MultiLineString", "Polygon"), where)
        if kind == "Polygon":
            ring = [tuple(map(float, xy)) for xy in coords[0]]
            if ring[0] == ring[-1]:
                ring = ring[:-1]
            gates: tuple[tuple[tuple[float, float], ...], ...] = ()
            region: tuple[tuple[float, float], ...] | None = tuple(ring)  # type: ignore[arg-type]
        else:
            gates = tuple(tuple(tuple(map(float, xy)) for xy in line) for line in coords)  # type: ignore[misc]
            region = None
        transit = tuple(tuple((float(x), float(y)) for x, y in line) for line in props.transit)
        if props.kind == "seasonal_route" and len(transit) < 2:
            raise DataValidationError(f"{where}: a seasonal route needs two or more transit lines")
        if props.kind == "ice_region" and (region is None or not props.ice_rules):
            raise DataValidationError(f"{where}: an ice region needs a Polygon and ice_rules")
        for rule in props.ice_rules:
            if rule.min_ice_class not in ICE_CLASSES:
                raise DataValidationError(f"{where}: unknown ice class {rule.min_ice_class!r}")
            for m, day in (rule.start, rule.end):
                dt.date(2001, m, day)
        out.append(
            Passage(
                props.id,
                props.name,
                props.kind,
                gates,
                region,
                props.note,
                tuple(props.sources),
                {k: float(v) for k, v in props.limits.items()},
                transit,
                tuple(props.ice_rules),
            )
        )
    _unique([p.id for p in out], path)
    return tuple(out)


def _load_waterways(
    path: Path,
) -> tuple[tuple[Waterway, ...], tuple[tuple[str, tuple[tuple[float, float], ...]], ...]]:
    waivers: list[Waterway] = []
    edges: list[tuple[str, tuple[tuple[float, float], ...]]] = []
    feats = _features(path)
    for i, props in _validated(_WaterwayProps, _properties(feats), f"{path.name}: feature"):
        where = f"{path.name}: {props.id!r}"
        _, coords = _coords(feats[i].get("geometry"), ("LineString",), where)
        line = tuple((float(x), float(y)) for x, y in coords)
        if props.role == "canal_edge":
            edges.append((props.id.removesuffix("-edge"), line))
        else:
            assert props.half_width_km is not None
            waivers.append(
                Waterway(
                    props.id,
                    props.name,
                    line,
                    props.half_width_km,
                    props.canal,
                    props.note,
                    tuple(props.sources),
                )
            )
    _unique([w.id for w in waivers], path)
    return tuple(waivers), tuple(edges)


def _load_seasons(path: Path, passages: Mapping[str, Passage]) -> dict[str, SeasonRule]:
    out: dict[str, SeasonRule] = {}
    for i, rule in _validated(_Rule, _json_list(path, "rules"), f"{path.name}: rule"):
        if rule.passage not in passages:
            raise DataValidationError(f"{path.name}: rule #{i}: unknown passage {rule.passage!r}")
        for band, windows in rule.windows.items():
            if band not in ICE_CLASSES:
                raise DataValidationError(f"{path.name}: {rule.passage}: unknown band {band!r}")
            for start, end in windows:
                for m, d in (start, end):
                    dt.date(2000, m, d)  # raises on 2-30
        out[rule.passage] = SeasonRule(
            rule.passage,
            {b: tuple((tuple(s), tuple(e)) for s, e in w) for b, w in rule.windows.items()},  # type: ignore[misc]
            " ".join(s.title for s in rule.sources),
        )
    return out


def _load_groups(path: Path, passages: Mapping[str, Passage]) -> dict[str, ClosureGroup]:
    out: dict[str, ClosureGroup] = {}
    for _, group in _validated(ClosureGroup, _json_list(path, "groups"), f"{path.name}: group"):
        unknown = sorted(set(group.passages) - set(passages))
        if unknown:
            raise DataValidationError(f"{path.name}: {group.id!r}: unknown passages {unknown}")
        if group.id in passages or group.id in out:
            raise DataValidationError(f"{path.name}: {group.id!r} is already a passage or group")
        out[group.id] = group
    return out


def _ice_season(region: Passage) -> SeasonRule:
    """The open windows of an ice region, by ice-class band, from its ``close`` rules
    (those of low confidence only warn): a ship below a rule's class is kept out during
    the rule's period."""
    closing = [r for r in region.ice_rules if r.action == "close" and r.confidence != "low"]
    bands = sorted({"none", *(r.min_ice_class for r in closing)}, key=ICE_CLASSES.index)
    days = [dt.date(2001, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    windows: dict[str, tuple[tuple[MonthDay, MonthDay], ...]] = {}
    for band in bands:
        open_days = [d for d in days if not any(r.binds(d, band) for r in closing)]
        spans: list[tuple[MonthDay, MonthDay]] = []
        for d in open_days:
            md = (d.month, d.day)
            prev = d - dt.timedelta(days=1)
            if spans and spans[-1][1] == (prev.month, prev.day):
                spans[-1] = (spans[-1][0], md)
            else:
                spans.append((md, md))
        windows[band] = tuple(spans)
    text = "; ".join(f"{r.text} ({r.source.title})" for r in closing)
    return SeasonRule(region.id, windows, text or "no closing rule", closed_without_date=False)


def ice_warnings(
    passages: Iterable[Passage], date: dt.date | None, ice_class: str | None
) -> list[str]:
    """The ice rules a ship of ``ice_class`` meets on ``date`` in the regions it enters
    (``warn`` rules, and ``close`` rules of low confidence)."""
    if date is None:
        return []
    out = []
    for p in passages:
        for rule in p.ice_rules:
            soft = rule.action == "warn" or rule.confidence == "low"
            if soft and rule.binds(date, ice_class):
                out.append(
                    f"{p.name}: {rule.text} (needs {rule.min_ice_class}; {rule.source.title})"
                )
    return out


def _unique(ids: list[str], path: Path) -> None:
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise DataValidationError(f"{path.name}: duplicate ids {dup}")


# -- the loaded data -------------------------------------------------------------------------


@dataclass(frozen=True)
class SeaData:
    """Passages, waterways and seasons from one folder (read-only once loaded)."""

    directory: Path
    passages: tuple[Passage, ...]
    waterways: tuple[Waterway, ...]
    canal_edges: tuple[tuple[str, tuple[tuple[float, float], ...]], ...]
    seasons: Mapping[str, SeasonRule]
    digests: Mapping[str, str]
    groups: Mapping[str, ClosureGroup] = field(default_factory=dict)

    @cached_property
    def passage_ids(self) -> tuple[str, ...]:
        """Passage ids in file order (the order of the graph's passage tags)."""
        return tuple(p.id for p in self.passages)

    @cached_property
    def by_id(self) -> dict[str, Passage]:
        """Passages by id."""
        return {p.id: p for p in self.passages}

    @property
    def graph_digest(self) -> str:
        """SHA-256 over the files the graph's build uses (part of its cache key)."""
        h = hashlib.sha256()
        for name in FILES[:2]:
            h.update(f"{name}={self.digests[name]}\n".encode())
        return h.hexdigest()

    @property
    def waiver_digest(self) -> str:
        """SHA-256 of the waterways file (the backbone's land check depends on it)."""
        return self.digests["waterways.geojson"]

    @cached_property
    def outlines(self) -> tuple[tuple[shapely.Geometry, ...], np.ndarray, np.ndarray]:
        """Every passage's gates and region polygons (with their copies shifted by +-360
        degrees) in one flat tuple, their bounds as an (n, 4) array and the index in
        :attr:`passages` of the passage each belongs to: for measuring tracks."""
        geoms: list[shapely.Geometry] = []
        owner: list[int] = []
        for i, p in enumerate(self.passages):
            for g in (*p.gate_lines, *p.region_polygons):
                geoms.append(g)
                owner.append(i)
        return tuple(geoms), shapely.bounds(np.array(geoms, dtype=object)), np.array(owner)

    @cached_property
    def waterway_union(self) -> shapely.Geometry:
        """All waiver polygons as one geometry."""
        return shapely.union_all([w.polygon for w in self.waterways])

    def canal_polygons(self) -> list[Polygon]:
        """The waiver polygons of the canals."""
        return [w.polygon for w in self.waterways if w.canal]

    def check_passage_ids(
        self, ids: Iterable[str], *, field_name: str = "closed"
    ) -> frozenset[str]:
        """The given passage ids as a set, closure groups expanded to their passages;
        ``UnknownPassageError`` naming any unknown one."""
        out: set[str] = set()
        for raw in ids:
            pid = self.passage_id(str(raw), field=field_name)
            if pid in self.groups:
                out.update(self.groups[pid].passages)
                continue
            if pid in self.by_id and not self.by_id[pid].closable:
                raise UnknownPassageError(
                    f"{raw!r} is an ice region whose rules only warn; it cannot be closed",
                    field=field_name,
                )
            if pid not in self.by_id:
                raise UnknownPassageError(
                    f"unknown passage {raw!r}; known passages: {', '.join(self.passage_ids)}; "
                    f"closure groups: {', '.join(self.groups)}",
                    field=field_name,
                )
            out.add(pid)
        return frozenset(out)

    @cached_property
    def passage_names(self) -> NameIndex:
        """Passages (ice regions too) and closure groups by id and name (``"Suez Canal"``,
        ``"Malacca Strait"``, ``"Red Sea"``)."""
        return NameIndex(
            [
                *(Named(p.id, p.name, kind="passage") for p in self.passages),
                *(Named(g.id, g.name, kind="group") for g in self.groups.values()),
            ],
            what="passage",
            error=UnknownPassageError,
            list_known=100,
        )

    def passage_id(self, text: str, *, field: str = "closed") -> str:
        """The id of the passage or closure group ``text`` names (id or name), or
        ``UnknownPassageError`` (``AmbiguousNameError``) naming ``field``."""
        pid = text.strip().lower()
        if pid in self.by_id or pid in self.groups:
            return pid
        return self.passage_names.resolve(text, field=field)

    def seasonal_open(self, passage: str, date: dt.date | None, ice_class: str | None) -> bool:
        """Whether a seasonal passage is open on ``date`` for a ship of ``ice_class``."""
        return self.seasons[passage].open_on(date, ice_class)

    def size_closures(self, size: ShipSize | None) -> dict[str, str]:
        """The passages a ship of ``size`` does not fit, with the reason for each."""
        if not size:
            return {}
        return dict(self._size_closures(size))

    @cached_property
    def _size_cache(self) -> dict[ShipSize, tuple[tuple[str, str], ...]]:
        return {}

    def _size_closures(self, size: ShipSize) -> tuple[tuple[str, str], ...]:
        hit = self._size_cache.get(size)
        if hit is None:
            hit = tuple((p.id, why) for p in self.passages if (why := p.too_big(size)) is not None)
            self._size_cache[size] = hit
        return hit

    def season_bound(self, ice_class: str | None) -> frozenset[str]:
        """The seasonal passages and ice regions shut to ``ice_class`` on some day."""
        band = normalise_ice_class(ice_class)
        hit = self._season_bound.get(band)
        if hit is None:
            hit = frozenset(p for p, r in self.seasons.items() if r.ever_shut(band))
            self._season_bound[band] = hit
        return hit

    @cached_property
    def _season_bound(self) -> dict[str, frozenset[str]]:
        return {}

    def seasonal_closures(self, date: dt.date | None, ice_class: str | None) -> frozenset[str]:
        """The seasonal passages closed on ``date`` for ``ice_class``."""
        return frozenset(p for p, r in self.seasons.items() if not r.open_on(date, ice_class))


def load_sea_data(directory: Path | None = None) -> SeaData:
    """Load and validate the sea data in ``directory`` (default: the shipped ``data/sea``)."""
    return _load(Path(directory or SHIPPED_SEA_DIR).resolve())


@lru_cache(maxsize=8)
def _load(directory: Path) -> SeaData:
    passages = _load_passages(directory / FILES[0])
    waterways, edges = _load_waterways(directory / FILES[1])
    by_id = {p.id: p for p in passages}
    seasons = _load_seasons(directory / FILES[2], by_id)
    for pid, p in by_id.items():
        if p.kind == "seasonal_route" and pid not in seasons:
            raise DataValidationError(f"{FILES[2]}: no season rule for {pid!r}")
    for p in passages:
        if p.kind == "ice_region":
            seasons[p.id] = _ice_season(p)
    groups = _load_groups(directory / FILES[3], by_id)
    digests = {name: file_digest(directory / name) for name in FILES}
    return SeaData(directory, passages, waterways, edges, seasons, digests, groups)


def default_sea_data() -> SeaData:
    """The shipped sea data (loaded once)."""
    return load_sea_data()


def passage_events(coords: np.ndarray, passages: Sequence[Passage]) -> list[tuple[float, int]]:
    """Passage tags of one edge: (distance from its start in nm, passage index), sorted."""
    line = shapely.LineString(coords)
    seg_nm = line_nm(coords)
    cum = np.concatenate([[0.0], np.cumsum(seg_nm)])
    out: list[tuple[float, int]] = []
    for pi, p in enumerate(passages):
        if not p.closable:  # found on a route's track instead (ice regions that only warn)
            continue
        for gate in p.gate_lines:
            if not line.intersects(gate):
                continue
            for s in range(len(coords) - 1):
                seg = shapely.LineString(coords[s : s + 2])
                if not seg.intersects(gate):
                    continue
                x = seg.intersection(gate)
                pts = shapely.get_coordinates(x)
                for px, py in pts:
                    frac = _frac_along(coords[s], coords[s + 1], px, py)
                    out.append((float(cum[s] + frac * seg_nm[s]), pi))
        for poly in p.region_polygons:
            if not line.intersects(poly):
                continue
            inside = shapely.contains_xy(poly, coords[:, 0], coords[:, 1])
            # entry points: a vertex inside whose predecessor is outside (or the start)
            for s in range(len(coords)):
                if inside[s] and (s == 0 or not inside[s - 1]):
                    out.append((float(cum[s]), pi))
            if not inside.any():  # crosses a corner without a vertex inside
                out.append((float(cum[-1] / 2), pi))
    out.sort()
    return out


def _frac_along(a: np.ndarray, b: np.ndarray, x: float, y: float) -> float:
    d = b - a
    den = float(d @ d)
    if den == 0:
        return 0.0
    return float(np.clip(((x - a[0]) * d[0] + (y - a[1]) * d[1]) / den, 0.0, 1.0))
