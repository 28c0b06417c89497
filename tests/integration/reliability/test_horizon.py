"""A service's horizon is its own: a transaction left open in another database on the same
cluster does not hold this service's relay back, while one open in its own database still
does (that is what keeps a late writer from being skipped)."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from shared.eventstore import CommandMeta, EventStore
from tests.support.db import dispose, fresh_store_pool, sequence_until
from tests.support.events import Noted

META = CommandMeta(actor="test:horizon")


@pytest.fixture
async def stores(settings):
    here_name, here = await fresh_store_pool(settings, "horizon_here", max_size=4)
    there_name, there = await fresh_store_pool(settings, "horizon_there", max_size=4)
    yield EventStore(here, "test"), there
    await dispose(settings, here_name, here)
    await dispose(settings, there_name, there)


async def open_writer(pool: asyncpg.Pool) -> tuple[asyncpg.Connection, asyncpg.transaction.Transaction]:
    """A transaction that has written (it holds a transaction id) and is left open."""
    conn = await pool.acquire()
    tx = conn.transaction()
    await tx.start()
    await conn.fetchval("select pg_current_xact_id()")
    return conn, tx


async def test_an_open_transaction_in_another_database_does_not_delay_sequencing(stores):
    store, there = stores
    async with store.pool.acquire() as c:  # a first, warm-up event: connections, plans
        await store.append(c, "notebook-0", 0, [Noted(text="warm")], META)
    assert await sequence_until(store.pool, 1) == 1
    conn, tx = await open_writer(there)
    try:
        async with store.pool.acquire() as c:
            await store.append(c, "notebook-1", 0, [Noted(text="N")], META)
        started = time.perf_counter()
        reached = await sequence_until(store.pool, 2, timeout=5.0)
        took = time.perf_counter() - started
    finally:
        await tx.rollback()
        await there.release(conn)
    print(f"\nsequenced beside another database's open transaction in {took * 1000:.0f} ms")
    assert reached == 2, "another database's open transaction held this relay back"


async def test_an_open_writer_in_its_own_database_still_holds_the_horizon(stores):
    store, _ = stores
    conn, tx = await open_writer(store.pool)  # older id than the append below
    try:
        async with store.pool.acquire() as c:
            await store.append(c, "notebook-1", 0, [Noted(text="N")], META)
        assert await sequence_until(store.pool, 1, timeout=0.5) == 0
    finally:
        await tx.rollback()
        await store.pool.release(conn)
    assert await sequence_until(store.pool, 1, timeout=5.0) == 1


async def test_a_writer_that_commits_late_is_not_skipped(stores):
    store, _ = stores
    conn, tx = await open_writer(store.pool)
    try:
        async with store.pool.acquire() as c:
            await store.append(c, "notebook-2", 0, [Noted(text="later")], META)
        await asyncio.sleep(0)
        await store.append(conn, "notebook-1", 0, [Noted(text="earlier id")], META)
    finally:
        await tx.commit()
        await store.pool.release(conn)
    assert await sequence_until(store.pool, 2, timeout=5.0) == 2
