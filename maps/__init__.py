"""Interactive maps of the catalogue, routes and plans, that work with no internet.

Rendering is folium; every script, stylesheet and the land basemap come from
installed packages and the repo (see :mod:`maps.assets`), never from a CDN. The
package knows nothing of HTTP: the app and the CLI call these functions.

Public API
----------
render_catalogue, facility_features
    Facilities as clustered markers, layers by country, kind and agreement.
render_route, render_air_route, render_plan, render_reach, render_impact, render_layers
    A sea route, an air route, a plan, reach, what agreements add, or several side by
    side.
to_html, save_html, with_request
    A page for the app (assets under ``/static``) or one standalone file; a page
    answered to a POST, carrying the request its Save button posts again.
cli_render_catalogue, cli_render_route, cli_render_plan
    What ``relos map ...`` commands call.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from maps.assets import OfflineAssetError
    from maps.catalogue import facility_features, render_catalogue
    from maps.cli import MapInputError, cli_render_catalogue, cli_render_plan, cli_render_route
    from maps.export import save_html, to_html, with_request
    from maps.render import (
        render_air_route,
        render_impact,
        render_layers,
        render_plan,
        render_reach,
        render_route,
    )

#: Where each public name lives: loaded on first use, so that a server serving only the
#: map assets (``maps.assets``) or not drawing yet does not import folium and pandas.
_HOME = {
    "OfflineAssetError": "maps.assets",
    "facility_features": "maps.catalogue",
    "render_catalogue": "maps.catalogue",
    "MapInputError": "maps.cli",
    "cli_render_catalogue": "maps.cli",
    "cli_render_plan": "maps.cli",
    "cli_render_route": "maps.cli",
    "save_html": "maps.export",
    "to_html": "maps.export",
    "with_request": "maps.export",
    "render_air_route": "maps.render",
    "render_impact": "maps.render",
    "render_layers": "maps.render",
    "render_plan": "maps.render",
    "render_reach": "maps.render",
    "render_route": "maps.render",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'maps' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "MapInputError",
    "OfflineAssetError",
    "cli_render_catalogue",
    "cli_render_plan",
    "cli_render_route",
    "facility_features",
    "render_air_route",
    "render_catalogue",
    "render_impact",
    "render_layers",
    "render_plan",
    "render_reach",
    "render_route",
    "save_html",
    "to_html",
    "with_request",
]
