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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from shapely.geometry import LineString, Polygon

from routing.errors import DataValidationError, UnknownPassageError
from routing.files import file_digest, read_json
from routing.geo import EARTH_RADIUS_KM
from routing.paths import SHIPPED_DATA_DIR
from routing.vocab import ICE_CLASSES, normalise_ice_class

PassageKind = Literal["canal", "strait", "cape", "seasonal_route"]
KM_PER_DEG = EARTH_RADIUS_KM * np.pi / 180.0
SHIPPED_SEA_DIR = SHIPPED_DATA_DIR / "sea"
FILES = ("passages.geojson", "waterways.geojson", "seasons.json")
"""The sea data files; the first two shape the graph."""

MonthDay = tuple[int, int]


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
        return [Polygon([(x + s, y) for x, y in self.region]) for s in (-360.0, 0.0, 360.0)]

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

    def open_on(self, date: dt.date | None, ice_class: str | None) -> bool:
        """Whether the passage is open on ``date`` to a ship of ``ice_class``.

        With no date it is **closed**: nobody gets an Arctic route by accident.
        """
        if date is None:
            return False
        rank = ICE_CLASSES.index(normalise_ice_class(ice_class))
        band = max(
            (b for b in self.windows if ICE_CLASSES.index(b) <= rank),
            key=ICE_CLASSES.index,
            default=None,
        )
        if band is None:
            return False
        md = (date.month, date.day)
        return any(start <= md <= end for start, end in self.windows[band])


# -- the files' schemas ----------------------------------------------------------------------


class _Props(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    note: str = ""
    sources: list[SeaSource] = Field(min_length=1)


class _PassageProps(_Props):
    kind: PassageKind


class _WaterwayProps(_Props):
    role: Literal["waiver", "canal_edge"]
    canal: bool = True
    half_width_km: float | None = Field(None, gt=0, le=10)

    @model_validator(mode="after")
    def _width(self) -> _WaterwayProps:
        if self.role == "waiver" and self.half_width_km is None:
            raise ValueError("a waiver needs half_width_km")
        return self


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passage: str
    windows: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]
    sources: list[SeaSource] = Field(min_length=1)


def _reason(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc']) or 'record'}: {err['msg']}"


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
    for i, feat in enumerate(_features(path)):
        where = f"{path.name}: feature #{i}"
        try:
            props = _PassageProps.model_validate((feat or {}).get("properties"))
        except ValidationError as exc:
            raise DataValidationError(f"{where}: {_reason(exc)}") from None
        where = f"{path.name}: {props.id!r}"
        kind, coords = _coords(feat.get("geometry"), ("MultiLineString", "Polygon"), where)
        if kind == "Polygon":
            ring = [tuple(map(float, xy)) for xy in coords[0]]
            if ring[0] == ring[-1]:
                ring = ring[:-1]
            gates: tuple[tuple[tuple[float, float], ...], ...] = ()
            region: tuple[tuple[float, float], ...] | None = tuple(ring)  # type: ignore[arg-type]
        else:
            gates = tuple(tuple(tuple(map(float, xy)) for xy in line) for line in coords)  # type: ignore[misc]
            region = None
        out.append(
            Passage(
                props.id, props.name, props.kind, gates, region, props.note, tuple(props.sources)
            )
        )
    _unique([p.id for p in out], path)
    return tuple(out)


def _load_waterways(
    path: Path,
) -> tuple[tuple[Waterway, ...], tuple[tuple[str, tuple[tuple[float, float], ...]], ...]]:
    waivers: list[Waterway] = []
    edges: list[tuple[str, tuple[tuple[float, float], ...]]] = []
    for i, feat in enumerate(_features(path)):
        where = f"{path.name}: feature #{i}"
        try:
            props = _WaterwayProps.model_validate((feat or {}).get("properties"))
        except ValidationError as exc:
            raise DataValidationError(f"{where}: {_reason(exc)}") from None
        _, coords = _coords(feat.get("geometry"), ("LineString",), f"{path.name}: {props.id!r}")
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
    doc = read_json(path)
    rules = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(rules, list):
        raise DataValidationError(f"{path.name}: 'rules' must be a list")
    out: dict[str, SeasonRule] = {}
    for i, raw in enumerate(rules):
        try:
            rule = _Rule.model_validate(raw)
        except ValidationError as exc:
            raise DataValidationError(f"{path.name}: rule #{i}: {_reason(exc)}") from None
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
    def waterway_union(self) -> shapely.Geometry:
        """All waiver polygons as one geometry."""
        return shapely.union_all([w.polygon for w in self.waterways])

    def canal_polygons(self) -> list[Polygon]:
        """The waiver polygons of the canals."""
        return [w.polygon for w in self.waterways if w.canal]

    def check_passage_ids(
        self, ids: Iterable[str], *, field_name: str = "closed"
    ) -> frozenset[str]:
        """The given passage ids as a set; ``UnknownPassageError`` naming any unknown one."""
        out = set()
        for raw in ids:
            pid = str(raw).strip().lower()
            if pid not in self.by_id:
                raise UnknownPassageError(
                    f"unknown passage {raw!r}; known passages: {', '.join(self.passage_ids)}",
                    field=field_name,
                )
            out.add(pid)
        return frozenset(out)

    def seasonal_open(self, passage: str, date: dt.date | None, ice_class: str | None) -> bool:
        """Whether a seasonal passage is open on ``date`` for a ship of ``ice_class``."""
        return self.seasons[passage].open_on(date, ice_class)

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
    digests = {name: file_digest(directory / name) for name in FILES}
    return SeaData(directory, passages, waterways, edges, seasons, digests)


def default_sea_data() -> SeaData:
    """The shipped sea data (loaded once)."""
    return load_sea_data()
