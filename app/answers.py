"""JSON answers written by orjson, or passed through as the bytes a worker wrote.

FastAPI turns a returned dict into bytes through ``jsonable_encoder`` and ``json.dumps``:
for a route with three alternatives (240 kB) that took 90 ms of the server's interpreter
lock, longer than finding the routes (84 ms); orjson writes the same JSON in under a
millisecond. Handlers of large answers return :class:`JSONAnswer`.

When the answer was computed in a worker process (``app/compute.py``), the worker
writes the JSON and the server sends those bytes on as they are: unpickling the answer
as Python objects, only to write it again, held the server's interpreter lock for
milliseconds per heavy request while cheap requests waited (issue 13). ``data`` reads
the bytes back into a dict only for a handler that builds on the answer (a map, a file
export, a saved plan).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi.responses import Response

OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def encode(data: Any) -> bytes:
    """``data`` as JSON bytes (numpy arrays and scalars included)."""
    return orjson.dumps(data, option=OPTIONS)


class Encoded(bytes):
    """JSON bytes written where the answer was computed (a worker process), to be sent
    as they are."""


class JSONAnswer(Response):
    """An ``application/json`` answer of ``data``: a dict serialised by orjson, or
    :class:`Encoded` bytes sent as they are."""

    media_type = "application/json"

    def __init__(
        self,
        data: Mapping[str, Any] | Encoded,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._data: dict[str, Any] | None = None if isinstance(data, Encoded) else dict(data)
        super().__init__(
            content=data if self._data is None else self._data,
            status_code=status_code,
            headers=headers,
        )

    @property
    def data(self) -> dict[str, Any]:
        """The answer as a dict (read from the bytes the first time it is asked for).

        The body already written does not follow later changes to the dict: a handler
        that changes it answers a new :class:`JSONAnswer` of it."""
        if self._data is None:
            self._data = orjson.loads(self.body)
        return self._data

    def render(self, content: Any) -> bytes:
        if isinstance(content, Encoded):
            return bytes(content)
        return encode(content)
