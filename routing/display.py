"""How plans, routes and comparisons show themselves in a notebook.

``_repr_html_`` of :class:`~routing.plan.planner.Plan`, :class:`~routing.sea.router.Route`
and :class:`~routing.plan.compare.Comparison` call :func:`html`: a compact summary
table, built here from the object's JSON answer, and below it the map.

The core never imports the maps (``app -> maps -> routing``), so the map comes through
a hook: a renderer is a function ``(kind, answer) -> HTML`` (``kind`` is ``plan``,
``route`` or ``compare``, ``answer`` the JSON the API would give), registered with
:func:`register_map_renderer`, or advertised by an installed package under the entry
point group ``relos.display`` (the ``maps`` package advertises
``maps.notebook:notebook_map``), which is looked up the first time a map is wanted.
With no renderer, or when drawing fails, the summary shows alone (with the reason).
"""

from __future__ import annotations

import html as html_lib
import logging
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import entry_points
from typing import Any

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "relos.display"

MapRenderer = Callable[[str, Mapping[str, Any]], str]
"""``(kind, answer) -> HTML`` of the map (an ``<iframe>`` or ``<div>``)."""

_renderers: list[MapRenderer] = []
_looked_up = False


def register_map_renderer(renderer: MapRenderer) -> None:
    """Use ``renderer`` for the maps of notebook displays (the last registered wins)."""
    if renderer not in _renderers:
        _renderers.append(renderer)


def map_renderer() -> MapRenderer | None:
    """The renderer to use: the last registered, else one from an installed package's
    ``relos.display`` entry point, else ``None``."""
    global _looked_up
    if not _renderers and not _looked_up:
        _looked_up = True
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                register_map_renderer(ep.load())
            except Exception as exc:  # a broken plug-in must not break the display
                log.warning("map renderer %s could not be loaded: %s", ep.value, exc)
    return _renderers[-1] if _renderers else None


def _row(label: str, value: Any) -> str:
    return (
        f"<tr><th style='text-align:left;padding-right:1em'>{html_lib.escape(label)}</th>"
        f"<td style='text-align:left'>{html_lib.escape(str(value))}</td></tr>"
    )


def summary_html(title: str, rows: Sequence[tuple[str, Any]]) -> str:
    """A compact table: a title and (label, value) rows, every text escaped."""
    body = "".join(_row(k, v) for k, v in rows if v not in (None, "", []))
    return (
        f"<div class='relos-summary'><strong>{html_lib.escape(title)}</strong>"
        f"<table>{body}</table></div>"
    )


def html(title: str, rows: Sequence[tuple[str, Any]], kind: str, answer: Mapping[str, Any]) -> str:
    """The summary and, when a renderer is available, the map below it."""
    out = summary_html(title, rows)
    renderer = map_renderer()
    if renderer is None:
        return out + (
            "<p><em>No map: install the relos maps package (it registers the "
            f"'{ENTRY_POINT_GROUP}' renderer).</em></p>"
        )
    try:
        return out + renderer(kind, answer)
    except Exception as exc:  # the summary is still worth showing
        log.warning("the %s map could not be drawn: %s", kind, exc)
        return out + f"<p><em>No map: {html_lib.escape(str(exc))}</em></p>"


def _nm(x: Any) -> str:
    return f"{float(x):,.0f} nm"


def plan_rows(plan: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Summary rows of a ``POST /plans`` answer."""
    platform = (plan.get("platform") or {}).get("label")
    rows: list[tuple[str, Any]] = [
        ("platform", platform),
        ("departure", plan.get("departure")),
        ("feasible", "yes" if plan.get("feasible") else "no"),
    ]
    totals = plan.get("totals")
    if totals:
        rows += [
            ("distance", _nm(totals["distance_nm"])),
            ("duration", f"{totals['days']:.1f} days"),
            ("ETA", totals["eta"]),
            ("stops", ", ".join(s["name"] for s in plan.get("stops") or []) or "none"),
            ("passages", ", ".join(plan.get("passages") or []) or "none"),
        ]
    if plan.get("reason"):
        rows.append(("reason", plan["reason"]))
    if plan.get("suggestions"):
        rows.append(("suggestions", "; ".join(plan["suggestions"])))
    if plan.get("warnings"):
        rows.append(("warnings", len(plan["warnings"])))
    return rows


def route_rows(props: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Summary rows of a route (the properties of a ``GET /routes`` Feature)."""
    rows: list[tuple[str, Any]] = [("distance", _nm(props["distance_nm"]))]
    if props.get("duration_h") is not None:
        rows.append(("duration", f"{float(props['duration_h']) / 24:.1f} days"))
    rows += [
        ("passages", ", ".join(props.get("passages") or []) or "none"),
        ("closed", ", ".join(props.get("closed") or []) or None),
    ]
    return rows


def compare_rows(table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Summary rows of a ``POST /compare`` answer: one per scenario."""
    rows: list[tuple[str, Any]] = []
    for row in table.get("results") or []:
        totals, delta = row.get("totals"), row.get("delta")
        if totals is None:
            text = f"infeasible: {row.get('reason') or ''}"
        else:
            text = (
                f"{_nm(totals['distance_nm'])}, {totals['days']:.1f} days, {totals['stops']} stops"
            )
            if delta and row.get("scenario") != "baseline":
                text += f" ({delta['distance_nm']:+,.0f} nm, {delta['days']:+.1f} days)"
        rows.append((str(row.get("scenario")), text))
    return rows
