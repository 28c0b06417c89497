"""The relay is woken by a command's commit, and whatever path a batch takes to Kafka —
read back from the log or handed over just sequenced — the topic holds the log in order."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer

from shared.eventstore import CommandMeta, EventStore
from shared.messaging.credentials import client_options
from shared.messaging.kafka import decode, ensure_topics, event_producer
from shared.outbox.publisher import Publisher
from shared.outbox.relay import OutboxRelay
from shared.outbox.wakeup import CommitSignal
from tests.support.db import dispose, fresh_store_pool
from tests.support.events import Notebook, Noted

META = CommandMeta(actor="test:bob")


@pytest.fixture
async def pool(settings):
    name, pool = await fresh_store_pool(settings, "wake")
    yield pool
    await dispose(settings, name, pool)


def note(key: str):
    async def handler(uow):
        book = await uow.load(Notebook, key)
        book.note(key)
        await uow.save(book)
        return {}
    return handler


async def test_a_committed_command_wakes_the_listening_relay(pool):
    relay = OutboxRelay(Publisher(pool, producer=None, source="test", topic="unused"))  # type: ignore[arg-type]
    signal = CommitSignal(pool)
    signal.start()
    listening = await pool.acquire()
    try:
        await relay.wakeup.listen(listening)
        assert not relay.wakeup.event.is_set()
        await EventStore(pool, "test", on_commit=signal.poke).execute("Note", {}, META, note("loud"))
        await asyncio.wait_for(relay.wakeup.event.wait(), timeout=5)
    finally:
        await relay.wakeup.unlisten(listening)
        await pool.release(listening)
        await signal.stop()


async def until(step, expected: int, timeout: float = 10.0) -> int:
    """Repeat ``step`` until it has moved ``expected`` events. The sequencer's horizon is
    cluster-wide: a transaction open anywhere on the shared server holds it back a moment."""
    moved, deadline = 0, asyncio.get_running_loop().time() + timeout
    while moved < expected and asyncio.get_running_loop().time() < deadline:
        moved += await step()
        await asyncio.sleep(0.01)
    return moved


async def test_backlog_and_fresh_batches_reach_the_topic_in_log_order(pool, settings):
    topic = f"{settings.topic_prefix}wake-test.events"
    await ensure_topics(settings, [topic], 1)
    store = EventStore(pool, "test")

    async def append(*keys: str) -> None:
        async with pool.acquire() as conn:
            for key in keys:
                await store.append(conn, f"notebook-{key}", 0, [Noted(text=key)], META)

    producer = event_producer(settings)
    await producer.start()
    try:
        await append("a", "b", "c")
        killed = OutboxRelay(Publisher(pool, producer, source="test", topic=topic))
        assert await until(killed.sequence_once, 3) == 3  # sequenced, then gone before publishing
        await append("d", "e")
        relay = OutboxRelay(Publisher(pool, producer, source="test", topic=topic))
        assert await until(relay.drain, 5) == 5  # the backlog, read back from the log, then d and e
        await append("f", "g")
        assert await until(relay.drain, 2) == 2  # handed over as sequenced
        async with pool.acquire() as conn:
            assert await conn.fetchval("select published_position from es.relay_state") == 7
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(topic, **client_options(settings), auto_offset_reset="earliest")
    await consumer.start()
    try:
        records = []
        while len(records) < 7:
            batch = await asyncio.wait_for(consumer.getmany(timeout_ms=500), timeout=10)
            records += [r for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    events = [decode(r.value) for r in records]
    assert [(e.global_position, e.payload["text"]) for e in events] == list(enumerate("abcdefg", start=1))
    assert all(e.chain_hash for e in events)
