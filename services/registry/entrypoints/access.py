"""Route dependencies: who may call, and the command runner every write route shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Response, status

from shared.eventstore import CommandMeta, EventStore, UnitOfWork
from shared.http.auth import Principal, Role, require

from services.registry.handlers.access import Access

Officials = Annotated[Principal, Depends(require(Role.district_official))]
CityOffice = Annotated[Principal, Depends(require())]
# Everyone in the programme but the public: histories name the officials who acted, teams
# name their cadres. What the public may see, publicity publishes.
Staff = Annotated[Principal, Depends(require(*(set(Role) - {Role.public})))]
UnitsAndOfficials = Annotated[Principal, Depends(require(Role.district_official, Role.unit))]
TeamsAndOfficials = Annotated[Principal, Depends(require(Role.district_official, Role.first_secretary))]
CadreKeepers = Annotated[Principal, Depends(require(Role.district_official, Role.unit, Role.first_secretary))]
Readers = Annotated[Principal, Depends(require(Role.district_official, Role.unit, Role.first_secretary,
                                               Role.inspector, Role.assessor))]

WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "无权办理（角色或辖区不符），未作任何更改 / not allowed (role or district); nothing changed"},
    409: {"description": "与现有状态冲突 / conflicts with the current state"},
    422: {"description": "输入或规则不符，字段级说明 / bad input or a broken rule, per field"},
}


async def execute(
    store: EventStore,
    command: str,
    body: Any,
    meta: CommandMeta,
    handler: Callable[[UnitOfWork], Awaitable[dict]],
    idempotency_key: str | None,
    response: Response,
) -> dict:
    """Run a command once per idempotency key; a replay answers 200 with the first result."""
    done = await store.execute(command, body, meta, handler, idempotency_key)
    if done.replayed:
        response.status_code = status.HTTP_200_OK
    return done.result


def access(principal: Principal) -> Access:
    return Access(principal)


async def read(store: EventStore, query: Callable[[UnitOfWork], Awaitable[dict]]) -> dict:
    """Run a read-only query over the event store in one consistent snapshot."""
    async with store.pool.acquire() as conn, conn.transaction(readonly=True, isolation="repeatable_read"):
        return await query(UnitOfWork(conn, store, CommandMeta()))
