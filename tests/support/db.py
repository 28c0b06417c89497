"""A fresh database per test that needs one, migrated like a service's (shared/migrations)."""

from __future__ import annotations

import asyncio
import secrets

from shared.config import Settings
from shared.db import create_pool, drop_database, ensure_database
from shared.migrations import EVENT_STORE, Chain, migrate

# The event store and the projections' positions: what every service database starts with.
EVENT_STORE_ONLY = Chain("event_store", (EVENT_STORE,))


async def migrated(settings: Settings, database: str, chain: Chain = EVENT_STORE_ONLY) -> None:
    """Apply ``chain`` to ``database`` as `xingcun db migrate` does (yoyo is synchronous)."""
    await asyncio.to_thread(migrate, settings, chain, database)


async def fresh_store_pool(settings: Settings, label: str, max_size: int = 40, chain: Chain = EVENT_STORE_ONLY):
    name = f"{settings.db_prefix}{label}_{secrets.token_hex(2)}"
    await ensure_database(settings, name)
    await migrated(settings, name, chain)
    pool = await create_pool(settings.dsn_for(name), max_size=max_size)
    return name, pool


async def create_tables(pool, ddl: str) -> None:
    """A test projection's own tables (a service's are in its migrations)."""
    async with pool.acquire() as conn:
        await conn.execute(ddl)


async def dispose(settings: Settings, name: str, pool) -> None:
    await pool.close()
    await drop_database(settings, name)


async def sequence_until(pool, expected: int, timeout: float = 10.0) -> int:
    """Run the sequencer until ``expected`` events are in the log. A writer still open in
    this database holds its horizon back for a moment (es.horizon())."""
    import asyncio

    from shared.outbox.sequencer import Sequencer

    sequencer = Sequencer(pool)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with pool.acquire() as conn:
            reached = await conn.fetchval("select last_position from es.relay_state")
        if reached >= expected or loop.time() > deadline:
            return reached
        await sequencer.sequence_once()
        await asyncio.sleep(0.01)


async def sequence_all(pool, timeout: float = 30.0) -> None:
    """Run the sequencer until every committed event of the database is in the log."""
    import asyncio

    from shared.outbox.sequencer import Sequencer

    sequencer = Sequencer(pool)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with pool.acquire() as conn:
            left = await conn.fetchval("select count(*) from es.events e where not exists "
                                       "(select 1 from es.log l where l.event_row = e.id)")
        if not left:
            return
        if not await sequencer.sequence_once():
            assert asyncio.get_running_loop().time() < deadline, f"the sequencer left {left} events unsequenced"
            await asyncio.sleep(0.02)


class PoolReads:
    """A test harness's reads of its own database (``self.pool``), a connection per call."""

    pool: object

    async def fetch(self, sql: str, *args):
        async with self.pool.acquire() as conn:
            return await conn.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args):
        async with self.pool.acquire() as conn:
            return await conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args):
        async with self.pool.acquire() as conn:
            return await conn.fetchval(sql, *args)


async def fetchval(dsn: str, query: str, *args):
    """One value, read over a connection of its own (for tests outside any pool)."""
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


async def events_written(dsn: str) -> int:
    """Events commands wrote: the relay's own chain checkpoints come and go on a timer, so a
    check that a refused command wrote nothing must leave them out."""
    return await fetchval(dsn, "select count(*) from es.events where type <> 'ChainCheckpointed'")
