"""Test support for maps: the app with its map routes, a live server, and headless Chromium.

The browser is Debian's ``chromium`` driven by Playwright (never Playwright's own
browser download). Every request that would leave localhost is blocked and recorded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "maps"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def chromium_path() -> str | None:
    """Debian's Chromium (or ``RELOS_CHROMIUM``), if installed."""
    for candidate in (
        os.environ.get("RELOS_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def require_browser() -> str:
    """The Chromium path; in CI a missing browser (or Playwright) fails, elsewhere it skips."""
    path = chromium_path()
    problem = None
    if path is None:
        problem = "chromium is not installed (run .ci/install-browser)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (pip install playwright)"
    if problem is not None or path is None:
        message = problem or "no browser"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve an already started ``app`` on a free localhost port; yields its base URL.

    The lifespan is off: the app's state was built by the test client that started it.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", ws="none", http="h11", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="maps-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Visit:
    """What happened while a page was open: requests, blocked requests, console errors."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


#: JavaScript: the page's Leaflet map (folium names it ``map_<hex>``).
FIND_MAP = """
() => {
  const name = Object.keys(window).find(
    (k) => /^map_[0-9a-f]+$/.test(k) && window[k] instanceof L.Map);
  return name ? window[name] : null;
}
"""

#: JavaScript: markers and lines on the map, counted by their RELOS class.
COUNT_LAYERS = f"""
() => {{
  const map = ({FIND_MAP})();
  const out = {{markers: {{}}, lines: {{}}, clustered: 0, tiles: 0}};
  map.eachLayer((layer) => {{
    if (L.MarkerClusterGroup && layer instanceof L.MarkerClusterGroup) {{
      out.clustered += layer.getLayers().length;
    }} else if (layer instanceof L.Marker && layer.options.icon) {{
      const cls = (layer.options.icon.options.className || "").split(" ")[0];
      if (cls.startsWith("relos-")) out.markers[cls] = (out.markers[cls] || 0) + 1;
    }} else if (layer instanceof L.Polyline) {{
      const cls = layer.options.className || "";
      if (cls.startsWith("relos-")) out.lines[cls] = (out.lines[cls] || 0) + 1;
    }} else if (layer instanceof L.TileLayer) {{
      out.tiles += 1;
    }}
  }});
  return out;
}}
"""

#: JavaScript: pixel x-extent of each line of a class, and the widths of map and world.
LINE_EXTENTS = f"""
(cls) => {{
  const map = ({FIND_MAP})();
  const lines = [];
  map.eachLayer((layer) => {{
    if (layer instanceof L.Polyline && layer.options.className === cls) {{
      const xs = layer.getLatLngs().flat(3).map((p) => map.latLngToContainerPoint(p).x);
      lines.push({{x0: Math.min(...xs), x1: Math.max(...xs),
                  first: xs[0], last: xs[xs.length - 1]}});
    }}
  }});
  return {{lines, mapWidth: map.getSize().x, worldWidth: map.options.crs.scale(map.getZoom())}};
}}
"""

#: JavaScript: container x of each marker of a class.
MARKER_XS = f"""
(cls) => {{
  const map = ({FIND_MAP})();
  const xs = [];
  map.eachLayer((layer) => {{
    if (layer instanceof L.Marker && layer.options.icon &&
        (layer.options.icon.options.className || "").split(" ").includes(cls)) {{
      xs.push(map.latLngToContainerPoint(layer.getLatLng()).x);
    }}
  }});
  return xs;
}}
"""

#: JavaScript: open the popup of the facility with this id; resolves once it is shown.
OPEN_FACILITY_POPUP = f"""
(id) => new Promise((resolve) => {{
  const map = ({FIND_MAP})();
  map.eachLayer((layer) => {{
    if (L.MarkerClusterGroup && layer instanceof L.MarkerClusterGroup) {{
      const marker = layer.getLayers().find((m) => m.relosId === id);
      if (marker) layer.zoomToShowLayer(marker, () => {{ marker.openPopup(); resolve(true); }});
    }}
  }});
  setTimeout(() => resolve(false), 5000);
}})
"""


#: JavaScript: each legend key as it looks (kind of mark, colours, line style, shape) and
#: the label beside it.
LEGEND_KEYS = """
() => {
  const body = document.querySelector(".relos-legend .relos-box-body");
  return [...body.querySelectorAll(":scope > span")].map((mark) => {
    const s = getComputedStyle(mark);
    let label = "", node = mark.nextSibling;
    while (node && node.nodeName !== "BR") { label += node.textContent; node = node.nextSibling; }
    return {
      label: label.trim(),
      look: [mark.className, s.color, s.backgroundColor, s.borderTopStyle, s.borderRadius,
             s.transform].join("|"),
    };
  });
}
"""


def legend_is_unambiguous(page: Any) -> list[dict[str, str]]:
    """The legend's keys, checked: no two labels share a look (colour, mark and line style)."""
    keys: list[dict[str, str]] = page.evaluate(LEGEND_KEYS)
    assert keys and all(k["label"] for k in keys), keys
    looks: dict[str, str] = {}
    for key in keys:
        other = looks.setdefault(key["look"], key["label"])
        assert other == key["label"], f"{other!r} and {key['label']!r} look the same"
    return keys


class Browser:
    """Headless Chromium with a fresh profile; every request outside localhost is blocked."""

    def __init__(self, executable: str, profile: Path) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.context = self._pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )

    def close(self) -> None:
        """Close the browser and the driver."""
        self.context.close()
        self._pw.stop()

    @contextmanager
    def open(
        self,
        url: str,
        *,
        name: str,
        post_json: str | None = None,
        post_headers: dict[str, str] | None = None,
        ready: str = "() => window.L && window.relosMaps",
        viewport: tuple[int, int] | None = None,
    ) -> Iterator[tuple[Any, Visit]]:
        """Open ``url`` in a new page; on exit save ``test-artifacts/maps/{name}.png``.

        With ``post_json`` the page is loaded by a POST of that JSON body (as a
        client of ``POST /maps/plan`` would), not a GET; ``post_headers`` are sent with
        that POST only (an API key, say), not with what the page asks for after it.
        ``ready``: a JavaScript
        predicate the page must meet (default: a map's scripts have run). ``viewport``:
        (width, height) of the window, if not the context's 1280 x 800.
        """
        visit = Visit()
        page = self.context.new_page()
        if viewport is not None:
            page.set_viewport_size({"width": viewport[0], "height": viewport[1]})

        def gate(route: Any) -> None:
            request_url = route.request.url
            parts = urlsplit(request_url)
            if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
                visit.blocked.append(request_url)
                route.abort()
            else:
                route.continue_()

        page.route("**/*", gate)
        if post_json is not None:
            body = post_json

            def as_post(route: Any) -> None:
                headers = {
                    **route.request.headers,
                    "content-type": "application/json",
                    **(post_headers or {}),
                }
                route.continue_(method="POST", post_data=body, headers=headers)

            page.route(url, as_post)
        page.on("request", lambda request: visit.requests.append(request.url))
        page.on(
            "console", lambda msg: visit.errors.append(msg.text) if msg.type == "error" else None
        )
        page.on("pageerror", lambda exc: visit.errors.append(f"page error: {exc}"))
        try:
            page.goto(url, wait_until="load")
            page.wait_for_function(ready, timeout=15_000)
            # Not "networkidle": Playwright at times never reports it for a map served
            # over HTTP (Chromium does); every script and stylesheet of a map is loaded
            # by "load" (none is async), and tiles are asked for when the map is made.
            page.wait_for_timeout(250)  # let the canvas basemap paint
            yield page, visit
        finally:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
            finally:
                page.close()


def shot(page: Any, name: str) -> None:
    """Save a screenshot of the page now, as ``test-artifacts/maps/{name}.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def external(visit: Visit) -> list[str]:
    """Requests of a visit that went (or tried to go) outside localhost."""
    out = list(visit.blocked)
    for url in visit.requests:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
            out.append(url)
    return sorted(set(out))


def layer_names(page: Any) -> list[str]:
    """The names listed in the layer control, as a user reads them."""
    names: list[str] = page.eval_on_selector_all(
        ".leaflet-control-layers label span", "els => els.map(e => e.textContent.trim())"
    )
    return names


_STR = r'"(?:[^"\\]|\\.)*"'
#: Where a page hands Leaflet a string that it inserts as HTML.
HTML_SLOTS = {
    "layer control": re.compile(rf"({_STR}) : \w+_[0-9a-f]{{32}},"),
    "panel or legend": re.compile(rf"relosMaps\.box\(\s*\w+, ({_STR})"),
    "popup or tooltip": re.compile(rf"\.bind(?:Popup|Tooltip)\(\s*({_STR})"),
    "marker icon": re.compile(rf'"html": ({_STR})'),
    "facility popup": re.compile(rf'"popup": ({_STR})'),
}


def html_slots(page: str) -> dict[str, list[str]]:
    """The HTML strings of a page's script, by where Leaflet puts them."""
    return {
        slot: [json.loads(s) for s in pattern.findall(page)] for slot, pattern in HTML_SLOTS.items()
    }


class ParsedHtml(HTMLParser):
    """The tags and the text of a piece of HTML."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def shown_text(markup: str) -> str:
    """The text a piece of HTML shows (entities decoded, tags dropped)."""
    return "".join(ParsedHtml(markup).text)
