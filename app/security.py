"""Security headers on every answer, and a Content-Security-Policy on every HTML page.

Every response says ``X-Content-Type-Options: nosniff``, may not be framed
(``X-Frame-Options: DENY``, ``frame-ancestors 'none'``) and sends no referrer. An HTML
page (a map, the API docs) gets a policy that lets it load only the service's own
assets: scripts from the service, or inline scripts whose SHA-256 is listed (computed
from the page itself as it leaves, so a script that was not in the page when the
service wrote it does not run, wherever it came from); styles from the service or
inline (Leaflet positions its panes with inline styles); images from the service,
``data:``/``blob:`` and, for ``tiles=osm``, OpenStreetMap's tile servers; nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]

OSM_TILES = "https://tile.openstreetmap.org https://*.tile.openstreetmap.org"

_INLINE_SCRIPT = re.compile(
    rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL
)


def script_hashes(html: bytes) -> list[str]:
    """The CSP source expressions of the inline scripts of ``html``, in order."""
    out = []
    for body in _INLINE_SCRIPT.findall(html):
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
        source = f"'sha256-{digest}'"
        if source not in out:
            out.append(source)
    return out


def policy(html: bytes) -> str:
    """The Content-Security-Policy of one HTML page."""
    scripts = " ".join(["'self'", *script_hashes(html)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob: {OSM_TILES}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """ASGI middleware adding the headers above (HTML bodies are held to hash them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                message["headers"] = [*headers, *ALWAYS]
                if not _is_html(headers):
                    await send(message)
                    return
                start = message  # held until the page is complete
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            csp = policy(body).encode("ascii")
            start["headers"] = [
                *[(k, v) for k, v in start["headers"] if k.lower() != b"content-length"],
                (b"content-length", str(len(body)).encode("ascii")),
                (b"content-security-policy", csp),
            ]
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, wrapped)


_OURS = {k for k, _ in ALWAYS} | {b"content-security-policy"}


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"content-type" and b"text/html" in v.lower() for k, v in headers)
