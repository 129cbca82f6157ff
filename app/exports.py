"""Plans and routes as files over HTTP: ``?format=`` (or ``Accept``) and ``download=``.

``GET /routes``, ``POST /plans`` and ``GET /plans/{id}`` answer JSON by default; with
``format=gpx|kml|csv|gpkg|rtz`` (or an ``Accept`` header naming one of the formats'
media types) they answer the file :func:`routing.export.export` writes from the same
JSON answer, with its media type and a ``Content-Disposition`` filename (``inline``, or
``attachment`` with ``download=true``, as the map endpoints do). An unknown format is a
422 naming ``format`` and listing the choices; a plan with no feasible route has nothing
to export (422 naming ``format``, with the reason).

``simplify_nm`` (default 1 nm; ``0`` keeps every vertex) thins the tracks of a file
(:mod:`routing.export.simplify`); a negative, not-a-number or too large value is a 422
naming ``simplify_nm``. Both are read by :func:`asked_format`, the first dependency of
each endpoint, so they are refused before anything is computed or saved, and the format
it returns (:class:`AskedFile`, a ``str``) carries the tolerance to :func:`file_answer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Protocol

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import WithJsonSchema

from routing.errors import RelosError
from routing.export import (
    DEFAULT_SIMPLIFY_NM,
    DESCRIPTIONS,
    FORMATS,
    MAX_SIMPLIFY_NM,
    MEDIA_TYPES,
    check_simplify_nm,
    export,
    filename,
)

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

# Checked by :func:`asked_format` too (a float query would let "nan" through, and be
# refused only after the plan is computed), documented as the number it is.
SimplifyQ = Annotated[
    str | None,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": MAX_SIMPLIFY_NM},
                {"type": "null"},
            ],
            "default": DEFAULT_SIMPLIFY_NM,
            "examples": [DEFAULT_SIMPLIFY_NM],
        }
    ),
    Query(
        description=(
            "With `format`: thin the waypoints (nm). A vertex of the track is dropped only "
            "where it lies within this many nm of the leg that replaces it, and that leg, "
            "drawn as a great circle, a rhumb line or straight in lon/lat, keeps as close "
            "to the great circle and clear of land (GSHHG coastline). The calls and passage "
            f"gates are always kept; flights are not thinned. `0` keeps every vertex. "
            f"Default {DEFAULT_SIMPLIFY_NM:g}, at most {MAX_SIMPLIFY_NM:g}."
        ),
        examples=[DEFAULT_SIMPLIFY_NM],
    ),
]

_BY_MEDIA_TYPE = {v: k for k, v in MEDIA_TYPES.items() if k != "rtz"}  # RTZ is plain XML


class AskedFile(str):
    """An export format (``gpx``...) with the thinning tolerance asked for with it."""

    simplify_nm: float

    def __new__(cls, fmt: str, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> AskedFile:
        out = super().__new__(cls, fmt)
        out.simplify_nm = simplify_nm
        return out


def _invalid(field: str, msg: str) -> HTTPException:
    return HTTPException(
        status_code=422, detail=[{"loc": ["query", field], "msg": msg, "type": "invalid"}]
    )


async def asked_format(
    request: Request, format: FormatQ = None, simplify_nm: SimplifyQ = None
) -> AskedFile | None:
    """The export format asked for by ``format`` or ``Accept`` (``None``: JSON), with
    the thinning tolerance ``simplify_nm``.

    Raises
    ------
    HTTPException
        422 naming ``format`` and the choices, or naming ``simplify_nm``, before anything
        is computed.
    """
    if format is not None and format.strip().lower() not in CHOICES:
        raise _invalid(
            "format", f"unknown format {format[:40]!r}; choose one of: {', '.join(CHOICES)}"
        )
    tolerance = DEFAULT_SIMPLIFY_NM
    if simplify_nm is not None:
        try:
            tolerance = check_simplify_nm(simplify_nm.strip())
        except RelosError as exc:
            raise _invalid("simplify_nm", exc.message) from exc
    fmt = chosen_format(request, format.strip().lower() if format is not None else None)
    return None if fmt is None else AskedFile(fmt, tolerance)


AskedFormat = Annotated[AskedFile | None, Depends(asked_format)]
"""The export format of a request (``None``: JSON), with its ``simplify_nm``; put it
first among the endpoint's dependencies, so a bad one is refused before the answer is
computed."""


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


class Writer(Protocol):
    """What writes the file: :func:`routing.export.export`, or ``Compute.export`` (the
    same, in a worker process when there is a pool)."""

    def __call__(self, answer: Mapping[str, Any], fmt: str, *, simplify_nm: float) -> bytes: ...


def file_answer(
    answer: Mapping[str, Any],
    fmt: str,
    *,
    download: bool,
    simplify_nm: float | None = None,
    writer: Writer = export,
) -> Response:
    """The export of ``answer`` as an HTTP answer with its media type and filename;
    thinned to ``simplify_nm`` (default: what ``fmt`` carries if it is an
    :class:`AskedFile`, else :data:`~routing.export.DEFAULT_SIMPLIFY_NM`).

    Raises
    ------
    HTTPException
        422 naming ``format`` (in the query) when the answer cannot be exported in it.
    """
    if simplify_nm is None:
        simplify_nm = getattr(fmt, "simplify_nm", DEFAULT_SIMPLIFY_NM)
    fmt = str(fmt)
    try:
        data = writer(answer, fmt, simplify_nm=simplify_nm)
        name = filename(answer, fmt)
    except RelosError as exc:
        raise _invalid(exc.field or "format", exc.message) from exc
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
