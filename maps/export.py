"""A map as an HTML page: served by the app, or one standalone file for a USB stick."""

from __future__ import annotations

from pathlib import Path

import folium
from jinja2.utils import htmlsafe_json_dumps

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


#: The id of the data block (``<script type="application/json">``) a map answered to a
#: POST carries: what its Save button posts again, with ``download=true``, for the file.
REQUEST_BLOCK_ID = "relos-request"


#: What could end a ``<script>`` element, start a comment in it or be read as a character
#: reference, as JSON escapes (the same JSON to ``JSON.parse``).
def json_in_html(value: object) -> str:
    """``value`` as JSON that can sit in an HTML ``<script>`` element as it is: Jinja's
    ``tojson`` escaping (``<``, ``>``, ``&`` and ``'`` as ``\\u003c``... escapes, ASCII
    only, so no line separator U+2028 either), so the data can never close the element
    or be read as markup."""
    return str(htmlsafe_json_dumps(value, separators=(",", ":")))


def with_request(page: str, *, query: str, body: str) -> str:
    """``page``, a map served in answer to a POST, carrying that request so its Save
    button can ask for the same map as one standalone file.

    The request goes in a JSON data block (``<script type="application/json"
    id="relos-request">``, never run: see :func:`json_in_html`) before ``</head>``:
    ``body``, the request body as it came (a JSON text), and ``query``, the query string
    to post it with (the page's own, with ``download=true`` and without what must not
    happen twice, such as ``save``). ``relosMaps.exportControl`` posts ``body`` to the
    page's own address with ``query`` and saves the file the service answers.
    """
    data = json_in_html({"method": "POST", "query": query, "body": body})
    block = f'<script type="application/json" id="{REQUEST_BLOCK_ID}">{data}</script>'
    head_end = page.find("</head>")
    if head_end < 0:
        raise ValueError("the page has no </head> to put the request before")
    return page[:head_end] + block + page[head_end:]


def save_html(m: folium.Map, path: Path) -> int:
    """Write ``m`` as a standalone page to ``path``; returns the size in bytes."""
    page = to_html(m, standalone=True).encode("utf-8")
    path.write_bytes(page)
    return len(page)
