"""Service settings: one pydantic-settings class, environment prefix ``RELOS_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from routing.platforms import DEFAULT_PLATFORMS
from routing.validation import DEFAULT_AGREEMENTS, DEFAULT_FACILITIES


class Settings(BaseSettings):
    """Where the data lives and how the service behaves. Validated at start-up."""

    model_config = SettingsConfigDict(env_prefix="RELOS_", extra="ignore")

    facilities_path: Path = Field(
        default=DEFAULT_FACILITIES, description="GeoJSON FeatureCollection of facilities."
    )
    agreements_path: Path = Field(
        default=DEFAULT_AGREEMENTS, description="JSON list of logistics agreements."
    )
    platforms_path: Path = Field(
        default=DEFAULT_PLATFORMS, description="JSON list of platform profiles."
    )
    cache_dir: Path | None = Field(
        default=None, description="Where the built sea graph is cached (default: user cache)."
    )
    load_sea_graph: bool = Field(
        default=True, description="Build or load the sea-route graph at start-up."
    )
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("RELOS_DATABASE_URL", "DATABASE_URL"),
        description=(
            "SQLAlchemy URL of the scenario and saved-plan store; default a SQLite file "
            "relos.sqlite in the user data directory (~/.local/share/relos-planner)."
        ),
    )
    max_page_size: int = Field(default=10_000, ge=1)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (a dependency that tests may override)."""
    return Settings()
