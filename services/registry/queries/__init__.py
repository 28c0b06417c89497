"""The registry's reads: what its GET routes answer, and (``eventlog``) the register-wide reads
its commands decide on. None of them writes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from shared.eventstore import CommandMeta, EventStore, UnitOfWork
from shared.identity import Principal

from services.registry.queries.scope import scope_of


async def read(store: EventStore, query: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """``query(uow, *args)`` over one consistent, read-only snapshot of the store."""
    async with store.pool.acquire() as conn, conn.transaction(readonly=True, isolation="repeatable_read"):
        return await query(UnitOfWork(conn, store, CommandMeta()), *args)


def scoped(query: Callable[..., Awaitable[Any]], principal: Principal) -> Callable[..., Awaitable[Any]]:
    """``query`` given the reader's ``reach`` (``scope.py``), found in the read's own snapshot."""
    async def within(uow: UnitOfWork, *args: Any) -> Any:
        return await query(uow, *args, reach=await scope_of(uow.conn, principal))
    return within
