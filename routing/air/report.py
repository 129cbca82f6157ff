"""The JSON an air route or an air plan reports about airspace: the states overflown in
order (``overflies``), the clearances the flight needs, the closures that shaped it and
the caveats of the airspace model. Shared by ``GET /air-routes``, air plans and maps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import box, mapping

from routing.air.airspace import Airspaces
from routing.air.rules import CLEARANCE, CLOSED, VISIT, AirPolicy

CAVEATS = (
    "Airspace is modelled as each state's land plus a 12 nm territorial sea (Natural Earth "
    "1:10m, German point of view: Crimea with Ukraine, Kashmir as held); flight information "
    "regions that reach further (Pakistan's Karachi FIR over the Arabian Sea), straight "
    "baselines, archipelagic waters and median lines in narrow seas are not.",
    "Transit passage through straits (UNCLOS Art. 38) and the Gulf of Finland corridor are "
    "not modelled: a strait between closed territorial seas counts as closed.",
    "Routes are found on a hexagonal grid (H3 resolution 3, cells ~120 km apart) and pulled "
    "tight to great-circle segments; open gaps narrower than about two cells are not used.",
)


def overflies(stretches: Iterable[Sequence[dict[str, Any]]]) -> list[str]:
    """The states flown over, in order of first entry, international airspace left out."""
    out: list[str] = []
    for leg in stretches:
        for s in leg:
            code = s.get("airspace")
            if code and code not in out:
                out.append(code)
    return out


def clearances(
    legs: Sequence[tuple[int, dt.datetime | None, Sequence[dict[str, Any]]]],
    air: AirPolicy,
) -> list[dict[str, Any]]:
    """The airspace the flight needs permission for, one entry per state: ``clearance``
    (overflight by diplomatic clearance, requested ``clearance_notice_days`` ahead of the
    first leg that enters it) or ``visit`` (entered to call there: arranged with the call).
    ``legs`` are (leg index, departure, stretches)."""
    found: dict[str, dict[str, Any]] = {}
    for index, depart, stretches in legs:
        for s in stretches:
            code, basis = s.get("airspace"), s.get("basis")
            if not code or basis not in (CLEARANCE, VISIT):
                continue
            entry = found.get(code)
            if entry is None:
                notice = air.clearance_notice_days if basis == CLEARANCE else None
                entry = found[code] = {
                    "airspace": code,
                    "name": s.get("name"),
                    "basis": basis,
                    "legs": [],
                    "nm": 0.0,
                    "notice_days": notice,
                    "request_by": None,
                }
                if notice is not None and depart is not None:
                    by = depart - dt.timedelta(days=notice)
                    entry["request_by"] = by.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if basis == CLEARANCE and entry["basis"] == VISIT:
                entry["basis"] = CLEARANCE
            if index not in entry["legs"]:
                entry["legs"].append(index)
            entry["nm"] = round(entry["nm"] + float(s.get("nm") or 0.0), 1)
    return list(found.values())


def closed_json(air: AirPolicy) -> list[dict[str, Any]]:
    """The closures that apply whatever the flight: standing ones and requested ones."""
    out = []
    for i in sorted(air.hard):
        unit = air.airspaces.units[i]
        st = air.statuses[i]
        out.append(
            {
                "airspace": unit.sovereign,
                "unit": unit.code,
                "name": unit.name,
                "reason": st.reason,
                "closure": st.closure,
            }
        )
    return out


def airspace_json(air: AirPolicy) -> dict[str, Any]:
    """The ``airspace`` block of an air answer: the day's rules for the nation."""
    need = sum(1 for i, s in enumerate(air.statuses) if s.basis == CLOSED and i not in air.hard)
    return {
        "nation": air.nation,
        "date": air.day.isoformat(),
        "allow_clearance": air.allow_clearance,
        "clearance_notice_days": air.clearance_notice_days,
        "closed": closed_json(air),
        "needing_clearance": need if not air.allow_clearance else 0,
        "closed_units": closed_units(air),
        "caveats": list(CAVEATS),
    }


def closed_units(air: AirPolicy) -> list[dict[str, str]]:
    """Every unit closed to the nation's flights (before any leg opens the states it
    calls in): ``closure`` (standing or requested) or ``no_clearance``."""
    mask = air.closed(())
    return [
        {
            "unit": air.airspaces.units[i].code,
            "kind": "closure" if i in air.hard else "no_clearance",
        }
        for i in np.flatnonzero(mask).tolist()
    ]


def shading(
    airspaces: Airspaces,
    units: Sequence[Mapping[str, Any]],
    *,
    visit: Iterable[str],
    bounds: tuple[float, float, float, float],
) -> dict[str, Any]:
    """GeoJSON of the closed ``units`` (``closed_units`` entries) within ``bounds``
    (lon/lat, padded), simplified for drawing; the states in ``visit`` are left out
    unless closed outright (a flight may enter them to call there)."""
    x0, y0, x1, y1 = bounds
    frame = box(max(-180.0, x0 - 40), max(-90.0, y0 - 20), min(180.0, x1 + 40), min(90.0, y1 + 20))
    skip = set(visit)
    features = []
    for entry in units:
        i = airspaces.index.get(str(entry.get("unit")))
        if i is None:
            continue
        unit = airspaces.units[i]
        kind = str(entry.get("kind"))
        if kind != "closure" and unit.sovereign in skip:
            continue
        if not unit.geometry.intersects(frame):
            continue
        geom = shapely.simplify(unit.geometry.intersection(frame), 0.05)
        if geom.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(shapely.set_precision(geom, 0.01)),
                "properties": {
                    "airspace": unit.sovereign,
                    "unit": unit.code,
                    "name": unit.name,
                    "kind": kind,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
