"""The hash-chained log: tampering directly in PostgreSQL is caught and named."""

from __future__ import annotations

import pytest

from shared.eventstore import EventStore
from shared.eventstore.audit import verify_chain
from tests.support.db import dispose, fresh_store_pool, sequence_until
from tests.support.events import append_notes


@pytest.fixture
async def logged(settings):
    """A store with 20 sequenced events."""
    name, pool = await fresh_store_pool(settings, "audit")
    await append_notes(EventStore(pool, "test"), 20)
    await sequence_until(pool, 20)
    yield pool
    await dispose(settings, name, pool)


async def test_intact_log_verifies(logged):
    async with logged.acquire() as conn:
        report = await verify_chain(conn, batch=7)
    assert report.ok and report.checked == 20 and report.head_position == 20


async def test_altered_payload_is_named(logged):
    async with logged.acquire() as conn:
        event_id = await conn.fetchval(
            "update es.events set payload = '{\"text\": \"forged\"}' where stream_id = 'notebook-12' returning event_id")
        report = await verify_chain(conn)
    assert report.problem.kind == "altered" and report.problem.position == 13
    assert report.problem.event_id == str(event_id)


async def test_removed_event_is_named(logged):
    async with logged.acquire() as conn:
        row = await conn.fetchval("delete from es.log where position = 5 returning event_row")
        await conn.execute("delete from es.events where id = $1", row)
        report = await verify_chain(conn)
    assert report.problem.kind == "missing" and report.problem.position == 5


async def test_reordered_events_are_caught(logged):
    async with logged.acquire() as conn:
        async with conn.transaction():  # swap the events at positions 8 and 9
            await conn.execute("update es.log set position = -8 where position = 8")
            await conn.execute("update es.log set position = 8 where position = 9")
            await conn.execute("update es.log set position = 9 where position = -8")
        report = await verify_chain(conn)
    assert report.problem.kind == "altered" and report.problem.position == 8


async def test_rewritten_history_differs_from_published_head(logged):
    async with logged.acquire() as conn:
        head = (await verify_chain(conn)).head_hash
        # A forger who rewrites event 3 and recomputes every later link...
        await conn.execute("update es.events set actor = 'forger' where stream_id = 'notebook-2'")
        await conn.execute("delete from es.log")
        await conn.execute("update es.relay_state set last_tx = '0', last_row = 0, last_position = 0, last_hash = '\\x'")
    await sequence_until(logged, 20)
    async with logged.acquire() as conn:
        assert (await verify_chain(conn)).ok  # internally consistent again
        report = await verify_chain(conn, expected_heads={20: head})  # ...but not with the published head
    assert report.problem.kind == "head_mismatch"
