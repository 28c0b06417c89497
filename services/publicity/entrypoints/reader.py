"""Who reads a public figure: exact for officials, disclosure-controlled for everyone else.

Publicity's reads take no token, so a bad or missing one is simply the public: never a 401.
Exact figures go to the city office, to city-level finance officers, assessors and
inspectors (no district claim), and to a district official, finance officer, assessor or
inspector asking about their own district (``district=``, a village of it, or its story).
Units, first secretaries, the public role and anonymous callers read the public answer
(``domain/disclosure.py``).
"""

from __future__ import annotations

import jwt
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from shared.config import get_settings
from shared.http.auth import Principal, Role, verify_token
from shared.identity import Reach, missing_scope
from shared.reference.places import district_code

from services.publicity.domain.disclosure import Disclosure

OFFICIALS = frozenset({Role.city_office, Role.district_official, Role.finance_officer, Role.assessor, Role.inspector})


async def _principal(request: Request) -> Principal | None:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    settings = get_settings()
    try:
        if settings.jwt_jwks_url:  # a key set may have to be fetched: off the event loop
            return await run_in_threadpool(verify_token, settings, token.strip())
        return verify_token(settings, token.strip())
    except (jwt.PyJWTError, ValueError):
        return None


def _district_asked(request: Request) -> str | None:
    village = request.query_params.get("village") or request.path_params.get("code")
    if village and len(village) >= 6:
        return village[:6]
    asked = (request.query_params.get("district") or "").strip()
    try:
        return district_code(asked) if asked else None
    except ValueError:
        return None


def reads_exact(principal: Principal | None, district: str | None) -> bool:
    if principal is None or principal.role not in OFFICIALS or missing_scope(principal):
        return False
    return Reach.of(principal).covers(district)


def public_rule() -> Disclosure:
    """The rule every public answer follows (the configured smallest count shown)."""
    return Disclosure(get_settings().public_min_count)


async def disclosure_for(request: Request) -> Disclosure | None:
    """``None`` for a reader of exact figures; else the rule public answers follow."""
    if reads_exact(await _principal(request), _district_asked(request)):
        return None
    return public_rule()
