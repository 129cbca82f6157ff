"""Port lists for the sea graph: reading the facility catalogue, and a reference set.

:func:`port_sites_from_geojson` turns a facility catalogue (a GeoJSON
FeatureCollection, or a JSON array of Features, as in ``data/facilities.geojson``)
into :class:`~routing.seagraph.PortSite` records, keeping the kinds that are ports
(``port`` and ``naval_base``; airbases are not).

:data:`REFERENCE_PORTS` is a fixed set of well-known harbours used by the routing
tests and the benchmark so that they do not depend on the catalogue's contents.
Their positions are harbour-water points read from nautical charts and gazetteers
to about a kilometre; they are test fixtures, not catalogue data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from routing.seagraph import PortSite

PORT_KINDS: frozenset[str] = frozenset({"port", "naval_base"})


def port_sites_from_features(features: Iterable[dict[str, object]]) -> list[PortSite]:
    """Port sites of the features whose ``properties.kind`` is a port kind."""
    out = []
    for f in features:
        props = f.get("properties") or {}
        assert isinstance(props, dict)
        if props.get("kind") not in PORT_KINDS:
            continue
        geom = f.get("geometry")
        assert isinstance(geom, dict)
        lon, lat = geom["coordinates"][:2]
        out.append(PortSite(str(f["id"]), float(lon), float(lat)))
    return out


def port_sites_from_geojson(*paths: Path) -> list[PortSite]:
    """Port sites from GeoJSON files (FeatureCollections or arrays of Features).

    Later files do not override earlier ones: the first record of an id wins.
    """
    seen: dict[str, PortSite] = {}
    for path in paths:
        data = json.loads(Path(path).read_text())
        feats = data["features"] if isinstance(data, dict) else data
        for site in port_sites_from_features(feats):
            seen.setdefault(site.id, site)
    return list(seen.values())


REFERENCE_PORTS: tuple[PortSite, ...] = (
    # Russia
    PortSite("ref-murmansk", 33.045, 68.975),
    PortSite("ref-severomorsk", 33.425, 69.075),
    PortSite("ref-petropavlovsk", 158.645, 53.005),
    PortSite("ref-vladivostok", 131.885, 43.108),
    PortSite("ref-sevastopol", 33.535, 44.622),
    PortSite("ref-novorossiysk", 37.79, 44.72),
    PortSite("ref-baltiysk", 19.90, 54.645),
    PortSite("ref-kronstadt", 29.77, 59.985),
    PortSite("ref-pevek", 170.27, 69.71),
    # India and the Indian Ocean
    PortSite("ref-mumbai", 72.855, 18.935),
    PortSite("ref-karwar", 74.085, 14.785),
    PortSite("ref-kochi", 76.255, 9.965),
    PortSite("ref-visakhapatnam", 83.295, 17.695),
    PortSite("ref-port-blair", 92.745, 11.675),
    PortSite("ref-colombo", 79.845, 6.95),
    PortSite("ref-duqm", 57.71, 19.665),
    PortSite("ref-djibouti", 43.135, 11.605),
    PortSite("ref-diego-garcia", 72.41, -7.305),
    PortSite("ref-port-louis", 57.495, -20.155),
    PortSite("ref-mombasa", 39.655, -4.065),
    PortSite("ref-bandar-abbas", 56.21, 27.145),
    PortSite("ref-jeddah", 39.155, 21.475),
    PortSite("ref-durban", 31.035, -29.875),
    PortSite("ref-simons-town", 18.44, -34.185),
    # Asia-Pacific
    PortSite("ref-singapore", 103.835, 1.255),
    PortSite("ref-cam-ranh", 109.19, 11.905),
    PortSite("ref-yokohama", 139.665, 35.445),
    PortSite("ref-yokosuka", 139.675, 35.295),
    PortSite("ref-sasebo", 129.715, 33.155),
    PortSite("ref-busan", 129.045, 35.095),
    PortSite("ref-shanghai-yangshan", 122.065, 30.625),
    PortSite("ref-darwin", 130.845, -12.47),
    PortSite("ref-perth-fremantle", 115.735, -32.045),
    PortSite("ref-sydney", 151.225, -33.855),
    PortSite("ref-guam-apra", 144.655, 13.445),
    PortSite("ref-pearl-harbor", -157.965, 21.355),
    PortSite("ref-dutch-harbor", -166.535, 53.895),
    # Europe and the Atlantic
    PortSite("ref-rotterdam", 4.045, 51.955),
    PortSite("ref-toulon", 5.925, 43.105),
    PortSite("ref-souda-bay", 24.115, 35.49),
    PortSite("ref-istanbul", 28.985, 41.005),
    PortSite("ref-kiel", 10.155, 54.335),
    PortSite("ref-portsmouth", -1.11, 50.795),
    PortSite("ref-norfolk", -76.325, 36.955),
    PortSite("ref-san-diego", -117.175, 32.705),
    PortSite("ref-balboa", -79.575, 8.945),
    PortSite("ref-halifax", -63.565, 44.645),
    PortSite("ref-reykjavik", -21.935, 64.155),
    PortSite("ref-callao", -77.155, -12.045),
    PortSite("ref-punta-arenas", -70.905, -53.165),
    PortSite("ref-rio-de-janeiro", -43.175, -22.885),
)
