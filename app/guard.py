"""Guards in front of every handler.

- The request body is bounded (``Settings.max_body_bytes``): a larger one is refused with
  413 before it is read into memory.
- JSON that Python reads but the service cannot use is refused with the field named:
  ``NaN``, ``Infinity`` (no distance, speed or date is either) and lone surrogates (no
  text can be stored or shown with one).
- Validation errors never echo more than an excerpt of the input (``MAX_ECHO``
  characters), so a 5 MB name is not sent back to the client.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_ECHO = 200
"""The most characters of a client's input an error answer repeats."""


class _NotANumber:
    """Where ``NaN``/``Infinity`` stood in a parsed body."""

    def __init__(self, text: str) -> None:
        self.text = text


def json_problem(body: bytes) -> tuple[list[str | int], str, str] | None:
    """The first value in a JSON body the service cannot use: (path, message, type);
    ``None`` if there is none, or if the body is not JSON (the handler says so)."""
    try:
        doc = json.loads(body, parse_constant=_NotANumber)
    except (ValueError, RecursionError):
        return None
    stack: list[tuple[list[str | int], Any]] = [([], doc)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, _NotANumber):
            return path, f"{node.text} is not a number the service can use", "finite_number"
        if isinstance(node, str) and not _encodable(node):
            return path, "text with a lone surrogate (not valid Unicode)", "unicode"
        if isinstance(node, dict):
            for key, value in node.items():
                if not _encodable(key):
                    return path, "a key with a lone surrogate (not valid Unicode)", "unicode"
                stack.append(([*path, key], value))
        elif isinstance(node, list):
            stack.extend(([*path, i], v) for i, v in enumerate(node))
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class BodyGuard:
    """ASGI middleware: bounded bodies, usable JSON (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send, *self._too_big())
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send, *self._too_big())
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and b"json" in headers.get(b"content-type", b""):
            problem = json_problem(body)
            if problem is not None:
                path, msg, kind = problem
                detail = {"loc": ["body", *path], "msg": msg, "type": kind}
                await self._refuse(scope, receive, send, 422, {"detail": [detail]})
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_big(self) -> tuple[int, dict[str, Any]]:
        msg = f"the request body is over the limit of {self.max_bytes:,} bytes"
        return 413, {"detail": [{"loc": ["body"], "msg": msg, "type": "too_large"}]}

    @staticmethod
    async def _refuse(
        scope: Scope, receive: Receive, send: Send, status: int, body: dict[str, Any]
    ) -> None:
        await JSONResponse(body, status_code=status)(scope, receive, send)


def excerpt(value: Any) -> Any:
    """``value`` as it may be echoed: itself if short, else its first characters."""
    text = value if isinstance(value, str) else None
    if text is None:
        try:
            text = json.dumps(jsonable_encoder(value), ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
        if len(text) <= MAX_ECHO:
            return jsonable_encoder(value)
    if len(text) <= MAX_ECHO:
        return text
    return text[:MAX_ECHO] + f"… ({len(text):,} characters)"


def bounded_errors(errors: Any, *, prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Pydantic's error list with each input cut to an excerpt and ``ctx`` as text."""
    out = []
    for err in errors:
        item = {
            "type": err.get("type"),
            "loc": [*prefix, *err.get("loc", ())],
            "msg": err.get("msg"),
        }
        if "input" in err:
            item["input"] = excerpt(err["input"])
        if err.get("ctx"):
            item["ctx"] = {
                k: excerpt(v if isinstance(v, str | int | float | bool) else str(v))
                for k, v in err["ctx"].items()
            }
        out.append(item)
    return out


def register(app: FastAPI, *, max_body_bytes: int) -> None:
    """Install the body guard and the bounded validation-error answers."""
    app.add_middleware(BodyGuard, max_bytes=max_body_bytes)

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse({"detail": bounded_errors(exc.errors())}, status_code=422)

    async def invalid_model(request: Request, exc: Exception) -> JSONResponse:
        # a model built inside a handler from query parameters or a body
        assert isinstance(exc, ValidationError)
        where = "body" if request.method in {"POST", "PUT", "PATCH"} else "query"
        errors = bounded_errors(exc.errors(), prefix=(where,))
        return JSONResponse({"detail": errors}, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(ValidationError, invalid_model)
