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
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.config import Settings, get_settings
from shared.identity import Principal, Role, ensure_district

__all__ = ["Principal", "Role", "current_principal", "ensure_district", "issue_token", "require", "verify_token"]


_dev_secrets: dict[str, str] = {}


def _secret(settings: Settings) -> str:
    if settings.jwt_secret:
        return settings.jwt_secret
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
    now = int(time.time())
    claims = principal.model_dump(exclude_none=True, mode="json") | {"iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, _secret(settings), algorithm="HS256")


# Tokens already verified, by (token, key): a client sends the same token with every
# request, and decoding it (PyJWT prepares the key anew each time) was a tenth of a
# command's CPU. Only the expiry can change a verified token's answer, so it is checked
# on every use; a token signed with a rotated key misses, being cached under the old one.
_verified: dict[tuple[str, str], tuple[Principal, float]] = {}
_VERIFIED_MAX = 10_000


def verify_token(settings: Settings, token: str) -> Principal:
    key = settings.jwt_public_key or _secret(settings)
    known = _verified.get((token, key))
    if known is not None and time.time() < known[1]:
        return known[0]
    if settings.jwt_public_key:
        claims = jwt.decode(token, key, algorithms=["RS256", "ES256"], options={"require": ["exp"]})
    else:
        claims = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp"]})
    principal = Principal.model_validate(claims)
    if len(_verified) >= _VERIFIED_MAX:
        _verified.clear()
    _verified[(token, key)] = (principal, claims["exp"])
    return principal


_bearer = HTTPBearer(auto_error=False, description="OAuth2 bearer token (JWT)")


# Dependencies are ``async def``: FastAPI runs plain ``def`` ones in a thread pool, a
# thread hop per request that cost a tenth of a command's time in the benchmark.
async def current_principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    settings = get_settings()
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=[{"loc": ["header", "Authorization"], "msg": "需要登录 / bearer token required", "type": "unauthorized"}],
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return verify_token(settings, credentials.credentials)
    except (jwt.PyJWTError, ValueError) as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=[{"loc": ["header", "Authorization"], "msg": f"令牌无效 / invalid token: {exc}", "type": "unauthorized"}],
            headers={"WWW-Authenticate": "Bearer"},
        ) from exc


def require(*roles: Role):
    """A dependency that admits only the given roles (the city office always)."""
    allowed = {Role.city_office, *roles}

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=[{"loc": ["header", "Authorization"],
                         "msg": f"无权执行此操作 / role {principal.role.value} may not do this",
                         "type": "forbidden"}],
            )
        return principal

    return check
