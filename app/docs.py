"""The API docs (Swagger UI at ``/docs``, ReDoc at ``/redoc``) from packaged assets.

FastAPI's own pages load Swagger UI and ReDoc from a CDN and are blank on a network with
no internet. The assets here come from the ``fastapi-offline`` package (Swagger UI
bundle and CSS, the ReDoc standalone bundle), served under :data:`DOCS_STATIC`; the
pages are FastAPI's, pointed at them. Two things in them would still reach out:
Swagger UI's validator badge (turned off) and the Redocly logo the ReDoc bundle loads
from ``cdn.redoc.ly``, which is served here with that address replaced by the
service's own favicon.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_STATIC = "/static-docs"
"""Where the packaged Swagger UI and ReDoc assets are served."""

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@lru_cache(maxsize=1)
def _redoc_bundle(logo: str) -> bytes:
    text = (ASSETS / "redoc.standalone.js").read_text(encoding="utf-8")
    return text.replace(REDOC_LOGO, logo).encode("utf-8")


def register(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` (the app is built with ``docs_url=redoc_url=None``)."""
    assert app.openapi_url is not None
    openapi_url = app.openapi_url
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    def root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        base = root(request)
        return get_swagger_ui_html(
            openapi_url=f"{base}{openapi_url}",
            title=f"{app.title}: Swagger UI",
            oauth2_redirect_url=f"{base}{redirect_url}",
            swagger_js_url=f"{base}{DOCS_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{base}{DOCS_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{base}{DOCS_STATIC}/favicon.png",
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
        )

    @app.get(redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        base = root(request)
        return get_redoc_html(
            openapi_url=f"{base}{openapi_url}",
            title=f"{app.title}: ReDoc",
            redoc_js_url=f"{base}{DOCS_STATIC}/redoc.js",
            redoc_favicon_url=f"{base}{DOCS_STATIC}/favicon.png",
            with_google_fonts=False,
        )

    @app.get(f"{DOCS_STATIC}/redoc.js", include_in_schema=False)
    def redoc_bundle(request: Request) -> Response:
        logo = f"{root(request)}{DOCS_STATIC}/favicon.png"
        return Response(
            _redoc_bundle(logo),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount(DOCS_STATIC, StaticFiles(directory=ASSETS), name="docs-static")
