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
