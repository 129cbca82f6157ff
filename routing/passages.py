"""Named sea passages: canals, straits, capes and seasonal Arctic routes.

Each :class:`Passage` has an id (used in ``closed=`` and ``via=`` options and in
reported routes), a name, a kind and either *gates* or a *region*:

* a **gate** is a polyline drawn from land on one side across the waterway to land
  on the other side (for the open-sea passages, the Cape of Good Hope and Cape Horn,
  from the coast out to Antarctica, beyond the graph's reach), so every sea route
  through the passage crosses it. An edge of the graph whose geometry crosses a
  gate is tagged with the passage at the crossing point.
* a **region** (the Northern Sea Route, the Northwest Passage) is a polygon; every
  edge with a stretch inside it is tagged, at its entry point.

A route reports the passages whose tags it meets, in order, each once per
traversal; closing a passage removes every tagged edge, so a route can neither use
nor report a closed passage. Longitudes of gates and regions may be unwrapped
(beyond 180) so that a polygon spanning the antimeridian stays one polygon.

The module also lists :data:`WATERWAYS`: canals and narrow waters that the 1 km land
raster of ``global-land-mask`` draws as land. Inside their buffered centre lines
the land check is waived and the raster is treated as water (the Suez, Panama,
Kiel and Corinth canals; the southern Kola Bay up to Murmansk, which is 1-3 km wide
and closed in the raster; and the river and creek fairways up to the ports of
Kolkata (the Hooghly), Kandla (Kandla Creek), Kaliningrad (the Kaliningrad Sea Canal
and the lower Pregolya) and Dudinka (the Yenisei)). The Bosporus and the Dardanelles
stay open in the raster (one to three cells wide), so they need no waiver; the list
is where to add them should a different raster close them.

Through canals that MARNET lacks also get an explicit edge (:data:`CANAL_EDGES`, the
Kiel Canal). A dead-end fairway to a port needs none: like Kola Bay, its polygon
makes the raster water there, and the port's connector follows it to the sea.
Every centre line is drawn through published coordinates, cited next to its entry;
:func:`waterways_digest` is part of the sea graph's cache key, so editing the list
rebuilds the graph.

Seasonal passages (:data:`SEASONS`) are open only on the dates their rule allows
for the ship's ice class; see :func:`seasonal_closures`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon

from routing.errors import InvalidInputError, UnknownPassageError

PassageKind = Literal["canal", "strait", "cape", "seasonal_route"]

KM_PER_DEG = 111.32


@dataclass(frozen=True)
class Passage:
    """A named, closable passage.

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``"suez"``.
    name : str
        Human name.
    kind : {"canal", "strait", "cape", "seasonal_route"}
        What sort of passage it is.
    gates : tuple of tuple of (float, float)
        Polylines (lon, lat) crossing the passage from land to land.
    region : tuple of (float, float) or None
        Polygon (lon, lat) for passages defined by an area instead of gates.
    note : str
        Where the gate or region lies.
    """

    id: str
    name: str
    kind: PassageKind
    gates: tuple[tuple[tuple[float, float], ...], ...] = ()
    region: tuple[tuple[float, float], ...] | None = None
    note: str = ""

    @cached_property
    def gate_lines(self) -> list[LineString]:
        """The gates as shapely lines, also shifted by +-360 degrees of longitude."""
        out = []
        for g in self.gates:
            for shift in (-360.0, 0.0, 360.0):
                out.append(LineString([(x + shift, y) for x, y in g]))
        return out

    @cached_property
    def region_polygons(self) -> list[Polygon]:
        """The region as shapely polygons, also shifted by +-360 degrees of longitude."""
        if self.region is None:
            return []
        return [Polygon([(x + s, y) for x, y in self.region]) for s in (-360.0, 0.0, 360.0)]


PASSAGES: tuple[Passage, ...] = (
    Passage(
        "suez",
        "Suez Canal",
        "canal",
        gates=(((32.10, 30.75), (32.55, 30.75)),),
        note="across the canal north of Ismailia",
    ),
    Passage(
        "bab-el-mandeb",
        "Bab-el-Mandeb",
        "strait",
        gates=(((43.20, 12.30), (43.45, 12.62), (43.65, 12.78)),),
        note="Djibouti (Ras Siyyan) to Yemen across Perim",
    ),
    Passage(
        "hormuz",
        "Strait of Hormuz",
        "strait",
        gates=(((56.25, 26.05), (56.45, 26.60), (56.90, 27.20)),),
        note="Musandam peninsula to the Iranian coast east of Bandar Abbas",
    ),
    Passage(
        "malacca",
        "Strait of Malacca",
        "strait",
        gates=(((101.95, 2.60), (101.20, 1.60)),),
        note="Port Dickson (Malaysia) to Dumai (Sumatra)",
    ),
    Passage(
        "singapore",
        "Singapore Strait",
        "strait",
        gates=(((104.20, 1.50), (104.45, 1.05)),),
        note="eastern entrance: south-east Johor to Bintan",
    ),
    Passage(
        "sunda",
        "Sunda Strait",
        "strait",
        gates=(((105.60, -5.70), (106.00, -6.10)),),
        note="Sumatra (Bakauheni) to Java (Merak)",
    ),
    Passage(
        "lombok",
        "Lombok Strait",
        "strait",
        gates=(((115.55, -8.42), (116.15, -8.55)),),
        note="Bali to Lombok",
    ),
    Passage(
        "gibraltar",
        "Strait of Gibraltar",
        "strait",
        gates=(((-5.60, 36.20), (-5.60, 35.70)),),
        note="Tarifa to the Moroccan coast",
    ),
    Passage(
        "bosporus",
        "Turkish Straits (Bosporus and Dardanelles)",
        "strait",
        gates=(
            ((28.95, 41.08), (29.15, 41.08)),
            ((26.30, 40.22), (26.50, 40.08)),
        ),
        note="one gate in the Bosporus at Istanbul, one at the Canakkale narrows",
    ),
    Passage(
        "panama",
        "Panama Canal",
        "canal",
        gates=(((-79.75, 9.30), (-79.75, 8.95)),),
        note="across Gatun Lake",
    ),
    Passage(
        "cape-of-good-hope",
        "Cape of Good Hope",
        "cape",
        gates=(((20.30, -34.20), (20.30, -85.0)),),
        note="from the coast near Cape Agulhas due south to Antarctica",
    ),
    Passage(
        "bering",
        "Bering Strait",
        "strait",
        gates=(((-170.40, 66.05), (-168.95, 65.78), (-167.70, 65.55)),),
        note="Chukotka to Alaska across the Diomede Islands",
    ),
    Passage(
        "nsr",
        "Northern Sea Route",
        "seasonal_route",
        region=(
            (57.0, 66.0),
            (57.0, 70.3),
            (59.0, 71.0),
            (68.0, 76.6),
            (68.5, 77.5),
            (68.5, 88.0),
            (190.3, 88.0),
            (190.3, 66.3),
        ),
        note="Russian Arctic from the Kara Gate and Novaya Zemlya (about 57E) to the Bering Strait",
    ),
    Passage(
        "nwp",
        "Northwest Passage",
        "seasonal_route",
        region=((-128.0, 66.5), (-128.0, 80.0), (-80.0, 80.0), (-80.0, 66.5)),
        note="Canadian Arctic Archipelago from Amundsen Gulf to Lancaster Sound",
    ),
    Passage(
        "korea-tsushima",
        "Korea and Tsushima Straits",
        "strait",
        gates=(((128.30, 35.05), (129.30, 34.40), (129.70, 33.78), (129.95, 33.40)),),
        note="Korean coast west of Busan across Tsushima and Iki to Kyushu",
    ),
    Passage(
        "taiwan",
        "Taiwan Strait",
        "strait",
        gates=(((119.40, 25.65), (120.95, 24.75)),),
        note="Fujian (Pingtan) to Taiwan (Hsinchu)",
    ),
    Passage(
        "danish-straits",
        "Danish Straits (Little Belt, Great Belt, Oresund)",
        "strait",
        gates=(
            (
                (9.45, 55.50),
                (10.05, 55.45),
                (10.60, 55.30),
                (11.25, 55.35),
                (12.35, 55.60),
                (13.10, 55.55),
            ),
        ),
        note="Jutland across Funen and Zealand to Sweden",
    ),
    Passage(
        "kiel",
        "Kiel Canal",
        "canal",
        gates=(((9.67, 54.24), (9.67, 54.36)),),
        note="across the canal at Rendsburg",
    ),
    Passage(
        "magellan",
        "Strait of Magellan",
        "strait",
        gates=(((-70.00, -52.25), (-70.00, -53.10)),),
        note="across the First and Second Narrows",
    ),
    Passage(
        "cape-horn",
        "Cape Horn (Drake Passage)",
        "cape",
        gates=(((-67.60, -54.50), (-67.60, -85.0)),),
        note="from Tierra del Fuego south across Navarino and the Drake Passage to Antarctica",
    ),
    Passage(
        "dover",
        "Strait of Dover",
        "strait",
        gates=(((1.20, 51.22), (1.75, 50.84)),),
        note="Dover to Cap Gris-Nez",
    ),
    Passage(
        "corinth",
        "Corinth Canal",
        "canal",
        gates=(((22.965, 37.915), (22.995, 37.945)),),
        note="across the canal",
    ),
)

PASSAGE_IDS: tuple[str, ...] = tuple(p.id for p in PASSAGES)
BY_ID: dict[str, Passage] = {p.id: p for p in PASSAGES}


@dataclass(frozen=True)
class Waterway:
    """A canal or narrow water that the land raster closes: land checks are waived inside.

    Attributes
    ----------
    id, name : str
        Identifier and name.
    centerline : tuple of (float, float)
        (lon, lat) vertices along the fairway (approximate: a few hundred metres on the
        canals, up to a few kilometres on long river reaches drawn straight between
        published points).
    half_width_km : float
        Half-width of the buffer around the centre line that is treated as water.
    canal : bool
        Whether it is an artificial canal (its edges are tagged ``canal=True``).
    """

    id: str
    name: str
    centerline: tuple[tuple[float, float], ...]
    half_width_km: float
    canal: bool = True

    @cached_property
    def polygon(self) -> Polygon:
        """The buffered centre line (a local equirectangular buffer)."""
        lat0 = float(np.mean([y for _, y in self.centerline]))
        k = np.cos(np.radians(lat0))
        line = LineString([(x * k, y) for x, y in self.centerline])
        buf = line.buffer(self.half_width_km / KM_PER_DEG, quad_segs=4)
        xs, ys = np.asarray(buf.exterior.coords).T
        return Polygon(np.column_stack([xs / k, ys]))


WATERWAYS: tuple[Waterway, ...] = (
    Waterway(
        "suez",
        "Suez Canal",
        (
            (32.31, 31.35),
            (32.31, 31.25),
            (32.31, 31.10),
            (32.32, 30.85),
            (32.30, 30.60),
            (32.33, 30.45),
            (32.37, 30.38),
            (32.43, 30.30),
            (32.50, 30.22),
            (32.55, 30.10),
            (32.57, 29.93),
            (32.57, 29.85),
        ),
        3.0,
    ),
    Waterway(
        "panama",
        "Panama Canal",
        (
            (-79.92, 9.42),
            (-79.92, 9.27),
            (-79.90, 9.21),
            (-79.82, 9.17),
            (-79.80, 9.12),
            (-79.74, 9.12),
            (-79.69, 9.11),
            (-79.64, 9.04),
            (-79.59, 8.99),
            (-79.55, 8.93),
            (-79.52, 8.87),
        ),
        3.0,
    ),
    Waterway(
        "kiel",
        "Kiel Canal",
        (
            (9.10, 53.875),
            (9.145, 53.892),
            (9.278, 54.027),
            (9.38, 54.13),
            (9.55, 54.26),
            (9.67, 54.30),
            (9.83, 54.36),
            (10.05, 54.375),
            (10.144, 54.367),
            (10.18, 54.37),
        ),
        1.5,
    ),
    Waterway(
        "corinth",
        "Corinth Canal",
        ((22.935, 37.965), (22.955, 37.948), (23.005, 37.915), (23.025, 37.902)),
        1.0,
    ),
    Waterway(
        "kola-bay",
        "Kola Bay south of Severomorsk (Murmansk)",
        ((33.04, 68.955), (33.06, 69.00), (33.08, 69.04), (33.10, 69.07)),
        1.2,
        canal=False,
    ),
    # The Hooghly (Hugli) from the estuary off Diamond Harbour, where the raster's
    # water ends, up to the Kolkata dock system: about 35 nm along this line, which runs
    # straight between the cited points and so cuts the river's bends ("The port of
    # Calcutta extends from Budge Budge, about 21 miles above Hugli Point ... The port
    # is about 83 miles above the entrance of the Hugli River, and about 128 miles from
    # Eastern Channel Light Vessel", sea-seek.com, "Calcutta port").
    # Vertices are mid-river points off the cited bank towns (Wikipedia coordinates):
    # Diamond Harbour 22.1987N 88.2023E (east bank); the Rupnarayan joins opposite
    # Hooghly Point at 22 13'N 88 03'E (Imperial Gazetteer of India 1908, "Rupnarayan");
    # Falta 22.3020N 88.1284E (east bank); Uluberia 22.47N 88.11E (west bank); Budge
    # Budge 22.4828N 88.1818E (east bank); Garden Reach 22.539N 88.292E (east bank);
    # Port of Kolkata (Kidderpore / Netaji Subhas Dock) 22.5461N 88.3147E; the last
    # vertex is INS Netaji Subhas (catalogue position). MARNET's own track reaches the
    # estuary off Diamond Harbour (88.17E 22.17N), so that is where the line begins.
    Waterway(
        "hooghly",
        "Hooghly River, Diamond Harbour to Kolkata",
        (
            (88.172, 22.160),
            (88.140, 22.192),
            (88.075, 22.222),
            (88.118, 22.302),
            (88.125, 22.468),
            (88.172, 22.488),
            (88.228, 22.518),
            (88.285, 22.548),
            (88.315, 22.553),
            (88.3333, 22.55),
        ),
        1.2,
        canal=False,
    ),
    # Kandla Creek, from its mouth on the Gulf of Kutch (where the raster's water ends,
    # about 22.96N 70.24E) up the creek to Deendayal (Kandla) Port. "Kandla Port is
    # situated at Latitude 23 01 N and Longitude 70 13 E ... on the west bank of Kandla
    # creek ... The width of the channel varies from 200 meters to 1,000 meters"
    # (Mantec Consultants, Executive Summary of the Kandla Port integrated EIA, 2013);
    # 23 02'N 70 13'E (phoenixmarine.in port information; Wikipedia 23.03N 70.22E),
    # the catalogue position, is the last vertex. No published course of the creek
    # itself was found: the line runs straight from the mouth to the berths (8 km).
    Waterway(
        "kandla-creek",
        "Kandla Creek (Deendayal Port)",
        ((70.245, 22.960), (70.232, 22.990), (70.222, 23.017), (70.2167, 23.0333)),
        0.8,
        canal=False,
    ),
    # The Kaliningrad Sea Canal (Koenigsberger Seekanal, 1901): 43 km from the moles at
    # Baltiysk along the north shore of the Vistula Lagoon across Primorsk Bay past
    # Svetly to the mouth of the Pregolya (34 km), then 9 km of canalised Pregolya to
    # the port (de.wikipedia "Kaliningrader Seeschifffahrtskanal"); "Kaliningrad Sea
    # Canal that connecting outer road with Port of Kaliningrad is 24 NM long"
    # (ostwest.su, Port Kaliningrad). Vertices: through the Baltiysk strait, south-west
    # of the town (Baltiysk 54 39'N 19 55'E), then off the town in the lagoon; Svetly
    # 54.667N 20.133E, "on the bank of the Kaliningrad sea shipping channel"
    # (en.wikipedia "Svetly, Kaliningrad Oblast"); Pregolya mouth 54.6827N 20.3778E
    # (en.wikipedia "Pregolya"); Port of Kaliningrad 54.70278N 20.47361E (uk.wikipedia
    # "Kaliningrad (port)", also the catalogue position). The lagoon is open water in
    # the raster; the Pregolya reach is not.
    Waterway(
        "kaliningrad-canal",
        "Kaliningrad Sea Canal and lower Pregolya",
        (
            (19.872, 54.642),
            (19.893, 54.632),
            (19.960, 54.640),
            (20.020, 54.658),
            (20.133, 54.667),
            (20.250, 54.676),
            (20.3778, 54.6827),
            (20.420, 54.690),
            (20.4736, 54.7028),
        ),
        1.0,
    ),
    # The Yenisei from the Ust-Port reach, where the raster's water of the river ends
    # (84.54E), up to Dudinka. "Dudinka. Situated on the east bank of the Yenisey River
    # approximately 185 nm upstream of its mouth on the Kara Sea ... Near the port, the
    # river is 1.25 to 1.75 nm wide" (US Army CRREL Report 96-3, via
    # coldregionsresearch.tpub.com). Vertices: Ust-Port 69 39'49"N
    # 84 24'23"E (ru.wikipedia "Ust-Port"); mid-river 1 km off the right bank at
    # 69 45'56"N 85 23'00"E (Krasnoyarsk Krai Ministry of Natural Resources order
    # 1/345-od of 15.05.2015, annex 7, fishing sites on the Yenisei right bank above the
    # mouth of the Sukhaya Dudinka); off Levinskiye Peski, 69 28'12"N 86 00'26"E on the
    # left bank 20 km below Dudinka (ru.wikipedia "Levinskiye Peski"); the mouth of the
    # Dudinka river at the port's berths, 69 23'59"N 86 09'33"E (de.wikipedia "Dudinka
    # (Jenissei)"); the town (and catalogue position) is 69 24'N 86 11'E, inside the
    # 2 km half-width. Between these points the line runs straight (bends cut).
    Waterway(
        "yenisei",
        "Yenisei River, Ust-Port to Dudinka",
        (
            (84.45, 69.615),
            (84.54, 69.615),
            (85.40, 69.752),
            (86.04, 69.482),
            (86.12, 69.405),
            (86.159, 69.400),
        ),
        2.0,
        canal=False,
    ),
)

CANAL_EDGES: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = (
    (
        "kiel",
        (
            (9.145, 53.892),
            (9.278, 54.027),
            (9.38, 54.13),
            (9.55, 54.26),
            (9.67, 54.30),
            (9.83, 54.36),
            (10.05, 54.375),
            (10.144, 54.367),
        ),
    ),
)
"""Canal edges MARNET lacks, added to the backbone (their ends are joined to it by water)."""


def waterway_union() -> shapely.Geometry:
    """All waiver polygons as one geometry."""
    return shapely.union_all([w.polygon for w in WATERWAYS])


def waterways_digest() -> str:
    """SHA-256 of :data:`WATERWAYS` and :data:`CANAL_EDGES` (part of the graph cache key)."""
    h = hashlib.sha256()
    for w in WATERWAYS:
        h.update(repr((w.id, w.centerline, float(w.half_width_km), w.canal)).encode())
        h.update(b"\n")
    for cid, line in CANAL_EDGES:
        h.update(repr((cid, line)).encode())
        h.update(b"\n")
    return h.hexdigest()


# -- seasons -------------------------------------------------------------------

ICE_CLASSES: tuple[str, ...] = (
    "none",
    "ice1",
    "ice2",
    "ice3",
    "arc4",
    "arc5",
    "arc6",
    "arc7",
    "arc8",
    "arc9",
)
"""Russian Maritime Register ice classes, weakest first (``none`` = no ice strengthening)."""


@dataclass(frozen=True)
class SeasonRule:
    """Dates (inclusive, month/day) a seasonal passage is open, by ice class.

    ``windows`` maps the weakest ice class of a band to its open window(s); a ship
    gets the window of the strongest band at or below its class. An empty tuple
    means closed all year; ``((1, 1), (12, 31))`` means all year.
    """

    passage: str
    windows: dict[str, tuple[tuple[tuple[int, int], tuple[int, int]], ...]] = field(
        default_factory=dict
    )
    source: str = ""


SEASONS: dict[str, SeasonRule] = {
    "nsr": SeasonRule(
        "nsr",
        {
            "none": (((7, 1), (11, 15)),),
            "arc4": (((6, 1), (12, 31)),),
            "arc7": (((1, 1), (12, 31)),),
        },
        source=(
            "Rules of navigation in the water area of the Northern Sea Route, Order of the "
            "Russian Ministry of Transport No. 7 of 17 January 2013 as amended by Order No. 5 "
            "of 9 January 2017, Annex 2 (criteria of admission): ships without ice "
            "strengthening and of classes Ice1-Ice3 may navigate from July 1 to November 15 "
            "and are prohibited from November 16 to June 30. Arc4-Arc9 ships are admitted "
            "all year subject to ice conditions and icebreaker escort; as a planning "
            "assumption we open the route to Arc4-Arc6 from June 1 to December 31 and to "
            "Arc7-Arc9 all year."
        ),
    ),
    "nwp": SeasonRule(
        "nwp",
        {
            "none": (((8, 15), (9, 30)),),
            "arc4": (((8, 1), (10, 31)),),
            "arc7": (((7, 1), (11, 30)),),
        },
        source=(
            "Planning assumption from the Canadian Arctic Shipping Safety and Pollution "
            "Prevention Regulations zone/date system and Canadian Coast Guard 'Ice "
            "Navigation in Canadian Waters': a full transit of the Parry Channel/Amundsen "
            "routes is practicable for ships without ice class only in a four-to-six-week "
            "window from mid-August; ice-strengthened (Arc4+) ships August-October, "
            "Arc7+ July-November."
        ),
    ),
}


def normalise_ice_class(ice_class: str | None) -> str:
    """Canonical ice class (``none`` for ``None``); ``InvalidInputError`` if unknown.

    Accepts e.g. ``"Arc4"``, ``"ARC 4"``, ``"ice2"``, ``"none"``; Polar Classes
    ``PC1``-``PC7`` map to Arc9-Arc4 (PC1-PC3 to Arc9, PC4 to Arc8, PC5 to Arc7,
    PC6 to Arc5, PC7 to Arc4), an approximate correspondence.
    """
    if ice_class is None:
        return "none"
    key = ice_class.strip().lower().replace(" ", "").replace("-", "")
    if key in ("", "no", "none", "noice"):
        return "none"
    pc = {"pc1": "arc9", "pc2": "arc9", "pc3": "arc9", "pc4": "arc8", "pc5": "arc7"}
    pc |= {"pc6": "arc5", "pc7": "arc4"}
    key = pc.get(key, key)
    if key not in ICE_CLASSES:
        raise InvalidInputError(
            f"unknown ice class {ice_class!r}; use one of {', '.join(ICE_CLASSES)} or PC1-PC7",
            field="ice_class",
        )
    return key


def seasonal_open(passage: str, date: dt.date | None, ice_class: str | None) -> bool:
    """Whether a seasonal passage is open on ``date`` for a ship of ``ice_class``.

    With no date a seasonal passage is **closed**: a planner must not get an Arctic
    route by accident; give a date to have it considered.
    """
    rule = SEASONS[passage]
    if date is None:
        return False
    cls = normalise_ice_class(ice_class)
    rank = ICE_CLASSES.index(cls)
    band = max(
        (b for b in rule.windows if ICE_CLASSES.index(b) <= rank),
        key=ICE_CLASSES.index,
        default=None,
    )
    if band is None:
        return False
    md = (date.month, date.day)
    return any(start <= md <= end for start, end in rule.windows[band])


def seasonal_closures(date: dt.date | None, ice_class: str | None) -> frozenset[str]:
    """The seasonal passages closed on ``date`` for ``ice_class``."""
    return frozenset(p for p in SEASONS if not seasonal_open(p, date, ice_class))


def check_passage_ids(ids: Iterable[str], *, field_name: str = "closed") -> frozenset[str]:
    """The given passage ids as a set; ``UnknownPassageError`` naming any unknown one."""
    out = set()
    for raw in ids:
        pid = str(raw).strip().lower()
        if pid not in BY_ID:
            raise UnknownPassageError(
                f"unknown passage {raw!r}; known passages: {', '.join(PASSAGE_IDS)}",
                field=field_name,
            )
        out.add(pid)
    return frozenset(out)
