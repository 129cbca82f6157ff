"""Where things live: the shipped data, the graph cache and the user's data.

Nothing here reads the environment at import time. The service's settings
(``app.settings.Settings``, env prefix ``RELOS_``) decide the paths the server
and the CLI use and pass them in; these functions are the defaults the core
falls back on when a script passes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "relos-planner"

SHIPPED_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
"""The repo's ``data/`` folder: the catalogue, platforms, sea data and base map."""


def default_cache_dir() -> Path:
    """The graph cache: ``$RELOS_CACHE_DIR`` if set (read now), else the user cache dir."""
    env = os.environ.get("RELOS_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_user_data_dir() -> Path:
    """Where the default SQLite store lives (the platform's user data directory)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
