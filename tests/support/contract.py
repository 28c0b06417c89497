"""What the adapter contract suites share — one suite run over a PostgreSQL adapter and over the
in-memory twin the handlers' unit tests are given (``fixture(params=BOTH)``): one database per
module, each test's rows rolled back, and a refusal met under a savepoint so the test goes on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
import pytest

from shared.migrations import Chain
from tests.support.db import dispose, fresh_store_pool

BOTH = ["postgresql", "memory"]


def module_database(label: str, chain: Chain):
    """A module-scoped ``pool`` fixture over a fresh database migrated by ``chain``."""
    @pytest.fixture(scope="module")
    async def pool(settings):
        name, pool = await fresh_store_pool(settings, label, max_size=2, chain=chain)
        yield pool
        await dispose(settings, name, pool)
    return pool


def over_both(memory: Callable[[], object], postgresql: Callable[[asyncpg.Connection], object]):
    """A fixture giving each test the in-memory twin, then the PostgreSQL adapter over a
    rolled-back connection of the module's ``pool``."""
    @pytest.fixture(params=BOTH)
    async def implementation(request, pool):
        if request.param == "memory":
            yield memory()
            return
        async with rolled_back(pool) as conn:
            yield postgresql(conn)
    return implementation


@asynccontextmanager
async def rolled_back(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A connection in a transaction rolled back at the end: one database serves every test."""
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            yield conn
        finally:
            await transaction.rollback()


async def refusal(conn: asyncpg.Connection | None, act: Callable[[], Awaitable[object]],
                  error: type[Exception]) -> Exception:
    """The ``error`` that ``act`` meets; in PostgreSQL (``conn``) under a savepoint."""
    with pytest.raises(error) as refused:
        if conn is None:
            await act()
        else:
            async with conn.transaction():
                await act()
    return refused.value
