"""Mapping of domain exceptions to HTTP answers, in one table registered once.

Every error answer has FastAPI's validation shape, so clients parse one form:
``{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}``; ``loc`` names
the offending field when the domain error knows it.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from routing import errors as e

log = logging.getLogger("relos.errors")

#: Domain exception class -> (HTTP status, error type). First match wins.
STATUS: list[tuple[type[e.RelosError], int, str]] = [
    (e.UnknownFacilityError, 404, "unknown_facility"),
    (e.UnknownAgreementError, 404, "unknown_agreement"),
    (e.UnknownPlatformError, 404, "unknown_platform"),
    (e.AmbiguousNameError, 422, "ambiguous"),
    (e.UnauthenticatedError, 401, "unauthorized"),
    (e.ForbiddenError, 403, "forbidden"),
    (e.RateLimitedError, 429, "rate_limited"),
    (e.UnknownRecordError, 404, "not_found"),
    (e.StaleVersionError, 412, "stale_version"),
    (e.PreconditionRequiredError, 428, "if_match_required"),
    (e.ConflictError, 409, "conflict"),
    (e.ServiceUnavailableError, 503, "unavailable"),
    (e.BudgetExceededError, 503, "over_budget"),
    (e.UnknownPassageError, 422, "unknown_passage"),
    (e.OnLandError, 422, "on_land"),
    (e.NoRouteError, 422, "no_route"),
    (e.InfeasiblePlanError, 422, "infeasible"),
    (e.InvalidInputError, 422, "invalid"),
    (e.DataValidationError, 422, "invalid_data"),
]


class ErrorItem(BaseModel):
    """One thing wrong with a request."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int] = Field(
        description="Where: [body|query|path|header, field, ...].", examples=[["query", "origin"]]
    )
    msg: str = Field(description="What is wrong, for a person.")
    type: str = Field(description="What is wrong, for a program.", examples=["unknown_facility"])


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer of the service has this shape."""

    detail: list[ErrorItem]


#: What each error status means here, for the OpenAPI document.
MEANING = {
    400: "The body is not readable (not JSON, or not UTF-8).",
    401: "Credentials are needed, or the ones sent are unknown, revoked or expired.",
    403: "The caller's role, or ownership of the record, does not allow this.",
    404: "A facility, agreement, platform, passage or saved record named is unknown.",
    409: "Conflicts with a saved record.",
    412: "The record changed since the version in If-Match.",
    413: "The body is larger than the service accepts (RELOS_MAX_BODY_BYTES).",
    422: "A field is invalid: `loc` names it, `msg` says why.",
    428: "If-Match is missing.",
    429: "Too many requests from this caller (RELOS_RATE_LIMIT); see Retry-After.",
    503: (
        "A part of the service is not available (sea graph, store, identity provider), or "
        "the computation ran out of its time budget (RELOS_REQUEST_BUDGET_S)."
    ),
}


def document(app: FastAPI) -> None:
    """Document on every operation the errors it can answer with, in the shape above:
    401/403/429/503 wherever a caller is checked, 400/413 wherever a body is read, 404
    wherever an id is looked up, and FastAPI's 422 in the same shape. Done on the
    generated document (FastAPI's own hook, ``app.openapi``), so no router repeats it."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = generate()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(body.pop("$defs", {}))
        schemas["ErrorBody"] = body
        ref = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        }
        for path, operations in spec.get("paths", {}).items():
            for method, op in operations.items():
                responses = op.setdefault("responses", {})
                for code in errors_of(path, method.upper()):
                    responses.setdefault(str(code), {"description": MEANING[code], **ref})
                for code, answer in responses.items():
                    if code.isdigit() and int(code) >= 400 and code != "422":
                        answer.setdefault("content", ref["content"])
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def errors_of(path: str, method: str) -> set[int]:
    """The error statuses an operation can answer with."""
    if path == "/health":
        return set()
    codes = {401, 403, 422, 429, 503}
    if method in {"POST", "PUT", "PATCH"}:
        codes |= {400, 413}
    if path not in NO_LOOKUP:
        codes.add(404)
    return codes


#: Paths whose operations look nothing up by id (no 404).
NO_LOOKUP = frozenset({"/health", "/me", "/keys", "/passages", "/plans/saved"})


def status_for(exc: e.RelosError) -> tuple[int, str]:
    """The HTTP status and error type for a domain error."""
    for cls, status, kind in STATUS:
        if isinstance(exc, cls):
            return status, kind
    return 400, "bad_request"


def error_body(exc: e.RelosError, *, location: str = "query") -> dict[str, object]:
    """The client-safe body of a domain error."""
    _, kind = status_for(exc)
    item: dict[str, object] = {
        "loc": [location, exc.field] if exc.field else [location],
        "msg": exc.message,
        "type": kind,
    }
    if isinstance(exc, e.OnLandError) and exc.nearest_sea is not None:
        item["nearest_sea"] = list(exc.nearest_sea)
        item["distance_nm"] = exc.distance_nm
    if isinstance(exc, e.NoRouteError):
        item["closures"] = exc.closures
    if exc.candidates:  # an unknown name's suggestions, an ambiguous one's matches
        item["candidates"] = exc.candidates
    return {"detail": [item]}


def headers_for(exc: e.RelosError) -> dict[str, str]:
    """Headers an error answer carries: how to authenticate (401), when to retry (429)."""
    if isinstance(exc, e.UnauthenticatedError):
        return {"WWW-Authenticate": 'Bearer realm="relos"'}
    if isinstance(exc, e.RateLimitedError):
        return {"Retry-After": str(exc.retry_after)}
    return {}


def register(app: FastAPI) -> None:
    """Install the handler that turns domain errors into 4xx answers."""

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, e.RelosError)
        status, _ = status_for(exc)
        location = "body" if request.method in {"POST", "PUT", "PATCH"} else "query"
        path_params = request.path_params
        if exc.field is not None and (exc.field in path_params or exc.field == "id"):
            location = "path"
        if isinstance(exc, e.UnauthenticatedError | e.ForbiddenError | e.RateLimitedError):
            location = "header"
        log.info("%s %s -> %s: %s", request.method, request.url.path, status, exc.message)
        return JSONResponse(
            error_body(exc, location=location), status_code=status, headers=headers_for(exc)
        )

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        detail: Any = exc.detail
        if not isinstance(detail, list):
            where = "body" if exc.status_code == 400 else "path"
            kind = "bad_request" if exc.status_code == 400 else "http_error"
            detail = [{"loc": [where], "msg": str(detail), "type": kind}]
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    app.add_exception_handler(e.RelosError, handle)
    app.add_exception_handler(HTTPException, http_error)
