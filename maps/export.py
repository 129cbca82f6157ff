"""A map as an HTML page: served by the app, or one standalone file for a USB stick."""

from __future__ import annotations

from pathlib import Path

import folium

from maps.assets import resolve_html


def to_html(m: folium.Map, *, standalone: bool, static_url: str = "/static") -> str:
    """The page of map ``m``.

    Parameters
    ----------
    m
        A map from one of the ``render_*`` functions.
    standalone
        Inline every script, stylesheet and image, so the file opens with no server
        and no network. Otherwise assets are addresses under ``static_url``.
    static_url
        Where the app serves the assets (``app.routers.maps.mount_static``).

    Raises
    ------
    maps.assets.OfflineAssetError
        If the page would load a script or stylesheet from anywhere else (a CDN).
    """
    page = m.get_root().render()
    return resolve_html(page, standalone=standalone, static_url=static_url)


def save_html(m: folium.Map, path: Path) -> int:
    """Write ``m`` as a standalone page to ``path``; returns the size in bytes."""
    page = to_html(m, standalone=True).encode("utf-8")
    path.write_bytes(page)
    return len(page)
