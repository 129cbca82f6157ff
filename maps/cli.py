"""What the ``relos map ...`` commands call: render a map and write it as one standalone file.

The command line (``app/cli.py``) parses options; these functions do the rest, so
the CLI and the HTTP API draw the same maps. Each returns the file's size in bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from maps.catalogue import catalogue_map
from maps.export import save_html
from maps.render import render_layers, render_plan, render_route
from routing.catalogue.model import Catalogue
from routing.geo import BBox, LonLat


class MapInputError(ValueError):
    """The JSON given to a ``relos map`` command cannot be read or is not what it should be."""


def read_json(source: str | Path) -> Any:
    """JSON from a file, or from standard input when ``source`` is ``-``.

    Raises
    ------
    MapInputError
        If the file cannot be read or is not JSON (the message names the source).
    """
    name = "standard input" if str(source) == "-" else str(source)
    try:
        if str(source) == "-":
            return json.load(sys.stdin)
        return json.loads(Path(source).read_text(encoding="utf-8"))
    except OSError as exc:
        raise MapInputError(f"{name}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise MapInputError(f"{name}: not valid JSON: {exc}") from None


def _passages(passages: str | Path | list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if passages is None or isinstance(passages, list):
        return passages
    body = read_json(passages)
    items = body.get("passages") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise MapInputError(f"{passages}: not a GET /passages answer")
    return items


def cli_render_catalogue(
    catalogue: Catalogue,
    *,
    output: Path,
    countries: Iterable[str] = (),
    kind: str | None = None,
    service: str | None = None,
    agreement: str | None = None,
    usable_by: str | None = None,
    date: dt.date | None = None,
    bbox: BBox | None = None,
    near: LonLat | None = None,
    radius_nm: float | None = None,
    include: Iterable[str] = (),
    online_tiles: bool = False,
) -> int:
    """Write the map of a catalogue query (the filters of ``relos facilities``) to ``output``."""
    m = catalogue_map(
        catalogue,
        countries=countries,
        kind=kind,
        service=service,
        agreement=agreement,
        usable_by=usable_by,
        date=date,
        bbox=bbox,
        near=near,
        radius_nm=radius_nm,
        include=include,
        online_tiles=online_tiles,
    )
    return save_html(m, output)


def cli_render_route(
    route: dict[str, Any] | str | Path,
    *,
    output: Path,
    passages: list[dict[str, Any]] | str | Path | None = None,
    online_tiles: bool = False,
) -> int:
    """Write the map of a route: a ``GET /routes`` Feature, or a JSON file of one (``-``: stdin).

    Raises :class:`MapInputError` when the JSON cannot be read or is not a route.
    """
    body = route if isinstance(route, dict) else read_json(route)
    geometry = body.get("geometry") if isinstance(body, dict) else None
    if not isinstance(geometry, dict) or geometry.get("type") != "LineString":
        raise MapInputError("not a route: expected a GET /routes Feature with a LineString")
    m = render_route(body, passages=_passages(passages), online_tiles=online_tiles)
    return save_html(m, output)


def cli_render_plan(
    plan: dict[str, Any] | list[Any] | str | Path,
    *,
    output: Path,
    passages: list[dict[str, Any]] | str | Path | None = None,
    online_tiles: bool = False,
) -> int:
    """Write the map of a plan (a ``POST /plans`` answer, or a JSON file of one, ``-`` for stdin).

    A JSON list is taken as compare entries (``{"scenario", "plan", ...}``) and drawn
    side by side, one layer per scenario. Raises :class:`MapInputError` when the JSON
    cannot be read or is not a plan.
    """
    body = plan if isinstance(plan, dict | list) else read_json(plan)
    if isinstance(body, dict) and "legs" not in body and "feasible" not in body:
        raise MapInputError("not a plan: expected a POST /plans answer (with legs)")
    if isinstance(body, list):
        items = [(str(e.get("scenario", f"scenario {i + 1}")), e) for i, e in enumerate(body)]
        m = render_layers(items, title="Scenarios", online_tiles=online_tiles)
    else:
        m = render_plan(body, passages=_passages(passages), online_tiles=online_tiles)
    return save_html(m, output)
