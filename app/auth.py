"""Who is calling, and what they may do: API keys, OIDC tokens, roles, rate limits.

Roles, least to most: ``viewer`` (read the catalogue and saved records, route,
plan, compare, draw maps), ``planner`` (+ save scenarios and plans, change and
delete its own), ``admin`` (+ API keys, anyone's records).

A request shows who it is with ``Authorization: Bearer <token>`` (or
``X-API-Key: <key>``): an API key made by ``relos keys create`` (``relos_...``,
looked up by its SHA-256 in the store), or a token from the organisation's
OpenID Connect provider when ``RELOS_OIDC_ISSUER`` is set (``app/oidc.py``).

A request with no credentials is

- the **local user** (an admin) when the server listens on loopback only
  (``RELOS_LISTEN_HOST``, which ``relos serve --host`` sets), the client is on
  loopback and no proxy forwarded it, and ``RELOS_LOCAL_WRITES`` is on (default):
  a single-user laptop works with no key at all;
- else, an **anonymous viewer** when ``RELOS_OPEN_READS`` is on (default): reads
  are open, every write needs a key (401);
- else refused (401).

Every caller but the local user is held to ``RELOS_RATE_LIMIT`` requests (per key,
per identity, or per client address for anonymous callers), counted by the
``limits`` library in ``RELOS_RATE_LIMIT_STORAGE`` (memory per worker process by
default; ``redis://...`` to share one count among workers); beyond it, 429 with
``Retry-After``.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool

from app.settings import Settings
from app.store import KEY_PREFIX, LOCAL, ROLES, Actor, Store
from routing.errors import (
    ForbiddenError,
    RateLimitedError,
    ServiceUnavailableError,
    UnauthenticatedError,
)

if TYPE_CHECKING:
    from app.oidc import OidcVerifier

#: Headers a reverse proxy adds: a request that carries one did not come from this host.
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request."""

    name: str
    role: str
    via: str
    """``key``, ``oidc``, ``local`` (no credentials, on loopback) or ``open`` (anonymous)."""
    key_id: int | None = None

    def allows(self, role: str) -> bool:
        """Whether this caller's role is ``role`` or above."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def actor(self) -> Actor:
        """The caller as the store's owner of what it saves."""
        return Actor(self.name, admin=self.role == "admin")


def _host_name(authority: str) -> str:
    """The host of ``host[:port]`` (``[v6]:port`` too), without the port."""
    authority = authority.strip().rstrip("/")
    if authority.startswith("["):
        return authority[1 : authority.find("]")] if "]" in authority else authority
    return authority.rsplit(":", 1)[0] if authority.count(":") == 1 else authority


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Authenticator:
    """The access policy of one application, built from its settings."""

    def __init__(self, settings: Settings) -> None:
        self.open_reads = settings.open_reads
        self.local_writes = settings.local_writes and is_loopback(settings.listen_host)
        self.oidc: OidcVerifier | None = None
        if settings.oidc_issuer:
            from app.oidc import OidcVerifier  # PyJWT, cryptography, httpx: with a provider only

            self.oidc = OidcVerifier(
                settings.oidc_issuer,
                audience=settings.oidc_audience,
                tokens=settings.oidc_tokens,
                roles_claim=settings.oidc_roles_claim,
                username_claim=settings.oidc_username_claim,
            )
        self.rate: RateLimitItem | None = (
            parse(settings.rate_limit) if settings.rate_limit else None
        )
        self.limiter = (
            MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))
            if self.rate
            else None
        )
        self.rate_text = settings.rate_limit
        #: counts kept outside this process (redis://...): counting waits on the network
        self.counts_elsewhere = self.limiter is not None and not (
            settings.rate_limit_storage.startswith("memory://")
        )

    def identify(self, request: Request, token: str | None, store: Store | None) -> Principal:
        """The caller of ``request``, from its credentials or where it comes from."""
        if token:
            return self._from_token(token, store)
        if self.local_writes and self._local(request):
            return Principal(LOCAL.name, "admin", "local")
        if self.open_reads:
            client = request.client.host if request.client else "unknown"
            return Principal(f"anonymous@{client}", "viewer", "open")
        raise UnauthenticatedError(
            "this service needs credentials: send Authorization: Bearer <API key or token>",
            field="Authorization",
        )

    def _local(self, request: Request) -> bool:
        if request.client is None or not is_loopback(request.client.host):
            return False
        if any(header in request.headers for header in PROXY_HEADERS):
            return False
        # a page whose name was rebound to 127.0.0.1 (DNS rebinding) sends its own Host
        # and Origin: only this machine's names make the local user
        host = _host_name(request.headers.get("host", ""))
        origin = request.headers.get("origin")
        if origin is not None and not is_loopback(_host_name(origin.partition("://")[2])):
            return False
        return is_loopback(host)

    def _from_token(self, token: str, store: Store | None) -> Principal:
        if token.startswith(KEY_PREFIX):
            if store is None:
                raise ServiceUnavailableError("the key store is not open")
            key = store.find_key(token)
            if key is None:
                raise UnauthenticatedError("unknown or revoked API key", field="Authorization")
            return Principal(key["name"], key["role"], "key", key_id=int(key["id"]))
        if self.oidc is None:
            raise UnauthenticatedError(
                f"not an API key ({KEY_PREFIX}...), and no identity provider is set up "
                "(RELOS_OIDC_ISSUER)",
                field="Authorization",
            )
        identity = self.oidc.identify(token)
        return Principal(identity.name, identity.role, "oidc")

    def caller(self, request: Request, token: str | None) -> Principal:
        """The caller of ``request`` (:meth:`identify`), counted against its rate limit;
        refused credentials count against the caller's address, so guessing is limited."""
        try:
            principal = self.identify(request, token, getattr(request.app.state, "store", None))
        except (UnauthenticatedError, ForbiddenError):
            client = request.client.host if request.client else "unknown"
            self.count(Principal(f"refused@{client}", "viewer", "refused"))
            raise
        self.count(principal)
        return principal

    def count(self, principal: Principal) -> None:
        """Count one request of ``principal``; ``RateLimitedError`` beyond the limit."""
        if self.rate is None or self.limiter is None or principal.via == "local":
            return
        key = f"key:{principal.key_id}" if principal.key_id is not None else principal.name
        if self.limiter.hit(self.rate, "relos", key):
            return
        reset, _ = self.limiter.get_window_stats(self.rate, "relos", key)
        wait = max(1, math.ceil(reset - time.time()))
        raise RateLimitedError(
            f"more than {self.rate_text} requests (RELOS_RATE_LIMIT) from {principal.name}: "
            f"try again in {wait} s",
            retry_after=wait,
            field="Authorization",
        )


_bearer = HTTPBearer(
    auto_error=False,
    description="An API key (relos_..., from `relos keys create`) or an OIDC access token.",
)
_api_key = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key (relos_...), instead of Bearer."
)


async def authenticate(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """The caller of this request (FastAPI runs it once per request), counted against
    its rate limit. A key or token is looked up in a worker thread (the store, or the
    identity provider), and so is counting in a shared rate-limit store; a request
    without credentials, counted in memory, is answered here, with no thread hop."""
    auth: Authenticator = request.app.state.auth
    if bearer is None and request.headers.get("authorization", "").strip():
        raise UnauthenticatedError(
            "send credentials as Authorization: Bearer <API key or token>",
            field="Authorization",
        )
    token = (bearer.credentials if bearer else None) or (api_key.strip() if api_key else None)
    if token or auth.counts_elsewhere:
        return await run_in_threadpool(auth.caller, request, token)
    return auth.caller(request, None)


def allowed(principal: Principal, role: str) -> Principal:
    """``principal`` if it has ``role`` or above; else 401 (no credentials sent) or 403."""
    if principal.allows(role):
        return principal
    if principal.via == "open":
        raise UnauthenticatedError(
            f"this needs the {role} role: send an API key (Authorization: Bearer "
            f"{KEY_PREFIX}..., from `relos keys create --role {role}`)",
            field="Authorization",
        )
    raise ForbiddenError(
        f"{principal.name} has the {principal.role} role; this needs {role}",
        field="Authorization",
    )


def require(role: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency: the caller, who must have ``role`` or above (:func:`allowed`)."""

    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        return allowed(principal, role)

    check.__name__ = f"require_{role}"
    return check


require_viewer = require("viewer")
require_planner = require("planner")
require_admin = require("admin")

AsViewer = Annotated[Principal, Depends(require_viewer)]
AsPlanner = Annotated[Principal, Depends(require_planner)]
AsAdmin = Annotated[Principal, Depends(require_admin)]
