"""The hash-chained log: tampering directly in PostgreSQL is caught and named."""

from __future__ import annotations

import asyncio

import pytest

from shared.eventstore import CommandMeta, EventStore
from shared.eventstore.audit import verify_chain
from shared.outbox.relay import OutboxRelay
from tests.support.db import dispose, fresh_store_pool, sequence_until
from tests.support.events import Noted


@pytest.fixture
async def logged(settings):
    """A store with 20 sequenced events."""
    name, pool = await fresh_store_pool(settings, "audit")
    store = EventStore(pool, "test")
    async with pool.acquire() as conn:
        for i in range(20):
            async with conn.transaction():
                await store.append(conn, f"notebook-{i}", 0, [Noted(text=f"n{i}")], CommandMeta(actor="a"))
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


async def test_relay_publishes_chain_heads_that_verify(settings):
    from shared.messaging.kafka import ensure_topics, event_producer

    name, pool = await fresh_store_pool(settings, "heads")
    topic = f"{settings.topic_prefix}audit-test.events"
    await ensure_topics(settings.kafka_bootstrap, [topic], 1)
    producer = event_producer(settings.kafka_bootstrap)
    await producer.start()
    try:
        store = EventStore(pool, "test")
        async with pool.acquire() as conn:
            for i in range(12):
                async with conn.transaction():
                    await store.append(conn, f"notebook-{i}", 0, [Noted(text=f"n{i}")], CommandMeta(actor="a"))
        relay, deadline = OutboxRelay(pool, producer, source="test", topic=topic, checkpoint_every=5), 10
        while len(log := await store.read_all(0)) < 13 and deadline > 0:  # 12 events and their checkpoint
            await relay.drain()
            await asyncio.sleep(0.05)
            deadline -= 0.05
        heads = {e.payload["position"]: e.payload["chain_hash"] for e in log if e.type == "ChainCheckpointed"}
        assert sorted(heads) == [12]  # 12 events since the start; the checkpoint itself is position 13
        assert {e.global_position: e.chain_hash for e in log}[12] == heads[12]
        async with pool.acquire() as conn:
            assert (await verify_chain(conn, expected_heads=heads)).ok
    finally:
        await producer.stop()
        await dispose(settings, name, pool)
