"""The relay recovers from a producer the broker rejects for good.

After sends expire while the broker is away, an idempotent producer can be left with
sequence numbers ahead of what the broker has: every later send fails with
OutOfOrderSequenceNumber. The test puts a real producer in that state (its sequence numbers
moved on, as expired batches leave them) against the real broker.
"""

from __future__ import annotations

import asyncio
import secrets

from aiokafka.errors import OutOfOrderSequenceNumber
import pytest

from shared.eventstore import CommandMeta, EventStore
from shared.messaging.kafka import ensure_topics, event_producer
from shared.outbox.publisher import Publisher
from shared.outbox.relay import OutboxRelay
from tests.support.db import dispose, fresh_store_pool, sequence_until
from tests.support.events import Noted

STREAMS = 6


async def published(pool) -> int:
    async with pool.acquire() as conn:
        return await conn.fetchval("select published_position from es.relay_state")


async def append_round(store: EventStore, version: int) -> None:
    async with store.pool.acquire() as conn:
        for i in range(STREAMS):
            async with conn.transaction():
                await store.append(conn, f"notebook-{i}", version, [Noted(text=f"n{i}.{version}")], CommandMeta(actor="a"))


@pytest.fixture
async def relay_setup(settings):
    name, pool = await fresh_store_pool(settings, "renew")
    topic = f"{settings.topic_prefix}renew-{secrets.token_hex(3)}.events"
    await ensure_topics(settings, [topic], 3)
    store = EventStore(pool, "test")
    producer = event_producer(settings)
    await producer.start()
    await append_round(store, 0)
    await sequence_until(pool, STREAMS)
    yield store, producer, topic
    await dispose(settings, name, pool)


def stale(producer) -> None:
    """Move the producer's sequence numbers on, as batches that expired leave them."""
    numbers = producer._txn_manager._sequence_numbers  # noqa: SLF001 - the state under test
    for tp in list(numbers):
        numbers[tp] += 7


async def test_a_stale_producer_cannot_publish_and_a_renewed_one_can(settings, relay_setup):
    store, producer, topic = relay_setup
    relay = OutboxRelay(Publisher(store.pool, producer, source="test", topic=topic,
                                  new_producer=lambda: event_producer(settings)))
    assert await relay.publish_once() == STREAMS  # the same streams again below: the same partitions
    stale(producer)
    await append_round(store, 1)
    await sequence_until(store.pool, 2 * STREAMS)

    with pytest.raises(OutOfOrderSequenceNumber):  # what the relay met on every retry before
        await asyncio.wait_for(relay.publish_once(), timeout=30)
    assert await published(store.pool) == STREAMS

    stopping = asyncio.Event()
    running = asyncio.create_task(relay.run(stopping))
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while await published(store.pool) < 2 * STREAMS:
            assert asyncio.get_running_loop().time() < deadline, "the relay never published again"
            await asyncio.sleep(0.1)
    finally:
        stopping.set()
        await running
        await relay.producer.stop()
    assert relay.producer is not producer
