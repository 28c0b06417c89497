"""The monitoring routes' dependencies: the caller, its alert scope, the city office, the pool, the runner."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends

from shared.http.auth import Principal, Role, current_principal, require
from shared.http.commands import runner_type
from shared.http.deps import get_pool

from services.monitoring.adapters.scopes import scope_of
from services.monitoring.domain.access import AlertScope
from services.monitoring.handlers import COMMANDS

Run = runner_type(COMMANDS)
CityOffice = Annotated[Principal, Depends(require())]  # require() with no role: the city office only
Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
Caller = Annotated[Principal, Depends(current_principal)]


async def alert_scope(principal: Caller, pool: Pool) -> AlertScope:
    """What the caller may see: its district, its unit's teams' villages, or everything."""
    async with pool.acquire() as conn:
        return await scope_of(conn, principal)


Scope = Annotated[AlertScope, Depends(alert_scope)]


async def _resolver_scope(_: Annotated[Principal, Depends(require(Role.district_official))],
                          scope: Scope) -> AlertScope:
    """Closing by hand: the role is checked before anything else (the body included)."""
    return scope


ResolverScope = Annotated[AlertScope, Depends(_resolver_scope)]
