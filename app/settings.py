"""Service settings: one pydantic-settings class, environment prefix ``RELOS_``.

The environment is read here, once, when :func:`get_settings` is first called;
the core (``routing``) never reads it at import time: the paths below are passed
to it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from routing.paths import SHIPPED_DATA_DIR
from routing.vocab import SERVICES, is_iso3


class Settings(BaseSettings):
    """Where the data lives and how the service behaves. Validated at start-up."""

    model_config = SettingsConfigDict(env_prefix="RELOS_", extra="ignore")

    data_dir: Path = Field(
        default=SHIPPED_DATA_DIR,
        description="Folder of the shipped data (facilities, agreements, platforms, sea/).",
    )
    facilities_path: Path | None = Field(
        default=None, description="GeoJSON FeatureCollection of facilities (data_dir's)."
    )
    agreements_path: Path | None = Field(
        default=None, description="JSON list of logistics agreements (data_dir's)."
    )
    platforms_path: Path | None = Field(
        default=None, description="JSON list of platform profiles (data_dir's)."
    )
    sea_dir: Path | None = Field(
        default=None, description="Passages, waterways and seasons (data_dir/sea)."
    )
    cache_dir: Path | None = Field(
        default=None, description="Where the built sea graph is cached (default: user cache)."
    )
    load_sea_graph: bool = Field(
        default=True, description="Build or load the sea-route graph at start-up."
    )
    numpy_hugepages: bool = Field(
        default=False,
        description=(
            "Let numpy mark its large arrays for transparent huge pages (its default); off, "
            "a big catalogue's fresh distance blocks do not stall for memory compaction "
            "(routing/memory.py)."
        ),
    )
    kernel_threads: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description=(
            "Threads a big catalogue's block products are split over (default: the cores "
            "the process may use, at most 4; 1: none; routing/memory.py)."
        ),
    )
    extend_graph: bool = Field(
        default=False,
        description=(
            "A catalogue that adds ports to one whose graph is cached attaches only the "
            "new ports to that graph (seconds a port) instead of building it again."
        ),
    )
    commercial_ports: bool = Field(
        default=False,
        description=(
            "Merge the commercial-port layer (kind commercial_port, called at by diplomatic "
            "clearance only) into the catalogue and the sea graph (`relos serve "
            "--commercial-ports`). Off by default: the whole layer's first graph build "
            "is a one-off of hours and several GB (see the README)."
        ),
    )
    commercial_ports_path: Path | None = Field(
        default=None, description="The commercial-port layer (data_dir/commercial_ports.geojson)."
    )
    commercial_port_countries: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description=(
            "With commercial_ports: only the layer's ports of these countries, ISO3, "
            "comma-separated (empty: all)."
        ),
    )
    commercial_port_services: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description=(
            "With commercial_ports: services every commercial port is assumed to offer "
            "besides berthing (say fuel,water,provisions: bunkers bought through an agent), "
            "comma-separated; each call there says they were assumed (empty: none, so no "
            "commercial port is a resupply stop)."
        ),
    )
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("RELOS_DATABASE_URL", "DATABASE_URL"),
        description=(
            "SQLAlchemy URL of the scenario and saved-plan store; default a SQLite file "
            "relos.sqlite in the user data directory (platformdirs)."
        ),
    )
    sweeps_dir: Path | None = Field(
        default=None,
        description=(
            "Where sweeps run over HTTP write their Parquet results (default: a sweeps "
            "folder in the user data directory)."
        ),
    )
    dask_scheduler: str | None = Field(
        default=None,
        description=(
            "Address of a Dask scheduler for sweeps run over HTTP (tcp://host:8786); "
            "default: a local cluster of `sweep_workers` processes, started on the first sweep."
        ),
    )
    sweep_workers: int = Field(
        default=2, ge=1, le=64, description="Worker processes of the local sweep cluster."
    )
    max_page_size: int = Field(default=10_000, ge=1)
    heavy_concurrency: int = Field(
        default=1,
        ge=0,
        description=(
            "Route searches, plans, matrices, comparisons and maps computed at once in one "
            "worker process (the rest wait; 0: no limit). See app/workload.py."
        ),
    )
    compute_processes: int = Field(
        default=0,
        ge=0,
        le=64,
        description=(
            "Worker processes that compute routes, plans, matrices, comparisons and maps, "
            "so the server process stays free for cheap requests (0: compute in the "
            "request's thread). See app/compute.py."
        ),
    )
    request_budget_s: float = Field(
        default=60.0,
        ge=0,
        description=(
            "Seconds a route search, plan, matrix, comparison or map may take from its "
            "arrival, waiting included (503 beyond; 0: no limit)."
        ),
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="The largest request body accepted, bytes."
    )

    listen_host: str = Field(
        default="127.0.0.1",
        description=(
            "The interface the server listens on (`relos serve --host` sets it). Beyond "
            "loopback, every write needs credentials."
        ),
    )
    open_reads: bool = Field(
        default=True,
        description="Requests without credentials may read, route, plan and draw (viewer).",
    )
    local_writes: bool = Field(
        default=True,
        description=(
            "Requests without credentials from this machine act as the local admin, when the "
            "server listens on loopback only and no proxy forwarded them (a laptop)."
        ),
    )
    rate_limit: str = Field(
        default="600/minute",
        description=(
            "Requests per key, identity or anonymous address ('100/second', '600/minute'; "
            "empty: no limit); the local user is not limited."
        ),
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where request counts live (limits storage URI: memory://, redis://...).",
    )
    oidc_issuer: str = Field(
        default="", description="OpenID Connect issuer URL whose bearer tokens are accepted."
    )
    oidc_audience: str = Field(
        default="", description="The audience (aud) JWT access tokens must carry."
    )
    oidc_tokens: Literal["jwt", "userinfo"] = Field(
        default="jwt",
        description="Check tokens as signed JWTs (the provider's JWKS) or at its userinfo.",
    )
    oidc_roles_claim: str = Field(
        default="roles", description="Claim (dotted path) listing the caller's roles."
    )
    oidc_username_claim: str = Field(
        default="sub", description="Claim naming the caller (owner of what it saves)."
    )

    @field_validator("rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        if value:
            from limits import parse

            try:
                parse(value)
            except ValueError:
                raise ValueError(
                    f"RELOS_RATE_LIMIT {value!r} is not a rate like '600/minute'"
                ) from None
        return value

    @field_validator("commercial_port_countries", mode="before")
    @classmethod
    def _countries(cls, value: object) -> object:
        return _codes(
            value, str.upper, is_iso3, "RELOS_COMMERCIAL_PORT_COUNTRIES", "ISO 3166-1 alpha-3 codes"
        )

    @field_validator("commercial_port_services", mode="before")
    @classmethod
    def _services(cls, value: object) -> object:
        return _codes(
            value,
            str.lower,
            SERVICES.__contains__,
            "RELOS_COMMERCIAL_PORT_SERVICES",
            f"services (one of {', '.join(SERVICES)})",
        )

    @model_validator(mode="after")
    def _paths(self) -> Settings:
        self.facilities_path = self.facilities_path or self.data_dir / "facilities.geojson"
        self.agreements_path = self.agreements_path or self.data_dir / "agreements.json"
        self.platforms_path = self.platforms_path or self.data_dir / "platforms.json"
        self.sea_dir = self.sea_dir or self.data_dir / "sea"
        self.commercial_ports_path = (
            self.commercial_ports_path or self.data_dir / "commercial_ports.geojson"
        )
        return self


def _codes(
    value: object,
    case: Callable[[str], str],
    valid: Callable[[str], bool],
    name: str,
    what: str,
) -> object:
    """A comma-separated setting (or a list) as a tuple of codes, each valid or a
    ``ValueError`` naming the setting and the bad ones."""
    if isinstance(value, str):
        value = [p for p in value.split(",") if p.strip()]
    if not isinstance(value, list | tuple):
        return value
    codes = tuple(case(str(c).strip()) for c in value)
    bad = [c for c in codes if not valid(c)]
    if bad:
        raise ValueError(f"{name}: {bad} are not {what}")
    return codes


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (a dependency that tests may override)."""
    return Settings()
