"""The scripts, stylesheets and data a map needs, from installed packages and the repo only.

Nothing a map loads comes from a CDN. Each asset has a path under one of these
bundles, and a map refers to it as ``{static_url}/{bundle}/{file}``:

=========================  ===============================================  ===================
bundle                     where the files come from                      licence
=========================  ===============================================  ===================
``leaflet``                PyPI ``xstatic-leaflet`` (Leaflet 1.9.3)          BSD-2-Clause
``leaflet-markercluster``  PyPI ``xstatic-leaflet-markercluster`` (1.4.1)    MIT
``relos``                  this package's ``static/`` (our CSS and JS)       the project's
``basemap``                ``static/basemap/land.geojson`` as a script       public domain
=========================  ===============================================  ===================

Maps are rendered with placeholder addresses (:data:`TOKEN`); :func:`resolve_html`
turns them into ``static_url`` addresses, or inlines every asset for a file that
must open with no server and no network (stylesheet images become ``data:`` URIs).
It refuses a page that still points anywhere else for a script or a stylesheet.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster

#: Placeholder for the static root in rendered HTML, replaced by :func:`resolve_html`.
TOKEN = "__relos_static__"

LAND_PATH = Path(__file__).resolve().parent / "static" / "basemap" / "land.geojson"
LAND_SCRIPT = "basemap/land.js"

BUNDLES: dict[str, Path] = {
    "leaflet": Path(xstatic.pkg.leaflet.BASE_DIR),
    "leaflet-markercluster": Path(xstatic.pkg.leaflet_markercluster.BASE_DIR),
    "relos": Path(__file__).resolve().parent / "static",
}

#: File types served, with their media types (anything else is not an asset).
MEDIA_TYPES: dict[str, str] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".map": "application/json",
}

LEAFLET_JS = ("leaflet", f"{TOKEN}/leaflet/leaflet.js")
LEAFLET_CSS = ("leaflet_css", f"{TOKEN}/leaflet/leaflet.css")
RELOS_JS = ("relos_maps_js", f"{TOKEN}/relos/relos-maps.js")
RELOS_CSS = ("relos_maps_css", f"{TOKEN}/relos/relos-maps.css")
LAND_JS = ("relos_land_js", f"{TOKEN}/{LAND_SCRIPT}")
CLUSTER_JS = ("markerclusterjs", f"{TOKEN}/leaflet-markercluster/leaflet.markercluster.js")
CLUSTER_CSS = [
    ("markerclustercss", f"{TOKEN}/leaflet-markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{TOKEN}/leaflet-markercluster/MarkerCluster.Default.css"),
]


class OfflineAssetError(RuntimeError):
    """A page refers to a script or stylesheet that is not one of the offline assets."""


@dataclass(frozen=True)
class Asset:
    """The bytes of one asset and its media type."""

    content: bytes
    media_type: str


@cache
def land_script() -> bytes:
    """The basemap land polygons as a script defining ``RELOS_LAND``."""
    return b"var RELOS_LAND = " + LAND_PATH.read_bytes().strip() + b";\n"


def asset_file(path: str) -> Path | None:
    """The file behind the asset address ``path`` (``bundle/file``), or ``None``."""
    bundle, _, rest = path.partition("/")
    root = BUNDLES.get(bundle)
    if root is None or not rest:
        return None
    target = (root / rest).resolve()
    if not target.is_relative_to(root.resolve()) or not target.is_file():
        return None
    if target.suffix not in MEDIA_TYPES:
        return None
    return target


@cache
def load_asset(path: str) -> Asset | None:
    """The asset at ``path`` (``bundle/file``, as after the static root), or ``None``."""
    if path == LAND_SCRIPT:
        return Asset(land_script(), MEDIA_TYPES[".js"])
    target = asset_file(path)
    if target is None:
        return None
    return Asset(target.read_bytes(), MEDIA_TYPES[target.suffix])


def _required(path: str) -> Asset:
    asset = load_asset(path)
    if asset is None:
        raise OfflineAssetError(f"no offline asset {path!r}")
    return asset


_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|#|https?:)([^'\")]+)\1\)")
_MAP_COMMENT = re.compile(r"^\s*(//|/\*)# sourceMappingURL=.*$", re.MULTILINE)


@cache
def inline_css(path: str) -> str:
    """A stylesheet with every relative ``url()`` replaced by a ``data:`` URI."""
    text = _required(path).content.decode("utf-8")
    base = path.rsplit("/", 1)[0]

    def data_uri(match: re.Match[str]) -> str:
        ref = f"{base}/{match.group(2)}"
        asset = _required(str(Path(ref)))
        mime = mimetypes.guess_type(ref)[0] or "application/octet-stream"
        return f"url(data:{mime};base64,{base64.b64encode(asset.content).decode('ascii')})"

    return _MAP_COMMENT.sub("", _CSS_URL.sub(data_uri, text))


@cache
def inline_js(path: str) -> str:
    """A script's text, ready to sit inside a ``<script>`` element."""
    text = _required(path).content.decode("utf-8")
    return _MAP_COMMENT.sub("", text).replace("</script", "<\\/script")


_SCRIPT_TAG = re.compile(rf'<script src="{TOKEN}/([^"]+)"></script>')
_CSS_TAG = re.compile(rf'<link rel="stylesheet" href="{TOKEN}/([^"]+)"/>')
_ANY_SRC = re.compile(r"<(script|link)\b[^>]*?\b(src|href)=[\"']([^\"']*)[\"']", re.IGNORECASE)


def resolve_html(html: str, *, standalone: bool, static_url: str = "/static") -> str:
    """Point a rendered page's assets at ``static_url``, or inline them all.

    Parameters
    ----------
    html
        A page rendered with :data:`TOKEN` addresses.
    standalone
        Inline every script and stylesheet (images as ``data:`` URIs): the page
        then needs no server at all.
    static_url
        Where the app serves the assets (see ``app.routers.maps.mount_static``).

    Raises
    ------
    OfflineAssetError
        If a script or stylesheet would still be fetched from anywhere else.
    """
    if standalone:
        html = _SCRIPT_TAG.sub(lambda m: f"<script>{inline_js(m.group(1))}</script>", html)
        html = _CSS_TAG.sub(lambda m: f"<style>{inline_css(m.group(1))}</style>", html)
    else:
        html = html.replace(f"{TOKEN}/", static_url.rstrip("/") + "/")
    root = static_url.rstrip("/") + "/"
    for match in _ANY_SRC.finditer(html):
        url = match.group(3)
        if url.startswith("data:") or (not standalone and url.startswith(root)):
            continue
        raise OfflineAssetError(
            f"the page would load {url!r}, which is not an offline asset"
            + (" (a standalone page inlines everything)" if standalone else "")
        )
    if TOKEN in html:
        raise OfflineAssetError("an asset placeholder was left unresolved")
    return html
