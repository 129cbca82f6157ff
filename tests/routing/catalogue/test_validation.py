"""The shipped data passes validation; broken files are rejected naming the record."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from routing.catalogue.load import (
    DEFAULT_AGREEMENTS,
    DEFAULT_FACILITIES,
    load_catalogue,
)
from routing.errors import DataValidationError


def _shipped() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    facilities = json.loads(DEFAULT_FACILITIES.read_text(encoding="utf-8"))
    agreements = json.loads(DEFAULT_AGREEMENTS.read_text(encoding="utf-8"))
    return facilities, agreements


def _write(tmp_path: Path, facilities: Any, agreements: Any) -> tuple[Path, Path]:
    fp, ap = tmp_path / "facilities.geojson", tmp_path / "agreements.json"
    fp.write_text(json.dumps(facilities), encoding="utf-8")
    ap.write_text(json.dumps(agreements), encoding="utf-8")
    return fp, ap


def test_shipped_data_passes_and_is_complete() -> None:
    cat = load_catalogue()
    assert len(cat) >= 80
    kinds = {f.kind for f in cat}
    assert kinds == {"naval_base", "port", "airbase"}
    assert {"relos", "lemoa"} <= set(cat.agreements)
    for fac in cat:
        assert fac.sources, fac.id
        assert fac.position_precision_m > 0


def _break_facility(doc: dict[str, Any], index: int, **props: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["features"][index]["properties"].update(props)
    return out


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: _break_facility(d, 3, country="XXX"), "country 'XXX'"),
        (lambda d: _break_facility(d, 3, services=["fuel", "magic"]), "services"),
        (lambda d: _break_facility(d, 3, kind="spaceport"), "kind"),
        (lambda d: _break_facility(d, 3, limits={"max_speed": 3}), "unknown limits"),
        (lambda d: _break_facility(d, 3, sources=[]), "sources"),
    ],
    ids=["bad-country", "bad-service", "bad-kind", "bad-limit", "no-source"],
)
def test_broken_facility_is_rejected_naming_the_record(
    tmp_path: Path, mutate: Any, expected: str
) -> None:
    facilities, agreements = _shipped()
    broken = mutate(facilities)
    record_id = broken["features"][3]["id"]
    fp, ap = _write(tmp_path, broken, agreements)
    with pytest.raises(DataValidationError) as info:
        load_catalogue(fp, ap)
    assert record_id in str(info.value)
    assert expected in str(info.value)


def test_latitude_out_of_range_is_rejected(tmp_path: Path) -> None:
    facilities, agreements = _shipped()
    facilities["features"][5]["geometry"]["coordinates"] = [10.0, 91.0]
    fp, ap = _write(tmp_path, facilities, agreements)
    with pytest.raises(DataValidationError, match="lat"):
        load_catalogue(fp, ap)


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    facilities, agreements = _shipped()
    facilities["features"].append(copy.deepcopy(facilities["features"][0]))
    fp, ap = _write(tmp_path, facilities, agreements)
    with pytest.raises(DataValidationError, match=facilities["features"][0]["id"]):
        load_catalogue(fp, ap)


def test_agreement_with_unknown_party_is_rejected(tmp_path: Path) -> None:
    facilities, agreements = _shipped()
    agreements[0]["parties"] = ["IND", "ZZZ"]
    fp, ap = _write(tmp_path, facilities, agreements)
    with pytest.raises(DataValidationError, match="ZZZ") as info:
        load_catalogue(fp, ap)
    assert agreements[0]["id"] in str(info.value)


def test_agreement_in_force_before_signature_is_rejected(tmp_path: Path) -> None:
    facilities, agreements = _shipped()
    agreements[1]["in_force_from"] = "1990-01-01"
    fp, ap = _write(tmp_path, facilities, agreements)
    with pytest.raises(DataValidationError, match="before signed"):
        load_catalogue(fp, ap)


def test_truncated_file_is_rejected(tmp_path: Path) -> None:
    fp = tmp_path / "facilities.geojson"
    fp.write_text(DEFAULT_FACILITIES.read_text(encoding="utf-8")[:500], encoding="utf-8")
    with pytest.raises(DataValidationError, match="not valid JSON"):
        load_catalogue(fp, DEFAULT_AGREEMENTS)
