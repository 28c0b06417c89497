"""The monitoring routes' dependencies: the caller's alert scope, the city office, the runner."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, HTTPException, status

from shared.http.auth import Principal, Role, current_principal, require
from shared.http.commands import runner_type
from shared.http.deps import get_pool

from services.monitoring.domain.access import AlertScope
from services.monitoring.handlers import COMMANDS

Run = runner_type(COMMANDS)
CityOffice = Annotated[Principal, Depends(require())]  # require() with no role: the city office only


def _forbidden(message: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN,
                         detail=[{"loc": ["header", "Authorization"], "msg": message, "type": "forbidden"}])


async def alert_scope(principal: Annotated[Principal, Depends(current_principal)],
                      pool: Annotated[asyncpg.Pool, Depends(get_pool)]) -> AlertScope:
    role, base = principal.role, {"subject": principal.subject, "actor": principal.actor}
    if role is Role.city_office:
        return AlertScope(**base, may_resolve=True)
    if role is Role.district_official and principal.district:
        return AlertScope(**base, district=principal.district, may_resolve=True)
    if role in (Role.finance_officer, Role.assessor, Role.inspector):
        return AlertScope(**base, district=principal.district) if principal.district else AlertScope(**base)
    if role is Role.unit and principal.unit:
        sql = "select team_id from monitoring.team_units where unit_id = $1 order by 1"
        key = principal.unit
    elif role is Role.first_secretary and principal.team:
        sql, key = "select $1::text as team_id", principal.team
    else:
        raise _forbidden(f"无权查看预警 / role {role.value} may not read alerts")
    async with pool.acquire() as conn:
        teams = [r["team_id"] for r in await conn.fetch(sql, key)]
        villages = await conn.fetch("select distinct village_code from monitoring.team_villages "
                                    "where team_id = any($1::text[]) order by 1", teams)
    return AlertScope(**base, villages=tuple(r["village_code"] for r in villages), teams=tuple(teams))


Scope = Annotated[AlertScope, Depends(alert_scope)]



async def _resolver_scope(_: Annotated[Principal, Depends(require(Role.district_official))],
                          scope: Scope) -> AlertScope:
    """Closing by hand: the role is checked before anything else (the body included)."""
    return scope


ResolverScope = Annotated[AlertScope, Depends(_resolver_scope)]
