"""Who is calling: bearer tokens (JWT) verified against configured keys, and scope checks.

Every endpoint declares what it needs through ``require(...)``; a caller without it gets
403 and nothing changes. Development tokens come from ``xingcun tokens issue``.
"""

from __future__ import annotations

import secrets
import time
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request

from shared.config import Settings, get_settings
from shared.http.errors import RetryLater
from shared.identity import Principal, Role, ensure_district, require_scope

__all__ = ["Principal", "Role", "admit", "current_principal", "principal_of", "ensure_district", "issue_token", "require", "verify_token"]


class KeyNotConfigured(RuntimeError):
    """Production without a token key: the service refuses to start."""


def check_token_keys(settings: Settings) -> None:
    """Called at startup: production needs a configured key; only development invents one."""
    if settings.env == "production" and not (settings.jwt_jwks_url or settings.jwt_public_key or settings.jwt_secret):
        raise KeyNotConfigured(
            "生产模式须配置令牌密钥 / production needs XINGCUN_JWT_JWKS_URL, XINGCUN_JWT_PUBLIC_KEY or "
            "XINGCUN_JWT_SECRET; no secret is invented")


_dev_secrets: dict[str, str] = {}


def _secret(settings: Settings) -> str:
    if settings.jwt_secret:
        return settings.jwt_secret
    check_token_keys(settings)
    if (known := _dev_secrets.get(str(settings.state_dir))) is not None:
        return known
    # Development only: a random secret kept beside the local stack's state, never committed.
    path = settings.state_dir / "jwt-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    _dev_secrets[str(settings.state_dir)] = secret = path.read_text().strip()
    return secret


def issue_token(settings: Settings, principal: Principal, ttl_seconds: int = 8 * 3600) -> str:
    """A development token (HS256, the configured or invented secret), naming the configured
    issuer and audience so that it passes their checks."""
    now = int(time.time())
    claims = principal.model_dump(exclude_none=True, mode="json") | {"iat": now, "exp": now + ttl_seconds}
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, _secret(settings), algorithm="HS256")


_jwks_clients: dict[tuple[str, int, float], jwt.PyJWKClient] = {}


def _jwks(settings: Settings) -> jwt.PyJWKClient:
    """One client per URL: it caches the key set, and fetches it again when a token names a
    ``kid`` it does not hold (a rotation) — PyJWT's own behaviour."""
    key = (settings.jwt_jwks_url or "", settings.jwt_jwks_cache_seconds, settings.jwt_jwks_cooldown_seconds)
    client = _jwks_clients.get(key)
    if client is None:
        client = _jwks_clients[key] = jwt.PyJWKClient(
            settings.jwt_jwks_url, cache_jwk_set=True, lifespan=max(settings.jwt_jwks_cache_seconds, 1), timeout=5,
            cooldown_duration=settings.jwt_jwks_cooldown_seconds)
    return client


# Tokens already verified, by (token, key): a client sends the same token with every
# request, and decoding it (PyJWT prepares the key anew each time) was a tenth of a
# command's CPU. Only the expiry can change a verified token's answer under a static key,
# so it is checked on every use; a token signed with a rotated key misses, being cached
# under the old one. Under a JWKS a verified token is remembered no longer than the key
# set is, so a key withdrawn from the set stops its tokens within that time.
_verified: dict[tuple[str, str], tuple[Principal, float]] = {}
_VERIFIED_MAX = 10_000


def _cache_key(settings: Settings) -> str:
    key = f"jwks:{settings.jwt_jwks_url}" if settings.jwt_jwks_url else settings.jwt_public_key or _secret(settings)
    return f"{key}|{settings.jwt_issuer}|{settings.jwt_audience}|{settings.jwt_max_ttl_seconds}"


def remembered(settings: Settings, token: str) -> Principal | None:
    """The principal of a token verified before and still valid, without any verification."""
    known = _verified.get((token, _cache_key(settings)))
    return known[0] if known is not None and time.time() < known[1] else None


def verify_token(settings: Settings, token: str) -> Principal:
    if (known := remembered(settings, token)) is not None:
        return known
    cache_key = _cache_key(settings)
    until_cap = time.time() + settings.jwt_jwks_cache_seconds if settings.jwt_jwks_url else float("inf")
    if settings.jwt_jwks_url:
        key, algorithms = _jwks(settings).get_signing_key_from_jwt(token).key, ["RS256", "ES256"]
    elif settings.jwt_public_key:
        key, algorithms = settings.jwt_public_key, ["RS256", "ES256"]
    else:
        key, algorithms = _secret(settings), ["HS256"]
    required = ["exp", "iat"] + (["iss"] if settings.jwt_issuer else []) + (["aud"] if settings.jwt_audience else [])
    claims = jwt.decode(token, key, algorithms=algorithms, issuer=settings.jwt_issuer,
                        audience=settings.jwt_audience, options={"require": required})
    if claims["exp"] - claims["iat"] > settings.jwt_max_ttl_seconds:
        raise jwt.InvalidTokenError(f"令牌有效期过长 / token lifetime over {settings.jwt_max_ttl_seconds} s")
    principal = Principal.model_validate(claims)
    if len(_verified) >= _VERIFIED_MAX:
        _verified.clear()
    _verified[(token, cache_key)] = (principal, min(claims["exp"], until_cap))
    return principal


def _unauthenticated(msg: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=[{"loc": ["header", "Authorization"], "msg": msg, "type": "unauthorized"}],
        headers={"WWW-Authenticate": "Bearer"},
    )


async def principal_of(token: str) -> Principal:
    """The caller a bearer token names, verified (or remembered as verified) and in scope."""
    settings = get_settings()
    try:
        principal = remembered(settings, token)
        if principal is None:
            # A JWKS may have to be fetched (a blocking HTTP call): off the event loop.
            principal = (await run_in_threadpool(verify_token, settings, token) if settings.jwt_jwks_url
                         else verify_token(settings, token))
    except jwt.PyJWKClientConnectionError as exc:
        raise RetryLater(5, "身份服务暂不可用，请稍后重试", f"the identity provider's keys are unreachable: {exc}",
                         "unavailable", loc=["header", "Authorization"]) from exc
    except (jwt.PyJWTError, ValueError) as exc:
        raise _unauthenticated(f"令牌无效 / invalid token: {exc}") from exc
    require_scope(principal)
    return principal


class BearerPrincipal(HTTPBearer):
    """The bearer scheme and the caller in one dependency, without sub-dependencies.

    A command route names the caller twice (its role check, and the command's metadata), and
    FastAPI solves a cached dependency's own sub-dependencies again each time it is named:
    the scheme as a separate dependency below the caller cost a fifth of the framework's
    time per command. Declared under HTTPBearer's name and description, so the API
    documents are unchanged. Dependencies are ``async``: FastAPI runs plain ``def`` ones in
    a thread pool, a thread hop per request.
    """

    async def __call__(self, request: HTTPConnection) -> Principal:  # type: ignore[override]
        authorization = request.headers.get("Authorization")
        scheme, token = get_authorization_scheme_param(authorization)
        if not (authorization and scheme and token) or scheme.lower() != "bearer":
            raise _unauthenticated("需要登录 / bearer token required")
        principal = request.scope[_PRINCIPAL_KEY] = await principal_of(token)
        return principal


_PRINCIPAL_KEY = "xingcun.principal"


async def caller_of(request: HTTPConnection) -> Principal:
    """The caller, as ``current_principal`` found it for this request, else found now.

    For dependencies that need the caller without ``Depends(current_principal)``: FastAPI
    solves a dependency's own dependencies each time it is named, even when cached, so the
    scheme below the role check and below the command runner was two more levels to solve
    per command (≈ 7 µs each). Such a dependency sets ``documents_caller``: while the API
    document is generated the scheme is put back below it (``shared.http.commands``), and
    the documents stay as they were."""
    known = request.scope.get(_PRINCIPAL_KEY)
    return known if known is not None else await current_principal(request)


current_principal = BearerPrincipal(auto_error=False, scheme_name="HTTPBearer",
                                    description="OAuth2 bearer token (JWT)")


def admit(principal: Principal, allowed: set[Role] | frozenset[Role]) -> Principal:
    """403 unless the caller's role is among ``allowed``; for dependencies that check inline."""
    if principal.role not in allowed:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=[{"loc": ["header", "Authorization"],
                     "msg": f"无权执行此操作 / role {principal.role.value} may not do this",
                     "type": "forbidden"}],
        )
    return principal


def require(*roles: Role):
    """A dependency that admits only the given roles (the city office always)."""
    allowed = frozenset({Role.city_office, *roles})

    async def check(request: Request) -> Principal:
        return admit(await caller_of(request), allowed)

    check.allowed = allowed  # for dependencies that fold the check into their own (registry's ``acting``)
    check.documents_caller = True  # type: ignore[attr-defined]  # the scheme below it, in the API documents
    return check
