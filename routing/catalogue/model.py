"""The facility catalogue and the agreements registry.

Records are immutable pydantic models; a :class:`Catalogue` is an immutable
collection of both, built once (see :mod:`routing.catalogue.load`) and shared
read-only by every request. Queries never mutate it: a scenario that closes
facilities or drops agreements is an argument to the access model, and
:meth:`Catalogue.with_additions` returns a new catalogue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from routing.errors import UnknownAgreementError, UnknownFacilityError
from routing.geo import BBox, LonLat, haversine_nm
from routing.parse import Named, NameIndex
from routing.vocab import HIDDEN_KINDS, AgreementKind, Confidence, Kind, Service

if TYPE_CHECKING:
    import geopandas as gpd


class Source(BaseModel):
    """A public source of a record: a title and an address."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://")


class Facility(BaseModel):
    """A port, naval base or airbase, at the point of the harbour or the runway (or a
    commercial port of the opt-in layer, called at by diplomatic clearance only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    country: str
    operated_by: tuple[str, ...] = ()
    kind: Kind
    operator: str | None = None
    region: str = Field(min_length=1)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    position_source: str = Field(min_length=1)
    position_precision_m: float = Field(gt=0)
    services: tuple[Service, ...] = Field(min_length=1)
    limits: dict[str, float] = Field(default_factory=dict)
    icao: str | None = None
    sources: tuple[Source, ...] = ()
    notes: str | None = None
    confidence: Confidence = "confirmed"
    caveats: tuple[str, ...] = ()

    @property
    def point(self) -> LonLat:
        """The facility's position, GeoJSON order."""
        return LonLat(self.lon, self.lat)

    @property
    def grantors(self) -> frozenset[str]:
        """Nations that can open this facility to others: its sovereign and its operators."""
        return frozenset((self.country, *self.operated_by))

    def feature(self, **extra: Any) -> dict[str, Any]:
        """This facility as a GeoJSON Feature; ``extra`` is merged into its properties."""
        props = self.model_dump(exclude={"id", "lon", "lat"}, mode="json")
        props.update(extra)
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
            "properties": props,
        }


class Agreement(BaseModel):
    """A logistics agreement between nations and what it opens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    parties: tuple[str, ...] = Field(min_length=2)
    signed: dt.date
    in_force_from: dt.date
    expires: dt.date | None = None
    renewal: str | None = None
    auto_renews: bool = False
    services: tuple[Service, ...] = Field(min_length=1)
    kinds: tuple[AgreementKind, ...] = ("naval_base", "port", "airbase")
    only_facilities: tuple[str, ...] = ()
    limits: dict[str, float] = Field(default_factory=dict)
    cost_sharing: str | None = None
    notes: str | None = None
    sources: tuple[Source, ...] = ()
    confidence: Confidence = "confirmed"
    caveats: tuple[str, ...] = ()

    def covers(self, facility: Facility) -> bool:
        """True when this agreement can open ``facility`` (kind, and the facility list if any)."""
        if facility.kind not in self.kinds:
            return False
        return not self.only_facilities or facility.id in self.only_facilities

    def in_force_on(self, day: dt.date) -> bool:
        """True when the agreement is in force on ``day``.

        An agreement that renews itself automatically stays in force after its
        nominal expiry (until a party terminates it, which a scenario models by
        dropping it).
        """
        if day < self.in_force_from:
            return False
        return self.expires is None or self.auto_renews or day < self.expires


@dataclass(frozen=True)
class Catalogue:
    """Facilities and agreements, indexed by id. Immutable once built."""

    facilities: Mapping[str, Facility]
    agreements: Mapping[str, Agreement]

    @cached_property
    def _positions(self) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        """The facilities' ids, longitudes and latitudes, for :meth:`ids_within` (made
        when first asked: a suggestion's variant of a big catalogue never is)."""
        ids = tuple(self.facilities)
        lon = np.array([self.facilities[i].lon for i in ids])
        return ids, lon, np.array([self.facilities[i].lat for i in ids])

    def __iter__(self) -> Iterator[Facility]:
        return iter(self.facilities.values())

    def __len__(self) -> int:
        return len(self.facilities)

    def facility(
        self, facility_id: str, *, field: str = "id", kinds: Collection[str] | None = None
    ) -> Facility:
        """The facility with this id, or name or alias (``"Port Blair"``; among ``kinds``
        when one of those fits); an unknown one raises :class:`UnknownFacilityError` and
        an ambiguous one :class:`~routing.errors.AmbiguousNameError`, naming ``field``."""
        fac = self.facilities.get(facility_id)
        if fac is not None:
            return fac
        return self.facilities[self.facility_names.resolve(facility_id, field=field, kinds=kinds)]

    def agreement(self, agreement_id: str, *, field: str = "id") -> Agreement:
        """The agreement with this id or name (``"LEMOA"``, ``"India-Japan"``); raises
        :class:`UnknownAgreementError` (or ``AmbiguousNameError``) naming ``field``."""
        agr = self.agreements.get(agreement_id)
        if agr is not None:
            return agr
        return self.agreements[self.agreement_names.resolve(agreement_id, field=field)]

    @property
    def facility_names(self) -> NameIndex:
        """Facilities by id, name and alias (built once)."""
        cached: NameIndex | None = self.__dict__.get("_facility_names")
        if cached is None:
            cached = NameIndex(
                (Named(f.id, f.name, f.aliases, f.kind) for f in self.facilities.values()),
                what="facility",
                plural="facilities",
                error=UnknownFacilityError,
                secondary=HIDDEN_KINDS,
            )
            object.__setattr__(self, "_facility_names", cached)
        return cached

    @property
    def agreement_names(self) -> NameIndex:
        """Agreements by id and name (built once)."""
        cached: NameIndex | None = self.__dict__.get("_agreement_names")
        if cached is None:
            cached = NameIndex(
                (Named(a.id, a.name) for a in self.agreements.values()),
                what="agreement",
                error=UnknownAgreementError,
                list_known=100,
            )
            object.__setattr__(self, "_agreement_names", cached)
        return cached

    @property
    def countries(self) -> frozenset[str]:
        """Every nation named by a facility or an agreement."""
        names: set[str] = set()
        for f in self.facilities.values():
            names |= f.grantors
        for a in self.agreements.values():
            names.update(a.parties)
        return frozenset(names)

    def version(self) -> str:
        """A short content hash of the catalogue, recorded with results for provenance."""
        cached: str | None = self.__dict__.get("_version")
        if cached is not None:
            return cached
        blob = json.dumps(
            {
                "f": [f.model_dump(mode="json") for f in self.facilities.values()],
                "a": [a.model_dump(mode="json") for a in self.agreements.values()],
            },
            sort_keys=True,
        ).encode()
        digest = hashlib.sha256(blob).hexdigest()[:16]
        object.__setattr__(self, "_version", digest)
        return digest

    def content_key(self) -> str:
        """A key that changes with the catalogue's content, cheap for a catalogue made by
        :meth:`with_additions` (its base's key and the records added, not a hash of
        every record again: a planner probing 170 hypothetical agreements over 5,000
        facilities hashed 5,000 records 170 times). For caches; provenance records
        :meth:`version`."""
        cached: str | None = self.__dict__.get("_content_key")
        if cached is None:
            cached = self.version()
            object.__setattr__(self, "_content_key", cached)
        return cached

    def spatial_mask(
        self,
        *,
        bbox: BBox | None = None,
        near: LonLat | None = None,
        radius_nm: float | None = None,
    ) -> dict[str, float | None]:
        """Ids inside ``bbox`` and within ``radius_nm`` of ``near``, with their distance.

        The distance (nautical miles, great circle) is ``None`` when ``near`` is not given.
        """
        ids, lon, lat = self._positions
        keep = np.ones(len(ids), dtype=bool)
        if bbox is not None:
            keep &= bbox.contains(lon, lat)
        dist: np.ndarray | None = None
        if near is not None:
            dist = haversine_nm(near.lon, near.lat, lon, lat)
            if radius_nm is not None:
                keep &= dist <= radius_nm
        return {
            fid: (float(dist[i]) if dist is not None else None)
            for i, fid in enumerate(ids)
            if keep[i]
        }

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The facilities as a GeoDataFrame (EPSG:4326), one row each, indexed by id."""
        import geopandas as gpd

        features = [f.feature() for f in self]
        frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
        frame.index = [f.id for f in self]
        frame.index.name = "id"
        return frame

    def with_additions(
        self,
        *,
        facilities: Iterable[Facility] = (),
        agreements: Iterable[Agreement] = (),
    ) -> Catalogue:
        """A new catalogue with hypothetical records added (the original is untouched)."""
        added_f, added_a = list(facilities), list(agreements)
        fac = dict(self.facilities)
        for f in added_f:
            fac[f.id] = f
        agr = dict(self.agreements)
        for a in added_a:
            agr[a.id] = a
        out = Catalogue(facilities=fac, agreements=agr)
        blob = json.dumps(
            {
                "base": self.content_key(),
                "f": [f.model_dump(mode="json") for f in added_f],
                "a": [a.model_dump(mode="json") for a in added_a],
            },
            sort_keys=True,
        ).encode()
        object.__setattr__(out, "_content_key", "+" + hashlib.sha256(blob).hexdigest()[:16])
        return out
