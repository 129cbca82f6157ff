"""The sea data files (``data/sea``): loaded, validated, sourced, and part of the cache key."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from routing.errors import DataValidationError, UnknownPassageError
from routing.sea.cache import load_or_build
from routing.sea.graph import PortSite
from routing.sea.passages import SHIPPED_SEA_DIR, default_sea_data, load_sea_data
from tests.routing.sea.support import sea_router

SEA = default_sea_data()


def test_every_feature_has_a_source() -> None:
    assert len([p for p in SEA.passages if p.kind != "ice_region"]) == 31
    assert len([p for p in SEA.passages if p.kind == "ice_region"]) == 7
    assert {"alas", "sape", "ombai-wetar", "great-belt", "oresund", "tsugaru"} <= set(
        SEA.passage_ids
    )
    for item in (*SEA.passages, *SEA.waterways):
        assert item.sources, item.id
        assert all(s.title for s in item.sources)
    assert {"nsr", "nwp", "white-sea", "okhotsk-magadan"} <= set(SEA.seasons)
    assert all(rule.source for rule in SEA.seasons.values())
    assert [cid for cid, _ in SEA.canal_edges] == ["kiel"]


def test_the_router_serves_what_the_files_say() -> None:
    router = sea_router()
    assert router.sea.passage_ids == SEA.passage_ids
    assert [w["id"] for w in router.land_waivers][: len(SEA.waterways)] == [
        w.id for w in SEA.waterways
    ]


def test_seasons_come_from_the_file(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    seasons = json.loads((copy / "seasons.json").read_text())
    seasons["rules"][0]["windows"]["none"] = [[[8, 1], [8, 31]]]
    (copy / "seasons.json").write_text(json.dumps(seasons))
    edited = load_sea_data(copy)
    assert SEA.seasonal_open("nsr", dt.date(2026, 7, 15), None)
    assert not edited.seasonal_open("nsr", dt.date(2026, 7, 15), None)
    assert edited.graph_digest == SEA.graph_digest  # seasons do not shape the graph


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        ("passages.geojson", lambda d: d["features"][0]["properties"].pop("sources"), "sources"),
        (
            "passages.geojson",
            lambda d: d["features"][1]["geometry"].update(type="Point", coordinates=[1, 2]),
            "'bab-el-mandeb': geometry",
        ),
        (
            "passages.geojson",
            lambda d: d["features"][2]["properties"].update(id="suez"),
            "duplicate ids",
        ),
        (
            "waterways.geojson",
            lambda d: d["features"][0]["properties"].pop("half_width_km"),
            "half_width_km",
        ),
        ("seasons.json", lambda d: d["rules"][0]["windows"].update(arc99=[]), "arc99"),
        ("seasons.json", lambda d: d["rules"][0].update(passage="atlantis"), "atlantis"),
    ],
)
def test_a_bad_file_is_refused_naming_the_record(
    tmp_path: Path, file: str, edit: Any, message: str
) -> None:
    copy = _copy(tmp_path)
    doc = json.loads((copy / file).read_text())
    edit(doc)
    (copy / file).write_text(json.dumps(doc))
    with pytest.raises(DataValidationError, match=message) as err:
        load_sea_data(copy)
    assert file in err.value.message


def test_unknown_passages_are_named() -> None:
    with pytest.raises(UnknownPassageError, match="Atlantis") as err:
        SEA.check_passage_ids(["suez", "Atlantis"], field_name="closed")
    assert err.value.field == "closed"


def test_moving_a_gate_rebuilds_the_graph(tmp_path: Path) -> None:
    """The cached graph has the passage tags baked in: a moved gate must not be served stale."""
    cache = _cache_with_backbone(tmp_path / "cache")
    ports = [
        PortSite("a", 32.30, 31.30),  # Port Said
        PortSite("b", 32.55, 29.95),  # Suez
    ]
    base, _ = load_or_build(ports, cache_dir=cache, sea=SEA)
    copy = _copy(tmp_path)
    doc = json.loads((copy / "passages.geojson").read_text())
    suez = next(f for f in doc["features"] if f["id"] == "suez")
    suez["geometry"]["coordinates"] = [[[32.10, 30.45], [32.60, 30.45]]]  # 30.75N -> 30.45N
    (copy / "passages.geojson").write_text(json.dumps(doc))
    edited = load_sea_data(copy)
    moved, _ = load_or_build(ports, cache_dir=cache, sea=edited)
    assert moved.version != base.version
    assert (cache / f"graph-{moved.version}.npz").exists()
    k = SEA.passage_ids.index("suez")
    before = sorted(zip(base.ev_edge[base.ev_pid == k], base.ev_nm[base.ev_pid == k], strict=True))
    after = sorted(
        zip(moved.ev_edge[moved.ev_pid == k], moved.ev_nm[moved.ev_pid == k], strict=True)
    )
    assert before and after
    # the same canal edge is tagged, about 18 nm further along it
    assert [e for e, _ in before] == [e for e, _ in after]
    shift = [abs(a - b) for (_, a), (_, b) in zip(before, after, strict=True)]
    assert min(shift) > 10
    # reloading the shipped data serves the first graph again, from the cache
    again, _ = load_or_build(ports, cache_dir=cache, sea=SEA)
    assert again.version == base.version


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "sea"
    shutil.copytree(SHIPPED_SEA_DIR, dest)
    return dest


def _cache_with_backbone(cache: Path) -> Path:
    """A fresh cache that links the shared land raster and backbone (not rebuilt here)."""
    shared = sea_router().cache_dir
    cache.mkdir(parents=True)
    for name in ("landbits-*.npy", "backbone-*.npz"):
        for f in shared.glob(name):
            (cache / f.name).symlink_to(f)
    return cache
