"""Mapping of domain exceptions to HTTP answers, in one table registered once.

Every error answer has FastAPI's validation shape, so clients parse one form:
``{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}``; ``loc`` names
the offending field when the domain error knows it.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from routing import errors as e

log = logging.getLogger("relos.errors")

#: Domain exception class -> (HTTP status, error type). First match wins.
STATUS: list[tuple[type[e.RelosError], int, str]] = [
    (e.UnknownFacilityError, 404, "unknown_facility"),
    (e.UnknownAgreementError, 404, "unknown_agreement"),
    (e.UnknownPlatformError, 404, "unknown_platform"),
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

    app.add_exception_handler(e.RelosError, handle)
