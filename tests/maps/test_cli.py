"""What ``relos map ...`` calls: standalone files from a query or from saved JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maps import MapInputError, cli_render_catalogue, cli_render_plan, cli_render_route
from routing.catalogue.model import Catalogue
from routing.errors import InvalidInputError
from tests.maps import fixtures as fx


def test_catalogue_file_from_a_query(tmp_path: Path, catalogue: Catalogue) -> None:
    out = tmp_path / "russia.html"
    size = cli_render_catalogue(catalogue, output=out, countries=["RUS"], kind="naval_base")
    page = out.read_text(encoding="utf-8")
    assert size == out.stat().st_size and "<script src=" not in page
    ids = {f.id for f in catalogue if f.country == "RUS" and f.kind == "naval_base"}
    assert all(f'"id": "{fid}"' in page for fid in ids)
    assert '"id": "in-mumbai-naval-dockyard"' not in page
    assert f"<title>{len(ids)} facilities</title>" in page


def test_catalogue_query_errors_name_the_filter(tmp_path: Path, catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInputError) as info:
        cli_render_catalogue(catalogue, output=tmp_path / "x.html", countries=["XX"])
    assert info.value.field == "country"


def test_route_and_plan_files_from_saved_json(tmp_path: Path) -> None:
    route_json = tmp_path / "route.json"
    route_json.write_text(json.dumps(fx.mumbai_vladivostok_route()), encoding="utf-8")
    passages_json = tmp_path / "passages.json"
    passages_json.write_text(json.dumps({"passages": fx.PASSAGES}), encoding="utf-8")
    cli_render_route(route_json, output=tmp_path / "route.html", passages=passages_json)
    assert "Suez Canal closed" in (tmp_path / "route.html").read_text(encoding="utf-8")

    compare = [
        {"scenario": "baseline", "feasible": True, "plan": fx.mumbai_vladivostok_plan()},
        {"scenario": "relos lapses", "feasible": False, "plan": fx.infeasible_plan()},
    ]
    cli_render_plan(compare, output=tmp_path / "compare.html")
    page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert '"baseline"' in page and '"relos lapses"' in page


def test_wrong_json_is_reported_not_drawn(tmp_path: Path) -> None:
    plan_json = tmp_path / "plan.json"
    plan_json.write_text(json.dumps(fx.mumbai_vladivostok_plan()), encoding="utf-8")
    with pytest.raises(MapInputError, match="not a route"):
        cli_render_route(plan_json, output=tmp_path / "x.html")
    with pytest.raises(MapInputError, match=r"missing\.json"):
        cli_render_plan(tmp_path / "missing.json", output=tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()
