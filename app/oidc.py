"""Bearer tokens from an organisation's OpenID Connect provider.

Where an identity provider (Keycloak, Entra ID, Okta, ...) already knows the
planners, the service accepts its tokens instead of (or beside) API keys. Set
``RELOS_OIDC_ISSUER``; the provider's discovery document
(``{issuer}/.well-known/openid-configuration``) gives the rest. Two ways to check
a token, as the provider issues them:

- ``jwt`` (default): a signed JWT access token, verified here against the
  provider's published keys (JWKS, fetched once and cached by PyJWT) with its
  issuer, audience (``RELOS_OIDC_AUDIENCE``) and expiry;
- ``userinfo``: an opaque token, checked by asking the provider's userinfo
  endpoint (answers cached for a minute).

The caller's role is read from a claim (``RELOS_OIDC_ROLES_CLAIM``, default
``roles``; a dotted path such as ``realm_access.roles`` for Keycloak): the
highest of ``viewer``, ``planner``, ``admin`` it lists. A token without any of
them is refused (403): the provider decides who may use the service.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import jwt
from cachetools import TTLCache

from app.store import ROLES
from routing.errors import ForbiddenError, ServiceUnavailableError, UnauthenticatedError

#: Signature algorithms accepted on JWT access tokens (asymmetric only: the service
#: never holds a provider's secret).
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
#: Seconds a provider's discovery or userinfo request may take.
TIMEOUT_S = 5.0
#: Longest user name taken from a token (owner names are stored in 200 characters).
MAX_NAME = 190


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a token names and the role its claims give."""

    name: str
    role: str
    claims: dict[str, Any]


class OidcVerifier:
    """Checks bearer tokens issued by one OpenID Connect provider."""

    def __init__(
        self,
        issuer: str,
        *,
        audience: str = "",
        tokens: Literal["jwt", "userinfo"] = "jwt",
        roles_claim: str = "roles",
        username_claim: str = "sub",
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.tokens = tokens
        self.roles_claim = roles_claim
        self.username_claim = username_claim
        self._lock = threading.Lock()
        self._config: dict[str, Any] | None = None
        self._jwks: jwt.PyJWKClient | None = None
        self._userinfo: TTLCache[str, dict[str, Any]] = TTLCache(maxsize=10_000, ttl=60)
        self._refused: TTLCache[str, bool] = TTLCache(maxsize=10_000, ttl=60)

    def identify(self, token: str) -> Identity:
        """The identity in ``token``; ``UnauthenticatedError`` if it is not a valid,
        current token of this provider, ``ForbiddenError`` if it gives no role here."""
        claims = self._userinfo_claims(token) if self.tokens == "userinfo" else self._jwt(token)
        name = claims.get(self.username_claim)
        if not isinstance(name, str) or not name or len(name) > MAX_NAME:
            raise UnauthenticatedError(
                f"the token has no {self.username_claim!r} claim of 1 to {MAX_NAME} characters",
                field="Authorization",
            )
        role = highest_role(_claim(claims, self.roles_claim))
        if role is None:
            raise ForbiddenError(
                f"the token's {self.roles_claim!r} claim names none of the roles "
                f"{', '.join(ROLES)}: ask the identity provider's administrator for one",
                field="Authorization",
            )
        return Identity(name=f"oidc:{name}", role=role, claims=claims)

    # -- the provider ------------------------------------------------------------------------

    def _discovery(self) -> dict[str, Any]:
        with self._lock:
            if self._config is None:
                url = f"{self.issuer}/.well-known/openid-configuration"
                config = _get_json(url)
                if str(config.get("issuer", "")).rstrip("/") != self.issuer:
                    raise ServiceUnavailableError(
                        f"the identity provider at {url} names another issuer "
                        f"({config.get('issuer')!r}): check RELOS_OIDC_ISSUER"
                    )
                self._config = config
            return self._config

    def _jwt(self, token: str) -> dict[str, Any]:
        config = self._discovery()
        with self._lock:
            if self._jwks is None:
                self._jwks = jwt.PyJWKClient(str(config["jwks_uri"]), timeout=int(TIMEOUT_S))
            jwks = self._jwks
        try:
            if jwt.get_unverified_header(token).get("kid") is None:
                # no key id: the provider's one signing key, if it publishes only one
                keys = jwks.get_signing_keys()
                if len(keys) != 1:
                    raise jwt.InvalidTokenError("no key id (kid), and the provider has several")
                key = keys[0]
            else:
                key = jwks.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as exc:
            raise ServiceUnavailableError(f"the identity provider's keys: {exc}") from None
        except jwt.PyJWTError as exc:
            raise _bad_token(exc) from None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=ALGORITHMS,
                audience=self.audience or None,
                issuer=str(config["issuer"]),
                options={"require": ["exp", "iss", "sub"], "verify_aud": bool(self.audience)},
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            raise _bad_token(exc) from None
        return claims

    def _userinfo_claims(self, token: str) -> dict[str, Any]:
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            cached = self._userinfo.get(digest)
            refused = digest in self._refused
        if cached is not None:
            return cached
        if refused:  # asked in the last minute: not sent to the provider again
            raise _unknown_token()
        endpoint = self._discovery().get("userinfo_endpoint")
        if not endpoint:
            raise ServiceUnavailableError("the identity provider publishes no userinfo endpoint")
        try:
            answer = httpx.get(
                str(endpoint), headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT_S
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailableError(f"the identity provider is unreachable: {exc}") from None
        if answer.status_code in (400, 401, 403):
            with self._lock:
                self._refused[digest] = True
            raise _unknown_token()
        if answer.status_code != 200:
            raise ServiceUnavailableError(
                f"the identity provider's userinfo answered {answer.status_code}"
            )
        try:
            claims = answer.json()
        except ValueError:
            raise ServiceUnavailableError(
                "the identity provider's userinfo is not JSON (signed userinfo is not supported)"
            ) from None
        if not isinstance(claims, dict):
            raise ServiceUnavailableError("the identity provider's userinfo is not a JSON object")
        with self._lock:
            self._userinfo[digest] = claims
        return claims


def highest_role(values: object) -> str | None:
    """The highest of the known roles among ``values`` (a string or a list), or None."""
    names: Iterable[object]
    if isinstance(values, str):
        names = [values]
    elif isinstance(values, list | tuple):
        names = values
    else:
        return None
    found = {value for value in names if isinstance(value, str)}
    ranked = [role for role in ROLES if role in found]
    return ranked[-1] if ranked else None


def _claim(claims: dict[str, Any], path: str) -> object:
    value: object = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _get_json(url: str) -> dict[str, Any]:
    try:
        answer = httpx.get(url, timeout=TIMEOUT_S)
        answer.raise_for_status()
        data = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ServiceUnavailableError(f"the identity provider is unreachable: {exc}") from None
    if not isinstance(data, dict):
        raise ServiceUnavailableError(f"{url} is not a JSON object")
    return data


def _unknown_token() -> UnauthenticatedError:
    return UnauthenticatedError(
        "the identity provider does not know this token (expired or revoked?)",
        field="Authorization",
    )


def _bad_token(exc: Exception) -> UnauthenticatedError:
    return UnauthenticatedError(f"the bearer token was refused: {exc}", field="Authorization")
