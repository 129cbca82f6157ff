"""Plans and routes as files over HTTP: ``?format=`` (or ``Accept``) and ``download=``.

``GET /routes``, ``POST /plans`` and ``GET /plans/{id}`` answer JSON by default; with
``format=gpx|kml|csv|gpkg|rtz`` (or an ``Accept`` header naming one of the formats'
media types) they answer the file :func:`routing.export.export` writes from the same
JSON answer, with its media type and a ``Content-Disposition`` filename (``inline``, or
``attachment`` with ``download=true``, as the map endpoints do). An unknown format is a
422 naming ``format`` and listing the choices; a plan with no feasible route has nothing
to export (422 naming ``format``, with the reason).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import WithJsonSchema

from routing.errors import RelosError
from routing.export import DESCRIPTIONS, FORMATS, MEDIA_TYPES, export, filename

CHOICES = ("json", *FORMATS)

# Checked by :func:`asked_format`, not by FastAPI: a dependency's validation errors are
# only reported after the other dependencies ran, so a bad format would compute (and,
# with save=true, save) the plan before the 422. Documented as the enum it is.
FormatQ = Annotated[
    str | None,
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "enum": list(CHOICES)}, {"type": "null"}],
            "examples": ["gpx"],
        }
    ),
    Query(
        description=(
            "Answer as a file instead of JSON: "
            + "; ".join(f"`{k}` {v}" for k, v in DESCRIPTIONS.items())
            + ". Without it, an `Accept` header naming a format's media type "
            "(e.g. `application/gpx+xml`) chooses it; otherwise JSON."
        ),
        examples=["gpx"],
    ),
]

FileDownloadQ = Annotated[
    bool,
    Query(
        description=(
            "With `format`: send the file as an attachment to save "
            "(`Content-Disposition: attachment; filename=...`), not inline."
        ),
        examples=[True],
    ),
]

_BY_MEDIA_TYPE = {v: k for k, v in MEDIA_TYPES.items() if k != "rtz"}  # RTZ is plain XML


def asked_format(request: Request, format: FormatQ = None) -> str | None:
    """The export format asked for by ``format`` or ``Accept`` (``None``: JSON).

    Raises
    ------
    HTTPException
        422 naming ``format`` and the choices, before anything is computed.
    """
    if format is not None and format.strip().lower() not in CHOICES:
        raise HTTPException(
            status_code=422,
            detail=[
                {
                    "loc": ["query", "format"],
                    "msg": f"unknown format {format[:40]!r}; choose one of: {', '.join(CHOICES)}",
                    "type": "invalid",
                }
            ],
        )
    return chosen_format(request, format.strip().lower() if format is not None else None)


AskedFormat = Annotated[str | None, Depends(asked_format)]
"""The export format of a request (``None``: JSON); put it first among the endpoint's
dependencies, so a bad one is refused before the answer is computed."""


def chosen_format(request: Request, fmt: str | None) -> str | None:
    """The export format asked for (``None``: JSON): ``format`` if given, else the
    first media type of ``Accept`` (by quality) that is one of the formats'."""
    if fmt is not None:
        return None if fmt == "json" else fmt
    accept = request.headers.get("accept", "")
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, media.lower()))
    for neg_q, _, media in sorted(ranked):
        if neg_q >= 0:
            break
        if media in ("application/json", "*/*", "application/*"):
            return None
        if media in _BY_MEDIA_TYPE:
            return _BY_MEDIA_TYPE[media]
    return None


def file_answer(answer: Mapping[str, Any], fmt: str, *, download: bool) -> Response:
    """The export of ``answer`` as an HTTP answer with its media type and filename.

    Raises
    ------
    HTTPException
        422 naming ``format`` (in the query) when the answer cannot be exported in it.
    """
    try:
        data = export(answer, fmt)
        name = filename(answer, fmt)
    except RelosError as exc:
        raise HTTPException(
            status_code=422,
            detail=[{"loc": ["query", "format"], "msg": exc.message, "type": "invalid"}],
        ) from exc
    disposition = "attachment" if download else "inline"
    return Response(
        content=data,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="{name}"'},
    )


FILE_CONTENT: dict[str, Any] = {
    MEDIA_TYPES[k]: {"schema": {"type": "string", "format": "binary"}}
    for k in FORMATS
    if k != "rtz"
}
FILE_CONTENT[MEDIA_TYPES["rtz"]] = {"schema": {"type": "string"}}


def responses(model: Any, description: str) -> dict[int | str, dict[str, Any]]:
    """The 200 answer documented both ways: ``model`` as JSON, and each export format."""
    return {
        200: {
            "model": model,
            "description": description
            + " With `format` (or `Accept`), the file: "
            + ", ".join(f"{k} as `{MEDIA_TYPES[k]}`" for k in FORMATS)
            + ", named in `Content-Disposition`.",
            "content": {"application/json": {}, **FILE_CONTENT},
            "headers": {
                "Content-Disposition": {
                    "description": "With `format`: `inline` (or `attachment` with "
                    "`download=true`) and the file's name.",
                    "schema": {"type": "string"},
                }
            },
        }
    }
