"""A planner's own catalogue that adds a port to the shipped one: with ``extend_graph``
(``RELOS_EXTEND_GRAPH=1``) the service attaches that port to the cached graph and starts,
rather than building the whole graph again (issue 17)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import routing.sea.cache as sea_cache
from app.main import create_app
from app.settings import Settings
from routing.catalogue.load import DEFAULT_AGREEMENTS, DEFAULT_FACILITIES
from routing.sea.graph import SeaGraph
from tests.conftest import LOCALHOST, LOOPBACK
from tests.routing.sea.support import sea_router

#: Mundra Port, on the Gulf of Kutch down the coast from Deendayal Port (Kandla).
MUNDRA = {
    "type": "Feature",
    "id": "in-mundra-port",
    "geometry": {"type": "Point", "coordinates": [69.7003, 22.7394]},
    "properties": {
        "name": "Mundra Port",
        "aliases": [],
        "country": "IND",
        "kind": "port",
        "operator": "Adani Ports and SEZ",
        "region": "Arabian Sea / Gulf of Kutch",
        "position_source": "Wikipedia 'Mundra Port' 22 44 22 N 69 42 01 E",
        "position_precision_m": 1500,
        "services": ["fuel", "provisions", "water", "berthing"],
        "limits": {},
        "sources": [
            {"title": "Mundra Port - Wikipedia", "url": "https://en.wikipedia.org/wiki/Mundra_Port"}
        ],
        "notes": "India's largest private port.",
    },
}


def test_a_catalogue_adding_a_port_is_served_from_the_cached_graph_extended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = sea_router()  # the shipped catalogue's graph, cached
    cache = tmp_path / "cache"
    cache.mkdir()
    key = shipped.graph.version
    for name in ("landbits-*.npy", "backbone-*.npz", f"graph-{key}.*"):
        for f in shipped.cache_dir.glob(name):
            (cache / f.name).symlink_to(f)
    assert (cache / f"graph-{key}.ports.json").exists()
    doc = json.loads(DEFAULT_FACILITIES.read_text(encoding="utf-8"))
    doc["features"].append(copy.deepcopy(MUNDRA))
    mine = tmp_path / "facilities.geojson"
    mine.write_text(json.dumps(doc), encoding="utf-8")

    def no_build(*args: object, **kwargs: object) -> SeaGraph:
        raise AssertionError("the whole graph was built again")

    monkeypatch.setattr(sea_cache, "build_graph", no_build)
    settings = Settings(
        facilities_path=mine,
        agreements_path=DEFAULT_AGREEMENTS,
        cache_dir=cache,
        extend_graph=True,
        database_url=f"sqlite:///{tmp_path / 'relos.sqlite'}",
    )
    with TestClient(create_app(settings), client=LOOPBACK, base_url=LOCALHOST) as client:
        new = client.get(
            "/routes", params={"origin": "Mundra Port", "destination": "ru-vladivostok-naval-base"}
        )
        old = client.get(
            "/routes",
            params={"origin": "in-kandla-port", "destination": "ru-vladivostok-naval-base"},
        )
        across = client.get(
            "/routes", params={"origin": "Mundra Port", "destination": "in-kandla-port"}
        )
    assert new.status_code == old.status_code == across.status_code == 200, new.text
    # the new port is some 30 nm down the gulf: its route east is Kandla's, give or take
    across_nm = across.json()["properties"]["distance_nm"]
    assert 20.0 < across_nm < 60.0
    assert (
        abs(new.json()["properties"]["distance_nm"] - old.json()["properties"]["distance_nm"])
        < across_nm
    )
    # an old port's route is the shipped graph's
    want = shipped.route("in-kandla-port", "ru-vladivostok-naval-base").distance_nm
    assert old.json()["properties"]["distance_nm"] == pytest.approx(want, abs=0.05)
    added = sorted(p for p in cache.glob("graph-*.npz") if not p.is_symlink())
    assert len(added) == 1  # written beside the shipped graph, which stays
