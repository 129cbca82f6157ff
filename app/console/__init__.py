"""The planning console: one page over the HTTP API, served at ``/console``.

The page is plain ES modules and a stylesheet in ``static/`` (no build step), drawing on
the Leaflet, basemap and map helpers the service already serves under ``/static``
(:mod:`maps.assets`). It needs no internet and runs no inline script, so it keeps to
the pages' Content-Security-Policy (:mod:`app.security`). ``app.routers.console``
serves it.
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""The console's page, modules and stylesheet."""

PAGE = STATIC_DIR / "index.html"
"""The page, with :data:`ROOT_TOKEN` where the service's root path goes."""

ROOT_TOKEN = "__RELOS_ROOT__"
"""Placeholder in :data:`PAGE` for the root path the app is served under ('' at ``/``)."""

MEDIA_TYPES: dict[str, str] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
"""The files served from :data:`STATIC_DIR` besides the page, by suffix."""
