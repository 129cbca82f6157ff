"""Bounds on what one request may ask for: how long lists may be, which numbers and
dates make sense. Every front end validates against these, so a request that would
overflow a database integer, a date or the server's patience is refused with the
field named instead of failing inside."""

from __future__ import annotations

import datetime as dt

MAX_ID = 2**63 - 1
"""The largest record id (a signed 64-bit integer in SQLite and PostgreSQL)."""

MAX_LIST = 100
"""Closures, dropped agreements, closed or avoided facilities, denied countries."""

MAX_HYPOTHETICAL = 200
"""Hypothetical facilities or agreements in one scenario."""

MIN_SPEED_KN = 1.0
MAX_SPEED_KN = 1_500.0

EARLIEST = dt.date(1950, 1, 1)
LATEST = dt.date(2100, 12, 31)
"""Departures and dates: the agreements' era, and years ahead with room to spare."""


def check_date(value: dt.date | None, *, what: str = "date") -> dt.date | None:
    """``value`` if it is between :data:`EARLIEST` and :data:`LATEST` (for validators)."""
    if value is None:
        return None
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{what} must be between {EARLIEST} and {LATEST}")
    return value
