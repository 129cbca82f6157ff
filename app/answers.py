"""JSON answers written by orjson.

FastAPI turns a returned dict into bytes through ``jsonable_encoder`` and ``json.dumps``:
for a route with three alternatives (240 kB) that took 90 ms of the server's interpreter
lock, longer than finding the routes (84 ms); orjson writes the same JSON in under a
millisecond. Handlers of large answers return :class:`JSONAnswer`; it keeps the dict
(``data``) for handlers that build on another's answer (the maps).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi.responses import Response

OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


class JSONAnswer(Response):
    """An ``application/json`` answer of ``data``, serialised by orjson."""

    media_type = "application/json"

    def __init__(
        self,
        data: Mapping[str, Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.data: dict[str, Any] = dict(data)
        super().__init__(content=self.data, status_code=status_code, headers=headers)

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=OPTIONS)
