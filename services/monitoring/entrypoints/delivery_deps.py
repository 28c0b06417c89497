"""The delivery routes' dependencies: the caller, the caller's alert scope, the pool.

``alert_scope`` resolves through ``adapters/scopes.py`` (the same rules as ``GET /alerts``):
a district official their district, a unit its teams' villages, the city office everything.
"""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends

from shared.http.auth import Principal, current_principal
from shared.http.deps import get_pool

from services.monitoring.adapters.scopes import scope_of
from services.monitoring.domain.access import AlertScope

Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
Caller = Annotated[Principal, Depends(current_principal)]


async def alert_scope(principal: Caller, pool: Pool) -> AlertScope:
    async with pool.acquire() as conn:
        return await scope_of(conn, principal)


DeliveryScope = Annotated[AlertScope, Depends(alert_scope)]
