"""Maps in notebook displays: the renderer :mod:`routing.display` asks for.

The core cannot import the maps, so this package advertises :func:`notebook_map` under
the ``relos.display`` entry point group (``pyproject.toml``) and the core finds it there
the first time a plan, route or comparison is displayed. The map is the standalone page
(every asset inlined, no internet needed) in an ``<iframe srcdoc>``, so it neither
depends on the notebook's own scripts nor leaks its styles into the notebook.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from maps.export import to_html
from maps.render import render_layers, render_plan, render_route

HEIGHT_PX = 460


def notebook_map(kind: str, answer: Mapping[str, Any]) -> str:
    """The map of a ``plan``, ``route`` or ``compare`` answer as an ``<iframe>``.

    Raises
    ------
    ValueError
        For another kind.
    """
    body = dict(answer)
    if kind == "plan":
        m = render_plan(body)
    elif kind == "route":
        m = render_route(body)
    elif kind == "compare":
        items = [(str(row.get("scenario")), row) for row in body.get("results") or []]
        m = render_layers(items, title="Scenarios compared")
    else:
        raise ValueError(f"no notebook map for {kind!r}")
    page = to_html(m, standalone=True)
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" '
        f'style="width:100%;height:{HEIGHT_PX}px;border:none" '
        f'title="{html.escape(kind)} map"></iframe>'
    )
