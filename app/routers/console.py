"""The planning console (``/console``) and its files; ``/`` leads there.

No API key is needed to load the page (it asks for one, if saving needs it); every
answer it shows comes from the API with the caller's own credentials.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.console import MEDIA_TYPES, PAGE, ROOT_TOKEN, STATIC_DIR

router = APIRouter(include_in_schema=False)

CONSOLE_STATIC = "/console/static"
"""Where the console's modules and stylesheet are served."""


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@cache
def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


@router.get("/")
def home(request: Request) -> RedirectResponse:
    """The service's front page is the console."""
    return RedirectResponse(f"{_root(request)}/console", status_code=307)


@router.get("/console")
def console(request: Request) -> HTMLResponse:
    """The console page, its addresses under the app's root path."""
    return HTMLResponse(
        _page().replace(ROOT_TOKEN, _root(request)), headers={"Cache-Control": "no-cache"}
    )


@router.get(f"{CONSOLE_STATIC}/{{name}}")
def console_file(name: Annotated[str, Path(max_length=100)]) -> Response:
    """One of the console's modules or its stylesheet (nothing else in the folder)."""
    target = (STATIC_DIR / name).resolve()
    media_type = MEDIA_TYPES.get(target.suffix)
    if media_type is None or target.parent != STATIC_DIR or not target.is_file():
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(
        target.read_bytes(), media_type=media_type, headers={"Cache-Control": "no-cache"}
    )
