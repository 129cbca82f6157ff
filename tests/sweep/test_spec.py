"""The sweep file: bad input is refused naming the field (with a "did you mean" for a
misspelt id) before any case is planned; the product expands in a fixed order into
cases whose ids depend on their inputs only."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from routing.errors import RelosError
from routing.service import Services
from routing.sweep import MAX_CASES, Case, Sweep, load_spec, parse_spec, prepare
from tests.sweep.support import SPEC

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sweep.yaml"


def _with(**changes: Any) -> dict[str, Any]:
    spec = copy.deepcopy(SPEC)
    for key, value in changes.items():
        if value is None:
            spec.pop(key, None)
        else:
            spec[key] = value
    return spec


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        (_with(platforms=[]), "platforms", "at least 1"),
        (_with(dates=[]), "dates", "at least 1"),
        (_with(scenarios=[]), "scenarios", "at least 1"),
        (_with(pairs=None), "pairs", "give pairs, or origins and destinations"),
        (_with(pairs=None, origins=["in-kochi-naval-base"]), "destinations", "give destinations"),
        (_with(dates={"start": "2026-03-01", "end": "2026-01-01"}), "dates.end", "before start"),
        (
            _with(dates={"start": "2026-03-01", "end": "2026-04-01", "every_days": 0}),
            "dates.every_days",
            "greater than or equal to 1",
        ),
        (_with(dates={"start": "2026-03-01"}), "dates.end", "required"),
        (
            _with(
                dates={
                    "start": "2026-01-01",
                    "end": "2026-02-01",
                    "every_days": 7,
                    "every_months": 1,
                }
            ),
            "dates.every_months",
            "not both",
        ),
        (_with(dates=["2026-01-01", "next tuesday"]), "dates.1", "valid date"),
        (_with(dates=["2226-01-01"]), "dates", "between"),
        (_with(pairs=[["in-kochi-naval-base"] * 2]), "pairs.0", "both"),
        (_with(pairs=[["a", "b", "c"]]), "pairs.0", "at most 2"),
        (
            _with(platforms=["talwar", {"group": [{"platform": "talwar"}]}]),
            "platforms.1.name",
            "required",
        ),
        (
            _with(
                platforms=["talwar", {"name": "g", "group": [{"platform": "talwar", "count": 0}]}]
            ),
            "platforms.1.group.0.count",
            "greater than or equal to 1",
        ),
        (_with(platforms=["talwar", "talwar"]), "platforms.1", "same label"),
        (_with(scenarios=[{"name": "a"}, {"name": "a"}]), "scenarios.1.name", "also named"),
        (_with(scenarios=[{"name": "winter", "date": "2027-01-01"}]), "scenarios.0.date", "dates"),
        (_with(base={"nation": "IND", "origin": "in-kochi-naval-base"}), "base.origin", "per case"),
        (_with(sweep_size=3), "sweep_size", "Extra inputs"),
    ],
)
def test_a_bad_spec_is_refused_naming_the_field(
    spec: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(RelosError) as err:
        parse_spec(spec)
    assert err.value.field == field
    assert words in err.value.message


def test_too_many_cases_are_refused_before_any_is_made() -> None:
    days = {"start": "1950-01-01", "end": "2100-12-31"}  # every day: 55,152 of them
    more = [*SPEC["scenarios"], {"name": "no Suez", "closed": ["suez"]}]
    with pytest.raises(RelosError) as err:
        parse_spec(_with(dates=days, scenarios=more))
    assert err.value.field == "dates"
    assert f"{MAX_CASES:,}" in err.value.message
    assert "4 scenarios x 2 platforms x 3 pairs x 55,152 dates" in err.value.message
    assert parse_spec(_with(dates=days)).date_list()[-1].isoformat() == "2100-12-31"


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        (
            _with(origins=["ru-vladivostok-navalbase"], destinations=["fr-toulon-naval-base"]),
            "origins.0",
            "did you mean ru-vladivostok-naval-base",
        ),
        (
            _with(pairs=[["in-mumbai-naval-dockyard", "Vladivostock"]]),
            "pairs.0.1",
            "unknown facility id 'Vladivostock'; did you mean ru-vladivostok-port, ru-vladivostok",
        ),
        (_with(pairs=[["in-mumbai-naval-dockyard", "91,100"]]), "pairs.0.1", "latitude 100.0"),
        (_with(platforms=["talwr"]), "platforms.0", "did you mean talwar?"),
        (
            _with(platforms=[{"name": "g", "group": [{"platform": "kolkatta"}]}]),
            "platforms.0.group.0.platform",
            "did you mean kolkata?",
        ),
        (
            _with(scenarios=[{"name": "x", "closed": ["suze"]}]),
            "scenarios.0.closed.0",
            "did you mean suez, red-sea?",
        ),
        (
            _with(scenarios=[{"name": "x", "dropped_agreements": ["relo"]}]),
            "scenarios.0.dropped_agreements.0",
            "did you mean relos?",
        ),
        (
            _with(scenarios=[{"name": "x", "closed_facilities": ["sg-changi-navl"]}]),
            "scenarios.0.closed_facilities.0",
            "did you mean sg-changi-naval-base?",
        ),
        (
            _with(
                scenarios=[
                    {"name": "x", "platform_overrides": {"talwar": {"replace_with": "nope"}}}
                ]
            ),
            "scenarios.0.platform_overrides",
            "unknown platform",
        ),
        (_with(base={"nation": "XXX"}), "base.nation", "ISO 3166"),
        (_with(base={}), "base.nation", "required"),
        (
            _with(base={"nation": "IND", "closed": ["malaca"]}),
            "base.closed.0",
            "did you mean malacca",
        ),
        (_with(base={"nation": "IND", "speed_kn": 0}), "base.speed_kn", "greater than or equal"),
    ],
)
def test_an_unknown_id_is_refused_up_front_with_the_nearest_ids(
    services: Services, spec: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(RelosError) as err:
        prepare(parse_spec(spec), services)
    assert err.value.field == field
    assert words in err.value.message, err.value.message


def test_the_product_expands_in_order_with_stable_ids(
    services: Services, small_sweep: Sweep
) -> None:
    cases = small_sweep.cases
    assert len(cases) == 3 * 2 * 3 * 2 == len({c.case_id for c in cases})
    assert small_sweep.describe() == "36 cases: 3 scenarios x 2 platforms x 3 pairs x 2 dates"
    assert [(c.scenario, c.platform) for c in cases[:13:6]] == [
        ("baseline", "talwar"),
        ("baseline", "kolkata"),
        ("Red Sea shut", "talwar"),
    ]
    assert [str(c.departure) for c in cases[:2]] == ["2026-08-01", "2027-01-15"]
    again = prepare(parse_spec(copy.deepcopy(SPEC)), services)
    assert [c.case_id for c in again.cases] == [c.case_id for c in cases]

    # a change to one scenario changes the ids of its cases, and only those
    changed = _with(
        scenarios=[*SPEC["scenarios"][:2], {"name": "no RELOS", "dropped_agreements": ["lemoa"]}]
    )
    other = prepare(parse_spec(changed), services)
    for a, b in zip(cases, other.cases, strict=True):
        assert (a.case_id == b.case_id) == (a.scenario != "no RELOS")
    # writing the same thing differently (a default spelt out, a duplicate date) does not
    same = _with(base={"nation": "ind", "reserve": 0.25}, dates=[*SPEC["dates"], SPEC["dates"][0]])
    assert [c.case_id for c in prepare(parse_spec(same), services).cases] == [
        c.case_id for c in cases
    ]


def test_origins_cross_destinations_without_a_place_paired_with_itself(
    services: Services,
) -> None:
    ports = ["in-kochi-naval-base", "in-mumbai-naval-dockyard", "fr-toulon-naval-base"]
    sweep = prepare(
        parse_spec(_with(pairs=[ports[:2]], origins=ports, destinations=ports)), services
    )
    plans = [c for c in sweep.cases if isinstance(c, Case)]
    pairs = list(dict.fromkeys((c.origin, c.destination) for c in plans))
    assert pairs[0] == tuple(ports[:2])
    assert len(pairs) == 3 * 3 - 3  # (kochi, mumbai) once, no (x, x)
    assert all(o != d for o, d in pairs)


def test_specs_read_from_yaml_and_json(tmp_path: Path, services: Services) -> None:
    as_json = tmp_path / "spec.json"
    as_json.write_text(json.dumps(SPEC), encoding="utf-8")
    assert load_spec(as_json) == parse_spec(SPEC)
    example = prepare(load_spec(EXAMPLE), services)
    assert example.describe() == "1,536 cases: 4 scenarios x 2 platforms x 16 pairs x 12 dates"
    assert {str(c.departure) for c in example.cases} == {f"2027-{m:02}-01" for m in range(1, 13)}
    reach = prepare(load_spec(EXAMPLE.with_name("sweep_reach.yaml")), services)
    assert reach.describe() == (
        "192 reach cases: 3 scenarios x 2 nations x 1 platform x 1 origin x 2 day limits "
        "x 4 stop limits x 4 dates"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(RelosError, match="not valid YAML") as err:
        load_spec(broken)
    assert err.value.field == "spec"
    with pytest.raises(RelosError, match="cannot read"):
        load_spec(tmp_path / "missing.yaml")
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(RelosError, match="mapping"):
        load_spec(listed)
