"""What every 4xx answer of the API must show a user: the status and the field at fault."""

from __future__ import annotations

import httpx


def assert_names_field(r: httpx.Response, status: int, field: str) -> None:
    """``r`` has ``status`` and its ``detail`` names ``field`` (dotted, without ``body``)."""
    assert r.status_code == status, r.text
    locs = [".".join(str(p) for p in d["loc"][1:]) for d in r.json()["detail"]]
    assert any(loc.startswith(field) for loc in locs), locs
